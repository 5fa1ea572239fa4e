package compiler_test

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cuelang.org/go/cue/errors"
	"github.com/google/go-cmp/cmp"

	"github.com/trustc-dev/trustc/compiler"
	fixturerepo "github.com/trustc-dev/trustc/internal/fixture"
	"github.com/trustc-dev/trustc/internal/refdata"
)

// fixture builds a temporary repository holding the frozen fixture
// (internal/fixture) with its production environment as an environment
// "test" of package fixture, so that expected positions do not move when
// environments/production is edited.
func fixture(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	if err := os.CopyFS(filepath.Join(dst, "environments", "test"), fixturerepo.Production); err != nil {
		t.Fatal(err)
	}
	cues, _ := filepath.Glob(filepath.Join(dst, "environments/test/*.cue"))
	for _, f := range cues {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b = bytes.Replace(b, []byte("\npackage production\n"), []byte("\npackage fixture\n"), 1)
		if bytes.HasPrefix(b, []byte("package production\n")) {
			b = append([]byte("package fixture\n"), b[len("package production\n"):]...)
		}
		if err := os.WriteFile(f, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := fixturerepo.WriteModule(dst); err != nil {
		t.Fatal(err)
	}
	return dst
}

// edit replaces old by new in an environment file; old must occur once.
func edit(t *testing.T, root, file, old, new string) {
	t.Helper()
	p := filepath.Join(root, "environments", "test", file)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), old); n != 1 {
		t.Fatalf("%s holds %q %d times, want once", file, old, n)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, root, file string, data []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(root, "environments", "test", file), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func rsaPublicKeyPEM(t *testing.T, bits int) []byte {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func privateKeyPEM(t *testing.T) []byte {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

// TestBadInput checks that each kind of bad input is reported with the CUE
// file, line, column and field, and the fix where it is plain.
func TestBadInput(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, root string)
		want  string
	}{{
		name: "missing PEM file",
		setup: func(t *testing.T, r string) {
			edit(t, r, "services.cue", `key:    "rekor.pub"`, `key:    "rekor-typo.pub"`)
		},
		want: `rekor.rekor.key: material file "rekor-typo.pub" does not exist beside the environment's CUE files:
    ./environments/test/services.cue:13:11
`,
	}, {
		name:  "file that is not PEM",
		setup: func(t *testing.T, r string) { write(t, r, "rekor.pub", []byte("not a key\n")) },
		want: `rekor.rekor.key: rekor.pub holds no PEM block:
    ./environments/test/services.cue:13:11
`,
	}, {
		name: "PEM with a malformed key",
		setup: func(t *testing.T, r string) {
			write(t, r, "ctfe.pub", []byte("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"))
		},
		want: `ct.test.key: ctfe.pub: the PUBLIC KEY block is not a DER SubjectPublicKeyInfo (asn1: structure error: tags don't match):
    ./environments/test/services.cue:31:8
`,
	}, {
		name:  "private key where a public key belongs",
		setup: func(t *testing.T, r string) { write(t, r, "log2025-1.rekor.pub", privateKeyPEM(t)) },
		// Refused before CUE loads, at the file: any file under
		// environments/ holding a private key is.
		want: `material: this file holds a private key (a PEM "PRIVATE KEY" block): nothing under environments/ may hold one, since its files are committed and published; delete it, and rotate the key, as it may already have been shared:
    ./environments/test/log2025-1.rekor.pub:1:1
`,
	}, {
		name: "certificate file holding a key",
		setup: func(t *testing.T, r string) {
			b, _ := os.ReadFile(filepath.Join(r, "environments/test/rekor.pub"))
			write(t, r, "fulcio.crt.pem", b)
		},
		want: `ca.fulcio.chains.v0.certs.0: fulcio.crt.pem holds a PEM "PUBLIC KEY" block; a chain file holds only CERTIFICATE blocks:
    ./environments/test/services.cue:46:12
`,
	}, {
		name: "bad timestamp",
		setup: func(t *testing.T, r string) {
			edit(t, r, "services.cue", `verify: start: "2025-09-23T00:00:00Z"`, `verify: start: "2025-09-31T00:00:00Z"`)
		},
		want: `rekor."log2025-1".verify.start: invalid timestamp "2025-09-31T00:00:00Z": want RFC 3339 in UTC, like 2025-09-23T00:00:00Z:
    ./environments/test/services.cue:22:18
`,
	}, {
		name: "timestamp not in UTC",
		setup: func(t *testing.T, r string) {
			edit(t, r, "services.cue", `verify: start: "2022-10-20T00:00:00Z"`, `verify: start: "2022-10-20T02:00:00+02:00"`)
		},
		want: `ct."2022".verify.start: timestamp "2022-10-20T02:00:00+02:00" is not in UTC: write it as 2022-10-20T00:00:00Z:
    ./environments/test/services.cue:37:18
`,
	}, {
		name:  "unknown field",
		setup: func(t *testing.T, r string) { edit(t, r, "services.cue", `api: 2`, "api: 2\n\t\tshard: \"x\"") },
		want: `rekor."log2025-1".shard: field not allowed:
    ./environments/test/services.cue:21:3
`,
	}, {
		// Both values are the environment's, in two files: the error
		// names them, not the schema's type.
		name: "conflict between two files",
		setup: func(t *testing.T, r string) {
			edit(t, r, "services.cue", "let fulcioSince", "operator: 5\n\nlet fulcioSince")
		},
		want: `operator: conflicting values "sigstore.dev" and 5 (mismatched types string and int):
    ./environments/test/environment.cue:9:11
    ./environments/test/services.cue:5:11
`,
	}, {
		name: "end before start",
		setup: func(t *testing.T, r string) {
			edit(t, r, "services.cue", `end: "2022-10-31T23:59:59.999Z"`, `end: "2020-10-31T23:59:59.999Z"`)
		},
		want: `ct.test.verify.end: well-formed: ct "test" verification window ends 2020-10-31T23:59:59.999Z, before it starts 2021-03-14T00:00:00Z; move the end after the start:
    ./environments/test/services.cue:32:48
`,
	}, {
		name: "typed log id that disagrees with the key",
		setup: func(t *testing.T, r string) {
			edit(t, r, "services.cue", `key: "log2025-1.rekor.pub"`, `key: "log2025-1.rekor.pub"`+"\n\t\tlogId: \"wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=\"")
		},
		want: `rekor."log2025-1".logId: logId "wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=" does not match the key in log2025-1.rekor.pub, whose log id is "zxGZFVvd0FEmjR8WrFwMdcAJ9vtaY/QXf44Y1wUeP6A="; remove logId (it is derived) or fix the key file:
    ./environments/test/services.cue:22:10
`,
	}, {
		name: "key details that do not fit the key",
		setup: func(t *testing.T, r string) {
			edit(t, r, "services.cue", `key: "log2025-1.rekor.pub"`, `key: "log2025-1.rekor.pub"`+"\n\t\tkeyDetails: \"PKIX_ECDSA_P256_SHA_256\"")
		},
		want: `rekor."log2025-1".keyDetails: keyDetails "PKIX_ECDSA_P256_SHA_256" does not fit the key in log2025-1.rekor.pub (PKIX_ED25519); remove keyDetails to use the derived value:
    ./environments/test/services.cue:22:15
`,
	}, {
		name: "signing window in an undeclared file",
		setup: func(t *testing.T, r string) {
			edit(t, r, "services.cue", `sign: rekorV2: start: "2026-01-01T00:00:00Z"`, `sign: rekorV3: start: "2026-01-01T00:00:00Z"`)
		},
		want: `rekor."log2025-1".sign.rekorV3: well-formed: "rekorV3" is not a signing config of this environment (signingConfigs has [main rekorV2]); add it there or fix the name:
    ./environments/test/services.cue:24:25
`,
	}, {
		name:  "missing required field",
		setup: func(t *testing.T, r string) { edit(t, r, "services.cue", `url: "https://ctfe.sigstore.dev/2022"`, ``) },
		want: `ct."2022".url: incomplete value string: the environment must set url:
    ./environments/test/services.cue:36:8
`,
	}, {
		name: "TUF target file that does not exist",
		setup: func(t *testing.T, r string) {
			edit(t, r, "tuf_targets.cue", `"artifact.pub": {}`, `"artefact.pub": {}`)
		},
		want: `tufTargets."artefact.pub": well-formed: tufTargets names "artefact.pub", which is no file beside the environment's CUE files; copy the file there or remove the entry:
    ./environments/test/tuf_targets.cue:17:2
`,
	}, {
		name: "TUF target in a subdirectory",
		setup: func(t *testing.T, r string) {
			edit(t, r, "tuf_targets.cue", `"artifact.pub": {}`, `"keys/artifact.pub": {}`)
		},
		want: `tufTargets."keys/artifact.pub": well-formed: file name "keys/artifact.pub" must be a plain file name:
    ./environments/test/tuf_targets.cue:17:2
`,
	}, {
		name: "TUF target named like a trust file",
		setup: func(t *testing.T, r string) {
			write(t, r, "trusted_root.json", refdata.ReadFile(t, "production", "targets", "rekor.pub"))
			edit(t, r, "tuf_targets.cue", `"artifact.pub": {}`, `"trusted_root.json": {}`)
		},
		want: `tufTargets."trusted_root.json": well-formed: file name "trusted_root.json" is published twice:
    ./environments/test/tuf_targets.cue:17:2
`,
	}, {
		name:  "TUF target holding a private key",
		setup: func(t *testing.T, r string) { write(t, r, "artifact.pub", privateKeyPEM(t)) },
		want: `material: this file holds a private key (a PEM "PRIVATE KEY" block): nothing under environments/ may hold one, since its files are committed and published; delete it, and rotate the key, as it may already have been shared:
    ./environments/test/artifact.pub:1:1
`,
	}, {
		name: "TUF target used in two roles",
		setup: func(t *testing.T, r string) {
			edit(t, r, "services.cue", `key: "ctfe_2022.pub"`, `key: "rekor.pub"`)
		},
		want: `tufTargets."rekor.pub": well-formed: rekor.pub is used by rekor "rekor" as Rekor (https://rekor.sigstore.dev) and ct "2022" as CTFE (https://ctfe.sigstore.dev/2022); a TUF target has one usage and uri, so publish each use as a file of its own:
    ./environments/test/tuf_targets.cue:7:2
`,
	}, {
		name: "waiting period too long to count",
		setup: func(t *testing.T, r string) {
			edit(t, r, "environment.cue", `optIn:         true
		waitingPeriod: "90d"`, `optIn:         true
		waitingPeriod: "213505d"`)
		},
		want: `signingConfigs.rekorV2.waitingPeriod: duration "213505d" is longer than 106751 days, the most trustc can count; write a shorter one:
    ./environments/test/environment.cue:33:18
`,
	}, {
		name: "empty start",
		setup: func(t *testing.T, r string) {
			edit(t, r, "services.cue", `verify: start: "2025-09-23T00:00:00Z"`, `verify: start: ""`)
		},
		want: `rekor."log2025-1".verify.start: empty timestamp: want RFC 3339 in UTC, like 2025-09-23T00:00:00Z (leave an end out for an open window):
    ./environments/test/services.cue:22:18
`,
	}, {
		name: "empty end",
		setup: func(t *testing.T, r string) {
			edit(t, r, "services.cue", `end: "2022-10-31T23:59:59.999Z"`, `end: ""`)
		},
		want: `ct.test.verify.end: empty timestamp: want RFC 3339 in UTC, like 2025-09-23T00:00:00Z (leave an end out for an open window):
    ./environments/test/services.cue:32:48
`,
	}, {
		name: "start at the zero time",
		setup: func(t *testing.T, r string) {
			edit(t, r, "services.cue", `verify: start: "2025-09-23T00:00:00Z"`, `verify: start: "0001-01-01T00:00:00Z"`)
		},
		want: `rekor."log2025-1".verify.start: timestamp "0001-01-01T00:00:00Z" is before 1970-01-01T00:00:00Z; nothing trustc publishes is that old:
    ./environments/test/services.cue:22:18
`,
	}, {
		name: "more than nanoseconds",
		setup: func(t *testing.T, r string) {
			edit(t, r, "services.cue", `end: "2022-10-31T23:59:59.999Z"`, `end: "2022-10-31T23:59:59.9999999999Z"`)
		},
		want: `ct.test.verify.end: timestamp "2022-10-31T23:59:59.9999999999Z" has 10 fractional digits; timestamps hold nanoseconds, at most 9 digits:
    ./environments/test/services.cue:32:48
`,
	}, {
		name: "empty url",
		setup: func(t *testing.T, r string) {
			edit(t, r, "services.cue", `url: "https://log2025-1.rekor.sigstore.dev"`, `url: ""`)
		},
		// The other two problems follow from the same empty url.
		want: `rekor."log2025-1": well-formed: "log2025-1" is in a signing config but has no url; add its url:
    ./environments/test/services.cue:19:8
rekor."log2025-1".url: Rekor v2 log url "" has no origin to compute its log id over: no host:
    ./environments/test/services.cue:19:8
rekor."log2025-1".url: empty url; give the service's https URL:
    ./environments/test/services.cue:19:8
`,
	}, {
		name: "url with a trailing space",
		setup: func(t *testing.T, r string) {
			edit(t, r, "services.cue", `url: "https://ctfe.sigstore.dev/2022"`, `url: "https://ctfe.sigstore.dev/2022 "`)
		},
		want: `ct."2022".url: url "https://ctfe.sigstore.dev/2022 " has whitespace around it; write "https://ctfe.sigstore.dev/2022":
    ./environments/test/services.cue:35:8
`,
	}, {
		name: "url that differs only by a trailing slash",
		setup: func(t *testing.T, r string) {
			edit(t, r, "services.cue", `url: "https://ctfe.sigstore.dev/2022"`, `url: "https://ctfe.sigstore.dev/test/"`)
		},
		want: `ct."2022".url: well-formed: ct "2022" has the same url as "test" (https://ctfe.sigstore.dev/test/); each must be unique:
    ./environments/test/services.cue:35:8
`,
	}, {
		name: "bytes that are not UTF-8",
		setup: func(t *testing.T, r string) {
			edit(t, r, "services.cue", `url: "https://ctfe.sigstore.dev/2022"`, "url: \"https://ctfe.sigstore.dev/20\xff22\"")
		},
		want: `ct."2022".url: "https://ctfe.sigstore.dev/20\ufffd22" holds bytes that are not UTF-8 (read as U+FFFD); save the file as UTF-8:
    ./environments/test/services.cue:35:8
`,
	}, {
		name: "every problem is reported, not only the first",
		setup: func(t *testing.T, r string) {
			write(t, r, "rekor.pub", []byte("not a key\n"))
			edit(t, r, "services.cue", `end: "2022-10-31T23:59:59.999Z"`, `end: "2020-10-31T23:59:59.999Z"`)
			edit(t, r, "services.cue", `verify: start: "2025-09-23T00:00:00Z"`, `verify: start: "yesterday"`)
		},
		want: `rekor.rekor.key: rekor.pub holds no PEM block:
    ./environments/test/services.cue:13:11
rekor."log2025-1".verify.start: invalid timestamp "yesterday": want RFC 3339 in UTC, like 2025-09-23T00:00:00Z:
    ./environments/test/services.cue:22:18
ct.test.verify.end: well-formed: ct "test" verification window ends 2020-10-31T23:59:59.999Z, before it starts 2021-03-14T00:00:00Z; move the end after the start:
    ./environments/test/services.cue:32:48
`,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := fixture(t)
			tc.setup(t, root)
			_, err := compiler.Compile(compiler.Dir(root), compiler.Options{})
			if err == nil {
				t.Fatal("compiled without error")
			}
			got := errors.Details(err, &errors.Config{Cwd: root, ToSlash: true})
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

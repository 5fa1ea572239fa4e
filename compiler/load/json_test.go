package load

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"maps"
	"math/big"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/internal/certtest"
	"github.com/trustc-dev/trustc/release"
)

// publishedRoot and publishedConfig are a small published environment:
// one Rekor v1 log, one CA, and a signing config that sends clients to
// them and to an OIDC provider. Cases edit them by replacing text.
const publishedRoot = `{
  "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
  "tlogs": [
    {
      "baseUrl": "https://rekor.example.dev",
      "hashAlgorithm": "SHA2_256",
      "publicKey": {
        "rawBytes": "AQID",
        "keyDetails": "PKIX_ECDSA_P256_SHA_256",
        "validFor": {
          "start": "2025-01-01T00:00:00Z"
        }
      },
      "logId": {
        "keyId": "BAUG"
      }
    }
  ],
  "certificateAuthorities": [
    {
      "subject": {
        "organization": "example.dev",
        "commonName": "ca"
      },
      "uri": "https://ca.example.dev",
      "certChain": {
        "certificates": [
          {
            "rawBytes": "BwgJ"
          }
        ]
      },
      "validFor": {
        "start": "2025-01-01T00:00:00Z"
      }
    }
  ],
  "ctlogs": [],
  "timestampAuthorities": []
}
`

const publishedConfig = `{
  "mediaType": "application/vnd.dev.sigstore.signingconfig.v0.2+json",
  "caUrls": [
    {
      "url": "https://ca.example.dev",
      "majorApiVersion": 1,
      "validFor": {
        "start": "2025-02-01T00:00:00Z"
      },
      "operator": "example.dev"
    }
  ],
  "oidcUrls": [
    {
      "url": "https://oidc.example.dev",
      "majorApiVersion": 1,
      "validFor": {
        "start": "2025-02-01T00:00:00Z"
      },
      "operator": "example.dev"
    }
  ],
  "rekorTlogUrls": [
    {
      "url": "https://rekor.example.dev",
      "majorApiVersion": 1,
      "validFor": {
        "start": "2025-02-01T00:00:00Z"
      },
      "operator": "example.dev"
    }
  ],
  "tsaUrls": [],
  "rekorTlogConfig": {
    "selector": "ANY"
  },
  "tsaConfig": {
    "selector": "ANY"
  }
}
`

// fromPublished reads the published environment, edited by replacing each
// edit's old text with its new text in the named file and with the extra
// files added, into the model.
func fromPublished(t *testing.T, edits []edit, extra map[string]string, opts JSONOptions) (*model.Environment, error) {
	t.Helper()
	files := map[string]string{"trusted_root.json": publishedRoot, "signing_config.v0.2.json": publishedConfig}
	maps.Copy(files, extra)
	for _, e := range edits {
		if !strings.Contains(files[e.file], e.old) {
			t.Fatalf("%s holds no %q", e.file, e.old)
		}
		files[e.file] = strings.Replace(files[e.file], e.old, e.new, 1)
	}
	fsys := fstest.MapFS{}
	for name, b := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(b)}
	}
	env, err := release.ReadEnv(fsys, "pub")
	if err != nil {
		t.Fatal(err)
	}
	return FromRelease(env, opts)
}

// secondCA adds a CA entry at uri, valid from start, after the first.
func secondCA(uri, start string) edit {
	return rootEdit("    }\n  ],\n  \"ctlogs\"", `    },
    {
      "uri": "`+uri+`",
      "certChain": {"certificates": [{"rawBytes": "CgsM"}]},
      "validFor": {"start": "`+start+`"}
    }
  ],
  "ctlogs"`)
}

// anchorDER is a self-signed CA certificate for org and cn, base64 DER as
// a trusted root holds it.
func anchorDER(t *testing.T, org, cn string) string {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{Organization: []string{org}, CommonName: cn},
		NotBefore:             time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:              time.Date(2034, 1, 1, 0, 0, 0, 0, time.UTC),
		IsCA:                  true,
		BasicConstraintsValid: true,
	}
	return base64.StdEncoding.EncodeToString(certtest.Issue(t, tmpl, nil, &key.PublicKey, key).Raw)
}

// secondCAOperator adds a second chain of the CA at uri, stating operator.
func secondCAOperator(uri, operator string) edit {
	return rootEdit("    }\n  ],\n  \"ctlogs\"", `    },
    {"uri": "`+uri+`", "operator": "`+operator+`",
      "certChain": {"certificates": [{"rawBytes": "CgsM"}]},
      "validFor": {"start": "2026-01-01T00:00:00Z"}
    }
  ],
  "ctlogs"`)
}

// secondLog adds a second log at the first's URL, trusted from start; the
// first is then trusted until start.
func secondLog(start string) edit {
	return rootEdit(`"start": "2025-01-01T00:00:00Z"
        }
      },
      "logId": {
        "keyId": "BAUG"
      }
    }`, `"start": "2025-01-01T00:00:00Z", "end": "`+start+`"
        }
      },
      "logId": {
        "keyId": "BAUG"
      }
    },
    {"baseUrl": "https://rekor.example.dev", "hashAlgorithm": "SHA2_256",
      "publicKey": {"rawBytes": "AQIE", "keyDetails": "PKIX_ECDSA_P256_SHA_256", "validFor": {"start": "`+start+`"}},
      "logId": {"keyId": "BAUH"}
    }`)
}

// secondRekorEntry sends clients to the Rekor URL a second time, from
// start, listed first (protobuf-specs lists signing-config services newest
// first).
func secondRekorEntry(start string) edit {
	return configEdit(`  "rekorTlogUrls": [
`, `  "rekorTlogUrls": [
    {
      "url": "https://rekor.example.dev", "majorApiVersion": 1, "operator": "example.dev",
      "validFor": {"start": "`+start+`"}
    },
`)
}

// otherConfig is a second signing config that sends clients to one Rekor
// URL with the given API version and operator.
func otherConfig(url string, api int, operator string) string {
	return `{
  "mediaType": "application/vnd.dev.sigstore.signingconfig.v0.2+json",
  "rekorTlogUrls": [
    {
      "url": "` + url + `",
      "majorApiVersion": ` + strconv.Itoa(api) + `,
      "validFor": {"start": "2025-02-01T00:00:00Z"},
      "operator": "` + operator + `"
    }
  ],
  "rekorTlogConfig": {"selector": "ANY"},
  "tsaConfig": {"selector": "ANY"}
}
`
}

type edit struct{ file, old, new string }

func rootEdit(old, new string) edit   { return edit{"trusted_root.json", old, new} }
func configEdit(old, new string) edit { return edit{"signing_config.v0.2.json", old, new} }

// TestFromRelease reads published JSON into the model: which services it
// makes, what it assumes, and where each value stands in its file.
func TestFromRelease(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edits []edit
		files map[string]string
		opts  JSONOptions
		get   func(env *model.Environment) any
		want  any
	}{
		{
			name: "a log's position and path",
			get:  func(env *model.Environment) any { return env.Rekor[0].URL.Src },
			want: "pub/trusted_root.json:5:18: tlogs[0].baseUrl",
		},
		{
			name: "a signing window's position and path",
			get: func(env *model.Environment) any {
				w, _ := env.Rekor[0].SignWindow("signing_config.v0.2.json")
				return w.Start.Src
			},
			want: "pub/signing_config.v0.2.json:28:18: rekorTlogUrls[0].validFor.start",
		},
		{
			name: "services named by URL, API from the signing config",
			get: func(env *model.Environment) any {
				l := env.Rekor[0]
				return []any{l.Name, l.API.V, env.CAs[0].Name, env.OIDC[0].Name}
			},
			want: []any{"rekor.example.dev", 1, "ca.example.dev", "oidc.example.dev"},
		},
		{
			name:  "an Ed25519 log no signing config names is API v2",
			edits: []edit{rootEdit(`"PKIX_ECDSA_P256_SHA_256"`, `"PKIX_ED25519"`), configEdit(`"https://rekor.example.dev"`, `"https://other.example.dev"`)},
			get:   func(env *model.Environment) any { return []any{env.Rekor[0].API.V, env.Rekor[0].API.Set()} },
			want:  []any{2, false},
		},
		{
			name: "the key as PEM, the log id and key details as published",
			get: func(env *model.Environment) any {
				l := env.Rekor[0]
				return []string{string(l.Key.Bytes), l.LogID.V, l.KeyDetails.V}
			},
			want: []string{"-----BEGIN PUBLIC KEY-----\nAQID\n-----END PUBLIC KEY-----\n", "BAUG", "PKIX_ECDSA_P256_SHA_256"},
		},
		{
			name:  "a PKCS#1 key",
			edits: []edit{rootEdit(`"PKIX_ECDSA_P256_SHA_256"`, `"PKCS1_RSA_PKCS1V5"`)},
			get:   func(env *model.Environment) any { return string(env.Rekor[0].Key.Bytes) },
			want:  "-----BEGIN RSA PUBLIC KEY-----\nAQID\n-----END RSA PUBLIC KEY-----\n",
		},
		{
			name:  "chains of one URI make one authority",
			edits: []edit{secondCA("https://ca.example.dev", "2026-01-01T00:00:00Z")},
			get: func(env *model.Environment) any {
				var out []string
				for _, a := range env.CAs {
					for _, ch := range a.Chains {
						out = append(out, a.Name+" "+ch.Name)
					}
				}
				return out
			},
			want: []string{"ca.example.dev certificateAuthorities[0]", "ca.example.dev certificateAuthorities[1]"},
		},
		{
			name:  "a subject that differs from the anchor's is published so",
			edits: []edit{rootEdit(`"rawBytes": "BwgJ"`, `"rawBytes": "`+anchorDER(t, "example.dev", "other")+`"`)},
			get: func(env *model.Environment) any {
				o := env.CAs[0].Chains[0].SubjectOverride
				return []string{o.Organization.V, o.CommonName.V, where("", o.Src)}
			},
			want: []string{"example.dev", "ca", "pub/trusted_root.json:21:18: certificateAuthorities[0].subject"},
		},
		{
			name:  "a subject that is the anchor's",
			edits: []edit{rootEdit(`"rawBytes": "BwgJ"`, `"rawBytes": "`+anchorDER(t, "example.dev", "ca")+`"`)},
			get:   func(env *model.Environment) any { return env.CAs[0].Chains[0].SubjectOverride == nil },
			want:  true,
		},
		{
			name: "the legacy signing config",
			files: map[string]string{"signing_config.json": `{
  "mediaType": "application/vnd.dev.sigstore.signingconfig.v0.1+json",
  "caUrl": "https://ca.example.dev",
  "oidcUrl": "https://oidc.example.dev",
  "tlogUrls": ["https://rekor.example.dev"],
  "tsaUrls": ["https://tsa.example.dev"]
}
`},
			get: func(env *model.Environment) any {
				l := env.Legacy
				return []string{l.File.V, l.CAURL.V, l.OIDCURL.V, l.TlogURLs[0].V, where("", l.TSAURLs[0].Src)}
			},
			want: []string{"signing_config.json", "https://ca.example.dev", "https://oidc.example.dev", "https://rekor.example.dev", "pub/signing_config.json:6:15: tsaUrls[0]"},
		},
		{
			name:  "a Rekor URL two logs share: each entry goes to the log trusted when it starts",
			edits: []edit{secondLog("2026-01-01T00:00:00Z"), secondRekorEntry("2026-02-01T00:00:00Z")},
			get: func(env *model.Environment) any {
				var out []string
				for _, l := range env.Rekor {
					for _, w := range l.Sign {
						out = append(out, l.Src.Path[0]+" "+where("", w.Start.Src))
					}
				}
				return out
			},
			want: []string{
				"tlogs[0] pub/signing_config.v0.2.json:32:18: rekorTlogUrls[1].validFor.start",
				"tlogs[1] pub/signing_config.v0.2.json:26:29: rekorTlogUrls[0].validFor.start",
			},
		},
		{
			name: "trust-only authorities of one subject make one authority",
			edits: []edit{rootEdit(`"uri": "https://ca.example.dev",`, ``), rootEdit("    }\n  ],\n  \"ctlogs\"", `    },
    {
      "subject": {"organization": "example.dev", "commonName": "ca"},
      "certChain": {"certificates": [{"rawBytes": "CgsM"}]},
      "validFor": {"start": "2026-01-01T00:00:00Z"}
    },
    {
      "subject": {"organization": "example.dev", "commonName": "other"},
      "certChain": {"certificates": [{"rawBytes": "CgsM"}]},
      "validFor": {"start": "2026-01-01T00:00:00Z"}
    }
  ],
  "ctlogs"`)},
			get: func(env *model.Environment) any {
				var out []string
				for _, a := range env.CAs {
					var chains []string
					for _, ch := range a.Chains {
						chains = append(chains, ch.Name)
					}
					out = append(out, a.Name+": "+strings.Join(chains, ", "))
				}
				return out
			},
			want: []string{
				"example.dev ca: certificateAuthorities[0], certificateAuthorities[1]",
				"example.dev other: certificateAuthorities[2]",
				"ca.example.dev: ",
			},
		},
		{
			name: "the main file is not opt-in, others are",
			opts: JSONOptions{MainFile: "signing_config_other.v0.2.json"},
			get:  func(env *model.Environment) any { return env.SigningConfigs[0].OptIn.V },
			want: true,
		},
		{
			name: "policy from the options",
			opts: JSONOptions{WaitingPeriod: time.Hour, TUFTimestampExpiry: 2 * time.Hour, Buffer: 3 * time.Hour, Clients: []string{"cosign"}},
			get: func(env *model.Environment) any {
				return []any{env.SigningConfigs[0].WaitingPeriod.V, env.Policy.MinWaitingPeriod(), env.Policy.Clients[0].V}
			},
			want: []any{time.Hour, 5 * time.Hour, "cosign"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Dir = "pub"
			env, err := fromPublished(t, tc.edits, tc.files, tc.opts)
			if err != nil {
				t.Fatalf("FromRelease: %v", err)
			}
			got := tc.get(env)
			if s, ok := got.(model.Src); ok {
				got = where("", s)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestFromReleaseProblems: what published JSON gets wrong is reported at
// the file, line and column, with the JSON path.
func TestFromReleaseProblems(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edits []edit
		files map[string]string
		opts  JSONOptions
		want  []string
	}{
		{
			name: "no start",
			want: []string{
				"pub/trusted_root.json:10:21: tlogs[0].publicKey.validFor.start: well-formed: missing; trustc needs the time a window starts",
			},
			edits: []edit{rootEdit(`"validFor": {
          "start": "2025-01-01T00:00:00Z"
        }`, `"validFor": {}`)},
		},
		{
			name: "trusted-root entries not oldest first",
			want: []string{
				"pub/trusted_root.json:40:29: certificateAuthorities[1].validFor.start: warning well-formed: certificateAuthorities[1] starts 2024-01-01T00:00:00Z, before certificateAuthorities[0] (2025-01-01T00:00:00Z); protobuf-specs lists trusted-root entries oldest first",
			},
			edits: []edit{secondCA("https://ca2.example.dev", "2024-01-01T00:00:00Z")},
		},
		{
			name:  "trusted-root entries oldest first",
			edits: []edit{secondCA("https://ca2.example.dev", "2025-01-01T00:00:00Z")},
		},
		{
			name: "a URL listed twice",
			want: []string{
				"pub/signing_config.v0.2.json:35:13,pub/signing_config.v0.2.json:34:13: tsaUrls[1].url: well-formed: signing_config.v0.2.json lists https://tsa.example.dev twice in tsaUrls (also at tsaUrls[0]); each URL must be unique",
			},
			edits: []edit{configEdit(`  "tsaUrls": [],`, `  "tsaUrls": [
    {"url": "https://tsa.example.dev", "majorApiVersion": 1, "validFor": {"start": "2025-02-01T00:00:00Z"}},
    {"url": "https://tsa.example.dev", "majorApiVersion": 1, "validFor": {"start": "2025-01-01T00:00:00Z"}}
  ],`)},
		},
		{
			name: "one Rekor URL, two API versions",
			want: []string{
				"pub/signing_config_b.v0.2.json:6:26,pub/signing_config.v0.2.json:26:26: rekorTlogUrls[0].majorApiVersion: well-formed: 2, but signing_config.v0.2.json: rekorTlogUrls[0] gives https://rekor.example.dev API version 1; a service has one API version",
			},
			files: map[string]string{"signing_config_b.v0.2.json": otherConfig("https://rekor.example.dev", 2, "example.dev")},
		},
		{
			name:  "one Rekor URL, one API version in two files",
			files: map[string]string{"signing_config_b.v0.2.json": otherConfig("https://rekor.example.dev", 1, "example.dev")},
		},
		{
			name: "one URL, two operators",
			want: []string{
				"pub/signing_config_b.v0.2.json:8:19,pub/signing_config.v0.2.json:30:19: rekorTlogUrls[0].operator: well-formed: \"other.dev\", but signing_config.v0.2.json: rekorTlogUrls[0] gives https://rekor.example.dev operator \"example.dev\"; a service has one operator",
			},
			files: map[string]string{"signing_config_b.v0.2.json": otherConfig("https://rekor.example.dev", 1, "other.dev")},
		},
		{
			name: "a signing config and the trusted root name two operators",
			want: []string{
				"pub/signing_config.v0.2.json:30:19,pub/trusted_root.json:5:59: rekorTlogUrls[0].operator: well-formed: \"example.dev\", but trusted_root.json: tlogs[0].operator names \"other.dev\" for the same service; a service has one operator",
			},
			edits: []edit{rootEdit(`"baseUrl": "https://rekor.example.dev",`, `"baseUrl": "https://rekor.example.dev", "operator": "other.dev",`)},
		},
		{
			name:  "a signing config and the trusted root name one operator",
			edits: []edit{rootEdit(`"baseUrl": "https://rekor.example.dev",`, `"baseUrl": "https://rekor.example.dev", "operator": "example.dev",`)},
		},
		{
			name: "two chains of one CA name two operators",
			want: []string{
				"pub/trusted_root.json:37:51,pub/trusted_root.json:25:52: certificateAuthorities[1].operator: well-formed: \"other.dev\", but trusted_root.json: certificateAuthorities[0].operator names \"example.dev\" for the same service; a service has one operator",
			},
			edits: []edit{
				rootEdit(`"uri": "https://ca.example.dev",`, `"uri": "https://ca.example.dev", "operator": "example.dev",`),
				secondCAOperator("https://ca.example.dev", "other.dev"),
			},
		},
		{
			name: "two chains of one CA name one operator",
			edits: []edit{
				rootEdit(`"uri": "https://ca.example.dev",`, `"uri": "https://ca.example.dev", "operator": "example.dev",`),
				secondCAOperator("https://ca.example.dev", "example.dev"),
			},
		},
		{
			name: "a Rekor URL twice in one file, both in the same log's window",
			want: []string{
				"pub/signing_config.v0.2.json:29:14,pub/signing_config.v0.2.json:25:14: rekorTlogUrls[1].url: well-formed: signing_config.v0.2.json lists https://rekor.example.dev twice in rekorTlogUrls (also at rekorTlogUrls[0]); each URL must be unique",
			},
			edits: []edit{secondRekorEntry("2025-03-01T00:00:00Z")},
		},
		{
			name:  "a Rekor URL twice in one file, for two logs that share it",
			edits: []edit{secondLog("2026-01-01T00:00:00Z"), secondRekorEntry("2026-02-01T00:00:00Z")},
		},
		{
			name: "signing-config services oldest first",
			want: []string{
				"pub/signing_config.v0.2.json:35:85: tsaUrls[1].validFor.start: warning well-formed: tsaUrls[1] starts 2025-02-01T00:00:00Z, after tsaUrls[0] (2025-01-01T00:00:00Z); protobuf-specs lists signing-config services newest first",
			},
			edits: []edit{configEdit(`  "tsaUrls": [],`, `  "tsaUrls": [
    {"url": "https://tsa.example.dev", "majorApiVersion": 1, "validFor": {"start": "2025-01-01T00:00:00Z"}},
    {"url": "https://tsa2.example.dev", "majorApiVersion": 1, "validFor": {"start": "2025-02-01T00:00:00Z"}}
  ],`)},
		},
		{
			name: "a signing URL that is no log: a front of the logs trusted then",
			want: []string{
				"pub/signing_config.v0.2.json:27:19: rekorTlogUrls[0].validFor: note verify-before-sign: https://front.example.dev is no log of the trusted root; taken to front the API v1 logs trusted when signing to it starts (https://rekor.example.dev), as trustc import does; -front https://front.example.dev=SHARD,... says which",
			},
			edits: []edit{configEdit(`"url": "https://rekor.example.dev"`, `"url": "https://front.example.dev"`)},
		},
		{
			name:  "a front the options describe",
			edits: []edit{configEdit(`"url": "https://rekor.example.dev"`, `"url": "https://front.example.dev"`)},
			opts:  JSONOptions{Fronts: map[string][]string{"https://front.example.dev": {"https://rekor.example.dev"}}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Dir = "pub"
			_, err := fromPublished(t, tc.edits, tc.files, tc.opts)
			got := report("", err)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

package importer_test

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trustc-dev/trustc/importer"
	"github.com/trustc-dev/trustc/internal/refdata"
)

// edited returns a published file with edits applied: each edit sets the
// value at a JSON path ("tlogs[1].publicKey.rawBytes"); a nil value
// deletes it. The result is re-marshalled, so keys come out sorted.
func edited(t *testing.T, file string, edits ...any) importer.Input {
	t.Helper()
	in := shared(t, file)[0]
	var doc any
	if err := json.Unmarshal(in.Data, &doc); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(edits); i += 2 {
		setPath(t, doc, edits[i].(string), edits[i+1])
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return importer.Input{Name: in.Name, Data: b}
}

var pathElem = regexp.MustCompile(`([^.\[\]]+)|\[(\d+)\]`)

func setPath(t *testing.T, doc any, path string, v any) {
	t.Helper()
	elems := pathElem.FindAllStringSubmatch(path, -1)
	cur := doc
	for i, e := range elems {
		last := i == len(elems)-1
		if e[1] != "" {
			m := cur.(map[string]any)
			switch {
			case last && v == nil:
				delete(m, e[1])
			case last:
				m[e[1]] = v
			default:
				cur = m[e[1]]
			}
			continue
		}
		n, _ := strconv.Atoi(e[2])
		l := cur.([]any)
		if last {
			l[n] = v
		} else {
			cur = l[n]
		}
	}
}

// get reads the string at a JSON path of a published file.
func get(t *testing.T, file, path string) string {
	t.Helper()
	var doc any
	if err := json.Unmarshal(shared(t, file)[0].Data, &doc); err != nil {
		t.Fatal(err)
	}
	cur := doc
	for _, e := range pathElem.FindAllStringSubmatch(path, -1) {
		if e[1] != "" {
			cur = cur.(map[string]any)[e[1]]
		} else {
			n, _ := strconv.Atoi(e[2])
			cur = cur.([]any)[n]
		}
	}
	return cur.(string)
}

func raw(name, text string) importer.Input { return importer.Input{Name: name, Data: []byte(text)} }

const (
	prodRoot = "production/trusted_root.json"
	v12Root  = "production/history/targets-v12.trusted_root.json"
)

// TestBadInput checks that each kind of bad input is refused with every
// problem at its file:line:col and JSON path, and that the fix is given where
// it is plain.
func TestBadInput(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString
	for _, tc := range []struct {
		name  string
		files func(t *testing.T) []importer.Input
		want  string
	}{{
		name: "bad JSON",
		files: func(t *testing.T) []importer.Input {
			return []importer.Input{raw("trusted_root.json", "{\n  \"mediaType\": \"x\",\n")}
		},
		want: "trusted_root.json:2:21: invalid JSON: unexpected end of JSON input",
	}, {
		name: "JSON syntax error",
		files: func(t *testing.T) []importer.Input {
			return []importer.Input{raw("trusted_root.json", "{\n  \"tlogs\": [}\n}")}
		},
		want: "trusted_root.json:2:13: invalid JSON: invalid character '}' looking for beginning of value",
	}, {
		name:  "not an object",
		files: func(t *testing.T) []importer.Input { return []importer.Input{raw("trusted_root.json", "[]")} },
		want:  "trusted_root.json:1:1: want a JSON object, got an array",
	}, {
		name: "no media type",
		files: func(t *testing.T) []importer.Input {
			return []importer.Input{raw("trusted_root.json", `{"tlogs": []}`)}
		},
		want: "trusted_root.json:1:1: mediaType: missing; every Sigstore trust file names its media type",
	}, {
		name: "unknown media type",
		files: func(t *testing.T) []importer.Input {
			return []importer.Input{edited(t, prodRoot, "mediaType", "application/vnd.dev.sigstore.trustedroot+json;version=0.3")}
		},
		want: `trusted_root.json:73:16: mediaType: unknown media type "application/vnd.dev.sigstore.trustedroot+json;version=0.3"; want a trusted root (application/vnd.dev.sigstore.trustedroot+json;version=0.1 or application/vnd.dev.sigstore.trustedroot.v0.2+json), a signing config (application/vnd.dev.sigstore.signingconfig.v0.2+json) or a legacy signing config (application/vnd.dev.sigstore.signingconfig.v0.1+json)`,
	}, {
		name: "trusted root media type trustc does not publish",
		files: func(t *testing.T) []importer.Input {
			return []importer.Input{edited(t, prodRoot, "mediaType", "application/vnd.dev.sigstore.trustedroot.v0.1+json")}
		},
		want: `trusted_root.json:73:16: mediaType: trustc publishes trusted roots as "application/vnd.dev.sigstore.trustedroot+json;version=0.1" or "application/vnd.dev.sigstore.trustedroot.v0.2+json", not "application/vnd.dev.sigstore.trustedroot.v0.1+json"; change the media type to one of them (they describe the same v0.1 format)`,
	}, {
		name: "truncated base64",
		files: func(t *testing.T) []importer.Input {
			k := get(t, prodRoot, "tlogs[1].publicKey.rawBytes")
			return []importer.Input{edited(t, prodRoot, "tlogs[1].publicKey.rawBytes", k[:len(k)-3])}
		},
		want: "trusted_root.json:119:21: tlogs[1].publicKey.rawBytes: not base64: illegal base64 data at input byte 56",
	}, {
		name: "a key that is not one",
		files: func(t *testing.T) []importer.Input {
			return []importer.Input{edited(t, prodRoot, "ctlogs[0].publicKey.rawBytes", b64([]byte("not a key")))}
		},
		want: "trusted_root.json:51:21: ctlogs[0].publicKey.rawBytes: not a DER public key (SubjectPublicKeyInfo or PKCS#1): asn1: structure error: tags don't match",
	}, {
		name: "a certificate that is not one",
		files: func(t *testing.T) []importer.Input {
			return []importer.Input{edited(t, prodRoot, "certificateAuthorities[1].certChain.certificates[1].rawBytes", b64([]byte("not a certificate")))}
		},
		want: "trusted_root.json:28:25: certificateAuthorities[1].certChain.certificates[1].rawBytes: not a DER X.509 certificate: x509: malformed certificate",
	}, {
		name: "unknown field",
		files: func(t *testing.T) []importer.Input {
			return []importer.Input{edited(t, prodRoot, "tlogs[0].publicKey.surprise", 1)}
		},
		want: "trusted_root.json:106:21: tlogs[0].publicKey.surprise: unknown field (PublicKey has rawBytes, keyDetails, validFor); trustc reads only what it can reproduce",
	}, {
		name: "wrong type",
		files: func(t *testing.T) []importer.Input {
			return []importer.Input{edited(t, prodRoot, "ctlogs[0].baseUrl", 3, "ctlogs[1].publicKey", "key")}
		},
		want: "trusted_root.json:44:18: ctlogs[0].baseUrl: want a string, got a number\n" +
			"trusted_root.json:64:20: ctlogs[1].publicKey: want an object, got a string",
	}, {
		name: "bad timestamp",
		files: func(t *testing.T) []importer.Input {
			return []importer.Input{edited(t, prodRoot, "tlogs[0].publicKey.validFor.start", "2021-01-12 11:53:27")}
		},
		want: `trusted_root.json:107:20: tlogs[0].publicKey.validFor.start: "2021-01-12 11:53:27" is not an RFC 3339 timestamp like 2025-09-23T00:00:00Z`,
	}, {
		name: "unknown enum value",
		files: func(t *testing.T) []importer.Input {
			return []importer.Input{edited(t, prodRoot, "tlogs[0].publicKey.keyDetails", "PKIX_ECDSA_P256")}
		},
		want: `trusted_root.json:104:23: tlogs[0].publicKey.keyDetails: "PKIX_ECDSA_P256" is not a PublicKeyDetails`,
	}, {
		name: "duplicate field",
		files: func(t *testing.T) []importer.Input {
			return []importer.Input{raw("trusted_root.json", `{"mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1", "tlogs": [], "tlogs": []}`)}
		},
		want: `trusted_root.json:1:98: tlogs: field given twice (also as "tlogs")`,
	}, {
		name: "missing window",
		files: func(t *testing.T) []importer.Input {
			return []importer.Input{edited(t, prodRoot, "tlogs[0].publicKey.validFor", nil, "timestampAuthorities[0].validFor.start", nil)}
		},
		want: "trusted_root.json:91:19: timestampAuthorities[0].validFor.start: well-formed: missing; trustc needs the time a window starts\n" +
			"trusted_root.json:101:20: tlogs[0].publicKey.validFor.start: well-formed: missing; trustc needs the time a window starts",
	}, {
		name: "log id that is not the key's",
		files: func(t *testing.T) []importer.Input {
			zero := b64(make([]byte, 32))
			return []importer.Input{edited(t, prodRoot, "tlogs[0].logId.keyId", zero, "tlogs[1].logId.keyId", zero)}
		},
		// Only an Ed25519 key has a different log id as a Rekor v2 log.
		want: "trusted_root.json:101:18: tlogs[0].logId.keyId: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= does not match the key, whose log id is wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=\n" +
			"trusted_root.json:115:18: tlogs[1].logId.keyId: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= does not match the key, whose log id is tUgTy2PYhZhwpeeFAMxq3P31lyPtrpPujSX68kdaBpA= as an API v1 log, or zxGZFVvd0FEmjR8WrFwMdcAJ9vtaY/QXf44Y1wUeP6A= as an API v2 log",
	}, {
		name: "signing config and log id disagree on the API version",
		files: func(t *testing.T) []importer.Input {
			return []importer.Input{shared(t, prodRoot)[0], edited(t, prodV2, "rekorTlogUrls[0].majorApiVersion", 1)}
		},
		want: "signing_config_rekor_v2.v0.2.json:28:26: rekorTlogUrls[0].majorApiVersion: 1, but trusted_root.json: tlogs[1] publishes the log id of an API v2 log; one of the two is wrong",
	}, {
		name: "hash algorithm trustc does not publish",
		files: func(t *testing.T) []importer.Input {
			return []importer.Input{edited(t, prodRoot, "ctlogs[1].hashAlgorithm", "SHA2_384")}
		},
		want: "trusted_root.json:60:24: ctlogs[1].hashAlgorithm: SHA2_384; trustc publishes SHA2_256 for every log, which RFC 6962 and C2SP tlog-tiles fix",
	}, {
		name: "key details that do not fit the key",
		files: func(t *testing.T) []importer.Input {
			return []importer.Input{edited(t, prodRoot, "tlogs[1].publicKey.keyDetails", "PKIX_ECDSA_P256_SHA_256")}
		},
		want: "trusted_root.json:118:23: tlogs[1].publicKey.keyDetails: PKIX_ECDSA_P256_SHA_256 does not fit the key (PKIX_ED25519)",
	}, {
		name: "list out of order",
		files: func(t *testing.T) []importer.Input {
			var tlogs []any
			in := shared(t, prodRoot)[0]
			var doc map[string]any
			json.Unmarshal(in.Data, &doc)
			tlogs = doc["tlogs"].([]any)
			return []importer.Input{edited(t, prodRoot, "tlogs", []any{tlogs[1], tlogs[0]})}
		},
		want: "trusted_root.json:121:20: tlogs[1].publicKey.validFor.start: well-formed: tlogs[1] starts 2021-01-12T11:53:27Z, before tlogs[0] (2025-09-23T00:00:00Z); protobuf-specs lists trusted-root entries oldest first; trustc publishes that order, so it cannot reproduce this one; sort the list",
	}, {
		name: "v0.2 field in a v0.1 trusted root",
		files: func(t *testing.T) []importer.Input {
			return []importer.Input{edited(t, prodRoot, "tlogs[0].checkpointKeyId", map[string]any{"keyId": "AAAA"}, "certificateAuthorities[0].operator", "sigstore.dev")}
		},
		want: "trusted_root.json:100:26: tlogs[0].checkpointKeyId: only v0.2 trusted roots carry it; trustc leaves it out of a v0.1 file, so it cannot reproduce this one\n" +
			"trusted_root.json:11:19: certificateAuthorities[0].operator: only v0.2 trusted roots carry operators; trustc leaves them out of a v0.1 file, so it cannot reproduce this one",
	}, {
		name: "signing config out of order",
		files: func(t *testing.T) []importer.Input {
			sc := shared(t, prodV2)[0]
			var doc map[string]any
			json.Unmarshal(sc.Data, &doc)
			l := doc["rekorTlogUrls"].([]any)
			return []importer.Input{shared(t, prodRoot)[0], edited(t, prodV2, "rekorTlogUrls", []any{l[1], l[0]})}
		},
		want: "signing_config_rekor_v2.v0.2.json:40:18: rekorTlogUrls[1].validFor.start: well-formed: rekorTlogUrls[1] starts 2026-01-01T00:00:00Z, after rekorTlogUrls[0] (2021-01-12T11:53:27Z); protobuf-specs lists signing-config services newest first; trustc publishes that order, so it cannot reproduce this one; sort the list",
	}, {
		name: "one service, two API versions",
		files: func(t *testing.T) []importer.Input {
			return []importer.Input{shared(t, prodRoot)[0], shared(t, prodMain)[0], edited(t, prodV2, "rekorTlogUrls[1].majorApiVersion", 2)}
		},
		want: "signing_config_rekor_v2.v0.2.json:36:26: rekorTlogUrls[1].majorApiVersion: well-formed: 2, but signing_config.v0.2.json: rekorTlogUrls[0] gives https://rekor.sigstore.dev API version 1; a service has one API version",
	}, {
		name: "selectors",
		files: func(t *testing.T) []importer.Input {
			return []importer.Input{shared(t, prodRoot)[0], edited(t, prodMain, "tsaConfig", nil, "rekorTlogConfig.selector", "EXACT")}
		},
		want: "signing_config.v0.2.json:23:22: rekorTlogConfig.count: EXACT needs a count of at least 1\n" +
			"signing_config.v0.2.json:1:1: tsaConfig: missing; trustc always publishes it (the schema's default is ANY)",
	}, {
		name:  "no trusted root",
		files: func(t *testing.T) []importer.Input { return shared(t, prodMain, prodLegacy) },
		want:  "signing_config.v0.2.json, signing_config.json: no trusted root among the files; trustc import needs one",
	}, {
		name:  "two trusted roots",
		files: func(t *testing.T) []importer.Input { return shared(t, prodRoot, v12Root) },
		want:  "targets-v12.trusted_root.json:1:1: a second trusted root (the first is trusted_root.json); import one environment at a time",
	}, {
		name: "one signing config twice",
		files: func(t *testing.T) []importer.Input {
			return shared(t, prodRoot, prodMain, "staging/signing_config.v0.2.json")
		},
		want: "signing_config.v0.2.json:1:1: published under the same name as signing_config.v0.2.json; a release holds one file of each name",
	}, {
		name: "legacy signing config with an unknown field",
		files: func(t *testing.T) []importer.Input {
			return []importer.Input{shared(t, prodRoot)[0], edited(t, prodLegacy, "rekorUrl", "https://rekor.sigstore.dev")}
		},
		want: "signing_config.json:5:15: rekorUrl: unknown field (a v0.1 signing config has mediaType, caUrl, oidcUrl, tlogUrls, tsaUrls)",
	}, {
		// v12 predates log2025-1, which the opt-in file sends clients to.
		name:  "signing URL that is no log and fronts none",
		files: func(t *testing.T) []importer.Input { return shared(t, v12Root, prodV2) },
		want:  "signing_config_rekor_v2.v0.2.json:25:14: rekorTlogUrls[0].url: https://log2025-1.rekor.sigstore.dev is no tlog baseUrl in targets-v12.trusted_root.json, so it must front log shards, but no API v2 log there is trusted at its signing start 2026-01-01T00:00:00Z; add the log it fronts to the trusted root",
	}, {
		name: "every problem at once",
		files: func(t *testing.T) []importer.Input {
			return []importer.Input{
				edited(t, prodRoot, "tlogs[0].publicKey.rawBytes", "!!", "ctlogs[1].baseUrl", 3),
				raw("signing_config.v0.2.json", "{"),
			}
		},
		want: "trusted_root.json:59:18: ctlogs[1].baseUrl: want a string, got a number\n" +
			"trusted_root.json:105:21: tlogs[0].publicKey.rawBytes: not base64: illegal base64 data at input byte 0\n" +
			"signing_config.v0.2.json:1:2: invalid JSON: unexpected end of JSON input",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := importer.Import(refdata.ModuleRoot(t), tc.files(t), importer.Options{Env: "imported"})
			var list *importer.InputError
			if !errors.As(err, &list) {
				t.Fatalf("got %v, want an importer.InputError", err)
			}
			if diff := cmp.Diff(strings.Split(tc.want, "\n"), strings.Split(err.Error(), "\n")); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

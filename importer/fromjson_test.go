package importer_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trustc-dev/trustc/importer"
	"github.com/trustc-dev/trustc/internal/refdata"
)

// TestImportGrouping covers what load.FromJSON decides for the importer
// and no published release shows: a Rekor URL two logs share (a key
// rotated behind it), each signing entry going to the log trusted when it
// starts, and trust-only authorities grouped by subject. Import compiles
// its CUE back to the inputs, so a result means every entry found its
// log; the golden shows the grouping. trustc's policy gives each log its
// own URL, so the shared one is a finding, written as a comment.
func TestImportGrouping(t *testing.T) {
	for _, tc := range []struct {
		name     string
		files    func(t *testing.T) []importer.Input
		findings []string
	}{{
		name: "shared-url",
		files: func(t *testing.T) []importer.Input {
			// The rotated key is staging's first Rekor key: an ECDSA key's
			// log id does not depend on the URL.
			rotated := jsonDoc(t, "staging/trusted_root.json")["tlogs"].([]any)[0].(map[string]any)
			rotated["baseUrl"] = "https://rekor.sigstore.dev"
			rotated["publicKey"].(map[string]any)["validFor"] = map[string]any{"start": "2030-01-01T00:00:00Z"}
			root := jsonDoc(t, prodRoot)
			root["tlogs"] = append(root["tlogs"].([]any), rotated)
			main := jsonDoc(t, prodMain)
			main["rekorTlogUrls"] = append([]any{map[string]any{
				"url":             "https://rekor.sigstore.dev",
				"majorApiVersion": 1,
				"validFor":        map[string]any{"start": "2030-01-01T00:00:00Z"},
				"operator":        "sigstore.dev",
			}}, main["rekorTlogUrls"].([]any)...)
			return []importer.Input{marshal(t, "trusted_root.json", root), marshal(t, "signing_config.v0.2.json", main)}
		},
		findings: []string{`rekor."rekor-2030".url: well-formed: rekor "rekor-2030" has the same url as "rekor" (https://rekor.sigstore.dev); each must be unique`},
	}, {
		name: "trust-only",
		files: func(t *testing.T) []importer.Input {
			root := jsonDoc(t, "production/history/targets-v10.trusted_root.json")
			tsas := root["timestampAuthorities"].([]any)
			again := map[string]any{}
			for k, v := range tsas[0].(map[string]any) {
				again[k] = v
			}
			again["validFor"] = map[string]any{"start": "2024-01-01T00:00:00Z"}
			root["timestampAuthorities"] = append(tsas, again)
			return []importer.Input{marshal(t, "trusted_root.json", root)}
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := importer.Import(refdata.ModuleRoot(t), tc.files(t), importer.Options{Env: tc.name, AllowFindings: true})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range res.Findings {
				got = append(got, importer.Describe(f))
			}
			if diff := cmp.Diff(tc.findings, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			checkGolden(t, tc.name, res.Files)
		})
	}
}

// jsonDoc reads a published file as JSON values.
func jsonDoc(t *testing.T, file string) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(shared(t, file)[0].Data, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func marshal(t *testing.T, name string, doc map[string]any) importer.Input {
	t.Helper()
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return importer.Input{Name: name, Data: b}
}

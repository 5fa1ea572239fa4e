package compiler_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trustc-dev/trustc/compiler"
)

// TestTUFTargetCustom checks the custom metadata derived for each kind of
// use, beyond the Rekor v1, CT, Fulcio and unused files production
// publishes: a Rekor v2 key, a TSA chain, an expired status.
func TestTUFTargetCustom(t *testing.T) {
	root := fixture(t)
	write(t, root, "more_targets.cue", []byte(`package fixture

tufTargets: {
	"log2025-1.rekor.pub": {}
	"tsa-2025.chain.pem": status: "Expired"
}
`))
	res, err := compiler.Compile(compiler.Dir(root), compiler.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, tgt := range res.Release.Env("test").Targets {
		got[tgt.Name] = string(tgt.Custom)
	}
	want := map[string]string{
		"artifact.pub":                   `{"sigstore":{"status":"Active","usage":"Unknown"}}`,
		"ctfe.pub":                       `{"sigstore":{"status":"Active","uri":"https://ctfe.sigstore.dev/test","usage":"CTFE"}}`,
		"ctfe_2022.pub":                  `{"sigstore":{"status":"Active","uri":"https://ctfe.sigstore.dev/2022","usage":"CTFE"}}`,
		"fulcio.crt.pem":                 `{"sigstore":{"status":"Expired","uri":"https://fulcio.sigstore.dev","usage":"Fulcio"}}`,
		"fulcio_intermediate_v1.crt.pem": `{"sigstore":{"status":"Active","uri":"https://fulcio.sigstore.dev","usage":"Fulcio"}}`,
		"fulcio_v1.crt.pem":              `{"sigstore":{"status":"Active","uri":"https://fulcio.sigstore.dev","usage":"Fulcio"}}`,
		"log2025-1.rekor.pub":            `{"sigstore":{"status":"Active","uri":"https://log2025-1.rekor.sigstore.dev","usage":"Rekor"}}`,
		"rekor.pub":                      `{"sigstore":{"status":"Active","uri":"https://rekor.sigstore.dev","usage":"Rekor"}}`,
		"tsa-2025.chain.pem":             `{"sigstore":{"status":"Expired","uri":"https://timestamp.sigstore.dev/api/v1/timestamp","usage":"TSA"}}`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("custom metadata by target (-want +got):\n%s", diff)
	}
}

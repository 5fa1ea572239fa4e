package importer_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trustc-dev/trustc/compiler"
	"github.com/trustc-dev/trustc/importer"
	"github.com/trustc-dev/trustc/internal/refdata"
)

// TestFindings imports files that break policy (two windows that end
// before they start, which check.Structure's well-formed rule reports).
// The import is refused with every finding; with AllowFindings it is
// written with each finding as a comment above its field
// (testdata/findings.txtar shows where), and trustc generate then refuses
// the environment until someone fixes it.
func TestFindings(t *testing.T) {
	files := func(t *testing.T) []importer.Input {
		return []importer.Input{
			edited(t, prodRoot, "ctlogs[0].publicKey.validFor.end", "2020-01-01T00:00:00Z"),
			edited(t, prodMain, "oidcUrls[0].validFor.end", "2020-01-01T00:00:00Z"),
		}
	}
	want := []string{
		`ct.test.verify.end: well-formed: ct "test" verification window ends 2020-01-01T00:00:00Z, before it starts 2021-03-14T00:00:00Z; move the end after the start`,
		`oidc.sigstore.sign.main.end: well-formed: oidc "sigstore" signing window in main ends 2020-01-01T00:00:00Z, before it starts 2022-04-13T20:06:15Z; move the end after the start`,
	}
	describe := func(err error) []string {
		var out []string
		for _, e := range compilerErrors(err) {
			out = append(out, importer.Describe(e))
		}
		return out
	}

	_, err := importer.Import(refdata.ModuleRoot(t), files(t), importer.Options{Env: "imported"})
	var fe *importer.FindingsError
	if !errors.As(err, &fe) {
		t.Fatalf("got %v, want a FindingsError", err)
	}
	if diff := cmp.Diff(want, describe(fe.Findings)); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}

	res, err := importer.Import(refdata.ModuleRoot(t), files(t), importer.Options{Env: "imported", AllowFindings: true})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range res.Findings {
		got = append(got, importer.Describe(f))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings written (-want +got):\n%s", diff)
	}
	checkGolden(t, "findings", res.Files)

	_, err = compiler.Compile(compiler.Dir(repo(t, "imported", res.Files), "imported"), compiler.Options{})
	if diff := cmp.Diff(want, describe(err)); diff != "" {
		t.Errorf("compiling the written environment (-want +got):\n%s", diff)
	}
}

package importer_test

import (
	"crypto/x509"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/trustc-dev/trustc/compiler"
	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/importer"
	"github.com/trustc-dev/trustc/internal/checkout"
	"github.com/trustc-dev/trustc/internal/refdata"
)

// TestMatchesHandWritten imports the published files of production and
// staging and compares the result, field for field, with the hand-written
// environments/production and environments/staging: both are loaded and
// derived, and their models compared without positions (model.Src).
//
// Material is compared by what it derives to (the key's DER and log id,
// each chain's certificates), not by file: the importer names files after
// services (fulcio-2022.chain.pem) and writes a chain as one file, where
// the hand-written environments keep Sigstore's TUF target names
// (fulcio_v1.crt.pem) and production splits its v1 chain over two files.
//
// The differences that remain, each undone below before comparing:
//   - production's Fulcio chains are "v0" and "v1" by hand (after their
//     TUF files); the importer names chains by the year their window
//     starts, "2021" and "2022". Staging's chains are named by year by
//     hand too, so there the names agree.
//   - staging's 2026 TSA chain needs a subjectOverride either way, but its
//     reason is free text: the hand-written one explains the history, the
//     imported one states the difference it found.
//
// Comments, let names and the layout of the CUE are not part of the
// model; TestGolden pins them.
func TestMatchesHandWritten(t *testing.T) {
	for _, tc := range []struct {
		env          string
		renameChains map[string]string // hand-written → imported
		waiting      string            // the hand-written signing configs' waitingPeriod
	}{
		{"production", map[string]string{"v0": "2021", "v1": "2022"}, "90d"},
		{"staging", nil, "0d"},
	} {
		if !checkout.Has(t, refdata.ModuleRoot(t), tc.env) {
			continue
		}
		t.Run(tc.env, func(t *testing.T) {
			opts := importer.Options{Env: tc.env, Policy: importer.Policy{WaitingPeriod: tc.waiting}}
			res, err := importer.Import(refdata.ModuleRoot(t), shared(t, published(tc.env)...), opts)
			if err != nil {
				t.Fatal(err)
			}
			got := loadEnv(t, repo(t, tc.env, res.Files), tc.env)
			want := loadEnv(t, refdata.ModuleRoot(t), tc.env)

			for _, a := range want.CAs {
				for _, c := range a.Chains {
					if n, ok := tc.renameChains[c.Name]; ok {
						c.Name = n
					}
				}
			}
			for _, env := range []*model.Environment{want, got} {
				for _, a := range env.TSAs {
					for _, c := range a.Chains {
						if o := c.SubjectOverride; o != nil {
							if o.Reason.V == "" {
								t.Errorf("tsa %q chain %q: subjectOverride without a reason", a.Name, c.Name)
							}
							o.Reason.V = ""
						}
					}
				}
			}
			// The import grandfathers exactly the services the hand-written
			// environment exempts, with a reason of its own.
			exempts := cmp.FilterPath(func(p cmp.Path) bool {
				return p.Last().String() == ".WaitingPeriodExempt"
			}, cmp.Comparer(func(a, b model.Value[string]) bool { return (a.V == "") == (b.V == "") }))
			if diff := cmp.Diff(want, got, append(modelOptions, exempts)...); diff != "" {
				t.Errorf("imported %s differs from environments/%s (-hand-written +imported):\n%s", tc.env, tc.env, diff)
			}
		})
	}
}

var modelOptions = []cmp.Option{
	cmpopts.IgnoreTypes(model.Src{}, model.Material{}),
	// TUFTargets are the legacy key and certificate targets a TUF
	// repository also serves; import reads trust files, not those.
	cmpopts.IgnoreFields(model.Environment{}, "Dir", "TUFTargets"),
	cmp.Transformer("certificate", func(c *x509.Certificate) []byte { return c.Raw }),
	// The parsed key holds curve internals; what it derives is compared.
	cmpopts.IgnoreFields(model.PublicKey{}, "Key"),
}

func loadEnv(t *testing.T, root, name string) *model.Environment {
	t.Helper()
	res, err := compiler.Compile(compiler.Dir(root, name), compiler.Options{NoRules: true})
	if err != nil {
		t.Fatal(err)
	}
	return res.Envs[0]
}

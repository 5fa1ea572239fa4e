package importer_test

import (
	"path"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/trustc-dev/trustc/compiler"
	"github.com/trustc-dev/trustc/importer"
	"github.com/trustc-dev/trustc/internal/refdata"
	"github.com/trustc-dev/trustc/release"
)

const (
	prodMain   = "production/signing_config.v0.2.json"
	prodV2     = "production/signing_config_rekor_v2.v0.2.json"
	prodLegacy = "production/targets/signing_config.json"
)

// roundTrips are the file sets whose import must compile back to the same
// messages: every published set, and every historical production trusted
// root alone and with the current signing configs that fit it. (The
// production signing configs were each published in one version only, so
// there is no signing-config history to pair them with; which pairs fit is
// in the comments.)
var roundTrips = []struct {
	name  string
	files []string
}{
	{"production", published("production")},
	{"production/trusted root only", []string{"production/trusted_root.json"}},
	{"staging", published("staging")},
	{"staging/trusted root only", []string{"staging/trusted_root.json"}},
	// v10 has GitHub's TSA, which has no uri; the schema lets a TSA
	// without sign entries leave its url out.
	{"v10", []string{"production/history/targets-v10.trusted_root.json"}},
	// The v0.1 file names only rekor, fulcio and the OIDC issuer, all of
	// which v10 and v11 have.
	{"v10 with signing_config.json", []string{"production/history/targets-v10.trusted_root.json", prodLegacy}},
	{"v11", []string{"production/history/targets-v11.trusted_root.json"}},
	{"v11 with signing_config.json", []string{"production/history/targets-v11.trusted_root.json", prodLegacy}},
	// signing_config.v0.2.json came with v12 (the same commit added both).
	{"v12", []string{"production/history/targets-v12.trusted_root.json"}},
	{"v12 with signing_config.v0.2.json", []string{"production/history/targets-v12.trusted_root.json", prodMain}},
	{"v12 with signing_config.v0.2.json and signing_config.json", []string{"production/history/targets-v12.trusted_root.json", prodMain, prodLegacy}},
}

// TestRoundTrip imports each file set into a scratch repository, compiles
// it with compiler.Compile, and compares every compiled file with its
// input as protobuf messages.
func TestRoundTrip(t *testing.T) {
	compared := 0
	for _, tc := range roundTrips {
		t.Run(tc.name, func(t *testing.T) {
			in := shared(t, tc.files...)
			res, err := importer.Import(refdata.ModuleRoot(t), in, importer.Options{Env: "imported"})
			if err != nil {
				t.Fatalf("import: %v", err)
			}
			out, err := compiler.Compile(compiler.Dir(repo(t, "imported", res.Files), "imported"), compiler.Options{})
			if err != nil {
				t.Fatalf("compile the imported environment: %v", err)
			}
			env := out.Release.Env("imported")
			for i, f := range in {
				var want, got any
				switch {
				case i == 0:
					want, got = parse(t, release.TrustedRootName, f.Data), env.TrustedRoot.Msg
				case f.Name == release.LegacySigningConfigName:
					want = parse(t, f.Name, f.Data)
					if env.Legacy != nil {
						got = env.Legacy.Msg
					}
				default:
					want = parse(t, f.Name, f.Data)
					if sc := env.SigningConfig(f.Name); sc != nil {
						got = sc.Msg
					}
				}
				if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
					t.Errorf("%s: compiled differs from imported (-imported +compiled):\n%s", tc.files[i], diff)
				}
				compared++
			}
			if n := len(env.Files()); n != len(in) {
				t.Errorf("compiled %d files from %d", n, len(in))
			}
		})
	}
	// 4+1+4+1 published, 1+2+1+2+1+2+3 historical.
	if want := 22; compared != want && !t.Failed() {
		t.Errorf("compared %d files, want %d", compared, want)
	}
	t.Logf("%d file sets, %d files compared as messages", len(roundTrips), compared)
}

func parse(t *testing.T, name string, b []byte) any {
	t.Helper()
	switch path.Base(name) {
	case release.TrustedRootName:
		f, err := release.ParseTrustedRoot(name, b)
		if err != nil {
			t.Fatal(err)
		}
		return f.Msg
	case release.LegacySigningConfigName:
		f, err := release.ParseLegacySigningConfig(name, b)
		if err != nil {
			t.Fatal(err)
		}
		return f.Msg
	}
	f, err := release.ParseSigningConfig(name, b)
	if err != nil {
		t.Fatal(err)
	}
	return f.Msg
}

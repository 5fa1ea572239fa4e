package importer_test

import (
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	cueerrors "cuelang.org/go/cue/errors"

	"github.com/trustc-dev/trustc/importer"
	"github.com/trustc-dev/trustc/internal/fixture"
	"github.com/trustc-dev/trustc/internal/refdata"
)

// shared reads files below testdata/sigstore, each named for errors by
// its base name, as a user importing from a download directory would see.
func shared(t testing.TB, names ...string) []importer.Input {
	t.Helper()
	var in []importer.Input
	for _, n := range names {
		in = append(in, importer.Input{Name: path.Base(n), Data: refdata.ReadFile(t, strings.Split(n, "/")...)})
	}
	return in
}

// published is the file set of an environment in testdata/sigstore.
func published(env string) []string {
	return []string{
		env + "/trusted_root.json",
		env + "/signing_config.v0.2.json",
		env + "/signing_config_rekor_v2.v0.2.json",
		env + "/targets/signing_config.json",
	}
}

// repo makes a scratch trustc repository (cue.mod and schema of this
// module) holding the given environment files as environments/<env>.
func repo(t testing.TB, env string, files map[string][]byte) string {
	t.Helper()
	dst := t.TempDir()
	if err := fixture.WriteModule(dst); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(dst, "environments", env)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

func compilerErrors(err error) []cueerrors.Error { return cueerrors.Errors(err) }

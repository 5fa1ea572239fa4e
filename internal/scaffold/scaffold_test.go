package scaffold_test

import (
	"os"
	"path/filepath"
	"testing"

	"cuelang.org/go/mod/modfile"

	"github.com/trustc-dev/trustc/internal/scaffold"
)

// TestLanguageVersion keeps a new repository's CUE language version the
// one trustc's own module is written in, so that the schema it ships
// means the same there.
func TestLanguageVersion(t *testing.T) {
	name := filepath.Join("..", "..", "cue.mod", "module.cue")
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	f, err := modfile.Parse(b, name)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Language.Version; got != scaffold.LanguageVersion {
		t.Errorf("cue.mod/module.cue declares language %s; scaffold.LanguageVersion is %s", got, scaffold.LanguageVersion)
	}
}

func TestFilesRefusesBadModule(t *testing.T) {
	for _, tc := range []struct{ mod, want string }{
		{"trust@v0", `malformed module path "trust@v0": missing dot in first path element`},
		{"example.com/trust", `module path "example.com/trust" has no major version; add one, as in example.com/trust@v0`},
		{"Example.com/trust@v0", `malformed module path "Example.com/trust@v0": invalid char 'E'`},
	} {
		t.Run(tc.mod, func(t *testing.T) {
			_, err := scaffold.Files(tc.mod, "acme")
			if err == nil || err.Error() != tc.want {
				t.Errorf("Files(%q) = %v, want %s", tc.mod, err, tc.want)
			}
		})
	}
}

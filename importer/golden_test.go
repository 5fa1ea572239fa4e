package importer_test

import (
	"bytes"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"cuelang.org/go/cue/format"
	"cuelang.org/go/cue/parser"
	"github.com/rogpeppe/go-internal/diff"
	"github.com/rogpeppe/go-internal/txtar"

	"github.com/trustc-dev/trustc/importer"
	"github.com/trustc-dev/trustc/internal/goldenfile"
	"github.com/trustc-dev/trustc/internal/refdata"
)

// TestGolden pins the CUE the importer writes for the published files, so
// that a change in layout, naming or comments shows in review. Each
// testdata/<name>.txtar holds the CUE files and the list of every file
// written; only go test -update rewrites them.
func TestGolden(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files []string
	}{
		{"production", published("production")},
		{"staging", published("staging")},
		{"v10", []string{"production/history/targets-v10.trusted_root.json"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := importer.Import(refdata.ModuleRoot(t), shared(t, tc.files...), importer.Options{Env: tc.name})
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tc.name, res.Files)
		})
	}
}

// checkGolden compares files with testdata/<name>.txtar and checks that
// every CUE file is what cue fmt leaves unchanged.
func checkGolden(t *testing.T, name string, files map[string][]byte) {
	t.Helper()
	ar := &txtar.Archive{}
	var names []string
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	ar.Files = append(ar.Files, txtar.File{Name: "files", Data: []byte(strings.Join(names, "\n") + "\n")})
	for _, n := range names {
		if filepath.Ext(n) != ".cue" {
			continue
		}
		ar.Files = append(ar.Files, txtar.File{Name: n, Data: files[n]})
		assertFormatted(t, n, files[n])
	}
	goldenfile.Testdata(t, name+".txtar", txtar.Format(ar))
}

// assertFormatted checks b is a fixed point of cue fmt, which parses with
// comments and prints with format.Node and no options.
func assertFormatted(t *testing.T, name string, b []byte) {
	t.Helper()
	f, err := parser.ParseFile(name, b, parser.ParseComments)
	if err != nil {
		t.Fatalf("%s does not parse: %v", name, err)
	}
	again, err := format.Node(f)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, b) {
		t.Errorf("cue fmt would change %s:\n%s", name, diff.Diff("imported", b, "cue fmt", again))
	}
}

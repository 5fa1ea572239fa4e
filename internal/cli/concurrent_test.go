package cli

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trustc-dev/trustc/internal/refdata"
	"github.com/trustc-dev/trustc/internal/treetest"
)

// runTwice runs args twice at once, rounds times, and after each round
// wants both runs to succeed, dir to hold exactly want and its parent
// nothing beside the entries it held before. Two generate at once once
// both exited 0 with files missing from golden/ (issue 12).
func runTwice(t *testing.T, rounds int, args []string, dir string, want map[string]string) {
	t.Helper()
	parent := filepath.Dir(dir)
	before, _ := os.ReadDir(parent)
	for i := range rounds {
		var wg sync.WaitGroup
		var codes [2]int
		var errs [2]bytes.Buffer
		for r := range 2 {
			wg.Go(func() { codes[r] = Run(args, &bytes.Buffer{}, &errs[r]) })
		}
		wg.Wait()
		for r := range 2 {
			if codes[r] != 0 {
				t.Fatalf("round %d: run %d: exit %d:\n%s", i, r, codes[r], errs[r].String())
			}
		}
		if diff := cmp.Diff(want, treetest.Read(t, dir)); diff != "" {
			t.Fatalf("round %d: %s (-want +got):\n%s", i, dir, diff)
		}
		if after, _ := os.ReadDir(parent); len(after) != len(before) {
			t.Fatalf("round %d: %s holds %d entries, held %d (temporary trees left behind?)", i, parent, len(after), len(before))
		}
	}
}

func TestGenerateConcurrent(t *testing.T) {
	t.Parallel() // the longest tests of the package; they share nothing
	root := refdata.ModuleRoot(t)
	out := filepath.Join(t.TempDir(), "out")
	args := []string{"generate", "-C", root, "-out", out}
	var stderr bytes.Buffer
	if code := Run(args, &bytes.Buffer{}, &stderr); code != 0 {
		t.Fatalf("trustc generate: exit %d:\n%s", code, stderr.String())
	}
	runTwice(t, 25, args, out, treetest.Read(t, out))
}

func TestImportForceConcurrent(t *testing.T) {
	t.Parallel() // the longest tests of the package; they share nothing
	root := treetest.CopyModule(t, "cue.mod", "schema")
	prod := func(name string) string { return refdata.Path(t, "production", name) }
	args := []string{"import", "-C", root, "-env", "imported", "-force",
		prod("trusted_root.json"), prod("signing_config.v0.2.json")}
	var stderr bytes.Buffer
	if code := Run(args, &bytes.Buffer{}, &stderr); code != 0 {
		t.Fatalf("trustc import: exit %d:\n%s", code, stderr.String())
	}
	dir := filepath.Join(root, "environments", "imported")
	want := treetest.Read(t, dir)
	if len(want) == 0 {
		t.Fatal(fmt.Sprintf("import wrote nothing into %s", dir))
	}
	runTwice(t, 8, args, dir, want)
}

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/diff"

	"github.com/trustc-dev/trustc/internal/refdata"
)

// TestDeterministicOutput builds trustc with different flags and runs
// generate under different GOMAXPROCS, twice each: every run must write
// the same bytes as golden/.
func TestDeterministicOutput(t *testing.T) {
	if testing.Short() {
		t.Skip("builds trustc twice; skipped with -short")
	}
	root := refdata.ModuleRoot(t)
	want := readTree(t, filepath.Join(root, "golden"))
	bin := t.TempDir()
	builds := []struct {
		name  string
		flags []string
	}{
		{"trimpath", []string{"-trimpath"}},
		{"race", []string{"-race"}},
	}
	for _, b := range builds {
		exe := filepath.Join(bin, "trustc-"+b.name)
		cmd := exec.Command("go", append(append([]string{"build"}, b.flags...), "-o", exe, "./cmd/trustc")...)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %v: %v\n%s", b.flags, err, out)
		}
		for _, procs := range []int{1, 8} {
			for run := range 2 {
				t.Run(fmt.Sprintf("%s/GOMAXPROCS=%d/run%d", b.name, procs, run), func(t *testing.T) {
					out := filepath.Join(t.TempDir(), "golden")
					cmd := exec.Command(exe, "generate", "-C", root, "-out", out)
					cmd.Env = append(os.Environ(), fmt.Sprintf("GOMAXPROCS=%d", procs))
					if msg, err := cmd.CombinedOutput(); err != nil {
						t.Fatalf("trustc generate: %v\n%s", err, msg)
					}
					got := readTree(t, out)
					if len(got) != len(want) {
						t.Fatalf("wrote %d files, golden has %d", len(got), len(want))
					}
					for name, w := range want {
						if !bytes.Equal(got[name], w) {
							t.Errorf("%s differs from golden:\n%s", name, diff.Diff("golden", w, "run", got[name]))
						}
					}
				})
			}
		}
	}
}

func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

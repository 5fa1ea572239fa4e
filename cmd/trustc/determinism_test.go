package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/diff"

	"github.com/trustc-dev/trustc/internal/refdata"
	"github.com/trustc-dev/trustc/internal/treetest"
)

// TestDeterministicOutput runs generate from two builds of trustc under
// different GOMAXPROCS, twice each: every run must write the same bytes as
// golden/. One build is this test binary, which testscript.Main put on
// PATH as trustc (race-enabled under 'go test -race'; make test runs this
// package without it, and races generate's concurrency in internal/cli's
// TestGenerateConcurrent instead). The other is a -trimpath build, so no
// build path can reach the output.
func TestDeterministicOutput(t *testing.T) {
	t.Parallel() // beside the scripts, which share nothing with it
	if testing.Short() {
		t.Skip("builds trustc; skipped with -short")
	}
	root := refdata.ModuleRoot(t)
	want := treetest.Read(t, filepath.Join(root, "golden"))
	self, err := exec.LookPath("trustc")
	if err != nil {
		t.Fatalf("testscript.Main put no trustc on PATH: %v", err)
	}
	trimpath := filepath.Join(t.TempDir(), "trustc-trimpath")
	cmd := exec.Command("go", "build", "-trimpath", "-o", trimpath, "./cmd/trustc")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build -trimpath: %v\n%s", err, out)
	}
	builds := []struct{ name, exe string }{
		{"test-binary", self},
		{"trimpath", trimpath},
	}
	for _, b := range builds {
		exe := b.exe
		for _, procs := range []int{1, 8} {
			for run := range 2 {
				t.Run(fmt.Sprintf("%s/GOMAXPROCS=%d/run%d", b.name, procs, run), func(t *testing.T) {
					out := filepath.Join(t.TempDir(), "golden")
					cmd := exec.Command(exe, "generate", "-C", root, "-out", out)
					cmd.Env = append(os.Environ(), fmt.Sprintf("GOMAXPROCS=%d", procs))
					if msg, err := cmd.CombinedOutput(); err != nil {
						t.Fatalf("trustc generate: %v\n%s", err, msg)
					}
					got := treetest.Read(t, out)
					if len(got) != len(want) {
						t.Fatalf("wrote %d files, golden has %d", len(got), len(want))
					}
					for name, w := range want {
						if got[name] != w {
							t.Errorf("%s differs from golden:\n%s", name, diff.Diff("golden", []byte(w), "run", []byte(got[name])))
						}
					}
				})
			}
		}
	}
}

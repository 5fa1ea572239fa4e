package cli

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trustc-dev/trustc/internal/cputime"
	"github.com/trustc-dev/trustc/internal/refdata"
)

// BenchmarkGenerateWrite runs 'trustc generate' in-process on both real
// environments, writing to a temporary -out directory: reading and
// deriving the release it replaces (after the first run), compilation with
// every rule, and the synced, all-or-nothing write. bench/compare.sh times
// the same command as a whole process.
func BenchmarkGenerateWrite(b *testing.B) {
	root := refdata.ModuleRoot(b)
	out := filepath.Join(b.TempDir(), "out")
	measure(b, func() {
		if code := Run([]string{"generate", "-C", root, "-out", out, "-now", benchNow}, io.Discard, io.Discard); code != 0 {
			b.Fatalf("trustc generate: exit %d", code)
		}
	})
}

// BenchmarkCheckBase measures checking the real environments against a
// base release, golden/, at a fixed release time: reading and deriving the
// base (what generate also does with the golden/ it replaces), and the
// whole 'trustc check -base golden', which compiles with every rule,
// including those across releases.
func BenchmarkCheckBase(b *testing.B) {
	root := refdata.ModuleRoot(b)
	golden := filepath.Join(root, "golden")
	b.Run("read-base", func(b *testing.B) {
		measure(b, func() {
			if _, _, err := baseModels(os.DirFS(golden), "", golden); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("check", func(b *testing.B) {
		measure(b, func() {
			if code := Run([]string{"check", "-C", root, "-base", golden, "-now", benchNow}, io.Discard, io.Discard); code != 0 {
				b.Fatalf("trustc check: exit %d", code)
			}
		})
	})
}

// benchNow is the release time the benchmarks check at.
const benchNow = "2026-11-24T00:00:00Z"

// measure runs op in the benchmark loop and reports its CPU time too.
func measure(b *testing.B, op func()) {
	b.Helper()
	cputime.Report(b, func() {
		for b.Loop() {
			op()
		}
	})
}

// BenchmarkGitTree reads golden/ at HEAD as check's default base does: one
// git archive ("archive"), against the one git show per file it replaced
// ("show-per-file", kept here only to show the difference: 10 processes on
// this repository, 2000 at 1000 environments).
func BenchmarkGitTree(b *testing.B) {
	root := refdata.ModuleRoot(b)
	if _, err := git(root, "rev-parse", "HEAD:golden"); err != nil {
		b.Skip("no golden/ at HEAD")
	}
	b.Run("archive", func(b *testing.B) {
		measure(b, func() {
			if _, err := gitTree(root, "HEAD", "golden"); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("show-per-file", func(b *testing.B) {
		measure(b, func() {
			names, err := git(root, "ls-tree", "-r", "--name-only", "HEAD", "--", "golden")
			if err != nil {
				b.Fatal(err)
			}
			for _, n := range strings.Fields(string(names)) {
				if _, err := git(root, "show", "HEAD:"+n); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

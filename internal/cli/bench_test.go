package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/trustc-dev/trustc/compiler"
	"github.com/trustc-dev/trustc/compiler/load"
	"github.com/trustc-dev/trustc/internal/cputime"
	"github.com/trustc-dev/trustc/internal/refdata"
	"github.com/trustc-dev/trustc/internal/synthetic"
	"github.com/trustc-dev/trustc/internal/synthetic/synthtest"
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
			// As Compile reads Options.Base: history, without the rules.
			src := compiler.PublishedFS(os.DirFS(golden), "", load.JSONOptions{Dir: golden})
			if _, err := compiler.Compile(src, compiler.Options{NoRules: true}); err != nil {
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

// BenchmarkReviewScale runs 'trustc check -base golden' and 'trustc diff
// -base golden -format markdown' in-process on one synthetic environment
// of 1000 and 10000 services in which one CT log gained an end since
// golden/ was generated. Issue 17's bar: at 10000 services diff costs at
// most 1.3 times the CPU of check (cpu-ns/op), since all it adds to the
// same compile and base is the review of one change; md-bytes is the
// markdown review's size.
func BenchmarkReviewScale(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) { benchReview(b, n) })
	}
}

func benchReview(b *testing.B, n int) {
	root := synthtest.Repo(b, 1, n)
	if code := Run([]string{"generate", "-C", root, "-now", scaleNow}, io.Discard, io.Discard); code != 0 {
		b.Fatalf("trustc generate: exit %d", code)
	}
	endCTLog(b, filepath.Join(root, "environments", synthetic.EnvName(0), "services.cue"), n)
	golden := filepath.Join(root, "golden")
	b.Run("check", func(b *testing.B) {
		measure(b, func() {
			if code := Run([]string{"check", "-C", root, "-base", golden, "-now", scaleNow}, io.Discard, io.Discard); code != 0 {
				b.Fatalf("trustc check: exit %d", code)
			}
		})
	})
	b.Run("diff", func(b *testing.B) {
		var out bytes.Buffer
		measure(b, func() {
			out.Reset()
			if code := Run([]string{"diff", "-C", root, "-base", golden, "-now", scaleNow, "-format", "markdown"}, &out, io.Discard); code != 0 {
				b.Fatalf("trustc diff: exit %d", code)
			}
		})
		b.ReportMetric(float64(out.Len()), "md-bytes")
	})
}

// scaleNow is after every synthetic service of 10000 has begun.
const scaleNow = "2025-06-01T00:00:00Z"

// endCTLog gives the middle CT log of a synthetic services.cue of n
// services a verification end a month after scaleNow.
func endCTLog(b *testing.B, file string, n int) {
	b.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	i := n / 2
	for synthetic.Kinds[i%len(synthetic.Kinds)] != "ct" {
		i++
	}
	re := regexp.MustCompile(fmt.Sprintf(`(?m)(ct: ct%d: \{\n(?:\t.*\n)*?\tverify: )start: ("[^"]*")`, i))
	out := re.ReplaceAll(src, []byte(`${1}{start: ${2}, end: "2025-07-01T00:00:00Z"}`))
	if bytes.Equal(out, src) {
		b.Fatalf("no CT log ct%d in %s", i, file)
	}
	if err := os.WriteFile(file, out, 0o644); err != nil {
		b.Fatal(err)
	}
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

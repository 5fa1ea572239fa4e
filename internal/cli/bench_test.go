package cli

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/trustc-dev/trustc/internal/cputime"
	"github.com/trustc-dev/trustc/internal/sharedtest"
	"github.com/trustc-dev/trustc/release"
)

// BenchmarkGenerateWrite runs 'trustc generate' in-process on both real
// environments, writing to a temporary -out directory: compilation plus the
// synced, all-or-nothing write. bench/compare.sh times the same command as a
// whole process.
func BenchmarkGenerateWrite(b *testing.B) {
	root := sharedtest.ModuleRoot(b)
	out := filepath.Join(b.TempDir(), "out")
	measure(b, func() {
		if code := Run([]string{"generate", "-C", root, "-out", out}, io.Discard, io.Discard); code != 0 {
			b.Fatalf("trustc generate: exit %d", code)
		}
	})
}

// BenchmarkCheckBase measures checking the real environments against a base
// release, golden/.
//
// TODO(trustc): there is no 'trustc check' against a base release yet, nor a
// compiler function that checks a compiled release.Release against a base
// one (what may change between releases). Until there is, this measures
// what such a check is made of today: reading and parsing the base release
// (release.Read) and 'trustc generate -check', which compiles and compares
// bytes with the base. Benchmark the real check here when it lands.
func BenchmarkCheckBase(b *testing.B) {
	root := sharedtest.ModuleRoot(b)
	golden := filepath.Join(root, "golden")
	b.Run("read-base", func(b *testing.B) {
		measure(b, func() {
			if _, err := release.Read(os.DirFS(golden), ""); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("generate-check", func(b *testing.B) {
		measure(b, func() {
			if code := Run([]string{"generate", "-C", root, "-check", "-out", golden}, io.Discard, io.Discard); code != 0 {
				b.Fatalf("trustc generate -check: exit %d", code)
			}
		})
	})
}

// measure runs op in the benchmark loop and reports its CPU time too.
func measure(b *testing.B, op func()) {
	b.Helper()
	cputime.Report(b, func() {
		for b.Loop() {
			op()
		}
	})
}

// Package goldenfile compares test output with a committed golden file, or
// rewrites it when the test runs with -update, as go/printer's tests do.
// Only tests import it.
package goldenfile

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/diff"
)

// update is -update in every test binary that imports this package, so
// that one flag, with one meaning, rewrites every golden file.
var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// Testdata compares got with testdata/name, or writes got there when the
// test runs with -update. A difference fails the test with a unified diff,
// so the reviewer sees what changed without rerunning anything.
func Testdata(tb testing.TB, name string, got []byte) {
	tb.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(want, got) {
		tb.Errorf("%s differs from the output; run go test -update and review the diff:\n%s", path, diff.Diff(path, want, "got", got))
	}
}

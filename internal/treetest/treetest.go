// Package treetest reads and writes trees of files for tests: what a
// command wrote below a directory, and a scratch copy of this module's
// repository to run one on. Tests of generate, import, plan, tuf build
// and atomic replacement all compare whole trees; each used to walk them
// with a copy of the same function.
package treetest

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/trustc-dev/trustc/internal/refdata"
)

// Read returns every file below dir, by slash-separated path relative to
// dir. Directories are not listed; an empty one leaves no trace.
func Read(tb testing.TB, dir string) map[string]string {
	tb.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// CopyModule returns a new temporary directory holding a copy of dirs
// (slash-separated, such as "cue.mod" or "environments/production") of
// this module's repository, so that a test may change them.
func CopyModule(tb testing.TB, dirs ...string) string {
	tb.Helper()
	src := refdata.ModuleRoot(tb)
	dst := tb.TempDir()
	for _, dir := range dirs {
		d := filepath.FromSlash(dir)
		if err := os.CopyFS(filepath.Join(dst, d), os.DirFS(filepath.Join(src, d))); err != nil {
			tb.Fatal(err)
		}
	}
	return dst
}

// WriteTxtar writes the files of the txtar archive at path into dir, over
// whatever dir holds under their names.
func WriteTxtar(tb testing.TB, dir, path string) {
	tb.Helper()
	ar, err := txtar.ParseFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	files := map[string]string{}
	for _, f := range ar.Files {
		files[f.Name] = string(f.Data)
	}
	Write(tb, dir, files)
}

// Write writes files, by slash-separated path below dir, into dir,
// making the directories they need; Read reads them back.
func Write(tb testing.TB, dir string, files map[string]string) {
	tb.Helper()
	for name, b := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(b), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

package atomicdir

import (
	"os"
	"path/filepath"
	"testing"
)

func TestHolds(t *testing.T) {
	files := map[string][]byte{"production/a.json": []byte("a"), "staging/b.json": []byte("bb")}
	for _, tc := range []struct {
		name   string
		change func(t *testing.T, dir string) // applied to a tree Replace wrote
		want   bool
	}{
		{"same tree", func(*testing.T, string) {}, true},
		{"different bytes, same size", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "staging/b.json"), "bc")
		}, false},
		{"extra file", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "production/stale.json"), "x")
		}, false},
		{"missing file", func(t *testing.T, dir string) {
			must(t, os.Remove(filepath.Join(dir, "staging/b.json")))
		}, false},
		{"empty directory Replace would not make", func(t *testing.T, dir string) {
			must(t, os.Mkdir(filepath.Join(dir, "gone"), 0o755))
		}, false},
		{"file mode", func(t *testing.T, dir string) {
			must(t, os.Chmod(filepath.Join(dir, "production/a.json"), 0o600))
		}, false},
		{"symlink in place of a file", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "production/a.json")
			must(t, os.Rename(p, filepath.Join(dir, "..", "a.json")))
			must(t, os.Symlink(filepath.Join("..", "..", "a.json"), p))
		}, false},
		{"no tree", func(t *testing.T, dir string) { must(t, os.RemoveAll(dir)) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "golden")
			must(t, Replace(dir, files))
			tc.change(t, dir)
			if got := holds(dir, files); got != tc.want {
				t.Errorf("holds = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestReplaceUnchangedTree checks that an identical tree is left in place
// (the same directory, not a copy swapped in) and a changed one replaced.
func TestReplaceUnchangedTree(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "golden")
	files := map[string][]byte{"production/a.json": []byte("a")}
	must(t, Replace(dir, files))
	before, err := os.Stat(dir)
	must(t, err)
	must(t, Replace(dir, files))
	same, err := os.Stat(dir)
	must(t, err)
	if !os.SameFile(before, same) {
		t.Error("Replace with identical files swapped in a new tree")
	}
	must(t, Replace(dir, map[string][]byte{"production/a.json": []byte("b")}))
	changed, err := os.Stat(dir)
	must(t, err)
	if os.SameFile(before, changed) {
		t.Error("Replace with a changed file left the old tree in place")
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "production/a.json")); string(got) != "b" {
		t.Errorf("production/a.json = %q, want %q", got, "b")
	}
}

func write(t *testing.T, p, s string) {
	t.Helper()
	must(t, os.WriteFile(p, []byte(s), 0o644))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

package treetest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestWriteTxtarRead: what Write and WriteTxtar write, Read reads back,
// by slash-separated path, over a file that was there and beside one
// that stays.
func TestWriteTxtarRead(t *testing.T) {
	dir := t.TempDir()
	ar := filepath.Join(t.TempDir(), "files.txtar")
	if err := os.WriteFile(ar, []byte("comment\n-- a.txt --\nnew\n-- sub/b.txt --\nb\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	Write(t, dir, map[string]string{"a.txt": "old\n", "kept.txt": "kept\n"})
	if err := os.Mkdir(filepath.Join(dir, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	WriteTxtar(t, dir, ar)
	want := map[string]string{"a.txt": "new\n", "kept.txt": "kept\n", "sub/b.txt": "b\n"}
	if diff := cmp.Diff(want, Read(t, dir)); diff != "" {
		t.Errorf("tree (-want +got):\n%s", diff)
	}
}

// TestCopyModule copies the named directories of the repository, and
// only those.
func TestCopyModule(t *testing.T) {
	dst := CopyModule(t, "cue.mod")
	got := Read(t, dst)
	if _, ok := got["cue.mod/module.cue"]; !ok || len(got) == 0 {
		t.Errorf("copy holds %v, want cue.mod/module.cue", got)
	}
	for name := range got {
		if !strings.HasPrefix(name, "cue.mod/") {
			t.Errorf("copy holds %s, outside cue.mod", name)
		}
	}
}

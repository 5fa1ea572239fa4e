package atomicdir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trustc-dev/trustc/internal/treetest"
)

func TestReplace(t *testing.T) {
	for _, tc := range []struct {
		name   string
		before map[string][]byte // nil: dir absent
		files  map[string][]byte
	}{
		{"create", nil, map[string][]byte{"a/x.json": []byte("1"), "b/y.json": []byte("2")}},
		{"replace drops stale files", map[string][]byte{"a/x.json": []byte("old"), "gone/z.json": []byte("z")},
			map[string][]byte{"a/x.json": []byte("new")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "golden")
			if tc.before != nil {
				if err := Replace(dir, tc.before); err != nil {
					t.Fatal(err)
				}
			}
			if err := Replace(dir, tc.files); err != nil {
				t.Fatal(err)
			}
			want := map[string]string{}
			for k, v := range tc.files {
				want[k] = string(v)
			}
			if diff := cmp.Diff(want, treetest.Read(t, dir)); diff != "" {
				t.Errorf("tree (-want +got):\n%s", diff)
			}
			onlyTree(t, parent)
		})
	}
}

func TestReplaceFailureLeavesOldTree(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "golden")
	if err := Replace(dir, map[string][]byte{"a.json": []byte("old")}); err != nil {
		t.Fatal(err)
	}
	err := Replace(dir, map[string][]byte{"ok.json": []byte("new"), "../escape.json": []byte("x")})
	if err == nil {
		t.Fatal("Replace accepted a path outside the tree")
	}
	if diff := cmp.Diff(map[string]string{"a.json": "old"}, treetest.Read(t, dir)); diff != "" {
		t.Errorf("tree after failed Replace (-want +got):\n%s", diff)
	}
	onlyTree(t, parent)
}

func TestReplaceRemovesStaleTemporaryTrees(t *testing.T) {
	parent := t.TempDir()
	stale := filepath.Join(parent, TmpPrefix+"golden-123")
	if err := os.MkdirAll(stale, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Replace(filepath.Join(parent, "golden"), map[string][]byte{"a": nil}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("stale temporary tree survived: %v", err)
	}
}

// TestReplaceConcurrent runs two Replace of the same directory at once,
// many times: the tree must be one run's files, whole, every time. Before
// the lock, each run removed the other's temporary tree as stale and both
// succeeded with files missing.
func TestReplaceConcurrent(t *testing.T) {
	runs := [2]map[string][]byte{{}, {}}
	for i := range 40 {
		runs[0][fmt.Sprintf("a/%02d.json", i)] = []byte("a")
		runs[1][fmt.Sprintf("b/%02d.json", i)] = []byte("b")
	}
	dir := filepath.Join(t.TempDir(), "golden")
	for i := range 30 {
		var wg sync.WaitGroup
		var errs [2]error
		for r := range runs {
			wg.Go(func() { errs[r] = Replace(dir, runs[r]) })
		}
		wg.Wait()
		for r, err := range errs {
			if err != nil {
				t.Fatalf("round %d, run %d: %v", i, r, err)
			}
		}
		got := treetest.Read(t, dir)
		if len(got) != 40 || (got["a/00.json"] == "") == (got["b/00.json"] == "") {
			t.Fatalf("round %d: tree holds %d files, not one run's 40", i, len(got))
		}
		entries, _ := os.ReadDir(filepath.Dir(dir))
		if len(entries) != 1 {
			t.Fatalf("round %d: %d entries beside golden, want none", i, len(entries)-1)
		}
	}
}

// TestReplaceReadOnly refuses a tree with a read-only directory before
// writing anything: the swap would succeed and removing the old tree
// fail, leaving it behind under a temporary name.
func TestReplaceReadOnly(t *testing.T) {
	for _, ro := range []string{".", "production"} {
		t.Run(ro, func(t *testing.T) {
			parent := t.TempDir()
			dir := filepath.Join(parent, "golden")
			if err := Replace(dir, map[string][]byte{"production/a.json": []byte("old")}); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(filepath.Join(dir, ro), 0o555); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.Chmod(filepath.Join(dir, ro), 0o755) })
			err := Replace(dir, map[string][]byte{"production/a.json": []byte("new")})
			if !errors.Is(err, ErrReadOnly) {
				t.Fatalf("Replace: %v, want %v", err, ErrReadOnly)
			}
			if diff := cmp.Diff(map[string]string{"production/a.json": "old"}, treetest.Read(t, dir)); diff != "" {
				t.Errorf("tree after refusal (-want +got):\n%s", diff)
			}
			onlyTree(t, parent)
		})
	}
}

// onlyTree wants parent to hold one entry, the replaced tree: a temporary
// tree left beside it would be found, and removed as stale, by the next
// Replace.
func onlyTree(t *testing.T, parent string) {
	t.Helper()
	entries, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("%s holds %v, want only the tree (temporary trees left behind)", parent, names)
	}
}

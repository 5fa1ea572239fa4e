package atomicdir

import (
	"bytes"
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

// holds reports whether dir already is the tree Replace would write: a
// directory whose regular files are exactly files, byte for byte, with the
// modes Replace gives them, and nothing else in it. Regenerating golden/
// with nothing changed is the common run ('make generate' before a
// diff), and rewriting an identical tree cost it eight file creations,
// eight syncs and the removal of the old tree, for no change on disk.
// Anything else (a missing, extra or different file, a symlink, another
// mode, an error reading) answers false and the tree is replaced as
// before, so a tree that differs is never left alone.
func holds(dir string, files map[string][]byte) bool {
	if fi, err := os.Lstat(dir); err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o755 {
		return false
	}
	// Replace makes no directory but the ones its files lie in.
	dirs := map[string]bool{}
	for name := range files {
		for d := path.Dir(name); d != "." && !dirs[d]; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	seen := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == dir {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		switch {
		case fi.IsDir() && fi.Mode().Perm() == 0o755 && dirs[rel]:
			return nil
		case !fi.Mode().IsRegular() || fi.Mode().Perm() != 0o644:
			return fs.ErrExist
		}
		want, ok := files[rel]
		if !ok || int64(len(want)) != fi.Size() {
			return fs.ErrExist
		}
		got, err := os.ReadFile(p)
		if err != nil || !bytes.Equal(got, want) {
			return fs.ErrExist
		}
		seen++
		return nil
	})
	return err == nil && seen == len(files)
}

// Package atomicdir replaces a directory's whole content at once, so that a
// failed or killed run leaves either the old tree or the new one, never a
// mix: golden/ must always be one release.
package atomicdir

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// TmpPrefix marks trees being written; a later run removes any that a
// killed run left behind. Readers of a directory that Replace writes into
// (the loader, for environments/) skip or refuse names with this prefix.
const TmpPrefix = ".trustc-tmp-"

// Replace makes dir hold exactly files (slash-separated relative names to
// contents). The new tree is written and synced beside dir, then swapped in
// with one rename where the platform allows it. A dir that already holds
// exactly files is left as it is.
//
// Runs replacing directories of the same parent are serialised by an
// advisory lock on the parent: two 'trustc generate' at once each removed
// the other's temporary tree as stale and both reported success with files
// missing (issue 12). Holding the lock, a run knows that every temporary
// tree it finds was left by a killed run. A second run waits for the first.
func Replace(dir string, files map[string][]byte) (err error) {
	dir = filepath.Clean(dir)
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	unlock, err := lock(parent)
	if err != nil {
		return fmt.Errorf("lock %s: %w", parent, err)
	}
	defer unlock()
	// The old tree is removed after the swap; a directory in it that
	// cannot be emptied would fail the run after dir was replaced, and
	// leave the old tree behind under a temporary name.
	if err := checkWritable(parent, dir); err != nil {
		return err
	}
	removeStale(parent, filepath.Base(dir))
	if holds(dir, files) {
		return nil
	}

	tmp, err := os.MkdirTemp(parent, TmpPrefix+filepath.Base(dir)+"-")
	if err != nil {
		return fmt.Errorf("create temporary tree: %w", err)
	}
	defer func() {
		// After a swap tmp holds the old tree; before it, a partial new one.
		if rmErr := os.RemoveAll(tmp); rmErr != nil && err == nil {
			err = rmErr
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	if err := writeFiles(tmp, files); err != nil {
		return err
	}
	if err := syncDir(tmp); err != nil {
		return err
	}
	if _, err := os.Lstat(dir); os.IsNotExist(err) {
		if err := os.Rename(tmp, dir); err != nil {
			return fmt.Errorf("move new tree into place: %w", err)
		}
		return syncDir(parent)
	}
	if err := exchange(tmp, dir); err != nil {
		return fmt.Errorf("swap new tree into place: %w", err)
	}
	return syncDir(parent)
}

// maxWriters bounds the files written at once: each writer may sit in
// fsync, blocking an OS thread.
const maxWriters = 16

// writeFiles writes and syncs files below root concurrently. A sync waits
// for the disk, and syncs that wait together share a journal commit (ext4
// batches them), so the tree is durable in about the time of a few syncs
// rather than one per file; on a busy disk this halved the time of
// BenchmarkReplace. The error is the first in name order, so it does not
// depend on scheduling.
func writeFiles(root string, files map[string][]byte) error {
	names := slices.Sorted(maps.Keys(files))
	errs := make([]error, len(names))
	sem := make(chan struct{}, maxWriters)
	var wg sync.WaitGroup
	for i, name := range names {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			errs[i] = writeFile(root, name, files[name])
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func writeFile(root, name string, data []byte) error {
	if !filepath.IsLocal(filepath.FromSlash(name)) {
		return fmt.Errorf("write %s: not a local path", name)
	}
	p := filepath.Join(root, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", name, err)
	}
	return f.Close()
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

func removeStale(parent, base string) {
	entries, _ := os.ReadDir(parent)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), TmpPrefix+base+"-") {
			os.RemoveAll(filepath.Join(parent, e.Name()))
		}
	}
}

// ErrReadOnly is returned (wrapped) when dir or a directory in it is not
// writable, so Replace could not remove the tree it replaces.
var ErrReadOnly = errors.New("read-only")

// checkWritable refuses, before anything is written, a parent or a
// directory of the existing tree that this process may not change. A
// directory without its owner's write bit is refused even where the
// process could write it anyway (as root): someone made it read-only.
func checkWritable(parent, dir string) error {
	if err := writable(parent); err != nil {
		return fmt.Errorf("%s: %w", parent, err)
	}
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if fi.Mode().Perm()&0o200 == 0 {
			return fmt.Errorf("%s: %w (mode %04o); make it writable (chmod -R u+w %s) or write elsewhere", p, ErrReadOnly, fi.Mode().Perm(), dir)
		}
		if err := writable(p); err != nil {
			return fmt.Errorf("%s: %w; make it writable (chmod -R u+w %s) or write elsewhere", p, err, dir)
		}
		return nil
	})
}

// Package safefile reads the bytes trustc takes from outside: material
// under environments/, published JSON, TUF metadata and keys, the files
// given to import. Each read is of a regular file (a FIFO would hang the
// run, a device such as /dev/zero would exhaust memory), of bounded size,
// and, when read below a directory, through symbolic links that stay
// inside it, so that an environment is the directory a reviewer sees.
package safefile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// Bounds per kind of file. Sigstore's largest published file, the public
// good trusted_root.json, is about 30 KiB, and a PEM chain a few KiB; the
// bounds leave room for growth by two orders of magnitude and still fail
// fast on a file that is not what it claims to be.
const (
	// MaxPEM bounds a material file: a PEM key or certificate chain, or
	// any other file under environments/ but CUE.
	MaxPEM = 1 << 20
	// MaxCUE bounds a CUE file under environments/.
	MaxCUE = 16 << 20
	// MaxJSON bounds a published JSON file (trusted root, signing config)
	// and TUF metadata.
	MaxJSON = 16 << 20
)

// ErrTooLarge is returned (wrapped) for a file over its bound.
var ErrTooLarge = errors.New("file too large")

// ErrNotRegular is returned (wrapped) for a FIFO, device, socket or
// directory where a file's bytes were wanted.
var ErrNotRegular = errors.New("not a regular file")

// ErrEscapes is returned (wrapped) for a name that leads, through a
// symbolic link or "..", out of the directory it is read below.
var ErrEscapes = errors.New("leads outside the directory")

// ReadFile reads the file at path, following symbolic links anywhere: the
// user named it.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readOpen(f, path, limit)
}

// ReadFileIn reads name, slash-separated, below dir; symbolic links are
// followed only while they stay inside dir.
func ReadFileIn(dir, name string, limit int64) ([]byte, error) {
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return readIn(r, name, limit)
}

// ReadFileRoot is ReadFileIn below an open root, for callers that read
// many files below one directory.
func ReadFileRoot(r *os.Root, name string, limit int64) ([]byte, error) {
	return readIn(r, name, limit)
}

func readIn(r *os.Root, name string, limit int64) ([]byte, error) {
	f, err := openIn(r, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readOpen(f, name, limit)
}

// openIn opens name below r without blocking on a FIFO, and classifies
// os.Root's refusal of an escaping name.
func openIn(r *os.Root, name string) (*os.File, error) {
	f, err := r.OpenFile(filepath.FromSlash(name), os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		if escapes(err) {
			return nil, &fs.PathError{Op: "open", Path: name, Err: ErrEscapes}
		}
		return nil, err
	}
	return f, nil
}

// escapes reports whether err is os.Root's refusal of a name that leaves
// it. The os package does not export that error, so it is recognised by
// its text; TestReadFileIn fails if the text changes.
func escapes(err error) bool {
	var pe *fs.PathError
	return errors.As(err, &pe) && pe.Err.Error() == "path escapes from parent"
}

// OpenIn opens name, slash-separated, below r for reading: without
// blocking, and only if it is a regular file, for callers that bound the
// read themselves (a TUF fetcher, told each file's length).
func OpenIn(r *os.Root, name string) (*os.File, error) {
	f, fi, err := openStat(r, name)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: notRegular(fi.Mode())}
	}
	return f, nil
}

// openStat opens name as openIn does and returns what it is, for the
// caller to refuse what it does not read (the file is closed on error).
func openStat(r *os.Root, name string) (*os.File, fs.FileInfo, error) {
	f, err := openIn(r, name)
	if err != nil {
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

// readOpen checks that f is a regular file within limit and reads it. The
// size is checked before reading, and the read stops one byte past the
// limit, since a file may grow while it is read.
func readOpen(f *os.File, name string, limit int64) ([]byte, error) {
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "read", Path: name, Err: notRegular(fi.Mode())}
	}
	if fi.Size() > limit {
		return nil, &fs.PathError{Op: "read", Path: name, Err: tooLarge(limit)}
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, &fs.PathError{Op: "read", Path: name, Err: tooLarge(limit)}
	}
	return b, nil
}

func tooLarge(limit int64) error {
	return fmt.Errorf("%w: over the %s limit", ErrTooLarge, Size(limit))
}

func notRegular(m fs.FileMode) error {
	kind := "a special file"
	switch {
	case m.IsDir():
		kind = "a directory"
	case m&fs.ModeNamedPipe != 0:
		kind = "a FIFO"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		kind = "a device"
	case m&fs.ModeSocket != 0:
		kind = "a socket"
	}
	return fmt.Errorf("%w: it is %s", ErrNotRegular, kind)
}

// Size renders a bound for messages: "1 MiB".
func Size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// DirFS is a read-only file system of the tree at dir, like os.DirFS, but
// every file it opens is checked as ReadFileIn checks it: symbolic links
// stay inside dir, files are regular (directories may be listed) and no
// larger than limit, and opening never blocks. It is for readers that take
// an fs.FS, such as release.Read.
func DirFS(dir string, limit int64) fs.FS {
	return dirFS{dir: dir, limit: limit}
}

type dirFS struct {
	dir   string
	limit int64
}

var (
	_ fs.ReadFileFS = dirFS{}
	_ fs.StatFS     = dirFS{}
)

func (d dirFS) root(op, name string) (*os.Root, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	r, err := os.OpenRoot(d.dir)
	if err != nil {
		// As os.DirFS reports it: the path within the file system, which
		// callers that know the directory join onto it.
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &fs.PathError{Op: op, Path: name, Err: err}
	}
	return r, nil
}

func (d dirFS) Open(name string) (fs.File, error) {
	r, err := d.root("open", name)
	if err != nil {
		return nil, err
	}
	defer r.Close() // an open file outlives its root
	f, fi, err := openStat(r, name)
	if err != nil {
		return nil, err
	}
	switch {
	case fi.IsDir():
		return f, nil
	case !fi.Mode().IsRegular():
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: notRegular(fi.Mode())}
	case fi.Size() > d.limit:
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: tooLarge(d.limit)}
	}
	return &limitedFile{File: f, name: name, left: d.limit + 1, limit: d.limit}, nil
}

func (d dirFS) ReadFile(name string) ([]byte, error) {
	r, err := d.root("read", name)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return readIn(r, name, d.limit)
}

func (d dirFS) Stat(name string) (fs.FileInfo, error) {
	r, err := d.root("stat", name)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	fi, err := r.Stat(filepath.FromSlash(name))
	if err != nil {
		if escapes(err) {
			return nil, &fs.PathError{Op: "stat", Path: name, Err: ErrEscapes}
		}
		return nil, err
	}
	return fi, nil
}

// limitedFile stops a read once the file has grown past the bound it was
// opened under.
type limitedFile struct {
	*os.File
	name  string
	left  int64
	limit int64
}

func (f *limitedFile) Read(p []byte) (int, error) {
	if f.left <= 0 {
		return 0, &fs.PathError{Op: "read", Path: f.name, Err: tooLarge(f.limit)}
	}
	if int64(len(p)) > f.left {
		p = p[:f.left]
	}
	n, err := f.File.Read(p)
	f.left -= int64(n)
	if f.left <= 0 {
		return n, &fs.PathError{Op: "read", Path: f.name, Err: tooLarge(f.limit)}
	}
	return n, err
}

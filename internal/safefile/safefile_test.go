//go:build unix

// The cases need FIFOs, which only Unix has.

package safefile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// tree makes dir/env holding ok.pem, a FIFO, a directory, symbolic links
// inside and outside env, and outside.pem beside env.
func tree(t *testing.T) (dir, env string) {
	t.Helper()
	dir = t.TempDir()
	env = filepath.Join(dir, "env")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(env, "sub"), 0o755))
	must(os.WriteFile(filepath.Join(env, "ok.pem"), []byte("ok"), 0o644))
	must(os.WriteFile(filepath.Join(env, "big.pem"), make([]byte, 11), 0o644))
	must(os.WriteFile(filepath.Join(dir, "outside.pem"), []byte("secret"), 0o644))
	must(syscall.Mkfifo(filepath.Join(env, "fifo.pem"), 0o644))
	must(os.Symlink("ok.pem", filepath.Join(env, "link.pem")))
	must(os.Symlink("../ok.pem", filepath.Join(env, "sub", "up.pem")))
	must(os.Symlink("../outside.pem", filepath.Join(env, "escape.pem")))
	must(os.Symlink(dir, filepath.Join(env, "escapedir")))
	must(os.Symlink("/dev/zero", filepath.Join(env, "zero.pem")))
	return dir, env
}

// readCase is a file to read and what reading it gives: the bytes want,
// or an error that is err.
type readCase struct {
	name string // below env for ReadFileIn, a path for ReadFile
	want string
	err  error
}

func TestReadFileIn(t *testing.T) {
	_, env := tree(t)
	for _, tc := range []readCase{
		{"ok.pem", "ok", nil},
		{"link.pem", "ok", nil},
		{"sub/up.pem", "ok", nil},
		{"big.pem", "", ErrTooLarge},
		{"fifo.pem", "", ErrNotRegular},
		{"sub", "", ErrNotRegular},
		{"escape.pem", "", ErrEscapes},
		{"escapedir/outside.pem", "", ErrEscapes},
		{"../outside.pem", "", ErrEscapes},
		{"zero.pem", "", ErrEscapes},
		{"missing.pem", "", fs.ErrNotExist},
	} {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan struct{})
			var got []byte
			var err error
			go func() {
				defer close(done)
				got, err = ReadFileIn(env, tc.name, 10)
			}()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("ReadFileIn blocked")
			}
			checkRead(t, got, err, tc)
		})
	}
}

func TestReadFile(t *testing.T) {
	dir, env := tree(t)
	for _, tc := range []readCase{
		{filepath.Join(env, "escape.pem"), "secret", nil}, // the user named it
		{filepath.Join(env, "fifo.pem"), "", ErrNotRegular},
		{filepath.Join(env, "big.pem"), "", ErrTooLarge},
		{"/dev/zero", "", ErrNotRegular},
		{dir, "", ErrNotRegular},
	} {
		t.Run(filepath.Base(tc.name), func(t *testing.T) {
			got, err := ReadFile(tc.name, 10)
			checkRead(t, got, err, tc)
		})
	}
}

// checkRead wants a read to give what tc says.
func checkRead(t *testing.T, got []byte, err error, tc readCase) {
	t.Helper()
	if tc.err == nil && err != nil || !errors.Is(err, tc.err) {
		t.Fatalf("err = %v, want %v", err, tc.err)
	}
	if string(got) != tc.want {
		t.Errorf("got %q, want %q", got, tc.want)
	}
}

func TestDirFS(t *testing.T) {
	_, env := tree(t)
	fsys := DirFS(env, 10)
	if b, err := fs.ReadFile(fsys, "link.pem"); err != nil || string(b) != "ok" {
		t.Errorf("ReadFile(link.pem) = %q, %v", b, err)
	}
	if _, err := fs.ReadDir(fsys, "."); err != nil {
		t.Errorf("ReadDir: %v", err)
	}
	for name, want := range map[string]error{
		"fifo.pem":   ErrNotRegular,
		"escape.pem": ErrEscapes,
		"big.pem":    ErrTooLarge,
	} {
		if _, err := fs.ReadFile(fsys, name); !errors.Is(err, want) {
			t.Errorf("ReadFile(%s): %v, want %v", name, err, want)
		}
		f, err := fsys.Open(name)
		if err == nil {
			f.Close()
		}
		if !errors.Is(err, want) {
			t.Errorf("Open(%s): %v, want %v", name, err, want)
		}
	}
	if _, err := fs.Stat(fsys, "escape.pem"); !errors.Is(err, ErrEscapes) {
		t.Errorf("Stat(escape.pem): %v, want %v", err, ErrEscapes)
	}
}

// TestDirFSGrowth reads a file that grows past the bound after it was
// opened: the read stops at the bound.
func TestDirFSGrowth(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	if err := os.WriteFile(p, []byte("12345"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := DirFS(dir, 10).Open("f")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := os.WriteFile(p, make([]byte, 100), 0o644); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(f)
	if !errors.Is(err, ErrTooLarge) || len(b) > 11 {
		t.Errorf("read %d bytes, err %v; want at most 11 and %v", len(b), err, ErrTooLarge)
	}
}

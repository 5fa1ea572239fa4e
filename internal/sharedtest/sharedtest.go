// Package sharedtest locates the read-only Sigstore reference data that sits
// beside the repository (../shared/sigstore) for tests.
//
// The data is never copied into the repository: it is Sigstore's published
// material and must stay byte-identical to what root-signing publishes.
package sharedtest

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the absolute path of the shared Sigstore reference data. It
// honours TRUSTC_SHARED (a path to the sigstore directory) and otherwise looks
// for ../shared/sigstore beside the module root. A missing directory fails the
// test: the reference data is part of every checkout CI runs, so silently
// skipping would hide a broken setup.
func Dir(tb testing.TB) string {
	tb.Helper()
	dir, err := find()
	if err != nil {
		tb.Fatalf("locate shared Sigstore reference data: %v", err)
	}
	return dir
}

// Path joins elem onto Dir.
func Path(tb testing.TB, elem ...string) string {
	tb.Helper()
	return filepath.Join(append([]string{Dir(tb)}, elem...)...)
}

// ReadFile reads a file below Dir.
func ReadFile(tb testing.TB, elem ...string) []byte {
	tb.Helper()
	b, err := os.ReadFile(Path(tb, elem...))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// ModuleRoot returns the directory holding go.mod, found by walking up from
// the working directory (go test runs each package in its own directory).
func ModuleRoot(tb testing.TB) string {
	tb.Helper()
	root, err := moduleRoot()
	if err != nil {
		tb.Fatal(err)
	}
	return root
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}

func find() (string, error) {
	if d := os.Getenv("TRUSTC_SHARED"); d != "" {
		return filepath.Abs(d)
	}
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(filepath.Dir(root), "shared", "sigstore")
	if _, err := os.Stat(filepath.Join(dir, "README.md")); err != nil {
		return "", err
	}
	return dir, nil
}

// Package refdata locates Sigstore's published reference data for tests:
// the trust files, TUF targets metadata, release history and bundles kept
// in the repository at testdata/sigstore, and the manifest that records
// where each file came from.
//
// The files are byte-for-byte copies of public files (see
// testdata/sigstore/README.md); the manifest pins each one's length and
// sha256, and this package's test fails on any difference, so reference
// data cannot be edited to make a test pass.
package refdata

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// TB is what the helpers need of a test or benchmark; testing.TB has it.
// An interface of our own keeps this package, and internal/published
// built on it, from importing testing: they are ordinary packages that
// tests happen to use, and nothing in them needs more of a test.
type TB interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
}

// Rel is the reference data's directory relative to the module root.
const Rel = "testdata/sigstore"

// ManifestName is the provenance manifest's file name in Dir.
const ManifestName = "MANIFEST.json"

// Dir returns the absolute path of the reference data, testdata/sigstore
// below the module root. A missing directory fails the test: the data is
// part of every checkout, so skipping would hide a broken tree.
func Dir(tb TB) string {
	tb.Helper()
	dir := filepath.Join(ModuleRoot(tb), filepath.FromSlash(Rel))
	if _, err := os.Stat(filepath.Join(dir, ManifestName)); err != nil {
		tb.Fatalf("locate Sigstore reference data: %v", err)
	}
	return dir
}

// Path joins elem onto Dir.
func Path(tb TB, elem ...string) string {
	tb.Helper()
	return filepath.Join(append([]string{Dir(tb)}, elem...)...)
}

// ReadFile reads a file below Dir.
func ReadFile(tb TB, elem ...string) []byte {
	tb.Helper()
	b, err := os.ReadFile(Path(tb, elem...))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// ModuleRoot returns the directory holding go.mod, found by walking up from
// the working directory (go test runs each package in its own directory).
func ModuleRoot(tb TB) string {
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
			return "", fmt.Errorf("no go.mod above %s", dir)
		}
		dir = parent
	}
}

// Manifest is MANIFEST.json: the provenance of every reference file and
// the releases of the two TUF repositories' history.
type Manifest struct {
	// Releases are the published TUF targets versions, production then
	// staging, each oldest first.
	Releases []Release `json:"releases"`
	// Skipped are published targets versions that list no trust file
	// (production v1 to v5 held only the legacy keys), so none is stored.
	Skipped []Skipped `json:"skipped"`
	// Files are every file below Dir but README.md, MANIFEST.json and
	// extract.py, sorted by path.
	Files []File `json:"files"`
}

// Release is one published targets version of an environment.
type Release struct {
	Env     string `json:"env"`
	Version int    `json:"version"`
	// Dir is the release's directory below Dir, slash-separated
	// (history/<env>/vNN).
	Dir        string `json:"dir"`
	Repository string `json:"repository"`
	// Commit is the first commit on the repository's main branch (first
	// parent) whose published snapshot.json names this targets version.
	Commit string `json:"commit"`
	// Published is that commit's committer date: when the release landed
	// on main, from which the repository's workflow published it. TUF
	// metadata records no signing time.
	Published time.Time `json:"published"`
	// Snapshot is the snapshot metadata's path in the repository at
	// Commit (repository/repository/ before the tuf-on-ci migration,
	// metadata/ after).
	Snapshot string `json:"snapshot"`
	// Files are the release's file names in Dir: targets.json, then every
	// top-level target it lists.
	Files []string `json:"files"`
}

// Skipped is a published targets version without trust files.
type Skipped struct {
	Env       string    `json:"env"`
	Version   int       `json:"version"`
	Commit    string    `json:"commit"`
	Published time.Time `json:"published"`
	Reason    string    `json:"reason"`
}

// File is where one reference file came from and what it must hash to.
type File struct {
	// Path is the file's path below Dir, slash-separated.
	Path string `json:"path"`
	// Repository, Commit and Source name the public file it copies.
	Repository string `json:"repository"`
	Commit     string `json:"commit"`
	Source     string `json:"source"`
	Length     int64  `json:"length"`
	SHA256     string `json:"sha256"`
}

// ReadManifest reads and parses MANIFEST.json.
func ReadManifest(tb TB) *Manifest {
	tb.Helper()
	m, err := ParseManifest(ReadFile(tb, ManifestName))
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// ParseManifest parses the bytes of MANIFEST.json.
func ParseManifest(b []byte) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("parse %s: %w", ManifestName, err)
	}
	return &m, nil
}

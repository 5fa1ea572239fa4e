package tufrepo_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/trustc-dev/trustc/tufrepo"
)

// refTime is the day the reference data was snapshotted; test repositories
// expire ten years on, so real clients that read the clock accept them too.
var (
	refTime = time.Date(2026, 8, 21, 0, 0, 0, 0, time.UTC)
	expires = refTime.AddDate(10, 0, 0)
)

// buildRepo builds a repository of targets with fresh keys and returns its
// directory and the root.json a client starts from.
func buildRepo(t *testing.T, targets []tufrepo.Target) (dir string, root []byte) {
	t.Helper()
	signers, err := tufrepo.GenerateSigners()
	if err != nil {
		t.Fatal(err)
	}
	dir = filepath.Join(t.TempDir(), "repo")
	opts := tufrepo.Options{
		ReferenceTime: refTime,
		Signers:       signers,
		Root:          tufrepo.Role{Expires: expires},
		Targets:       tufrepo.Role{Expires: expires, Version: 14},
		Snapshot:      tufrepo.Role{Expires: expires},
		Timestamp:     tufrepo.Role{Expires: expires},
	}
	if err := tufrepo.Build(dir, targets, opts); err != nil {
		t.Fatal(err)
	}
	root, err = os.ReadFile(filepath.Join(dir, "1.root.json"))
	if err != nil {
		t.Fatal(err)
	}
	return dir, root
}

// buildPublished builds a repository serving every target of an
// environment's published targets.json, custom metadata included.
func buildPublished(t *testing.T, env string) (dir string, root []byte) {
	t.Helper()
	_, targets := publishedTargets(t, env)
	return buildRepo(t, targets)
}

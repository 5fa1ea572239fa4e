package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/trustc-dev/trustc/compiler"
	"github.com/trustc-dev/trustc/internal/refdata"
)

// TestRun writes a rotated repository as a user would and compiles it, then
// refuses to write into it again.
func TestRun(t *testing.T) {
	src := refdata.ModuleRoot(t)
	out := filepath.Join(t.TempDir(), "repo")
	var stderr bytes.Buffer
	if code := run([]string{"-src", src, "-out", out, "-envs", "2", "-services", "7", "-ending", "-newest-first", "-exact"}, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	res, err := compiler.Compile(compiler.Dir(out), compiler.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Release.Envs) != 2 {
		t.Errorf("%d environments, want 2", len(res.Release.Envs))
	}
	stderr.Reset()
	if code := run([]string{"-src", src, "-out", out}, &stderr); code != 1 {
		t.Errorf("second run into %s: exit %d, want 1", out, code)
	}
	if want := "synth: " + out + " is not empty\n"; stderr.String() != want {
		t.Errorf("stderr %q, want %q", stderr.String(), want)
	}
	stderr.Reset()
	if code := run([]string{"-src", t.TempDir(), "-out", filepath.Join(t.TempDir(), "x")}, &stderr); code != 1 {
		t.Errorf("without a schema: exit %d, want 1", code)
	}
	if _, err := os.Stat(filepath.Join(out, "environments", "env0001", "services.cue")); err != nil {
		t.Error(err)
	}
}

package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/trustc-dev/trustc/internal/refdata"
	"github.com/trustc-dev/trustc/internal/treetest"
)

// TestGenerateCheckDue: generate -check tells a release the plan says is
// due (exit 3, for a scheduled job) from drift (exit 1) and from a
// current golden/ (exit 0).
func TestGenerateCheckDue(t *testing.T) {
	t.Parallel() // the longest tests of the package; they share nothing
	repo := treetest.CopyModule(t, "cue.mod", "schema", "environments/production")
	treetest.WriteTxtar(t, filepath.Join(repo, "environments", "production"), filepath.Join(refdata.ModuleRoot(t), "plan", "testdata", "production-new-log.txtar"))
	run := func(args ...string) int {
		var stdout, stderr bytes.Buffer
		code := Run(append(args, "-C", repo), &stdout, &stderr)
		t.Logf("trustc %v: exit %d\n%s%s", args, code, stdout.String(), stderr.String())
		return code
	}
	if code := run("generate", "-now", "2026-12-01T00:00:00Z"); code != exitOK {
		t.Fatalf("generate: exit %d", code)
	}
	for _, tc := range []struct {
		name, now string
		want      int
	}{
		{"nothing due", "2027-04-30T23:59:59Z", exitOK},
		{"opt-in release due", "2027-05-01T00:00:00Z", exitDue},
		{"both releases due", "2027-09-01T00:00:00Z", exitDue},
	} {
		if code := run("generate", "-check", "-now", tc.now); code != tc.want {
			t.Errorf("%s: generate -check -now %s: exit %d, want %d", tc.name, tc.now, code, tc.want)
		}
	}
	// A release of a later day is drift too: published early, it would
	// send sigstore-js to the new log before its start.
	if code := run("generate", "-now", "2027-08-01T00:00:00Z"); code != exitOK {
		t.Fatalf("generate: exit %d", code)
	}
	if code := run("generate", "-check", "-now", "2027-03-01T00:00:00Z"); code != exitFail {
		t.Errorf("golden/ of a later day: generate -check: exit %d, want %d", code, exitFail)
	}
	// A hand edit is drift whatever the plan says.
	p := filepath.Join(repo, "golden", "production", "signing_config.v0.2.json")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, append(b, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
	if code := run("generate", "-check", "-now", "2027-05-01T00:00:00Z"); code != exitFail {
		t.Errorf("edited golden/: generate -check: exit %d, want %d", code, exitFail)
	}
}

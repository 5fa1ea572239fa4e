package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/trustc-dev/trustc/internal/refdata"
)

// TestCheckPairing: two directories of one environment each pair whatever
// their names; releases whose environments cannot be paired exit 2.
func TestCheckPairing(t *testing.T) {
	root := refdata.Dir(t)
	v13 := filepath.Join(root, "history", "production", "v13")
	v14 := filepath.Join(root, "history", "production", "v14")
	tree := t.TempDir()
	for _, env := range []string{"production", "other"} {
		b, err := os.ReadFile(filepath.Join(v13, "trusted_root.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(tree, env), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tree, env, "trusted_root.json"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"single environments, names differ", []string{"check", "-base", v13, "-now", "2026-05-16T00:00:00Z", v14}, exitOK},
		{"a tree against one environment", []string{"check", "-base", tree, "-now", "2026-05-16T00:00:00Z", v14}, exitUsage},
		{"near miss: no base at all", []string{"check", "-no-base", "-now", "2026-05-16T00:00:00Z", v14}, exitOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := Run(tt.args, &stdout, &stderr); code != tt.code {
				t.Errorf("exit %d, want %d\n%s", code, tt.code, stderr.String())
			}
		})
	}
}

// TestTUFSigned: tuf-on-ci's targets.json expires its expiry period after
// it was signed; older metadata does not say.
func TestTUFSigned(t *testing.T) {
	hist := filepath.Join(refdata.Dir(t), "history")
	tests := []struct {
		dir  string
		want string
	}{
		{"staging/v20", "2025-08-13T11:21:36Z"},
		{"production/v12", "2025-07-07T08:05:16Z"}, // root-signing aa440a9
		{"production/v06", ""},
		{"staging/nowhere", ""},
	}
	for _, tt := range tests {
		got := ""
		if ts, ok := tufSigned(filepath.Join(hist, filepath.FromSlash(tt.dir))); ok {
			got = ts.Format(time.RFC3339)
		}
		if got != tt.want {
			t.Errorf("tufSigned(%s) = %q, want %q", tt.dir, got, tt.want)
		}
	}
}

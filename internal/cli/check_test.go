package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

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

package atomicdir

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/trustc-dev/trustc/internal/cputime"
)

// BenchmarkReplace replaces a tree shaped like golden/ (two environments of
// four files) with a new one, as every 'trustc generate' does.
func BenchmarkReplace(b *testing.B) {
	files := map[string][]byte{}
	for _, env := range []string{"production", "staging"} {
		for i := range 4 {
			files[fmt.Sprintf("%s/file%d.json", env, i)] = bytes.Repeat([]byte("x"), 4096)
		}
	}
	dir := filepath.Join(b.TempDir(), "golden")
	cputime.Report(b, func() {
		for b.Loop() {
			if err := Replace(dir, files); err != nil {
				b.Fatal(err)
			}
		}
	})
}

package atomicdir

import (
	"bytes"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/trustc-dev/trustc/internal/cputime"
)

// BenchmarkReplace replaces a tree shaped like golden/ (two environments of
// four files) with a new one, as every 'trustc generate' that changes
// something does ("changed": the content alternates between two trees),
// or with the tree it already holds ("unchanged", as 'make generate' with
// nothing edited).
func BenchmarkReplace(b *testing.B) {
	var trees [2]map[string][]byte
	for t := range trees {
		trees[t] = map[string][]byte{}
		for _, env := range []string{"production", "staging"} {
			for i := range 4 {
				trees[t][fmt.Sprintf("%s/file%d.json", env, i)] = bytes.Repeat([]byte{'x' + byte(t)}, 4096)
			}
		}
	}
	for _, bc := range []struct {
		name  string
		trees int
	}{{"changed", 2}, {"unchanged", 1}} {
		b.Run(bc.name, func(b *testing.B) {
			dir := filepath.Join(b.TempDir(), "golden")
			cputime.Report(b, func() {
				i := 0
				for b.Loop() {
					if err := Replace(dir, trees[i%bc.trees]); err != nil {
						b.Fatal(err)
					}
					i++
				}
			})
		})
	}
}

package load

import (
	"testing"

	"github.com/trustc-dev/trustc/internal/cputime"
	"github.com/trustc-dev/trustc/internal/refdata"
)

// BenchmarkScan measures the walk of environments/ that precedes every
// load: each file read once more and searched for private keys.
func BenchmarkScan(b *testing.B) {
	root := refdata.ModuleRoot(b)
	cputime.Report(b, func() {
		for b.Loop() {
			if _, err := scan(root); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// Package checkout answers, for tests, which of Sigstore's environments the
// checkout under test still keeps.
//
// Tests that compare an environment with Sigstore's published files are
// about that environment; a fork that keeps its own environments and drops
// staging (or production) has no such environment to compare, and its
// make test must still pass. Every other test runs on a frozen fixture
// (internal/fixture) and does not depend on environments/ at all.
package checkout

import (
	"os"
	"path/filepath"
	"testing"
)

// Environments returns those of names that root/environments holds, in the
// order given, and logs the others as not compared.
func Environments(tb testing.TB, root string, names ...string) []string {
	tb.Helper()
	var kept []string
	for _, n := range names {
		if fi, err := os.Stat(filepath.Join(root, "environments", n)); err == nil && fi.IsDir() {
			kept = append(kept, n)
			continue
		}
		tb.Logf("environments/%s is not in this checkout; not compared with Sigstore's published %s", n, n)
	}
	return kept
}

// Has reports whether root/environments holds name, logging it when not.
func Has(tb testing.TB, root, name string) bool {
	tb.Helper()
	return len(Environments(tb, root, name)) == 1
}

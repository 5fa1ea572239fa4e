package clientfacts

import (
	"slices"
	"testing"
)

func TestNamesSortedAndFound(t *testing.T) {
	names := Names()
	if !slices.IsSorted(names) {
		t.Errorf("Names() = %q, not in name order", names)
	}
	for _, n := range names {
		if c, ok := Lookup(n); !ok || c.Name != n {
			t.Errorf("Lookup(%q) = %+v, %v", n, c, ok)
		}
	}
	if c, ok := Lookup("sigstore-rs"); ok {
		t.Errorf("Lookup(sigstore-rs) = %+v, want not found", c)
	}
}

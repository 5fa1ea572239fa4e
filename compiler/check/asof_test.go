package check

import (
	"testing"

	"github.com/trustc-dev/trustc/compiler/asof"
)

// TestEarlyClientsAgree: the clients the release stage withholds future
// entries for are the clients this rule knows to pick them early, so
// client-traps never sees a future entry the stage let through.
func TestEarlyClientsAgree(t *testing.T) {
	for name, c := range clients {
		if got := asof.PicksFutureServices(name); got != c.picksFutureServices {
			t.Errorf("%s: asof says it picks future services: %v; client-traps says %v", name, got, c.picksFutureServices)
		}
	}
}

package startheap

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// gcPercent reads GOGC's current value.
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}

// TestRaise raises the start heap to 8 MiB (GOGC=200 at first) and checks
// that GOGC comes back once the heap has grown past it. Not parallel: GOGC
// is process-wide.
func TestRaise(t *testing.T) {
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	before := gcPercent()
	defer debug.SetGCPercent(before)

	Raise(8 << 20)
	if got := gcPercent(); got != 200 {
		t.Fatalf("after Raise(8 MiB), GOGC = %d, want 200", got)
	}
	var keep [][]byte
	deadline := time.Now().Add(20 * time.Second)
	for gcPercent() != before {
		if time.Now().After(deadline) {
			t.Fatalf("GOGC is still %d with a %d MiB live heap, want %d restored", gcPercent(), len(keep), before)
		}
		keep = append(keep, make([]byte, 1<<20))
		runtime.GC()
		time.Sleep(time.Millisecond) // let the finalizer run
	}
	runtime.KeepAlive(keep)
}

func TestRaiseRespectsExplicitSettings(t *testing.T) {
	for _, env := range []string{"GOGC", "GOMEMLIMIT"} {
		t.Run(env, func(t *testing.T) {
			t.Setenv(env, "100")
			before := gcPercent()
			Raise(64 << 20)
			if got := gcPercent(); got != before {
				debug.SetGCPercent(before)
				t.Errorf("with %s set, Raise changed GOGC from %d to %d", env, before, got)
			}
		})
	}
}

package derive

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestVerdictsSingleFlight asks for one key from many goroutines while the
// first answer is still being computed, as the base and the head of a
// compile verify one chain at the same moment: one computation, and every
// caller gets its answer. Without the single flight each caller that finds
// no answer yet starts its own, which the count shows.
func TestVerdictsSingleFlight(t *testing.T) {
	const callers = 8
	var v verdicts[string, int]
	var computed atomic.Int32
	release := make(chan struct{})
	compute := func() int {
		computed.Add(1)
		<-release
		return 42
	}
	got := make([]int, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() { got[i] = v.get("chain", compute) })
	}
	// Give every caller time to reach the cache while the first
	// computation is held.
	for deadline := time.Now().Add(200 * time.Millisecond); computed.Load() < callers && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	if n := computed.Load(); n != 1 {
		t.Errorf("%d callers of one key computed its answer %d times, want once", callers, n)
	}
	for i, g := range got {
		if g != 42 {
			t.Errorf("caller %d got %d, want 42", i, g)
		}
	}
	if again := v.get("chain", func() int { return 0 }); again != 42 {
		t.Errorf("a later caller got %d, want the kept 42", again)
	}
}

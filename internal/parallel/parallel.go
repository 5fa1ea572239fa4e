// Package parallel runs independent pieces of work on every CPU and hands
// back their results in input order, so that what trustc prints and writes
// never depends on scheduling or on GOMAXPROCS.
package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Map calls fn(i) for every i in [0, n), on at most GOMAXPROCS goroutines
// at once, and returns the results indexed by i. fn must not touch state
// another call uses. With one CPU, or one item, it runs on the caller's
// goroutine.
func Map[R any](n int, fn func(i int) R) []R {
	out := make([]R, n)
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := range n {
			out[i] = fn(i)
		}
		return out
	}
	// Workers take the next index as they finish, so one slow item does
	// not hold back a fixed share of the rest.
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				out[i] = fn(i)
			}
		})
	}
	wg.Wait()
	return out
}

// Do calls every fn, on at most GOMAXPROCS goroutines at once, and
// returns when all have returned: two different jobs that share nothing,
// such as loading a change while its base release is read and derived.
// Each fn writes only its own results.
func Do(fns ...func()) {
	Map(len(fns), func(i int) struct{} {
		fns[i]()
		return struct{}{}
	})
}

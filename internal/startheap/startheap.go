// Package startheap lets a short-lived process use a few tens of megabytes
// of heap before the garbage collector first runs, as the Go compiler does
// (cmd/compile/internal/base/startheap.go).
//
// The runtime starts with a 4 MiB heap goal. A trustc generate of both
// real environments allocates 5-6 MiB, so the collector ran two or three
// times in a run that lasts a few tens of milliseconds, each cycle
// starting its workers, assisting the compiling goroutines and faulting in
// fresh memory; that was 15-20% of the run's wall time (see docs/performance.md's
// Performance section). Once the heap outgrows the raised goal, pacing is
// the runtime's own again, so a large input costs no more memory than it
// otherwise would, plus the head start.
package startheap

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// defaultMinimum is the runtime's minimum heap goal at GOGC=100; the
// minimum scales with GOGC (runtime/mgcpacer.go).
const defaultMinimum = 4 << 20

// Raise lets the heap grow to about goal bytes before the first
// collection, and restores GOGC after the first collection whose next goal
// lies beyond it. It does nothing when GOGC or GOMEMLIMIT is set: whoever
// set them chose the trade-off. Only a command's main should call it; the
// setting is process-wide.
func Raise(goal uint64) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	percent := int(goal * 100 / defaultMinimum)
	if percent <= 100 {
		return
	}
	restore := debug.SetGCPercent(percent)
	sample := []metrics.Sample{{Name: "/gc/heap/goal:bytes"}}
	var mu sync.Mutex // finalizers may run on different threads
	afterEachGC(func() bool {
		mu.Lock()
		defer mu.Unlock()
		metrics.Read(sample)
		if sample[0].Value.Kind() == metrics.KindUint64 && sample[0].Value.Uint64() <= goal {
			return true
		}
		debug.SetGCPercent(restore)
		return false
	})
}

// afterEachGC calls fn shortly after each collection until fn returns
// false: a finalizer runs once its object is found unreachable, and
// re-arms itself on a fresh object.
func afterEachGC(fn func() bool) {
	type sentinel [32]byte // too big for the tiny allocator, which batches objects
	var finalizer func(*sentinel)
	finalizer = func(*sentinel) {
		if fn() {
			runtime.SetFinalizer(new(sentinel), finalizer)
		}
	}
	runtime.SetFinalizer(new(sentinel), finalizer)
}

// Package cputime adds the CPU time per operation to a benchmark's
// results. Go's testing reports wall time; on a shared machine that also
// measures whatever else runs, while the process's user and system time
// moves much less with the neighbours' load. benchstat compares the extra
// "cpu-ns/op" column like the others.
package cputime

import "testing"

// Report runs loop, which holds the benchmark's 'for b.Loop()' loop, and
// reports the user plus system CPU time of the whole process during it,
// divided by b.N, as cpu-ns/op. Where the platform cannot tell (it is read
// with getrusage), it reports nothing.
func Report(b *testing.B, loop func()) {
	b.Helper()
	before, ok := processCPU()
	loop()
	after, _ := processCPU()
	if ok && b.N > 0 {
		b.ReportMetric(float64((after-before).Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

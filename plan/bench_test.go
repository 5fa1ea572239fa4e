package plan_test

import (
	"testing"

	"github.com/trustc-dev/trustc/internal/timetest"
	"github.com/trustc-dev/trustc/plan"
)

// BenchmarkCalendar lays out the new-log scenario's calendar from the
// compiled plan: three releases emitted, every signer asked what it does
// at each release date.
func BenchmarkCalendar(b *testing.B) {
	root := scenario(b, "production-new-log")
	now := timetest.Parse("2026-12-01T00:00:00Z")
	env, _ := compileAt(b, root, now)
	for b.Loop() {
		if _, err := plan.New(env.Plan, nil, now); err != nil {
			b.Fatal(err)
		}
	}
}

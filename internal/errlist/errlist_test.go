package errlist_test

import (
	"fmt"
	"testing"

	"cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"
	"github.com/google/go-cmp/cmp"

	"github.com/trustc-dev/trustc/internal/errlist"
)

func msgs(err error) []string {
	var out []string
	for _, e := range errors.Errors(err) {
		out = append(out, e.Error())
	}
	return out
}

// TestListMatchesAppend checks that a List reads back as the list
// errors.Append builds: the same problems in the same order, through
// errors.Errors, errors.Sanitize and errors.Details.
func TestListMatchesAppend(t *testing.T) {
	a := errors.Newf(token.NoPos, "a")
	b := errors.Newf(token.NoPos, "b")
	c := errors.Newf(token.NoPos, "c")
	for _, tc := range []struct {
		name string
		add  []errors.Error
	}{
		{"none", nil},
		{"nil only", []errors.Error{nil}},
		{"one", []errors.Error{a}},
		{"several", []errors.Error{c, a, b}},
		{"a list among them", []errors.Error{c, errors.Append(a, b), nil}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var l errlist.List
			var want errors.Error
			for _, e := range tc.add {
				l.Add(e)
				want = errors.Append(want, e)
			}
			got := l.Err()
			if (got == nil) != (want == nil) {
				t.Fatalf("Err() = %v, want %v", got, want)
			}
			if diff := cmp.Diff(msgs(want), msgs(got)); diff != "" {
				t.Errorf("errors.Errors (-append +list):\n%s", diff)
			}
			if diff := cmp.Diff(msgs(errors.Sanitize(want)), msgs(errors.Sanitize(got))); diff != "" {
				t.Errorf("errors.Sanitize (-append +list):\n%s", diff)
			}
			if diff := cmp.Diff(errors.Details(want, nil), errors.Details(got, nil)); diff != "" {
				t.Errorf("errors.Details (-append +list):\n%s", diff)
			}
		})
	}
}

// BenchmarkAdd collects n problems; errors.Append took 50 s for 100k.
func BenchmarkAdd(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		errs := make([]errors.Error, n)
		for i := range errs {
			errs[i] = errors.Newf(token.NoPos, "problem %d", i)
		}
		b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
			for b.Loop() {
				var l errlist.List
				for _, e := range errs {
					l.Add(e)
				}
				if len(errors.Errors(l.Err())) != n {
					b.Fatal("lost problems")
				}
			}
		})
	}
}

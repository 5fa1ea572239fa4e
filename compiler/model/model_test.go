package model

import (
	"testing"
	"time"

	"cuelang.org/go/cue/token"
	"github.com/google/go-cmp/cmp"
)

func TestWindowContains(t *testing.T) {
	at := func(h int) Value[time.Time] {
		return Value[time.Time]{V: time.Date(2025, 1, 1, h, 0, 0, 0, time.UTC)}
	}
	closed := Window{Start: at(1), End: at(3)}
	open := Window{Start: at(1)}
	for _, tc := range []struct {
		name string
		w    Window
		t    Value[time.Time]
		want bool
	}{
		{"before the start", closed, at(0), false},
		{"at the start (inclusive)", closed, at(1), true},
		{"inside", closed, at(2), true},
		{"at the end (inclusive)", closed, at(3), true},
		{"after the end", closed, at(4), false},
		{"open, long after the start", open, at(23), true},
		{"open, before the start", open, at(0), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.w.Contains(tc.t.V); got != tc.want {
				t.Errorf("Contains = %v, want %v", got, tc.want)
			}
		})
	}
	if !closed.HasEnd() || open.HasEnd() {
		t.Errorf("HasEnd: closed %v, open %v; want true, false", closed.HasEnd(), open.HasEnd())
	}
}

// TestSrcChild: paths are CUE selectors, so a label that is no identifier
// is quoted, as CUE prints it, and the position is the parent's.
func TestSrcChild(t *testing.T) {
	pos := token.NewFile("env.cue", 0, 10).Pos(3, token.NoRelPos)
	s := Src{Pos: pos, Path: []string{"rekor"}}
	for _, tc := range []struct {
		sel  []string
		want string
	}{
		{[]string{"log"}, "rekor.log"},
		{[]string{"log2025-1", "key"}, `rekor."log2025-1".key`},
		{[]string{"2025"}, `rekor."2025"`},
		{[]string{"_x", "$y", "a1"}, "rekor._x.$y.a1"},
		{[]string{"", "trusted_root.json"}, `rekor.""."trusted_root.json"`},
	} {
		c := s.Child(tc.sel...)
		if diff := cmp.Diff(tc.want, c.String()); diff != "" {
			t.Errorf("Child(%q) (-want +got):\n%s", tc.sel, diff)
		}
		if c.Pos != pos {
			t.Errorf("Child(%q) moved the position to %v", tc.sel, c.Pos)
		}
	}
	if got := s.String(); got != "rekor" {
		t.Errorf("the parent's path changed to %q", got)
	}
}

func TestValueSet(t *testing.T) {
	declared := Value[string]{Src: Src{Pos: token.NewFile("env.cue", 0, 1).Pos(0, token.NoRelPos)}}
	if !declared.Set() || (Value[string]{V: "default"}).Set() {
		t.Errorf("Set: declared %v, without a position %v; want true, false", declared.Set(), (Value[string]{V: "default"}).Set())
	}
}

func TestMinWaitingPeriod(t *testing.T) {
	p := Policy{TUFTimestampExpiry: Value[time.Duration]{V: 7 * 24 * time.Hour}, Buffer: Value[time.Duration]{V: 3 * 24 * time.Hour}}
	if got, want := p.MinWaitingPeriod(), 10*24*time.Hour; got != want {
		t.Errorf("MinWaitingPeriod = %v, want %v", got, want)
	}
}

package model

import (
	"fmt"
	"testing"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"
	"github.com/google/go-cmp/cmp"
)

func TestProblem(t *testing.T) {
	src := Src{Path: []string{"rekor", `"log"`}}
	tests := []struct {
		name     string
		p        *Problem
		msg      string
		blocking bool
	}{
		{"error under a rule", src.Problemf(RuleImmutable, Error, "start moved"), "immutable: start moved", true},
		{"input error", src.Errorf("missing field url").(*Problem), "missing field url", true},
		{"warning", src.Warnf(RuleMaterial, "uri %q is not an https URL", "tsa.internal").(*Problem), `warning: material: uri "tsa.internal" is not an https URL`, false},
		{"conflict", src.Conflictf(RuleWellFormed, Src{}, "2, but a.json gives 1").(*Problem), "well-formed: 2, but a.json gives 1", true},
		{"note with a fix", &Problem{Rule: RuleImmutable, Severity: Note, Src: src, Message: "log id corrected", Fix: "nothing to do"}, "note: immutable: log id corrected; nothing to do", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.msg, tt.p.Error()); diff != "" {
				t.Errorf("Error() (-want +got):\n%s", diff)
			}
			if got := Blocking(tt.p); got != tt.blocking {
				t.Errorf("Blocking = %v, want %v", got, tt.blocking)
			}
			blocking, advice := Split(tt.p)
			if (blocking != nil) != tt.blocking || (advice != nil) == tt.blocking {
				t.Errorf("Split = %v, %v", blocking, advice)
			}
		})
	}
}

// TestConflictNamesBoth: a conflict lists the other statement's place
// after its own, and only its own when the other has none.
func TestConflictNamesBoth(t *testing.T) {
	f := token.NewFile("pub/a.json", -1, 20)
	f.SetLinesForContent([]byte("0123456789\n012345678"))
	here, there := Src{Pos: f.Pos(12, token.NoRelPos)}, Src{Pos: f.Pos(2, token.NoRelPos)}
	for _, tt := range []struct {
		other Src
		want  []string
	}{
		{there, []string{"pub/a.json:2:2", "pub/a.json:1:3"}},
		{Src{}, []string{"pub/a.json:2:2"}},
	} {
		var got []string
		for _, p := range errors.Positions(here.Conflictf(RuleWellFormed, tt.other, "disagrees")) {
			got = append(got, p.String())
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("positions (-want +got):\n%s", diff)
		}
	}
}

// TestProblemsOfForeignErrors: CUE's own errors become input problems at
// their position, so one printer handles every error.
func TestProblemsOfForeignErrors(t *testing.T) {
	var errs errors.Error
	errs = errors.Append(errs, errors.Newf(Src{}.Pos, "conflicting values"))
	errs = errors.Append(errs, Src{}.Warnf(RuleWellFormed, "out of order"))
	ps := Problems(errs)
	var got []string
	for _, p := range ps {
		got = append(got, p.Rule+"/"+p.Severity.String()+"/"+p.Message)
	}
	want := []string{"input/error/conflicting values", "well-formed/warning/out of order"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Problems (-want +got):\n%s", diff)
	}
	if !Blocking(errs) {
		t.Error("a CUE error does not block")
	}
	if Blocking(nil) {
		t.Error("nil blocks")
	}
}

// TestProblemsAtInputPositions: a field not allowed has no position of its
// own in CUE, only the input position of the field; the problem takes it.
func TestProblemsAtInputPositions(t *testing.T) {
	v := cuecontext.New().CompileString("x: close({a: 1})\nx: b: 2\n", cue.Filename("env.cue"))
	err := v.Validate()
	if err == nil {
		t.Fatal("CUE allowed x.b")
	}
	var got []string
	for _, p := range Problems(err) {
		got = append(got, fmt.Sprintf("%s: %s: %s", p.Position(), p.Src, p.Message))
	}
	want := []string{"env.cue:2:4: x.b: field not allowed"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Problems (-want +got):\n%s", diff)
	}
}

// TestProblemOfKeepsTheChain: a Go error promoted into a CUE list has its
// text only in what it wraps; the problem's message is the whole chain, as
// errors.Print words it.
func TestProblemOfKeepsTheChain(t *testing.T) {
	tests := []struct {
		name string
		err  errors.Error
		want string
	}{
		{"promoted, no message of its own", errors.Promote(fmt.Errorf("read golden: permission denied"), ""), "read golden: permission denied"},
		{"promoted under a message", errors.Promote(fmt.Errorf("open schema: no such file"), "load schema"), "load schema: open schema: no such file"},
		{"a problem is itself", Src{}.Errorf("missing field url"), "missing field url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, ProblemOf(tt.err).Message); diff != "" {
				t.Errorf("ProblemOf(%v).Message (-want +got):\n%s", tt.err, diff)
			}
		})
	}
}

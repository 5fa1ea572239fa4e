package model

import (
	"fmt"

	"cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"
)

// Rule names. They appear in every message and in docs/policy.md; never
// rename one, since people search for them. They live here, not in check,
// because load and derive report problems under the same rules (a list out
// of order is well-formed's, a weak key material's).
const (
	// RuleInput: the input cannot be read as an environment at all (CUE,
	// types, files); no policy rule applies yet.
	RuleInput = "input"
	// RuleVerifyBeforeSign (1): a service a signing config sends clients to
	// has verification material whose window covers the signing window.
	RuleVerifyBeforeSign = "verify-before-sign"
	// RuleWaitingPeriod (2): signing starts a waiting period after the
	// trusted root that carries its verification material was published.
	RuleWaitingPeriod = "waiting-period"
	// RuleNoGaps (3): every signing config always offers what clients need.
	RuleNoGaps = "no-gaps"
	// RuleWellFormed (4): windows in order, names defined, no duplicates,
	// lists in the order protobuf-specs asks for.
	RuleWellFormed = "well-formed"
	// RuleClientTraps (4b): nothing the declared clients mishandle.
	RuleClientTraps = "client-traps"
	// RuleMaterial (5): public keys only, strong keys, valid chains, https.
	RuleMaterial = "material"
	// RuleImmutable (6): published material keeps its bytes, id and start.
	RuleImmutable = "immutable"
	// RuleNoRetroactiveEnd (7): a new end is not in the past.
	RuleNoRetroactiveEnd = "no-retroactive-end"
	// RuleNothingDisappears (8): trusted-root entries stay unless retired.
	RuleNothingDisappears = "nothing-disappears"
	// RuleSigningStartFixed (9): started signing windows keep their start.
	RuleSigningStartFixed = "signing-start-fixed"
)

// Rules lists every policy rule name, in the order of docs/policy.md.
var Rules = []string{
	RuleVerifyBeforeSign, RuleWaitingPeriod, RuleNoGaps, RuleWellFormed, RuleClientTraps,
	RuleMaterial, RuleImmutable, RuleNoRetroactiveEnd, RuleNothingDisappears, RuleSigningStartFixed,
}

// Severity says whether a problem blocks the release.
type Severity int

const (
	// Error: the release is refused (exit 1, nothing written).
	Error Severity = iota
	// Warning: SHOULD-level advice (protobuf-specs recommends, clients do
	// not depend on it). Reported, never blocking.
	Warning
	// Note: about the base release, not this change: listed once so that
	// a reviewer knows, never blocking the head.
	Note
)

func (s Severity) String() string {
	switch s {
	case Warning:
		return "warning"
	case Note:
		return "note"
	}
	return "error"
}

// Problem is the one kind of problem every stage reports (load, derive,
// check, the importer and the published-JSON reader): a rule, a severity,
// the place to edit and what to do there. It is a cue/errors.Error, so it
// sorts, dedupes and prints with CUE's own errors.
type Problem struct {
	Rule     string
	Severity Severity
	Src      Src
	Message  string
	// Fix is what to change, when it is plain; printed after the message.
	Fix string
	// Also are the other places the problem involves, such as the first
	// of two statements that disagree: the printer lists them beneath it,
	// as it lists the values of a CUE conflict.
	Also []token.Pos
}

func (p *Problem) Position() token.Pos         { return p.Src.Pos }
func (p *Problem) InputPositions() []token.Pos { return p.Also }
func (p *Problem) Path() []string              { return p.Src.Path }

// Msg renders "rule: message; fix", and marks what does not block.
func (p *Problem) Msg() (string, []any) {
	text := p.Text()
	prefix := ""
	if p.Severity != Error {
		prefix = p.Severity.String() + ": "
	}
	if p.Rule == "" || p.Rule == RuleInput {
		return "%s%s", []any{prefix, text}
	}
	return "%s%s: %s", []any{prefix, p.Rule, text}
}

func (p *Problem) Error() string {
	f, a := p.Msg()
	return fmt.Sprintf(f, a...)
}

// Text is the message and the fix, without the rule.
func (p *Problem) Text() string {
	if p.Fix == "" {
		return p.Message
	}
	return p.Message + "; " + p.Fix
}

// Problemf returns a problem under rule at s.
func (s Src) Problemf(rule string, sev Severity, format string, args ...any) *Problem {
	return &Problem{Rule: rule, Severity: sev, Src: s, Message: fmt.Sprintf(format, args...)}
}

// Errorf returns an input error at s: a Problem with no policy rule.
func (s Src) Errorf(format string, args ...any) errors.Error {
	return s.Problemf(RuleInput, Error, format, args...)
}

// Rulef returns an error under rule at s.
func (s Src) Rulef(rule string, format string, args ...any) errors.Error {
	return s.Problemf(rule, Error, format, args...)
}

// Conflictf returns an error under rule at s, a statement that disagrees
// with the one at other; the printer names both places.
func (s Src) Conflictf(rule string, other Src, format string, args ...any) errors.Error {
	p := s.Problemf(rule, Error, format, args...)
	if other.Pos.IsValid() {
		p.Also = []token.Pos{other.Pos}
	}
	return p
}

// Warnf returns a warning under rule at s.
func (s Src) Warnf(rule string, format string, args ...any) errors.Error {
	return s.Problemf(rule, Warning, format, args...)
}

// Problems flattens err into problems. A cue/errors.Error that is not a
// Problem (CUE's own evaluation errors) becomes an input error at its
// position, or at its first input position when it has none: CUE places a
// conflict or a field not allowed only at the values involved, and without
// one the json and github formats named no file.
func Problems(err error) []*Problem {
	var out []*Problem
	for _, e := range errors.Errors(err) {
		out = append(out, ProblemOf(e))
	}
	return out
}

// ProblemOf is e as a Problem: e itself if it is one, else an input error
// at e's first position (errors.Positions: its own, else the first of its
// input positions). The message is e's whole chain, as errors.Print words
// it: a Go error promoted into a list (errors.Promote) has its text only
// in what it wraps.
func ProblemOf(e errors.Error) *Problem {
	if p, ok := e.(*Problem); ok {
		return p
	}
	var pos token.Pos
	if ps := errors.Positions(e); len(ps) > 0 {
		pos = ps[0]
	}
	msg := errors.StringWithConfig(e, &errors.Config{OmitPath: true})
	return &Problem{Rule: RuleInput, Src: Src{Pos: pos, Path: e.Path()}, Message: msg}
}

// Blocking reports whether err holds a problem of severity Error.
func Blocking(err error) bool {
	for _, p := range Problems(err) {
		if p.Severity == Error {
			return true
		}
	}
	return false
}

// Split separates blocking errors from warnings and notes, keeping order.
func Split(err error) (blocking, advice errors.Error) {
	for _, e := range errors.Errors(err) {
		if p, ok := e.(*Problem); ok && p.Severity != Error {
			advice = errors.Append(advice, e)
			continue
		}
		blocking = errors.Append(blocking, e)
	}
	return blocking, advice
}

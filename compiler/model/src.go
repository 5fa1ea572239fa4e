package model

import (
	"fmt"
	"strings"

	"cuelang.org/go/cue/token"
)

// Src locates a value in the input: its position and its path from the
// environment's root, as CUE selectors (for example
// ["rekor", "\"log2025-1\"", "key"]).
type Src struct {
	Pos  token.Pos
	Path []string
}

// Child returns the Src of a field below s. It keeps s's position; callers
// that know a better one set it.
func (s Src) Child(sel ...string) Src {
	p := make([]string, 0, len(s.Path)+len(sel))
	p = append(p, s.Path...)
	for _, l := range sel {
		if !isIdent(l) {
			l = fmt.Sprintf("%q", l)
		}
		p = append(p, l)
	}
	return Src{Pos: s.Pos, Path: p}
}

// String renders the path as CUE would select it.
func (s Src) String() string { return strings.Join(s.Path, ".") }

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_' || r == '$' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z':
		case i > 0 && r >= '0' && r <= '9':
		default:
			return false
		}
	}
	return true
}

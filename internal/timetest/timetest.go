// Package timetest reads the instants tests write as RFC 3339 literals.
// Time is a parameter everywhere in trustc, so nearly every test states
// one; each test package used to carry its own copy of this parser.
package timetest

import (
	"time"

	"github.com/trustc-dev/trustc/internal/text"
)

// Parse is text.ParseTime, the parser of trustc's time flags, for a
// literal: one that does not parse is a mistake in the test, so Parse
// panics, as regexp.MustCompile does. It serves in tables and package
// variables, where there is no testing.TB to fail.
func Parse(s string) time.Time {
	t, err := text.ParseTime(s)
	if err != nil {
		panic(err)
	}
	return t
}

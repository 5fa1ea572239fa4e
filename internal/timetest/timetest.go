// Package timetest reads the instants tests write as RFC 3339 literals.
// Time is a parameter everywhere in trustc, so nearly every test states
// one; each test package used to carry its own copy of this parser.
package timetest

import "time"

// Parse parses an RFC 3339 time, with or without fractional seconds. A
// literal that does not parse is a mistake in the test, so Parse panics,
// as regexp.MustCompile does: it serves in tables and package variables,
// where there is no testing.TB to fail.
func Parse(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

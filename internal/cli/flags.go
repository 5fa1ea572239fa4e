package cli

import (
	"errors"
	"flag"
	"strings"
)

// listFlag collects the values of a repeatable flag (-key a -key b), in
// order. Every repeatable flag names a file, a spec, a URL or a client, so
// an empty value is a mistake (an unset shell variable) and a usage error.
type listFlag []string

var _ flag.Value = (*listFlag)(nil)

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	if s == "" {
		return errors.New("empty value")
	}
	*l = append(*l, s)
	return nil
}

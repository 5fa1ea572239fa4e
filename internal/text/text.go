package text

import (
	"strings"
	"time"
)

// Time writes an instant as the trust files do: RFC 3339 in UTC, with as
// many fractional digits as it has (2025-04-01T00:00:00Z,
// 2025-03-31T23:59:59.999999999Z), so a message quotes the value the
// reader finds in the file.
func Time(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// ParseTime reads an RFC 3339 instant, fractional seconds allowed, and
// returns it in UTC. Callers say in their own words what they wanted.
func ParseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, err
	}
	return t.UTC(), nil
}

// And joins a list as a sentence does: "a", "a and b", "a, b and c".
func And(l []string) string {
	switch len(l) {
	case 0:
		return ""
	case 1:
		return l[0]
	}
	return strings.Join(l[:len(l)-1], ", ") + " and " + l[len(l)-1]
}

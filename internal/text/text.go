package text

import (
	"fmt"
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

// Window writes a validity window; zero times are open ends: "always",
// "from T", "until T", "T to U".
func Window(start, end time.Time) string {
	switch {
	case start.IsZero() && end.IsZero():
		return "always"
	case end.IsZero():
		return "from " + Time(start)
	case start.IsZero():
		return "until " + Time(end)
	}
	return Time(start) + " to " + Time(end)
}

// JustAfter reports whether t is the first instant after an inclusive
// window end, and returns that end. Window ends are written to the
// microsecond at most (…59.999Z), so reports that evaluate "just after an
// end" use the nanosecond after it and word it as "after" the end rather
// than quote a nanosecond no file contains.
func JustAfter(t time.Time) (end time.Time, ok bool) {
	if t.Nanosecond()%1000 == 1 {
		return t.Add(-time.Nanosecond), true
	}
	return t, false
}

// JustBefore reports whether t is the last instant before a start, the
// nanosecond before it, and returns that start (see JustAfter).
func JustBefore(t time.Time) (start time.Time, ok bool) {
	if t.Nanosecond()%1000 == 999 {
		return t.Add(time.Nanosecond), true
	}
	return t, false
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

// Days writes a duration exactly, in whole days where it can ("90 days",
// "12 days 7h24m8s", "11h0m0s"): policy periods are set in days, and a
// message that quotes one must not round it.
func Days(d time.Duration) string {
	n, rest := d/(24*time.Hour), d%(24*time.Hour)
	switch {
	case d == 0:
		return "0 days"
	case n == 0:
		return rest.String()
	case rest == 0:
		return Count(int(n), "day")
	}
	return Count(int(n), "day") + " " + rest.String()
}

// Coarse writes a duration in its largest whole unit, rounded down ("1
// day", "12 days", "3 hours", "5 minutes"), for notes a reader skims,
// where the exact times stand beside it.
func Coarse(d time.Duration) string {
	switch {
	case d >= 24*time.Hour:
		return Count(int(d/(24*time.Hour)), "day")
	case d >= time.Hour:
		return Count(int(d/time.Hour), "hour")
	}
	return Count(int(d/time.Minute), "minute")
}

// Count writes n of a thing with its plural: "1 change", "2 changes".
func Count(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

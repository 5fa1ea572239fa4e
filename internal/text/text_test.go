package text

import (
	"testing"
	"time"
)

func TestTime(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   time.Time
		want string
	}{
		{"whole seconds", time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC), "2025-04-01T00:00:00Z"},
		{"nanoseconds", time.Date(2025, 3, 31, 23, 59, 59, 999999999, time.UTC), "2025-03-31T23:59:59.999999999Z"},
		{"milliseconds trimmed", time.Date(2021, 3, 7, 3, 20, 29, 500000000, time.UTC), "2021-03-07T03:20:29.5Z"},
		{"offset to UTC", time.Date(2025, 4, 1, 2, 0, 0, 0, time.FixedZone("CEST", 2*3600)), "2025-04-01T00:00:00Z"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Time(tc.in); got != tc.want {
				t.Errorf("Time(%v) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestParseTime(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    time.Time
		wantErr bool
	}{
		{in: "2026-01-01T00:00:00Z", want: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		{in: "2026-01-01T02:00:00.25+02:00", want: time.Date(2026, 1, 1, 0, 0, 0, 250000000, time.UTC)},
		{in: "2026-01-01", wantErr: true},
		{in: "", wantErr: true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseTime(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("ParseTime(%q) error = %v, want error %v", tc.in, err, tc.wantErr)
			}
			if !got.Equal(tc.want) || got.Location() != time.UTC {
				t.Errorf("ParseTime(%q) = %v, want %v in UTC", tc.in, got, tc.want)
			}
		})
	}
}

func TestAnd(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{nil, ""},
		{[]string{"a"}, "a"},
		{[]string{"a", "b"}, "a and b"},
		{[]string{"a", "b", "c"}, "a, b and c"},
	} {
		if got := And(tc.in); got != tc.want {
			t.Errorf("And(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestDurations(t *testing.T) {
	const day = 24 * time.Hour
	for _, tc := range []struct {
		in           time.Duration
		days, coarse string
	}{
		{0, "0 days", "0 minutes"},
		{90 * time.Second, "1m30s", "1 minute"},
		{11 * time.Hour, "11h0m0s", "11 hours"},
		{day, "1 day", "1 day"},
		{36 * time.Hour, "1 day 12h0m0s", "1 day"},
		{90 * day, "90 days", "90 days"},
		{12*day + 7*time.Hour + 24*time.Minute + 8*time.Second, "12 days 7h24m8s", "12 days"},
	} {
		t.Run(tc.in.String(), func(t *testing.T) {
			if got := Days(tc.in); got != tc.days {
				t.Errorf("Days(%v) = %q, want %q", tc.in, got, tc.days)
			}
			if got := Coarse(tc.in); got != tc.coarse {
				t.Errorf("Coarse(%v) = %q, want %q", tc.in, got, tc.coarse)
			}
		})
	}
}

func TestWindow(t *testing.T) {
	a, b := time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 12, 31, 23, 59, 59, 999000000, time.UTC)
	for _, tc := range []struct {
		start, end time.Time
		want       string
	}{
		{time.Time{}, time.Time{}, "always"},
		{a, time.Time{}, "from 2025-04-01T00:00:00Z"},
		{time.Time{}, b, "until 2025-12-31T23:59:59.999Z"},
		{a, b, "2025-04-01T00:00:00Z to 2025-12-31T23:59:59.999Z"},
	} {
		if got := Window(tc.start, tc.end); got != tc.want {
			t.Errorf("Window(%v, %v) = %q, want %q", tc.start, tc.end, got, tc.want)
		}
	}
}

func TestJustAfterAndBefore(t *testing.T) {
	end := time.Date(2025, 12, 31, 23, 59, 59, 999000000, time.UTC)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name          string
		in            time.Time
		after, before bool
		want          time.Time
	}{
		{"the nanosecond after an end", end.Add(time.Nanosecond), true, false, end},
		{"the nanosecond before a start", start.Add(-time.Nanosecond), false, true, start},
		{"an end itself", end, false, false, end},
		{"a start itself", start, false, false, start},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, ok := JustAfter(tc.in); ok != tc.after || (ok && !got.Equal(tc.want)) {
				t.Errorf("JustAfter(%v) = %v, %v; want %v", tc.in, got, ok, tc.after)
			}
			if got, ok := JustBefore(tc.in); ok != tc.before || (ok && !got.Equal(tc.want)) {
				t.Errorf("JustBefore(%v) = %v, %v; want %v", tc.in, got, ok, tc.before)
			}
		})
	}
}

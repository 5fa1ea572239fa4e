package timetest

import (
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"2025-01-01T00:00:00Z", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"2025-01-01T00:00:00.000000001Z", time.Date(2025, 1, 1, 0, 0, 0, 1, time.UTC)},
		{"2025-01-01T01:00:00+01:00", time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)},
	} {
		if got := Parse(tc.in); !got.Equal(tc.want) {
			t.Errorf("Parse(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestParsePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Parse of a malformed time did not panic")
		}
	}()
	Parse("2025-13-01T00:00:00Z")
}

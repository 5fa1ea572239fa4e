package timetest

import (
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	if got, want := Parse("2025-01-01T00:00:00.000000001Z"), time.Date(2025, 1, 1, 0, 0, 0, 1, time.UTC); !got.Equal(want) {
		t.Errorf("Parse = %v, want %v", got, want)
	}
	defer func() {
		if recover() == nil {
			t.Error("Parse of a malformed time did not panic")
		}
	}()
	Parse("2025-13-01T00:00:00Z")
}

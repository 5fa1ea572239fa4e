package load_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/trustc-dev/trustc/compiler/load"
)

func TestParseDuration(t *testing.T) {
	day := 24 * time.Hour
	for _, tc := range []struct {
		in      string
		want    time.Duration
		wantErr string
	}{
		{in: "90d", want: 90 * day},
		{in: "0d", want: 0},
		{in: "36h", want: 36 * time.Hour},
		{in: "106751d", want: 106751 * day},
		// One day more than an int64 of nanoseconds holds; once this and
		// 213505d wrapped around to a small or negative duration.
		{in: "106752d", wantErr: `"106752d": more than 106751 days, the longest duration there is`},
		{in: "213505d", wantErr: `"213505d": more than 106751 days, the longest duration there is`},
		{in: "99999999999999999999d", wantErr: `"99999999999999999999d": more than 106751 days, the longest duration there is`},
		{in: "+5d", wantErr: `"+5d": want whole days such as "90d"`},
		{in: "-5d", wantErr: `"-5d": want whole days such as "90d"`},
		{in: "d", wantErr: `"d": want whole days such as "90d"`},
		{in: "1.5d", wantErr: `"1.5d": want whole days such as "90d"`},
		{in: "-1h", wantErr: "negative duration"},
		{in: "soon", wantErr: `time: invalid duration "soon"`},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := load.ParseDuration(tc.in)
			gotErr := ""
			if err != nil {
				gotErr = err.Error()
			}
			if got != tc.want || gotErr != tc.wantErr {
				t.Errorf("ParseDuration(%q) = %v, %q; want %v, %q", tc.in, got, gotErr, tc.want, tc.wantErr)
			}
			if tooLong := errors.Is(err, load.ErrDurationTooLong); tooLong != strings.Contains(tc.wantErr, "longest") {
				t.Errorf("ParseDuration(%q): errors.Is(err, ErrDurationTooLong) = %v", tc.in, tooLong)
			}
		})
	}
}

// FuzzParseDuration checks that no input panics or yields a negative
// duration, and that whole days read back as the days written.
func FuzzParseDuration(f *testing.F) {
	for _, s := range []string{"90d", "7d", "36h", "213505d", "106751d", "1h30m", "-1d", "0d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := load.ParseDuration(s)
		if err != nil {
			return
		}
		if d < 0 {
			t.Fatalf("ParseDuration(%q) = %v, negative", s, d)
		}
		if n, ok := strings.CutSuffix(s, "d"); ok {
			if got := fmt.Sprint(int64(d / (24 * time.Hour))); strings.TrimLeft(n, "0") != strings.TrimLeft(got, "0") {
				t.Fatalf("ParseDuration(%q) = %v, %s days", s, d, got)
			}
		}
	})
}

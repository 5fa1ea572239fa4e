package tooltest

import (
	"fmt"
	"testing"
)

// recorder notes how a test ended instead of ending it.
type recorder struct {
	testing.TB
	how string
}

func (r *recorder) Helper()                        {}
func (r *recorder) Fatalf(format string, a ...any) { r.how = "fail: " + fmt.Sprintf(format, a...) }
func (r *recorder) Skipf(format string, a ...any)  { r.how = "skip: " + fmt.Sprintf(format, a...) }

func TestMissing(t *testing.T) {
	for _, tc := range []struct {
		require string
		want    string
	}{
		{"", "skip: skipped, chromium missing: no chromium"},
		{"node", "skip: skipped, chromium missing: no chromium"},
		{"node, chromium", "fail: chromium is required here (TRUSTC_REQUIRE_TOOLS=node, chromium), but no chromium"},
		{"all", "fail: chromium is required here (TRUSTC_REQUIRE_TOOLS=all), but no chromium"},
	} {
		t.Run(tc.require, func(t *testing.T) {
			t.Setenv(RequireEnv, tc.require)
			r := &recorder{TB: t}
			Missing(r, "chromium", "no %s", "chromium")
			if r.how != tc.want {
				t.Errorf("got %q, want %q", r.how, tc.want)
			}
		})
	}
}

func TestLookFinds(t *testing.T) {
	t.Setenv(RequireEnv, "all")
	r := &recorder{TB: t}
	if p := Look(r, "go", "install Go", "no-such-program-trustc", "go"); p == "" || r.how != "" {
		t.Errorf("Look = %q, %q; want go's path", p, r.how)
	}
	Look(r, "nothing", "install nothing", "no-such-program-trustc")
	if want := "fail: nothing is required here (TRUSTC_REQUIRE_TOOLS=all), but none of no-such-program-trustc is in PATH; install nothing"; r.how != want {
		t.Errorf("got %q, want %q", r.how, want)
	}
}

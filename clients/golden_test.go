package clients

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/trustc-dev/trustc/internal/goldenfile"
	"github.com/trustc-dev/trustc/internal/published"
	"github.com/trustc-dev/trustc/internal/text"
	"github.com/trustc-dev/trustc/internal/timetest"
	"github.com/trustc-dev/trustc/release"
)

func TestAtGolden(t *testing.T) {
	prod := published.Production(t, 14).Envs[0]
	staging := published.Staging(t).Envs[0]
	for _, tc := range []struct {
		file   string
		env    *release.Env
		at     string
		format string
	}{
		// Log2025-1 is trusted but not yet signed to, except by sigstore-js.
		{"at-production-2025-10-01.md", prod, "2025-10-01T00:00:00Z", "markdown"},
		{"at-production-2025-10-01.txt", prod, "2025-10-01T00:00:00Z", "text"},
		{"at-production-2025-10-01.json", prod, "2025-10-01T00:00:00Z", "json"},
		{"at-production-2026-01-01.md", prod, "2026-01-01T00:00:00Z", "markdown"},
		// The instant alpha2's signing window ends and alpha3's starts.
		{"at-staging-2025-09-22T11.md", staging, "2025-09-22T11:00:00Z", "markdown"},
		{"at-staging-2026-08-21.txt", staging, "2026-08-21T00:00:00Z", "text"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			got, err := At(tc.env, timetest.Parse(tc.at)).Render(tc.format)
			if err != nil {
				t.Fatal(err)
			}
			goldenfile.Testdata(t, tc.file, got)
		})
	}
}

// TestRealDivergences records, over every day and window boundary of the
// published files, when and where the clients disagree. The golden is the
// answer to "where would the real clients diverge on the real files".
func TestRealDivergences(t *testing.T) {
	var b bytes.Buffer
	b.WriteString("# Where Sigstore clients disagree on the published files, sampled at every\n# UTC midnight and at every window boundary (and 1ns either side).\n")
	for _, smp := range realSamples(t) {
		fmt.Fprintf(&b, "\n## %s\n", smp.env.Name)
		var runKey string
		var runStart, runEnd time.Time
		n := 0
		flush := func() {
			if runKey != "" {
				fmt.Fprintf(&b, "\n%s to %s (%d samples):\n%s", text.Time(runStart), text.Time(runEnd), n, runKey)
			}
		}
		for k, x := range smp.at {
			key := divergenceLines(t, smp.snaps[k])
			if key != runKey || n == 0 {
				flush()
				runKey, runStart, n = key, x, 0
			}
			runEnd = x
			n++
		}
		flush()
	}
	goldenfile.Testdata(t, "divergences.txt", b.Bytes())
}

func divergenceLines(t *testing.T, s Snapshot) string {
	var b strings.Builder
	for _, d := range s.Divergences() {
		fmt.Fprintf(&b, "- %s\n", d)
	}
	if (b.Len() > 0) != s.Diverges() {
		t.Errorf("%s at %s: Divergences and Diverges disagree", s.Env, text.Time(s.Time))
	}
	return b.String()
}

func TestRenderFormats(t *testing.T) {
	s := At(published.Staging(t).Envs[0], timetest.Parse("2026-08-21T00:00:00Z"))
	for _, f := range Formats {
		if _, err := s.Render(f); err != nil {
			t.Errorf("Render(%q): %v", f, err)
		}
	}
	if _, err := s.Render("yaml"); err == nil || err.Error() != `render snapshot: unknown format "yaml" (want markdown, text or json)` {
		t.Errorf("Render(yaml) error = %v", err)
	}
}

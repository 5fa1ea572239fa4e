package review

import (
	"bytes"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	prototrustroot "github.com/sigstore/protobuf-specs/gen/pb-go/trustroot/v1"
	"github.com/trustc-dev/trustc/clients"
	"github.com/trustc-dev/trustc/compiler"
	"github.com/trustc-dev/trustc/internal/cputime"
	"github.com/trustc-dev/trustc/internal/published"
	"github.com/trustc-dev/trustc/internal/synthetic"
	"github.com/trustc-dev/trustc/internal/synthetic/synthtest"
	"github.com/trustc-dev/trustc/internal/timetest"
	"github.com/trustc-dev/trustc/release"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// syntheticNow is a review time after every synthetic service has begun
// (10000 services start an hour apart from 2024-01-01).
var syntheticNow = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

// syntheticRelease compiles a one-environment synthetic repository.
func syntheticRelease(tb testing.TB, services int, opts synthetic.Options) *release.Release {
	tb.Helper()
	res, err := compiler.Compile(compiler.Dir(synthtest.RepoWith(tb, 1, services, opts)), compiler.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return res.Release
}

// ctLogEnds returns rel with its middle CT log's trust ending at end.
func ctLogEnds(tb testing.TB, rel *release.Release, end time.Time) *release.Release {
	tb.Helper()
	tr := proto.Clone(rel.Envs[0].TrustedRoot.Msg).(*prototrustroot.TrustedRoot)
	l := tr.Ctlogs[len(tr.Ctlogs)/2]
	l.PublicKey.ValidFor.End = timestamppb.New(end)
	return withTrustedRoot(tb, rel, tr)
}

// BenchmarkReviewCTLogEnd reviews one CT log gaining an end in a
// synthetic environment of 100 and 1000 services and renders the
// markdown. Issue 17's bar: at 1000 services the markdown fits one GitHub
// comment (md-bytes at most 65536).
func BenchmarkReviewCTLogEnd(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			old := syntheticRelease(b, n, synthetic.Options{})
			new := ctLogEnds(b, old, syntheticNow.AddDate(0, 1, 0))
			size := 0
			cputime.Report(b, func() {
				for b.Loop() {
					size = len(Diff(old, new, Options{Now: syntheticNow}).Markdown())
				}
			})
			b.ReportMetric(float64(size), "md-bytes")
		})
	}
}

// TestCommentFits cuts a long review (all of staging, new) to ever smaller
// limits: it never exceeds the limit, says what it left out and where the
// rest is, and shows exactly the changes it says it shows.
func TestCommentFits(t *testing.T) {
	r := Diff(nil, published.Staging(t), Options{Now: snapshotDay})
	md := r.Markdown()
	if got := r.Comment(len(md), "the job summary"); !bytes.Equal(got, md) {
		t.Errorf("a review that fits was changed")
	}
	total, _ := r.changeCounts(-1)
	left := regexp.MustCompile(`leaves out (.*)\. The full review is in the job summary\.\n`)
	cutChanges := regexp.MustCompile(`(\d+) of (\d+) changes`)
	headline := regexp.MustCompile(`(?m)^- \*\*(Added|Removed|Changed|Reordered) `)
	for _, limit := range []int{len(md) - 1, len(md) / 2, len(md) / 4, 2000, 600} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			got := r.Comment(limit, "the job summary")
			if len(got) > limit {
				t.Fatalf("%d bytes, over the limit of %d", len(got), limit)
			}
			if !bytes.HasPrefix(got, []byte("## trustc review\n\n"+r.Summary()+"\n")) {
				t.Errorf("does not start with the summary:\n%s", got)
			}
			m := left.FindSubmatch(got)
			if m == nil {
				t.Fatalf("does not say what it left out and where the rest is:\n%s", got)
			}
			shown := len(headline.FindAll(got, -1))
			if c := cutChanges.FindSubmatch(m[1]); c != nil {
				n, _ := strconv.Atoi(string(c[1]))
				if string(c[2]) != fmt.Sprint(total) || shown != total-n {
					t.Errorf("says it leaves out %s of %s changes, shows %d of %d", c[1], c[2], shown, total)
				}
			} else if shown != total {
				t.Errorf("says it shows every change, shows %d of %d", shown, total)
			}
		})
	}
}

// TestReviewSizeFollowsChange reviews one CT log gaining an end in
// synthetic environments of 50 and 400 services: the markdown grows by no
// more than the longer names do, while the environment grows eightfold.
func TestReviewSizeFollowsChange(t *testing.T) {
	size := func(n int) int {
		old := syntheticRelease(t, n, synthetic.Options{})
		return len(Diff(old, ctLogEnds(t, old, syntheticNow.AddDate(0, 1, 0)), Options{Now: syntheticNow}).Markdown())
	}
	small, large := size(50), size(400)
	if large > small+200 {
		t.Errorf("review of one change: %d bytes at 50 services, %d at 400", small, large)
	}
}

// TestWarningsCounted checks that the count at the top of a review is the
// number of warnings it marks below, in markdown (⚠ outside the timeline
// chart, whose rows carry their own) and in text (!!! and "! as before"),
// on every golden review of history and on one with findings.
func TestWarningsCounted(t *testing.T) {
	withFindings := transition{name: "with findings", old: published.Production(t, 13), new: published.Production(t, 14), now: published.ProductionPublished(14)}
	for _, tc := range append(history(t), withFindings) {
		t.Run(tc.name, func(t *testing.T) {
			opts := Options{Now: tc.now}
			if tc.name == "with findings" {
				opts.Findings = []Finding{
					{Rule: "r1", File: "production/trusted_root.json", Path: "tlogs[1].publicKey", Message: "on a change"},
					{Rule: "r2", File: "production/signing_config.v0.2.json", Message: "on a file"},
					{Rule: "r3", File: "production/nowhere.cue", Message: "on no file"},
				}
			}
			r := Diff(tc.old, tc.new, opts)
			want := r.Warnings()
			md := regexp.MustCompile("(?s)```mermaid.*?```").ReplaceAllString(string(r.Markdown()), "")
			if got := strings.Count(md, "⚠") - 1; want > 0 && got != want { // the CAUTION line says "Marked ⚠ below"
				t.Errorf("markdown marks %d warnings, counts %d:\n%s", got, want, md)
			}
			text := string(r.Text())
			got := len(regexp.MustCompile(`(?m)^\s*(!!!|!) `).FindAllString(text, -1))
			if want > 0 {
				got-- // the count's own line
			}
			if got != want {
				t.Errorf("text marks %d warnings, counts %d:\n%s", got, want, text)
			}
			if tc.name == "with findings" && want < 3 {
				t.Errorf("findings not counted: %d warnings", want)
			}
		})
	}
}

// TestFrontsTrusted reviews staging, whose main signing config sends
// Rekor v2 signers to global.rekor.sigstage.dev, a front with no
// trusted-root entry of its own: without fronts the review warns that it
// is not trusted; told it fronts log2026-1, as check's -front is, it does
// not, and it still warns for a front of a shard the root lacks.
func TestFrontsTrusted(t *testing.T) {
	staging := published.Staging(t)
	const global = "https://global.rekor.sigstage.dev"
	for _, tc := range []struct {
		name   string
		fronts map[string]clients.Fronts
		want   string // in the markdown; "" for no mention of global as untrusted
	}{
		{"no fronts", nil, "⚠ **Not trusted:** Rekor " + global + " (v2): no Rekor log in the trusted root has this URL"},
		{"front of log2026-1", map[string]clients.Fronts{"staging": {global: {"https://log2026-1.us-east4.rekor.sigstage.dev"}}}, ""},
		{"front of an unknown shard", map[string]clients.Fronts{"staging": {global: {"https://nowhere.example"}}}, "⚠ **Not trusted:** Rekor " + global + " (v2): fronts https://nowhere.example, none of which the trusted root has"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			md := string(Diff(nil, staging, Options{Now: snapshotDay, Fronts: tc.fronts}).Markdown())
			untrusted := regexp.MustCompile(`(?m)^.*(Not trusted:\*\* Rekor `+regexp.QuoteMeta(global)+`|No trust: `+regexp.QuoteMeta(global)+`).*$`).FindAllString(md, -1)
			switch {
			case tc.want == "" && len(untrusted) > 0:
				t.Errorf("still untrusted:\n%s", strings.Join(untrusted, "\n"))
			case tc.want != "" && !strings.Contains(md, tc.want):
				t.Errorf("lacks %q; has:\n%s", tc.want, strings.Join(untrusted, "\n"))
			}
		})
	}
}

// TestTrustExtended withdraws a Rekor log's verification end: before it
// is reached the review says trust is extended; after, it does not (the
// end is history, and moving it is check's business).
func TestTrustExtended(t *testing.T) {
	base := published.Production(t, 14)
	for _, tc := range []struct {
		end  string
		want bool
	}{{"2027-01-01T00:00:00Z", true}, {"2026-01-01T00:00:00Z", false}} {
		t.Run(tc.end, func(t *testing.T) {
			ended := proto.Clone(base.Envs[0].TrustedRoot.Msg).(*prototrustroot.TrustedRoot)
			ended.Tlogs[0].PublicKey.ValidFor.End = timestamppb.New(timetest.Parse(tc.end))
			r := Diff(withTrustedRoot(t, base, ended), base, Options{Now: snapshotDay})
			changes := r.Envs[0].Files[0].Changes
			if len(changes) != 1 || changes[0].Warning != "" {
				t.Fatalf("want one change without a warning:\n%s", r.Text())
			}
			want := "Trust extended: the end " + tc.end + " had not been reached, so nothing that verifies today stops verifying."
			if got := slices.Contains(changes[0].Impact, want); got != tc.want {
				t.Errorf("says %q: %v, want %v:\n%s", want, got, tc.want, r.Text())
			}
		})
	}
}

// TestSeverities shows findings with check's severities: errors and
// warnings are marked and counted, a note (about the base) is shown
// unmarked, and the headline counts them as check does.
func TestSeverities(t *testing.T) {
	r := Diff(published.Production(t, 13), published.Production(t, 14), Options{Now: published.ProductionPublished(14), Findings: []Finding{
		{Rule: "r1", File: "production/signing_config.v0.2.json", Message: "an error", Severity: "error"},
		{Rule: "r2", File: "production/signing_config.v0.2.json", Message: "advice", Severity: "warning"},
		{Rule: "r3", File: "production/signing_config.v0.2.json", Message: "about the base", Severity: "note"},
	}})
	md := string(r.Markdown())
	for _, want := range []string{
		"\nPolicy findings, as `trustc check` reports them: 1 error, 1 warning, 1 note.\n",
		"\n- ⚠ Policy `r1`: an error\n",
		"\n- ⚠ Policy warning `r2`: advice\n",
		"\n- Policy note `r3`: about the base\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	without := Diff(published.Production(t, 13), published.Production(t, 14), Options{Now: published.ProductionPublished(14)})
	if got, want := r.Warnings(), without.Warnings()+2; got != want {
		t.Errorf("%d warnings counted, want %d (the error and the warning, not the note)", got, want)
	}
}

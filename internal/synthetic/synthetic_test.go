package synthetic_test

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trustc-dev/trustc/compiler"
	"github.com/trustc-dev/trustc/internal/synthetic"
	"github.com/trustc-dev/trustc/internal/synthetic/synthtest"
)

// TestRotationPatterns keeps the benchmarks' rotated input honest: each
// pattern compiles with every rule passing and shows in the published
// files (ends on all but the newest service of a kind, EXACT selectors)
// or, for the order, which emit normalises, in the CUE.
func TestRotationPatterns(t *testing.T) {
	t.Parallel()
	const services = 12 // two or three of each kind
	for _, tc := range []struct {
		name string
		opts synthetic.Options
		// ended is how many Rekor logs and signing entries have an end;
		// order the Rekor logs' service numbers in declaration order.
		ended         int
		order         []int
		rekorSelector string
	}{
		{"plain", synthetic.Options{}, 0, []int{0, 5, 10}, "ANY"},
		{"ending", synthetic.Options{Ending: true}, 2, []int{0, 5, 10}, "ANY"},
		{"newest-first", synthetic.Options{NewestFirst: true}, 0, []int{10, 5, 0}, "ANY"},
		{"exact", synthetic.Options{Exact: true}, 0, []int{0, 5, 10}, "EXACT"},
		{"all", synthetic.Options{Ending: true, NewestFirst: true, Exact: true}, 2, []int{10, 5, 0}, "EXACT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := compiler.Compile(compiler.Dir(synthtest.RepoWith(t, 1, services, tc.opts)), compiler.Options{})
			if err != nil {
				t.Fatal(err)
			}
			env := res.Release.Envs[0]
			tr, sc := env.TrustedRoot.Msg, env.SigningConfigs[0].Msg
			endedLogs := 0
			for _, l := range tr.GetTlogs() {
				if l.GetPublicKey().GetValidFor().GetEnd() != nil {
					endedLogs++
				}
			}
			endedSigning := 0
			for _, s := range sc.GetRekorTlogUrls() {
				if s.GetValidFor().GetEnd() != nil {
					endedSigning++
				}
			}
			files, err := synthetic.EnvironmentWith("env", services, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			var order []int
			for _, m := range regexp.MustCompile(`(?m)^rekor: rekor(\d+):`).FindAllSubmatch(files["services.cue"], -1) {
				n, _ := strconv.Atoi(string(m[1]))
				order = append(order, n)
			}
			if endedLogs != tc.ended || endedSigning != tc.ended {
				t.Errorf("%d Rekor logs and %d Rekor signing entries end, want %d each", endedLogs, endedSigning, tc.ended)
			}
			if diff := cmp.Diff(tc.order, order); diff != "" {
				t.Errorf("Rekor declaration order (-want +got):\n%s", diff)
			}
			if got := sc.GetRekorTlogConfig().GetSelector().String(); got != tc.rekorSelector {
				t.Errorf("Rekor selector %s, want %s", got, tc.rekorSelector)
			}
		})
	}
}

package importer

import (
	"fmt"
	"testing"

	"cuelang.org/go/cue/errors"

	"github.com/trustc-dev/trustc/compiler/check"
	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/internal/errlist"
)

// grandfatherPlan is a plan of n Rekor logs and n waiting-period findings,
// one at each log, as an import of n logs that all sign too soon gets.
func grandfatherPlan(n int) (*plan, errors.Error) {
	p := &plan{env: &model.Environment{}, exemptReason: "published before trustc"}
	var findings errlist.List
	for i := range n {
		name := fmt.Sprintf("log%d", i)
		p.env.Rekor = append(p.env.Rekor, &model.RekorLog{Service: model.Service{Name: name}})
		findings.Add(&check.Violation{
			Rule: check.RuleWaitingPeriod,
			Src:  model.Src{Path: []string{"rekor", fmt.Sprintf("%q", name), "sign", "main", "start"}},
		})
	}
	return p, findings.Err()
}

func TestGrandfather(t *testing.T) {
	p, findings := grandfatherPlan(3)
	// A finding of another rule and one at an unknown service are no
	// reason to exempt anything.
	findings = errors.Append(findings, &check.Violation{Rule: check.RuleWellFormed, Src: model.Src{Path: []string{"oidc", "x"}}})
	findings = errors.Append(findings, &check.Violation{Rule: check.RuleWaitingPeriod, Src: model.Src{Path: []string{"ca", "nowhere"}}})
	p.env.Rekor[1].WaitingPeriodExempt.V = "already exempt"
	if got := p.grandfather(findings); got != 2 {
		t.Errorf("grandfather exempted %d services, want 2", got)
	}
	for i, want := range []string{"published before trustc", "already exempt", "published before trustc"} {
		if got := p.env.Rekor[i].WaitingPeriodExempt.V; got != want {
			t.Errorf("log%d exempt = %q, want %q", i, got, want)
		}
	}
}

// BenchmarkGrandfather: each finding's service was found by a scan of
// every service, so n findings cost n² (100k did not finish in ten
// minutes); with an index built once the cost per finding is flat.
func BenchmarkGrandfather(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("findings=%d", n), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				p, findings := grandfatherPlan(n)
				b.StartTimer()
				p.grandfather(findings)
			}
		})
	}
}

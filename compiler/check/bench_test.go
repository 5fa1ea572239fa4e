package check

import (
	"crypto/sha256"
	"fmt"
	"testing"
	"time"

	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/internal/cputime"
)

// benchEnv builds, in memory, an environment whose one signing config
// lists n Rekor logs (and a CA and an OIDC provider), in one of the
// rotation patterns of issue 17: open windows oldest first ("plain"), key
// rotation where each log's window ends as the next one's starts
// ("rotation"), the same declared newest first ("newest-first"), and
// rotation under an EXACT selector ("exact"). Every pattern passes every
// rule, so a benchmark measures the work, not the reporting.
func benchEnv(pattern string, n int) *model.Environment {
	epoch := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(t time.Time) model.Value[time.Time] { return model.Value[time.Time]{V: t} }
	sc := &model.SigningConfig{Name: "main", File: model.Value[string]{V: "signing_config.v0.2.json"}, OptIn: model.Value[bool]{V: true}}
	if pattern == "exact" {
		sc.Rekor = model.Selector{Selector: model.Value[string]{V: "EXACT"}, Count: model.Value[int]{V: 1}}
	}
	env := &model.Environment{Name: "bench", SigningConfigs: []*model.SigningConfig{sc}}
	open := model.Window{Start: at(epoch)}
	env.CAs = []*model.Authority{{Service: model.Service{Name: "ca", URL: model.Value[string]{V: "https://ca.example.dev"}, API: model.Value[int]{V: 1},
		Sign: []model.SignWindow{{Config: "main", Window: open}}}, Chains: []*model.Chain{{Name: "c", Verify: open}}}}
	env.OIDC = []*model.OIDCProvider{{Service: model.Service{Name: "oidc", URL: model.Value[string]{V: "https://oidc.example.dev"}, API: model.Value[int]{V: 1},
		Sign: []model.SignWindow{{Config: "main", Window: open}}}}}
	for i := range n {
		start := epoch.Add(time.Duration(i) * time.Hour)
		sign := model.Window{Start: at(start)}
		if pattern != "plain" && i < n-1 {
			sign.End = at(start.Add(time.Hour - time.Millisecond))
		}
		spki := sha256.Sum256(fmt.Appendf(nil, "key %d", i))
		l := &model.RekorLog{
			Service: model.Service{Name: fmt.Sprintf("log%d", i), URL: model.Value[string]{V: fmt.Sprintf("https://log%d.example.dev", i)}, API: model.Value[int]{V: 1},
				Operator: model.Value[string]{V: "example.dev"}, Sign: []model.SignWindow{{Config: "main", Window: sign}}, WaitingPeriodExempt: model.Value[string]{V: "bench"}},
			Verify:    model.Window{Start: at(epoch)},
			PublicKey: &model.PublicKey{SPKI: spki[:], Raw: spki[:], LogID: spki[:]},
		}
		env.Rekor = append(env.Rekor, l)
	}
	if pattern == "newest-first" {
		for i, j := 0, len(env.Rekor)-1; i < j; i, j = i+1, j-1 {
			env.Rekor[i], env.Rekor[j] = env.Rekor[j], env.Rekor[i]
		}
	}
	return env
}

// BenchmarkNoGaps measures rule 3 alone on each pattern (issue 17: within
// 2x of plain at 10000 services).
func BenchmarkNoGaps(b *testing.B) {
	for _, pattern := range []string{"plain", "rotation", "newest-first", "exact"} {
		for _, n := range []int{1000, 10000} {
			b.Run(fmt.Sprintf("%s/services=%d", pattern, n), func(b *testing.B) {
				env := benchEnv(pattern, n)
				cputime.Report(b, func() {
					for b.Loop() {
						c := &checker{env: env}
						c.noGaps(env.SigningConfigs[0])
						if c.err() != nil {
							b.Fatal(c.err())
						}
					}
				})
			})
		}
	}
}

// BenchmarkTransition measures rules 6 to 9 on a release against itself:
// entries and signing windows are matched by map.
func BenchmarkTransition(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			base, next := benchEnv("rotation", n), benchEnv("rotation", n)
			cputime.Report(b, func() {
				for b.Loop() {
					if err := Transition(base, next, time.Time{}); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

func TestBenchEnvPasses(t *testing.T) {
	for _, pattern := range []string{"plain", "rotation", "newest-first", "exact"} {
		env := benchEnv(pattern, 50)
		if err := Policy(env, Options{}); err != nil {
			t.Errorf("%s: %v", pattern, err)
		}
		if err := Transition(env, benchEnv(pattern, 50), time.Time{}); err != nil {
			t.Errorf("%s: transition: %v", pattern, err)
		}
	}
}

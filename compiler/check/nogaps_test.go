package check

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"cuelang.org/go/cue/errors"

	"github.com/trustc-dev/trustc/compiler/model"
)

// TestNoGapsMatchesEveryInstant compares rule 3's sweep with the
// definition it implements, on random windows: test every entry at every
// instant where the set of valid services can change, and report the first
// instant at which none is valid (or, under EXACT, too few operators run
// one).
func TestNoGapsMatchesEveryInstant(t *testing.T) {
	epoch := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		env := benchEnv("plain", 0)
		sc := env.SigningConfigs[0]
		if i%3 == 0 {
			sc.Rekor = model.Selector{Selector: model.Value[string]{V: "EXACT"}, Count: model.Value[int]{V: 2}}
		}
		n := 1 + rng.IntN(8)
		var windows []model.Window
		for j := range n {
			start := epoch.Add(time.Duration(rng.IntN(20)) * time.Hour)
			w := model.Window{Start: model.Value[time.Time]{V: start}}
			if rng.IntN(3) > 0 {
				// Ends that meet the next hour exactly, within the slack,
				// or leave a hole.
				end := start.Add(time.Duration(1+rng.IntN(6))*time.Hour - time.Duration(rng.IntN(3))*time.Second)
				w.End = model.Value[time.Time]{V: end, Src: model.Src{Path: []string{fmt.Sprint("end", j)}}}
			}
			windows = append(windows, w)
			env.Rekor = append(env.Rekor, &model.RekorLog{
				Service: model.Service{Name: fmt.Sprint("log", j), URL: model.Value[string]{V: fmt.Sprintf("https://log%d.example.dev", j)}, API: model.Value[int]{V: 1 + rng.IntN(2)},
					Operator: model.Value[string]{V: fmt.Sprint("op", rng.IntN(3))}, Sign: []model.SignWindow{{Config: "main", Window: w}}},
				Verify: model.Window{Start: model.Value[time.Time]{V: epoch}},
			})
		}
		c := &checker{env: env}
		c.noGaps(sc)
		got := messages(c.err())
		want := bruteNoGaps(env, sc)
		if got != want {
			t.Fatalf("case %d, windows %v:\nsweep: %s\nevery instant: %s", i, windows, got, want)
		}
	}
}

func messages(err errors.Error) string {
	var out string
	for _, e := range errors.Errors(err) {
		out += e.Error() + " @" + fmt.Sprint(e.Path()) + "\n"
	}
	return out
}

// bruteNoGaps is rule 3's Rekor checks by definition (the environment's CA
// and OIDC provider are open from the epoch, and the file is opt-in).
func bruteNoGaps(env *model.Environment, sc *model.SigningConfig) string {
	var instants []time.Time
	add := func(w model.Window) {
		instants = append(instants, w.Start.V)
		if w.HasEnd() {
			instants = append(instants, w.End.V.Add(slack))
		}
	}
	for _, s := range (&checker{env: env}).signers() {
		if w, ok := s.svc.SignWindow(sc.Name); ok {
			add(w)
		}
	}
	sortTimes(instants)
	valid := func(w model.Window, t time.Time) bool {
		return !t.Before(w.Start.V) && (!w.HasEnd() || t.Before(w.End.V.Add(slack)))
	}
	live := env.CAs[0].Sign[0].Start.V
	first := env.Rekor[0].Sign[0].Start.V
	for _, l := range env.Rekor {
		if l.Sign[0].Start.V.Before(first) {
			first = l.Sign[0].Start.V
		}
	}
	if first.After(live) {
		live = first
	}
	c := &checker{env: env}
	for _, t := range instants {
		if t.Before(live) {
			continue
		}
		ok := false
		for _, l := range env.Rekor {
			ok = ok || valid(l.Sign[0].Window, t)
		}
		if !ok {
			src := sc.Src
			for _, l := range env.Rekor {
				if w := l.Sign[0].Window; w.HasEnd() && w.End.V.Add(slack).Equal(t) {
					src = w.End.Src
					break
				}
			}
			c.add(violation(RuleNoGaps, src, "%s offers no valid %s at %s; clients signing then would fail; extend a window or add a service", sc.File.V, "Rekor log", fmtTime(t)))
			break
		}
	}
	if sc.Rekor.Selector.V == "EXACT" {
		for _, t := range instants {
			if t.Before(live) {
				continue
			}
			ops := map[string]bool{}
			for _, l := range env.Rekor {
				if valid(l.Sign[0].Window, t) {
					ops[l.Operator.V] = true
				}
			}
			if len(ops) < sc.Rekor.Count.V {
				c.add(violation(RuleNoGaps, sc.Rekor.Count.Src, "%s asks clients for EXACT %d %s, but at %s only %d operator(s) run a valid one; lower the count or add services",
					sc.File.V, sc.Rekor.Count.V, "Rekor logs", fmtTime(t), len(ops)))
				break
			}
		}
	}
	return messages(c.err())
}

func sortTimes(ts []time.Time) {
	for i := 1; i < len(ts); i++ {
		for j := i; j > 0 && ts[j].Before(ts[j-1]); j-- {
			ts[j], ts[j-1] = ts[j-1], ts[j]
		}
	}
}

package asof

import (
	"slices"
	"time"

	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/internal/clientfacts"
)

// EarlyClients returns the clients env declares that would use a listed
// service before its start, in declaration order: those clientfacts says
// pick future services (@sigstore/sign 5.0.0 sorts a signing config's
// services by start and never drops those whose start has not come;
// packages/sign/src/config.ts sortServicesByStartDate, clients/js.go).
// check's client-traps rule reads the same fact. When there are none the
// stage withholds nothing: every other client honours a service's start.
func EarlyClients(env *model.Environment) []string {
	var out []string
	for _, c := range env.Policy.Clients {
		if f, _ := clientfacts.Lookup(c.V); f.PicksFutureServices && !slices.Contains(out, c.V) {
			out = append(out, c.V)
		}
	}
	return out
}

// Release returns the environment as published at release time t: env
// with every signing window that starts after t removed from the signing
// configs, when a declared client would use it early (EarlyClients). The
// opt-in files are withheld from as well: a client reads whichever file it
// is configured with, and sigstore-js may be configured with any of them.
// env is not changed; what is unchanged is shared with it, and the
// result's Plan is env. A zero t, or a t at which nothing is withheld,
// returns env itself: the whole plan, as compiled without a release time.
// A release of a plan is staged from its plan.
func Release(env *model.Environment, t time.Time) *model.Environment {
	if env.Plan != nil {
		env = env.Plan
	}
	if t.IsZero() || len(EarlyClients(env)) == 0 || !withholds(env, t) {
		return env
	}
	out := *env
	out.Plan = env
	out.Rekor = make([]*model.RekorLog, len(env.Rekor))
	for i, l := range env.Rekor {
		c := *l
		c.Service = service(l.Service, t)
		out.Rekor[i] = &c
	}
	out.RekorFronts = make([]*model.RekorFront, len(env.RekorFronts))
	for i, f := range env.RekorFronts {
		c := *f
		c.Service = service(f.Service, t)
		out.RekorFronts[i] = &c
	}
	out.CAs = authorities(env.CAs, t)
	out.TSAs = authorities(env.TSAs, t)
	out.OIDC = make([]*model.OIDCProvider, len(env.OIDC))
	for i, o := range env.OIDC {
		c := *o
		c.Service = service(o.Service, t)
		out.OIDC[i] = &c
	}
	// A signing config whose every entry is withheld is not published
	// yet: an empty file would make its readers fail. It is published
	// with its first entry. (One the plan never fills is kept, for
	// no-gaps to refuse.)
	used := func(e *model.Environment, name string) bool {
		return slices.ContainsFunc(SignWindows(e), func(s Sign) bool { return s.Config == name })
	}
	out.SigningConfigs = slices.DeleteFunc(slices.Clone(env.SigningConfigs), func(sc *model.SigningConfig) bool {
		return !used(&out, sc.Name) && used(env, sc.Name)
	})
	return &out
}

func authorities(as []*model.Authority, t time.Time) []*model.Authority {
	out := make([]*model.Authority, len(as))
	for i, a := range as {
		c := *a
		c.Service = service(a.Service, t)
		out[i] = &c
	}
	return out
}

// service returns s without the signing windows that start after t.
func service(s model.Service, t time.Time) model.Service {
	s.Sign = slices.DeleteFunc(slices.Clone(s.Sign), func(w model.SignWindow) bool { return w.Start.V.After(t) })
	return s
}

func withholds(env *model.Environment, t time.Time) bool {
	for _, w := range SignWindows(env) {
		if w.Window.Start.V.After(t) {
			return true
		}
	}
	return false
}

// Instants returns, oldest first, every instant after t at which the
// release of env changes: the start of each signing window the stage
// withholds at t. A release compiled at one of them holds the entries
// that start then. It is empty when no declared client uses services
// early, and for a zero t (the whole plan).
func Instants(env *model.Environment, t time.Time) []time.Time {
	if env.Plan != nil {
		env = env.Plan
	}
	if t.IsZero() || len(EarlyClients(env)) == 0 {
		return nil
	}
	var out []time.Time
	for _, w := range SignWindows(env) {
		if s := w.Window.Start.V; s.After(t) {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, time.Time.Compare)
	return slices.CompactFunc(out, time.Time.Equal)
}

// Sign is one signing window of one service.
type Sign struct {
	// Kind is "rekor", "rekor front", "ca", "tsa" or "oidc", as check's
	// messages name services.
	Kind    string
	Service *model.Service
	model.SignWindow
}

// SignWindows lists every signing window env declares, services in CUE
// declaration order (rekor, rekor fronts, CAs, TSAs, OIDC), each service's
// windows in its order.
func SignWindows(env *model.Environment) []Sign {
	var out []Sign
	for kind, s := range env.Services() {
		if kind == "rekorFronts" {
			kind = "rekor front" // as check's messages name it
		}
		for _, w := range s.Sign {
			out = append(out, Sign{kind, s, w})
		}
	}
	return out
}

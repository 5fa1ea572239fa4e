package plan

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/trustc-dev/trustc/clients"
	"github.com/trustc-dev/trustc/compiler/asof"
	"github.com/trustc-dev/trustc/compiler/check"
	"github.com/trustc-dev/trustc/compiler/emit"
	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/release"

	"github.com/trustc-dev/trustc/internal/text"
)

// Kinds of event.
const (
	// KindEnters: a signing entry enters a signing config at its start.
	// The one kind that changes a published file.
	KindEnters = "enters"
	// KindSigningStarts: a listed signing entry's start comes; clients
	// that honour starts begin to use it (no file changes).
	KindSigningStarts = "signing-starts"
	// KindTrustStarts: a trusted-root entry's verification starts; the
	// waiting period of the signing entries behind it counts from here.
	KindTrustStarts = "trust-starts"
	// KindSigningEnds: clients stop signing with an entry.
	KindSigningEnds = "signing-ends"
	// KindTrustEnds: a trusted-root entry stops verifying.
	KindTrustEnds = "trust-ends"
)

// Calendar is one environment's release calendar after a release time.
type Calendar struct {
	Env string `json:"env"`
	// From is the release time the calendar starts after.
	From time.Time `json:"from"`
	// EarlyClients are the declared clients that use a listed service
	// before its start, which is why signing entries wait for their
	// release.
	EarlyClients []string `json:"earlyClients,omitempty"`
	Dates        []Date   `json:"dates"`
	// Due are release dates up to From that the published files (golden/)
	// have not had yet, oldest first; set by the caller (see Behind).
	Due []Date `json:"due,omitempty"`

	// releases are the releases at From, then at each release date.
	releases []Release
}

// Release is one release of a plan.
type Release struct {
	// Time is the release time: the calendar's From, or a release date.
	Time time.Time
	// Model is the staged environment (asof.Release at Time), derived.
	Model *model.Environment
	// Env is the release emitted from it.
	Env *release.Env
}

// Date is one date of the calendar.
type Date struct {
	Time time.Time `json:"time"`
	// Release is set when the published files change: a release is due
	// then.
	Release bool    `json:"release"`
	Events  []Event `json:"events"`
}

// Event is one thing that happens at a date.
type Event struct {
	Kind string `json:"kind"`
	// File is the published file the event concerns.
	File string `json:"file"`
	// Entry names the service or trusted-root entry, as check's messages
	// do: rekor "log2025-1".
	Entry string `json:"entry"`
	// Rule is the policy rule that fixes the date, and Why says how.
	Rule string `json:"rule"`
	Why  string `json:"why"`
	// Clients says, one line per signer whose choice changes, what it
	// signs with before and after the release.
	Clients []string `json:"clients,omitempty"`
}

// Changes lists the published-file changes of the date, one line each:
// "signing_config.v0.2.json: rekor "log2025-1" enters".
func (d Date) Changes() []string {
	var out []string
	for _, e := range d.Events {
		if e.Kind == KindEnters {
			out = append(out, fmt.Sprintf("%s: %s enters", e.File, e.Entry))
		}
	}
	return out
}

// New lays out the calendar of env, a derived environment holding the
// whole plan (compiled without a release time), after release time now.
// base, when not nil, is the release published before, derived: a trust
// entry it lacks is first published at now, and its waiting period counts
// from then.
func New(env, base *model.Environment, now time.Time) (*Calendar, error) {
	now = now.UTC()
	c := &Calendar{Env: env.Name, From: now, EarlyClients: asof.EarlyClients(env)}
	instants := asof.Instants(env, now)
	for _, t := range append([]time.Time{now}, instants...) {
		m := asof.Release(env, t)
		r, err := emit.Environment(m)
		if err != nil {
			return nil, fmt.Errorf("emit %s as of %s: %w", env.Name, text.Time(t), err)
		}
		c.releases = append(c.releases, Release{Time: t, Model: m, Env: r})
	}
	dates := map[time.Time]*Date{}
	at := func(t time.Time) *Date {
		t = t.UTC()
		if d, ok := dates[t]; ok {
			return d
		}
		d := &Date{Time: t}
		dates[t] = d
		return d
	}
	published := firstPublished(env, base, now)
	early := strings.Join(c.EarlyClients, ", ")
	impacted := map[string]bool{}
	for _, s := range asof.SignWindows(env) {
		sc := env.SigningConfig(s.Config)
		if sc == nil {
			continue
		}
		file := sc.File.V
		entry := fmt.Sprintf("%s %q", s.Kind, s.Service.Name)
		if start := s.Start.V; start.After(now) {
			e := Event{Kind: KindSigningStarts, File: file, Entry: entry, Rule: check.RuleWaitingPeriod}
			e.Why = waitingWhy(env, sc, s, published)
			if i := slices.IndexFunc(instants, start.Equal); i >= 0 {
				e.Kind, e.Rule = KindEnters, check.RuleClientTraps
				e.Why = fmt.Sprintf("withheld from %s until its start, since %s picks a listed service before its start; %s", file, early, e.Why)
				// The file's clients once per release: the first entry
				// of it that enters then carries them.
				if k := file + "\x00" + text.Time(start); !impacted[k] {
					impacted[k] = true
					e.Clients = impact(c.releases[i].Env, c.releases[i+1].Env, file, start)
				}
				at(start).Release = true
			}
			d := at(start)
			d.Events = append(d.Events, e)
		}
		if s.HasEnd() && s.End.V.After(now) {
			d := at(s.End.V)
			d.Events = append(d.Events, Event{Kind: KindSigningEnds, File: file, Entry: entry, Rule: check.RuleNoGaps,
				Why: fmt.Sprintf("clients stop signing with it; %s must offer another valid service then", file)})
		}
	}
	for _, tr := range trustEntries(env) {
		if tr.verify.Start.V.After(now) {
			d := at(tr.verify.Start.V)
			d.Events = append(d.Events, Event{Kind: KindTrustStarts, File: env.TrustedRoot.File.V, Entry: tr.name, Rule: check.RuleWaitingPeriod,
				Why: fmt.Sprintf("%s lists it ahead of its start; the waiting period before clients sign to it counts from here", env.TrustedRoot.File.V)})
		}
		if tr.verify.HasEnd() && tr.verify.End.V.After(now) {
			d := at(tr.verify.End.V)
			d.Events = append(d.Events, Event{Kind: KindTrustEnds, File: env.TrustedRoot.File.V, Entry: tr.name, Rule: check.RuleNothingDisappears,
				Why: "verification with it ends; it stays in the trusted root until a later release retires it"})
		}
	}
	for _, d := range dates {
		c.Dates = append(c.Dates, *d)
	}
	slices.SortFunc(c.Dates, func(a, b Date) int { return a.Time.Compare(b.Time) })
	return c, nil
}

// Releases returns the release at From and at each release date, in
// order.
func (c *Calendar) Releases() []Release { return c.releases }

// missed returns the release dates after t and no later than now: the
// releases a published release compiled as of t has missed by now.
func (c *Calendar) missed(t, now time.Time) []Date {
	var out []Date
	for _, d := range c.Dates {
		if d.Release && d.Time.After(t) && !d.Time.After(now) {
			out = append(out, d)
		}
	}
	return out
}

// trust is one trusted-root entry of the plan.
type trust struct {
	name   string
	id     model.Identity
	verify model.Window
}

func trustEntries(env *model.Environment) []trust {
	var out []trust
	for _, l := range env.Rekor {
		out = append(out, trust{fmt.Sprintf("rekor %q", l.Name), l.Identity(), l.Verify})
	}
	for _, l := range env.CTLogs {
		out = append(out, trust{fmt.Sprintf("ct %q", l.Name), l.Identity(), l.Verify})
	}
	for _, g := range env.AuthorityGroups() {
		for _, a := range g.Authorities {
			for _, ch := range a.Chains {
				out = append(out, trust{fmt.Sprintf("%s %q chain %q", g.Kind, a.Name, ch.Name), model.ChainIdentity(model.CertDERs(ch.Certificates)), ch.Verify})
			}
		}
	}
	return out
}

// firstPublished returns when a trust entry is first published: its
// declared start when base has it (history), else now, the release
// that first lists it, if that is later than its declared start.
func firstPublished(env, base *model.Environment, now time.Time) func(model.Identity, time.Time) time.Time {
	known := map[model.Identity]bool{}
	if base != nil {
		for _, tr := range trustEntries(base) {
			known[tr.id] = true
		}
	}
	return func(id model.Identity, start time.Time) time.Time {
		if base == nil || known[id] || start.After(now) {
			return start
		}
		return now
	}
}

// waitingWhy says when the waiting period lets signing with s begin in
// sc: the later of trust start and first publication, plus the larger of
// the file's waiting period and the policy's floor.
func waitingWhy(env *model.Environment, sc *model.SigningConfig, s asof.Sign, published func(model.Identity, time.Time) time.Time) string {
	need := max(sc.WaitingPeriod.V, env.Policy.MinWaitingPeriod())
	var from time.Time
	for _, tr := range behind(env, s) {
		if p := published(tr.id, tr.verify.Start.V); from.IsZero() || p.Before(from) {
			from = p
		}
	}
	switch {
	case s.Service.WaitingPeriodExempt.Set():
		return "exempt from the waiting period: " + s.Service.WaitingPeriodExempt.V
	case from.IsZero():
		return "no trusted-root entry behind it, so no waiting period"
	}
	return fmt.Sprintf("waiting-period: trusted from %s, so signing may begin from %s (%s)", text.Time(from), text.Time(from.Add(need)), text.Days(need))
}

// behind returns the trusted-root entries that verify what s signs.
func behind(env *model.Environment, s asof.Sign) []trust {
	var out []trust
	all := trustEntries(env)
	pick := func(name string) {
		for _, tr := range all {
			if tr.name == name || strings.HasPrefix(tr.name, name+" chain ") {
				out = append(out, tr)
			}
		}
	}
	switch s.Kind {
	case "rekor", "ca", "tsa":
		pick(fmt.Sprintf("%s %q", s.Kind, s.Service.Name))
	case "rekor front":
		for _, f := range env.RekorFronts {
			if &f.Service == s.Service {
				for _, sh := range f.Shards {
					pick(fmt.Sprintf("rekor %q", sh.V))
				}
			}
		}
	}
	return out
}

// impact says, for every signer whose choice in file differs at t between
// the release before and the release after, what it signs with in each.
func impact(before, after *release.Env, file string, t time.Time) []string {
	b, a := before.SigningConfig(file), after.SigningConfig(file)
	if a == nil {
		return nil
	}
	if b == nil {
		// The file's first release: what each signer configured with it
		// does.
		var out []string
		for _, cl := range clients.Signers() {
			sa := clients.Sign(cl, a.Msg, t)
			for _, r := range clients.Roles {
				if ch := sa.Choice(r); !ch.NotRead {
					out = append(out, fmt.Sprintf("%s: %s %s (first release of %s)", cl.Name(), r, ch, file))
				}
			}
		}
		return out
	}
	type pair struct {
		cl     clients.Client
		before clients.Signing
		after  clients.Signing
	}
	var ps []pair
	for _, cl := range clients.Signers() {
		ps = append(ps, pair{cl, clients.Sign(cl, b.Msg, t), clients.Sign(cl, a.Msg, t)})
	}
	// Per role that moves any signer: who moves, and who stays (a
	// reviewer must see a client the release leaves behind).
	var out []string
	for _, r := range clients.Roles {
		var moved, stayed []string
		for _, p := range ps {
			cb, ca := p.before.Choice(r), p.after.Choice(r)
			switch {
			case cb.String() != ca.String():
				moved = append(moved, fmt.Sprintf("%s: %s %s → %s", p.cl.Name(), r, cb, ca))
			case !ca.NotRead:
				stayed = append(stayed, fmt.Sprintf("%s: %s stays %s", p.cl.Name(), r, ca))
			}
		}
		if len(moved) > 0 {
			out = append(out, moved...)
			out = append(out, stayed...)
		}
	}
	return out
}

// Behind tells a due release from drift. published reports whether an
// emitted release is the one the environment's files hold now. When it is
// a release of env's plan before the one at now, Behind returns the dates
// of the releases it lacks, oldest first: they are due. It returns nil
// when the files hold no earlier release of the plan (they drifted, or
// the plan changed).
func Behind(env *model.Environment, now time.Time, published func(*release.Env) bool) ([]Date, error) {
	if env.Plan != nil {
		env = env.Plan
	}
	if len(asof.EarlyClients(env)) == 0 {
		return nil, nil
	}
	var starts []time.Time
	for _, s := range asof.SignWindows(env) {
		if !s.Start.V.After(now) {
			starts = append(starts, s.Start.V)
		}
	}
	slices.SortFunc(starts, func(a, b time.Time) int { return b.Compare(a) })
	starts = slices.CompactFunc(starts, time.Time.Equal)
	// The releases of the plan before now are those just before each
	// start; the newest is the likeliest to be published.
	for _, s := range starts {
		before := s.Add(-time.Nanosecond)
		r, err := emit.Environment(asof.Release(env, before))
		if err != nil {
			return nil, fmt.Errorf("emit %s as of %s: %w", env.Name, text.Time(before), err)
		}
		if !published(r) {
			continue
		}
		cal, err := New(env, nil, before)
		if err != nil {
			return nil, err
		}
		return cal.missed(before, now), nil
	}
	return nil, nil
}

// Ahead reports the release date of a later release of env's plan that
// published is, if it is one: files compiled with a -now after now,
// which would send early clients to entries before their start.
func Ahead(env *model.Environment, now time.Time, published func(*release.Env) bool) (time.Time, bool, error) {
	if env.Plan != nil {
		env = env.Plan
	}
	for _, t := range asof.Instants(env, now) {
		r, err := emit.Environment(asof.Release(env, t))
		if err != nil {
			return time.Time{}, false, fmt.Errorf("emit %s as of %s: %w", env.Name, text.Time(t), err)
		}
		if published(r) {
			return t, true, nil
		}
	}
	return time.Time{}, false, nil
}

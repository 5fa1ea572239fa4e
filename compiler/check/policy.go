package check

import (
	"crypto/x509"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"cuelang.org/go/cue/errors"

	"github.com/trustc-dev/trustc/compiler/derive"
	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/internal/clientfacts"
	"github.com/trustc-dev/trustc/internal/text"
	"github.com/trustc-dev/trustc/release"
)

// Options are the facts a policy check needs beyond the environment.
type Options struct {
	// Now is the release time. Rules that depend on it (future starts,
	// expired chains, cross-release rules) are skipped when it is zero, so
	// that compiling stays a pure function of the input.
	Now time.Time
	// Base is the previous release of this environment, derived; nil when
	// there is none. The waiting period counts from when clients got an
	// entry's verification material, which only the base can tell.
	Base *model.Environment
	// BaseTime is when Base was published; zero when unknown, and entries
	// Base holds then count from their declared start.
	BaseTime time.Time
	// Published says env was read from published JSON, which declares
	// dates but no intent (no exemptions). Without a base, nothing says when
	// clients got what; signing that began more than a waiting period
	// before the release is then history the check cannot date, and is not
	// judged (Sigstore's 2021 Rekor log would otherwise fail every lint).
	Published bool
	// Next, when set, is the release time of the next release of the
	// plan this release was staged from (package asof). A client may keep
	// this release for policy.tufTimestampExpiry + policy.buffer after
	// the next one is published, so no-gaps judges this release's
	// instants up to then and leaves the later ones to the next release.
	Next time.Time
	// Planned, when set, is when the plan this release was staged from
	// was compiled (the release time of its first release). A window that
	// starts after it is a step of the plan, not history, so no
	// waitingPeriodExempt covers it, even once its release has come.
	Planned time.Time
	// NewFrom, when set, is when the entries Base lacks were first
	// published, if not at Now: for a later release of a plan, the plan's
	// first release published every trust entry it declares.
	NewFrom time.Time
}

// Policy checks the within-environment rules 1 to 5 on a derived
// environment and returns every violation.
func Policy(env *model.Environment, opts Options) error {
	c := &checker{env: env, next: opts.Next, planned: opts.Planned}
	c.clientsKnown()
	hist := newHistory(opts)
	for _, sc := range env.SigningConfigs {
		c.verifyBeforeSign(sc)
		c.waitingPeriod(sc, hist)
		c.noGaps(sc)
	}
	c.duplicates()
	c.clientTraps(opts.Now)
	c.material(opts.Now)
	if err := c.err(); err != nil {
		return errors.Sanitize(err)
	}
	return nil
}

// slack joins windows that meet within a second: published ends are
// written as …:59.999Z and the next window starts at the following second.
const slack = time.Second

func fmtWindow(w model.Window) string {
	if !w.HasEnd() {
		return "from " + text.Time(w.Start.V) + " on"
	}
	return text.Time(w.Start.V) + " to " + text.Time(w.End.V)
}

// covered reports whether the union of ws covers w.
func covered(ws []model.Window, w model.Window) bool {
	ws = slices.Clone(ws)
	slices.SortFunc(ws, func(a, b model.Window) int { return a.Start.V.Compare(b.Start.V) })
	cur := w.Start.V
	for _, v := range ws {
		if v.Start.V.After(cur) {
			break
		}
		if !v.HasEnd() {
			return true
		}
		if v.End.V.Add(slack).After(cur) {
			cur = v.End.V.Add(slack)
		}
		if w.HasEnd() && !cur.Before(w.End.V) {
			return true
		}
	}
	return w.HasEnd() && !cur.Before(w.End.V)
}

// signer is a service that a signing config can list, with the
// verification material behind it.
type signer struct {
	kind   string
	svc    *model.Service
	verify []model.Window // nil: no verification material (OIDC)
	ids    []model.Identity
	what   string // the material, for messages
}

func (c *checker) signers() []signer {
	var out []signer
	for _, l := range c.env.Rekor {
		out = append(out, signer{"rekor", &l.Service, []model.Window{l.Verify}, []model.Identity{l.Identity()}, "its verification window"})
	}
	for _, f := range c.env.RekorFronts {
		ws := []model.Window{}
		var ids []model.Identity
		for _, s := range f.Shards {
			if l := c.env.RekorLog(s.V); l != nil {
				ws = append(ws, l.Verify)
				ids = append(ids, l.Identity())
			}
		}
		out = append(out, signer{"rekor front", &f.Service, ws, ids, "its shards' verification windows"})
	}
	for _, a := range c.env.CAs {
		out = append(out, signer{"ca", &a.Service, chainWindows(a), chainIDs(a), "its chains' verification windows"})
	}
	for _, a := range c.env.TSAs {
		out = append(out, signer{"tsa", &a.Service, chainWindows(a), chainIDs(a), "its chains' verification windows"})
	}
	for _, o := range c.env.OIDC {
		out = append(out, signer{"oidc", &o.Service, nil, nil, ""})
	}
	return out
}

func chainIDs(a *model.Authority) []model.Identity {
	ids := []model.Identity{}
	for _, ch := range a.Chains {
		ids = append(ids, ch.Identity())
	}
	return ids
}

func chainWindows(a *model.Authority) []model.Window {
	ws := []model.Window{}
	for _, ch := range a.Chains {
		ws = append(ws, ch.Verify)
	}
	return ws
}

// verifyBeforeSign: rule 1. A client must be able to verify what it is
// sent to sign with for the whole time it is sent there.
func (c *checker) verifyBeforeSign(sc *model.SigningConfig) {
	for _, s := range c.signers() {
		w, ok := s.svc.SignWindow(sc.Name)
		if !ok || s.verify == nil {
			continue
		}
		if len(s.verify) == 0 {
			c.add(violation(RuleVerifyBeforeSign, w.Src, "%s %q is in %s but has no verification material in the trusted root; clients could not verify what they sign; add its key or chain, or (for a front) its shards",
				s.kind, s.svc.Name, sc.File.V))
			continue
		}
		if !covered(s.verify, w) {
			src := w.Start.Src
			if w.HasEnd() {
				src = w.End.Src
			}
			var vs []string
			for _, v := range s.verify {
				vs = append(vs, fmtWindow(v))
			}
			c.add(violation(RuleVerifyBeforeSign, src, "%s %q: signing window in %s (%s) is not covered by %s (%s); clients would sign entries they cannot verify; narrow the signing window or widen verification",
				s.kind, s.svc.Name, sc.File.V, fmtWindow(w), s.what, strings.Join(vs, "; ")))
		}
	}
}

// waitingPeriod: rule 2. Clients hold a trusted root until its TUF
// timestamp expires, so a key must be in a published trusted root that long
// (plus a buffer, plus the file's own waiting period) before anyone signs
// with it. What counts is publication, not the declared start: a start
// written weeks before the release that first carries the key gives clients
// nothing (production v12 and staging v13 added a TSA that way), while a
// service trusted for years is not new because a release lists it in one
// more file.
func (c *checker) waitingPeriod(sc *model.SigningConfig, h *history) {
	need := max(sc.WaitingPeriod.V, c.env.Policy.MinWaitingPeriod())
	for _, s := range c.signers() {
		w, ok := s.svc.SignWindow(sc.Name)
		if !ok || len(s.verify) == 0 {
			continue
		}
		exempt := s.svc.WaitingPeriodExempt.Set()
		if exempt && strings.TrimSpace(s.svc.WaitingPeriodExempt.V) == "" {
			c.add(violation(RuleWaitingPeriod, s.svc.WaitingPeriodExempt.Src, "waitingPeriodExempt needs a reason"))
			continue
		}
		// An exemption records history: windows published before the
		// rule could stop them. It cannot excuse a service whose
		// verification material this very release adds, which is the
		// case the rule exists for (trustc import exempts whatever it
		// adopts, so an imported release is judged here as published).
		// Nor a window that has not started: that is a plan.
		planStep := !c.planned.IsZero() && w.Start.V.After(c.planned)
		if exempt && !h.adds(s) && (h.now.IsZero() || !w.Start.V.After(h.now)) && !planStep {
			continue
		}
		if h.settled(sc, s, w, need) {
			continue
		}
		first, published := h.trustedFrom(s, need)
		sign := h.signsFrom(w)
		if earliest := first.Add(need); sign.Before(earliest) {
			gap := text.Days(sign.Sub(first)) + " after"
			if sign.Before(first) {
				gap = text.Days(first.Sub(sign)) + " before"
			}
			what := "verification starts"
			if published {
				what = "clients first get its verification material"
				if first.Equal(h.now) {
					what += " (in this release)"
				}
			}
			starts := text.Time(sign)
			if !sign.Equal(w.Start.V) {
				starts = fmt.Sprintf("%s (declared %s; in effect once this release publishes it)", starts, text.Time(w.Start.V))
			}
			c.add(violation(RuleWaitingPeriod, w.Start.Src, "%s %q: signing in %s starts %s, %s %s %s; %s needs %s (the larger of its waitingPeriod and policy.tufTimestampExpiry + policy.buffer); start signing at %s or later",
				s.kind, s.svc.Name, sc.File.V, starts, gap, what, text.Time(first), sc.File.V, text.Days(need), text.Time(earliest)))
		}
	}
}

// history is what the base release says about when clients got what: the
// entries it held and the signing windows it published.
type history struct {
	now, baseTime   time.Time
	newFrom         time.Time // Options.NewFrom
	base, published bool
	entries         map[model.Identity]bool
	// windows are the base's signing windows by file, kind and URL.
	windows map[signKey]model.Window
	// signing are the services (kind and URL) clients were already sent
	// to by the base: their verification material was judged then.
	signing map[[2]string]bool
}

type signKey struct{ file, kind, url string }

func newHistory(opts Options) *history {
	h := &history{now: opts.Now, baseTime: opts.BaseTime, published: opts.Published, newFrom: opts.NewFrom}
	if !h.baseTime.IsZero() && !h.now.IsZero() && h.baseTime.After(h.now) {
		// A base published after this release's time (a pinned -now):
		// clients had it by now at the latest.
		h.baseTime = h.now
	}
	if opts.Base == nil {
		return h
	}
	h.base = true
	h.entries = map[model.Identity]bool{}
	for _, l := range opts.Base.Rekor {
		h.entries[l.Identity()] = true
	}
	for _, a := range slices.Concat(opts.Base.CAs, opts.Base.TSAs) {
		for _, ch := range a.Chains {
			h.entries[ch.Identity()] = true
		}
	}
	h.windows = map[signKey]model.Window{}
	h.signing = map[[2]string]bool{}
	asOf := opts.BaseTime
	if asOf.IsZero() {
		asOf = opts.Now
	}
	bc := &checker{env: opts.Base}
	for _, s := range bc.signers() {
		for _, w := range s.svc.Sign {
			file := w.Config
			if sc := opts.Base.SigningConfig(w.Config); sc != nil {
				file = sc.File.V
			}
			u := model.NormalizeURL(s.svc.URL.V)
			h.windows[signKey{file, s.kind, u}] = w.Window
			if asOf.IsZero() || !w.Start.V.After(asOf) {
				h.signing[[2]string{s.kind, u}] = true
			}
		}
	}
	// The frozen v0.1 signing config sent clients to its services too.
	if l := opts.Base.Legacy; l != nil {
		h.signing[[2]string{"ca", model.NormalizeURL(l.CAURL.V)}] = true
		for _, u := range l.TlogURLs {
			h.signing[[2]string{"rekor", model.NormalizeURL(u.V)}] = true
		}
		for _, u := range l.TSAURLs {
			h.signing[[2]string{"tsa", model.NormalizeURL(u.V)}] = true
		}
	}
	return h
}

// settled reports whether the base already judged this signing window: it
// published the same window (an end added since changes no start), or it
// already sent clients to the service from another file. A window that
// ended before this release sends nobody anywhere.
//
// Without a base, published JSON's old signing is history (see
// Options.Published).
func (h *history) settled(sc *model.SigningConfig, s signer, w model.Window, need time.Duration) bool {
	if !h.base {
		return h.published && !h.now.IsZero() && !w.Start.V.Add(need).After(h.now)
	}
	u := model.NormalizeURL(s.svc.URL.V)
	if bw, ok := h.windows[signKey{sc.File.V, s.kind, u}]; ok && bw.Start.V.Equal(w.Start.V) {
		return true
	}
	if h.signing[[2]string{s.kind, u}] {
		return true
	}
	return !h.now.IsZero() && w.HasEnd() && w.End.V.Before(h.now)
}

// trustedFrom is the earliest instant from which clients hold one of s's
// verification entries: its declared start, or its publication when that
// is later. An entry new in this release is published now. One the base
// held was published by the base's release time at the latest; it counts
// from then only when its declared start is less than a waiting period
// before that release, which is when it may have been new there. An older
// entry gets the benefit of the doubt: staging's log2025-alpha3, trusted
// since v21, was signed to again in v28, days after v27 was published.
// published says whether a publication time decided it.
func (h *history) trustedFrom(s signer, need time.Duration) (time.Time, bool) {
	var first time.Time
	published := false
	for i, v := range s.verify {
		t, pub := v.Start.V, time.Time{}
		if h.base {
			switch {
			case i < len(s.ids) && h.entries[s.ids[i]]:
				if !h.baseTime.IsZero() && v.Start.V.Add(need).After(h.baseTime) {
					pub = h.baseTime
				}
			case !h.newFrom.IsZero():
				pub = h.newFrom
			default:
				pub = h.now
			}
		}
		p := false
		if pub.After(t) {
			t, p = pub, true
		}
		if i == 0 || t.Before(first) {
			first, published = t, p
		}
	}
	return first, published
}

// adds reports whether the base is known and holds none of s's
// verification entries: this release publishes them.
func (h *history) adds(s signer) bool {
	if !h.base || len(s.ids) == 0 {
		return false
	}
	for _, id := range s.ids {
		if h.entries[id] {
			return false
		}
	}
	return true
}

// signsFrom is when clients start signing in w: its start, or this
// release when the window is new and its start already past.
func (h *history) signsFrom(w model.Window) time.Time {
	if h.base && !h.now.IsZero() && w.Start.V.Before(h.now) {
		return h.now
	}
	return w.Start.V
}

// noGaps: rule 3. From the moment a file first offers everything a client
// needs, it must never stop offering it.
func (c *checker) noGaps(sc *model.SigningConfig) {
	type entry struct {
		s signer
		w model.Window
	}
	var all []entry
	for _, s := range c.signers() {
		if w, ok := s.svc.SignWindow(sc.Name); ok {
			all = append(all, entry{s, w})
		}
	}
	byKind := func(kinds ...string) []entry {
		var out []entry
		for _, e := range all {
			if slices.Contains(kinds, e.s.kind) {
				out = append(out, e)
			}
		}
		return out
	}
	first := func(es []entry) (time.Time, bool) {
		if len(es) == 0 {
			return time.Time{}, false
		}
		t := es[0].w.Start.V
		for _, e := range es[1:] {
			if e.w.Start.V.Before(t) {
				t = e.w.Start.V
			}
		}
		return t, true
	}
	// Instants at which the set of valid services can change.
	var instants []time.Time
	for _, e := range all {
		instants = append(instants, e.w.Start.V)
		if e.w.HasEnd() {
			instants = append(instants, e.w.End.V.Add(slack))
		}
	}
	slices.SortFunc(instants, time.Time.Compare)
	instants = slices.Compact(instants)
	// A staged release is replaced by the next one; past the time a
	// client may keep it, the next release is judged instead.
	var until string
	if !c.next.IsZero() {
		kept := c.next.Add(c.env.Policy.MinWaitingPeriod())
		until = fmt.Sprintf(" (the next release is due %s, but a client may keep this one until %s, policy.tufTimestampExpiry + policy.buffer later)", text.Time(c.next), text.Time(kept))
		instants = slices.DeleteFunc(instants, func(t time.Time) bool { return t.After(kept) })
	}
	note := func(t time.Time) string {
		if until != "" && !t.Before(c.next) {
			return until
		}
		return ""
	}

	// An entry is valid on [start, end+slack): published ends are
	// written as …:59.999Z and the next window starts at the following
	// second.
	validUntil := func(e entry) (time.Time, bool) {
		if !e.w.HasEnd() {
			return time.Time{}, false
		}
		return e.w.End.V.Add(slack), true
	}
	// gapAt places a gap at the window whose end opened it, else at the file.
	gapAt := func(es []entry, t time.Time) model.Src {
		for _, e := range es {
			if u, ok := validUntil(e); ok && u.Equal(t) {
				return e.w.End.Src
			}
		}
		return sc.Src
	}
	// firstGap is the first instant in [from, until] (until zero: no
	// limit) at which no entry of es that keep accepts is valid. It
	// sweeps the entries' windows in start order, merging those that
	// overlap or meet, and looks each uncovered stretch up among the
	// sorted instants: O(n log n). (Testing every entry at every instant
	// was O(n²) once the valid entry was not near the front of its list,
	// which key rotation, newest-first declarations and EXACT selectors
	// all make it: 14 s at 10000 services.)
	firstGap := func(es []entry, from, until time.Time, keep func(entry) bool) (time.Time, bool) {
		var ws []entry
		for _, e := range es {
			if keep == nil || keep(e) {
				ws = append(ws, e)
			}
		}
		slices.SortFunc(ws, func(a, b entry) int { return a.w.Start.V.Compare(b.w.Start.V) })
		// first returns the first instant in [lo, hi) (hi zero: open)
		// that is at or after from and not after until.
		first := func(lo, hi time.Time) (time.Time, bool) {
			if lo.Before(from) {
				lo = from
			}
			i, _ := slices.BinarySearchFunc(instants, lo, time.Time.Compare)
			if i == len(instants) {
				return time.Time{}, false
			}
			t := instants[i]
			if (!hi.IsZero() && !t.Before(hi)) || (!until.IsZero() && t.After(until)) {
				return time.Time{}, false
			}
			return t, true
		}
		var covered time.Time // covered up to here, exclusive
		open := false         // covered for ever from some point
		for i, e := range ws {
			if open {
				break
			}
			if i == 0 || e.w.Start.V.After(covered) {
				// Uncovered: before the first window, or between the
				// windows merged so far and this one.
				lo := time.Time{}
				if i > 0 {
					lo = covered
				}
				if t, ok := first(lo, e.w.Start.V); ok {
					return t, true
				}
			}
			u, ok := validUntil(e)
			switch {
			case !ok:
				open = true
			case i == 0 || u.After(covered):
				covered = u
			}
		}
		if open {
			return time.Time{}, false
		}
		return first(covered, time.Time{})
	}
	ca, oidc, rekor, tsa := byKind("ca"), byKind("oidc"), byKind("rekor", "rekor front"), byKind("tsa")
	var live time.Time
	complete := true
	for _, es := range [][]entry{ca, oidc, rekor} {
		t, ok := first(es)
		complete = complete && ok
		if t.After(live) {
			live = t
		}
	}
	if !complete {
		var missing []string
		for i, es := range [][]entry{ca, oidc, rekor} {
			if len(es) == 0 {
				missing = append(missing, []string{"CA", "OIDC provider", "Rekor log"}[i])
			}
		}
		article := "a"
		if missing[0] == "OIDC provider" {
			article = "an" // said "oh-eye-dee-see"
		}
		c.add(violation(RuleNoGaps, sc.Src, "%s never offers %s %s; clients cannot sign with it", sc.File.V, article, strings.Join(missing, " or ")))
		return
	}
	reported := map[string]bool{}
	gap := func(what string, es []entry, from time.Time, until time.Time, keep func(entry) bool) {
		if reported[what] {
			return
		}
		if t, ok := firstGap(es, from, until, keep); ok {
			reported[what] = true
			c.add(violation(RuleNoGaps, gapAt(es, t), "%s offers no valid %s at %s%s; clients signing then would fail; extend a window or add a service", sc.File.V, what, text.Time(t), note(t)))
		}
	}
	gap("CA", ca, live, time.Time{}, nil)
	gap("OIDC provider", oidc, live, time.Time{}, nil)
	gap("Rekor log", rekor, live, time.Time{}, nil)
	if t, ok := first(tsa); ok {
		gap("timestamp authority", tsa, t, time.Time{}, nil)
	}
	if !sc.OptIn.V {
		v1 := func(e entry) bool { return e.s.svc.API.V == 1 }
		var v1s []entry
		for _, e := range rekor {
			if v1(e) {
				v1s = append(v1s, e)
			}
		}
		if t, ok := first(v1s); ok {
			gap("Rekor API v1 log (clients without Rekor v2 support need one until signingConfigs."+sc.Name+".rekorV1RetiresAt)", rekor, t, sc.RekorV1RetiresAt.V, v1)
		} else if !sc.RekorV1RetiresAt.Set() {
			c.add(violation(RuleNoGaps, sc.Src, "%s is a main file but offers no Rekor API v1 log; clients without Rekor v2 support could not sign; add one, set optIn, or declare rekorV1RetiresAt", sc.File.V))
		}
	}
	// exact sweeps the windows' boundaries in time order, counting the
	// valid windows of each operator, and reports the first instant from
	// from on at which fewer operators than the count run one.
	exact := func(sel model.Selector, what string, es []entry, from time.Time) {
		if sel.Selector.V != "EXACT" {
			return
		}
		type event struct {
			t     time.Time
			op    string
			delta int
		}
		var events []event
		for _, e := range es {
			events = append(events, event{e.w.Start.V, e.s.svc.Operator.V, 1})
			if u, ok := validUntil(e); ok {
				events = append(events, event{u, e.s.svc.Operator.V, -1})
			}
		}
		slices.SortFunc(events, func(a, b event) int { return a.t.Compare(b.t) })
		active := map[string]int{}
		next := 0
		for _, t := range instants {
			for ; next < len(events) && !events[next].t.After(t); next++ {
				ev := events[next]
				active[ev.op] += ev.delta
				if active[ev.op] == 0 {
					delete(active, ev.op)
				}
			}
			if t.Before(from) {
				continue
			}
			if len(active) < sel.Count.V {
				c.add(violation(RuleNoGaps, sel.Count.Src, "%s asks clients for EXACT %d %s, but at %s%s only %d operator(s) run a valid one; lower the count or add services",
					sc.File.V, sel.Count.V, what, text.Time(t), note(t), len(active)))
				return
			}
		}
	}
	exact(sc.Rekor, "Rekor logs", rekor, live)
	if t, ok := first(tsa); ok {
		exact(sc.TSA, "timestamp authorities", tsa, t)
	}
}

// duplicates: rule 4. Clients key services by URL and logs by id; two
// entries with one key make their choice arbitrary. URLs that differ only
// in trailing slashes are one service: clients append paths to them.
func (c *checker) duplicates() {
	type key struct{ kind, v string }
	seen := map[key]string{}
	dup := func(kind, what, v string, src model.Src, name string) {
		if v == "" {
			return
		}
		k := key{kind, v}
		if what == "url" {
			k.v = strings.TrimRight(v, "/")
		}
		if other, ok := seen[k]; ok {
			c.add(violation(RuleWellFormed, src, "%s %q has the same %s as %q (%s); each must be unique", kind, name, what, other, v))
			return
		}
		seen[k] = name
	}
	// A log is keyed by its URL and, once derived, by its log id.
	log := func(kind, name string, u model.Value[string], pk *model.PublicKey, key model.Material) {
		dup(kind, "url", u.V, u.Src, name)
		if pk != nil {
			dup(kind, "log id", fmt.Sprintf("%x", pk.LogID), key.File.Src, name)
		}
	}
	for _, l := range c.env.Rekor {
		log("rekor", l.Name, l.URL, l.PublicKey, l.Key)
	}
	for _, f := range c.env.RekorFronts {
		dup("rekor", "url", f.URL.V, f.URL.Src, f.Name)
	}
	for _, l := range c.env.CTLogs {
		log("ct", l.Name, l.URL, l.PublicKey, l.Key)
	}
	for _, a := range c.env.CAs {
		dup("ca", "url", a.URL.V, a.URL.Src, a.Name)
	}
	for _, a := range c.env.TSAs {
		dup("tsa", "url", a.URL.V, a.URL.Src, a.Name)
	}
	for _, o := range c.env.OIDC {
		dup("oidc", "url", o.URL.V, o.URL.Src, o.Name)
	}
}

func (c *checker) clientsKnown() {
	for _, n := range c.env.Policy.Clients {
		if _, ok := clientfacts.Lookup(n.V); !ok {
			c.add(violation(RuleWellFormed, n.Src, "unknown client %q; known clients: %s", n.V, strings.Join(clientfacts.Names(), ", ")))
		}
	}
}

// clientTraps: rule 4b.
func (c *checker) clientTraps(now time.Time) {
	var rejectV02, future []string
	for _, n := range c.env.Policy.Clients {
		cl, _ := clientfacts.Lookup(n.V)
		if cl.RejectsTrustedRootV02 {
			rejectV02 = append(rejectV02, n.V)
		}
		if cl.PicksFutureServices {
			future = append(future, n.V)
		}
	}
	if mt := c.env.TrustedRoot.MediaType; mt.V == release.TrustedRootMediaType02 && len(rejectV02) > 0 {
		c.add(violation(RuleClientTraps, mt.Src, "the v0.2 trusted root (with operator and checkpointKeyId) is rejected by %s, which policy.clients says this environment serves; keep the v0.1 media type until they accept it",
			strings.Join(rejectV02, ", ")))
	}
	if now.IsZero() || len(future) == 0 {
		return
	}
	for _, s := range c.signers() {
		for _, w := range s.svc.Sign {
			if w.Start.V.After(now) {
				c.add(violation(RuleClientTraps, w.Start.Src, "%s %q starts in %s at %s, in the future, but %s picks a listed service at once, before its start; add the entry to %s only at its start",
					s.kind, s.svc.Name, w.Config, text.Time(w.Start.V), strings.Join(future, ", "), w.Config))
			}
		}
	}
}

// material: rule 5 (keys are refused earlier, by derive, when private, weak
// or of an unsupported kind).
func (c *checker) material(now time.Time) {
	https := func(kind, name string, u model.Value[string]) {
		if u.V == "" {
			return
		}
		p, err := url.Parse(u.V)
		if err != nil || p.Scheme != "https" || p.Host == "" {
			c.add(violation(RuleMaterial, u.Src, "%s %q: url %q is not an https URL; clients must reach services over TLS", kind, name, u.V))
		}
	}
	for _, s := range c.signers() {
		if (s.kind == "ca" || s.kind == "tsa") && len(s.svc.Sign) == 0 {
			// A trusted-root uri that no signing config sends clients to
			// is an identifier: protobuf-specs recommends a URL, and no
			// client contacts it (staging v3 to v9 published
			// "tsa.github.internal").
			if p, err := url.Parse(s.svc.URL.V); s.svc.URL.V != "" && (err != nil || p.Scheme != "https" || p.Host == "") {
				c.add(warning(RuleMaterial, s.svc.URL.Src, "%s %q: uri %q is not an https URL; protobuf-specs recommends one (clients only verify against this entry and never contact it)", s.kind, s.svc.Name, s.svc.URL.V))
			}
			continue
		}
		https(s.kind, s.svc.Name, s.svc.URL)
	}
	for _, l := range c.env.CTLogs {
		https("ct", l.Name, l.URL)
	}
	if l := c.env.Legacy; l != nil {
		for _, u := range slices.Concat([]model.Value[string]{l.CAURL, l.OIDCURL}, l.TlogURLs, l.TSAURLs) {
			https("legacy signing config", l.File.V, u)
		}
	}
	for _, a := range c.env.CAs {
		for _, ch := range a.Chains {
			c.chain("ca", a, ch, now)
		}
	}
	for _, a := range c.env.TSAs {
		for _, ch := range a.Chains {
			c.chain("tsa", a, ch, now)
		}
	}
}

// chain verifies a chain with crypto/x509 (signatures, CA constraints,
// path length, the TSA's time-stamping usage) at the start of its window
// (derive.VerifyChain), and checks that its certificates' validity covers
// the window.
func (c *checker) chain(kind string, a *model.Authority, ch *model.Chain, now time.Time) {
	certs := ch.Certificates
	if len(certs) == 0 {
		return
	}
	name := fmt.Sprintf("%s %q chain %q", kind, a.Name, ch.Name)
	if leaf := certs[0]; kind == "tsa" && !slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageTimeStamping) {
		c.add(violation(RuleMaterial, ch.Certs[0].File.Src, "%s: the leaf certificate (%s) lacks the time-stamping extended key usage; clients reject its timestamps", name, leaf.Subject))
		return
	}
	// The verification derive checked the chain's links with, asked once.
	if _, err := derive.VerifyChain(kind, certs, ch.Verify.Start.V); err != nil {
		c.add(violation(RuleMaterial, ch.Src, "%s does not verify at the start of its window (%s): %v", name, text.Time(ch.Verify.Start.V), err))
		return
	}
	for i, cert := range certs {
		if cert.NotBefore.After(ch.Verify.Start.V) {
			c.add(violation(RuleMaterial, ch.Verify.Start.Src, "%s: certificate %d (%s) is valid only from %s, after the window starts %s; start the window at %s or later",
				name, i, cert.Subject, text.Time(cert.NotBefore), text.Time(ch.Verify.Start.V), text.Time(cert.NotBefore)))
		}
		switch {
		case ch.Verify.HasEnd() && cert.NotAfter.Before(ch.Verify.End.V):
			c.add(violation(RuleMaterial, ch.Verify.End.Src, "%s: certificate %d (%s) expires %s, before the window ends %s; end the window by %s",
				name, i, cert.Subject, text.Time(cert.NotAfter), text.Time(ch.Verify.End.V), text.Time(cert.NotAfter)))
		case !ch.Verify.HasEnd() && !now.IsZero() && cert.NotAfter.Before(now):
			// Clients check a certificate's own validity when they
			// verify, so an open window past it trusts nothing more:
			// advice, not a flaw (production's GitHub TSA, v10).
			c.add(warning(RuleMaterial, ch.Verify.Src, "%s: certificate %d (%s) expired %s but the window is still open; end the window at %s",
				name, i, cert.Subject, text.Time(cert.NotAfter), text.Time(cert.NotAfter)))
		}
	}
}

package check

import (
	"crypto/x509"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"cuelang.org/go/cue/errors"

	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/internal/parallel"
	"github.com/trustc-dev/trustc/release"
)

// Options are the facts a policy check needs beyond the environment.
type Options struct {
	// Now is the release time. Rules that depend on it (future starts,
	// expired chains, cross-release rules) are skipped when it is zero, so
	// that compiling stays a pure function of the input.
	Now time.Time
	// Next, when set, is the release time of the next release of the
	// plan this release was staged from (package asof). A client may keep
	// this release for policy.tufTimestampExpiry + policy.buffer after
	// the next one is published, so no-gaps judges this release's
	// instants up to then and leaves the later ones to the next release.
	Next time.Time
}

// Policy checks the within-environment rules 1 to 5 on a derived
// environment and returns every violation.
func Policy(env *model.Environment, opts Options) error {
	c := &checker{env: env, next: opts.Next}
	c.clientsKnown()
	for _, sc := range env.SigningConfigs {
		c.verifyBeforeSign(sc)
		c.waitingPeriod(sc)
		c.noGaps(sc)
	}
	c.duplicates()
	c.clientTraps(opts.Now)
	c.material(opts.Now)
	if c.errs != nil {
		return errors.Sanitize(c.errs)
	}
	return nil
}

// slack joins windows that meet within a second: published ends are
// written as …:59.999Z and the next window starts at the following second.
const slack = time.Second

func fmtTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func fmtWindow(w model.Window) string {
	if !w.HasEnd() {
		return "from " + fmtTime(w.Start.V) + " on"
	}
	return fmtTime(w.Start.V) + " to " + fmtTime(w.End.V)
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
	what   string         // the material, for messages
}

func (c *checker) signers() []signer {
	var out []signer
	for _, l := range c.env.Rekor {
		out = append(out, signer{"rekor", &l.Service, []model.Window{l.Verify}, "its verification window"})
	}
	for _, f := range c.env.RekorFronts {
		ws := []model.Window{}
		for _, s := range f.Shards {
			if l := c.env.RekorLog(s.V); l != nil {
				ws = append(ws, l.Verify)
			}
		}
		out = append(out, signer{"rekor front", &f.Service, ws, "its shards' verification windows"})
	}
	for _, a := range c.env.CAs {
		out = append(out, signer{"ca", &a.Service, chainWindows(a), "its chains' verification windows"})
	}
	for _, a := range c.env.TSAs {
		out = append(out, signer{"tsa", &a.Service, chainWindows(a), "its chains' verification windows"})
	}
	for _, o := range c.env.OIDC {
		out = append(out, signer{"oidc", &o.Service, nil, ""})
	}
	return out
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
// timestamp expires, so a key must be in the trusted root that long (plus
// a buffer, plus the file's own waiting period) before anyone signs with it.
func (c *checker) waitingPeriod(sc *model.SigningConfig) {
	need := max(sc.WaitingPeriod.V, c.env.Policy.MinWaitingPeriod())
	for _, s := range c.signers() {
		w, ok := s.svc.SignWindow(sc.Name)
		if !ok || len(s.verify) == 0 {
			continue
		}
		if s.svc.WaitingPeriodExempt.Set() {
			if strings.TrimSpace(s.svc.WaitingPeriodExempt.V) == "" {
				c.add(violation(RuleWaitingPeriod, s.svc.WaitingPeriodExempt.Src, "waitingPeriodExempt needs a reason"))
			}
			continue
		}
		first := s.verify[0].Start.V
		for _, v := range s.verify[1:] {
			if v.Start.V.Before(first) {
				first = v.Start.V
			}
		}
		if earliest := first.Add(need); w.Start.V.Before(earliest) {
			gap := days(w.Start.V.Sub(first)) + " after"
			if w.Start.V.Before(first) {
				gap = days(first.Sub(w.Start.V)) + " before"
			}
			c.add(violation(RuleWaitingPeriod, w.Start.Src, "%s %q: signing in %s starts %s, %s verification starts %s; %s needs %s (the larger of its waitingPeriod and policy.tufTimestampExpiry + policy.buffer); start signing at %s or later",
				s.kind, s.svc.Name, sc.File.V, fmtTime(w.Start.V), gap, fmtTime(first), sc.File.V, days(need), fmtTime(earliest)))
		}
	}
}

// days renders a duration in whole days where it can ("90 days",
// "12 days 7h24m8s", "11h0m0s").
func days(d time.Duration) string {
	n, rest := d/(24*time.Hour), d%(24*time.Hour)
	switch {
	case d == 0:
		return "0 days"
	case n == 0:
		return rest.String()
	case rest == 0:
		return fmt.Sprintf("%d days", n)
	default:
		return fmt.Sprintf("%d days %s", n, rest)
	}
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
	var kept time.Time
	var until string
	if !c.next.IsZero() {
		kept = c.next.Add(c.env.Policy.MinWaitingPeriod())
		until = fmt.Sprintf(" (the next release is due %s, but a client may keep this one until %s, policy.tufTimestampExpiry + policy.buffer later)", fmtTime(c.next), fmtTime(kept))
		instants = slices.DeleteFunc(instants, func(t time.Time) bool { return t.After(kept) })
	}
	note := func(t time.Time) string {
		if until != "" && !t.Before(c.next) {
			return until
		}
		return ""
	}

	// Every check below asks, for each instant, which entries are valid
	// then: with n services that is n instants times n entries, so they
	// test entries in place rather than collecting them (a file of 1000
	// services had allocated 670 MB doing that).
	valid := func(e entry, t time.Time) bool {
		return e.w.Contains(t) || e.w.HasEnd() && t.After(e.w.End.V) && t.Before(e.w.End.V.Add(slack))
	}
	anyValid := func(es []entry, t time.Time, keep func(entry) bool) bool {
		for _, e := range es {
			if valid(e, t) && (keep == nil || keep(e)) {
				return true
			}
		}
		return false
	}
	// gapAt places a gap at the window whose end opened it, else at the file.
	gapAt := func(es []entry, t time.Time) model.Src {
		for _, e := range es {
			if e.w.HasEnd() && e.w.End.V.Add(slack).Equal(t) {
				return e.w.End.Src
			}
		}
		return sc.Src
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
		c.add(violation(RuleNoGaps, sc.Src, "%s never offers a %s; clients cannot sign with it", sc.File.V, strings.Join(missing, " or ")))
		return
	}
	reported := map[string]bool{}
	gap := func(what string, es []entry, from time.Time, until time.Time, keep func(entry) bool) {
		for _, t := range instants {
			if t.Before(from) || (!until.IsZero() && t.After(until)) || reported[what] {
				continue
			}
			if !anyValid(es, t, keep) {
				reported[what] = true
				c.add(violation(RuleNoGaps, gapAt(es, t), "%s offers no valid %s at %s%s; clients signing then would fail; extend a window or add a service", sc.File.V, what, fmtTime(t), note(t)))
			}
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
	exact := func(sel model.Selector, what string, es []entry, from time.Time) {
		if sel.Selector.V != "EXACT" {
			return
		}
		for _, t := range instants {
			if t.Before(from) {
				continue
			}
			ops := map[string]bool{}
			for _, e := range es {
				if valid(e, t) {
					ops[e.s.svc.Operator.V] = true
				}
			}
			if len(ops) < sel.Count.V {
				c.add(violation(RuleNoGaps, sel.Count.Src, "%s asks clients for EXACT %d %s, but at %s%s only %d operator(s) run a valid one; lower the count or add services",
					sc.File.V, sel.Count.V, what, fmtTime(t), note(t), len(ops)))
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
// entries with one key make their choice arbitrary.
func (c *checker) duplicates() {
	type key struct{ kind, v string }
	seen := map[key]string{}
	dup := func(kind, what, v string, src model.Src, name string) {
		if v == "" {
			return
		}
		k := key{kind, v}
		if other, ok := seen[k]; ok {
			c.add(violation(RuleWellFormed, src, "%s %q has the same %s as %q (%s); each must be unique", kind, name, what, other, v))
			return
		}
		seen[k] = name
	}
	for _, l := range c.env.Rekor {
		dup("rekor", "url", l.URL.V, l.URL.Src, l.Name)
		if l.PublicKey != nil {
			dup("rekor", "log id", fmt.Sprintf("%x", l.PublicKey.LogID), l.Key.File.Src, l.Name)
		}
	}
	for _, f := range c.env.RekorFronts {
		dup("rekor", "url", f.URL.V, f.URL.Src, f.Name)
	}
	for _, l := range c.env.CTLogs {
		dup("ct", "url", l.URL.V, l.URL.Src, l.Name)
		if l.PublicKey != nil {
			dup("ct", "log id", fmt.Sprintf("%x", l.PublicKey.LogID), l.Key.File.Src, l.Name)
		}
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

// client describes what a known client does with what we publish. Each
// entry says which version it describes and why.
type client struct {
	// rejectsTrustedRootV02: the client refuses the v0.2 trusted-root media
	// type. sigstore-go v1.3.0 accepts only
	// "application/vnd.dev.sigstore.trustedroot+json;version=0.1"
	// (pkg/root/trusted_root.go NewTrustedRootFromProtobuf); cosign uses it.
	rejectsTrustedRootV02 bool
	// picksFutureServices: the client sorts services by start and does not
	// drop those not yet valid, so it uses a future service at once
	// (sigstore-js @sigstore/sign, as the trustc issue tracker records).
	picksFutureServices bool
}

// clients are the known clients. Those whose handling of the v0.2 trusted
// root is not established are listed as rejecting it: trustc refuses what
// it cannot show to be safe.
var clients = map[string]client{
	"sigstore-go":     {rejectsTrustedRootV02: true},
	"cosign":          {rejectsTrustedRootV02: true},
	"sigstore-js":     {rejectsTrustedRootV02: true, picksFutureServices: true},
	"sigstore-python": {rejectsTrustedRootV02: true},
	"sigstore-java":   {rejectsTrustedRootV02: true},
}

func clientNames() []string {
	var names []string
	for n := range clients {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func (c *checker) clientsKnown() {
	for _, n := range c.env.Policy.Clients {
		if _, ok := clients[n.V]; !ok {
			c.add(violation(RuleWellFormed, n.Src, "unknown client %q; known clients: %s", n.V, strings.Join(clientNames(), ", ")))
		}
	}
}

// clientTraps: rule 4b.
func (c *checker) clientTraps(now time.Time) {
	var rejectV02, future []string
	for _, n := range c.env.Policy.Clients {
		cl := clients[n.V]
		if cl.rejectsTrustedRootV02 {
			rejectV02 = append(rejectV02, n.V)
		}
		if cl.picksFutureServices {
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
					s.kind, s.svc.Name, w.Config, fmtTime(w.Start.V), strings.Join(future, ", "), w.Config))
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
	type job struct {
		kind string
		a    *model.Authority
		ch   *model.Chain
	}
	var jobs []job
	for _, a := range c.env.CAs {
		for _, ch := range a.Chains {
			jobs = append(jobs, job{"ca", a, ch})
		}
	}
	for _, a := range c.env.TSAs {
		for _, ch := range a.Chains {
			jobs = append(jobs, job{"tsa", a, ch})
		}
	}
	// Verifying a chain is mostly checking signatures (0.6 ms for one
	// P-384 signature here), so chains are verified concurrently, each
	// into its own checker; violations are added in declaration order.
	found := parallel.Map(len(jobs), func(i int) errors.Error {
		sub := &checker{env: c.env}
		sub.chain(jobs[i].kind, jobs[i].a, jobs[i].ch, now)
		return sub.errs
	})
	for _, errs := range found {
		c.add(errs)
	}
}

// chain verifies a chain with crypto/x509 (signatures, CA constraints,
// path length) at the start of its window, and checks that its
// certificates' validity covers the window.
func (c *checker) chain(kind string, a *model.Authority, ch *model.Chain, now time.Time) {
	certs := ch.Certificates
	if len(certs) == 0 {
		return
	}
	name := fmt.Sprintf("%s %q chain %q", kind, a.Name, ch.Name)
	leaf, anchor := certs[0], certs[len(certs)-1]
	usage := x509.ExtKeyUsageAny
	if kind == "tsa" {
		usage = x509.ExtKeyUsageTimeStamping
		if !slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageTimeStamping) {
			c.add(violation(RuleMaterial, ch.Certs[0].File.Src, "%s: the leaf certificate (%s) lacks the time-stamping extended key usage; clients reject its timestamps", name, leaf.Subject))
			return
		}
	}
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(anchor)
	if len(certs) > 2 {
		for _, m := range certs[1 : len(certs)-1] {
			inter.AddCert(m)
		}
	}
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: ch.Verify.Start.V, KeyUsages: []x509.ExtKeyUsage{usage}}); err != nil {
		c.add(violation(RuleMaterial, ch.Src, "%s does not verify at the start of its window (%s): %v", name, fmtTime(ch.Verify.Start.V), err))
		return
	}
	for i, cert := range certs {
		if cert.NotBefore.After(ch.Verify.Start.V) {
			c.add(violation(RuleMaterial, ch.Verify.Start.Src, "%s: certificate %d (%s) is valid only from %s, after the window starts %s; start the window at %s or later",
				name, i, cert.Subject, fmtTime(cert.NotBefore), fmtTime(ch.Verify.Start.V), fmtTime(cert.NotBefore)))
		}
		switch {
		case ch.Verify.HasEnd() && cert.NotAfter.Before(ch.Verify.End.V):
			c.add(violation(RuleMaterial, ch.Verify.End.Src, "%s: certificate %d (%s) expires %s, before the window ends %s; end the window by %s",
				name, i, cert.Subject, fmtTime(cert.NotAfter), fmtTime(ch.Verify.End.V), fmtTime(cert.NotAfter)))
		case !ch.Verify.HasEnd() && !now.IsZero() && cert.NotAfter.Before(now):
			c.add(violation(RuleMaterial, ch.Verify.Src, "%s: certificate %d (%s) expired %s but the window is still open; end the window at %s",
				name, i, cert.Subject, fmtTime(cert.NotAfter), fmtTime(cert.NotAfter)))
		}
	}
}

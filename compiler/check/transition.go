package check

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"slices"
	"strings"
	"time"

	"cuelang.org/go/cue/errors"

	"github.com/trustc-dev/trustc/compiler/model"
)

// Transition checks rules 6 to 9: what next may change relative to base,
// the previous release of the same environment, at release time now. Both
// must be derived. Violations are reported at next's fields, or at the
// environment where something is missing.
func Transition(base, next *model.Environment, now time.Time) error {
	c := &checker{env: next}
	baseEntries, nextEntries := entries(base), entries(next)
	for _, b := range baseEntries {
		n := find(nextEntries, b)
		if n == nil {
			c.disappeared(b, now)
			continue
		}
		c.immutable(b, *n, now)
	}
	c.signingStarts(base, next, now)
	if err := c.err(); err != nil {
		return errors.Sanitize(err)
	}
	return nil
}

// entry is one trusted-root entry: a log's key or an authority's chain.
type entry struct {
	list   string // tlogs, ctlogs, certificateAuthorities, timestampAuthorities
	name   string // for messages
	id     []byte // log id, or the chain's DER
	raw    []byte // the published key or chain bytes
	verify model.Window
	src    model.Src
	// sign lists the service's signing windows (logs only: an authority's
	// chains share its windows and rule 1 checks their union).
	sign []model.SignWindow
}

func entries(env *model.Environment) []entry {
	var out []entry
	for _, l := range env.Rekor {
		if l.PublicKey != nil {
			out = append(out, entry{"tlogs", fmt.Sprintf("rekor %q (%s)", l.Name, l.URL.V), l.PublicKey.LogID, l.PublicKey.Raw, l.Verify, l.Src, l.Sign})
		}
	}
	for _, l := range env.CTLogs {
		if l.PublicKey != nil {
			out = append(out, entry{"ctlogs", fmt.Sprintf("ct %q (%s)", l.Name, l.URL.V), l.PublicKey.LogID, l.PublicKey.Raw, l.Verify, l.Src, nil})
		}
	}
	for _, g := range []struct {
		list, kind string
		as         []*model.Authority
	}{{"certificateAuthorities", "ca", env.CAs}, {"timestampAuthorities", "tsa", env.TSAs}} {
		for _, a := range g.as {
			for _, ch := range a.Chains {
				der := chainDER(ch.Certificates)
				out = append(out, entry{g.list, fmt.Sprintf("%s %q chain %q", g.kind, a.Name, ch.Name), der, der, ch.Verify, ch.Src, nil})
			}
		}
	}
	return out
}

func chainDER(certs []*x509.Certificate) []byte {
	var b []byte
	for _, c := range certs {
		b = append(b, c.Raw...)
	}
	return b
}

func find(es []entry, e entry) *entry {
	for i := range es {
		if es[i].list == e.list && bytes.Equal(es[i].id, e.id) {
			return &es[i]
		}
	}
	return nil
}

// disappeared: rule 8. Signatures made while an entry was trusted need it
// for as long as anyone verifies them.
func (c *checker) disappeared(b entry, now time.Time) {
	for _, r := range c.env.Retired {
		if !retires(r, b) {
			continue
		}
		if !b.verify.HasEnd() || (!now.IsZero() && b.verify.End.V.After(now)) {
			c.add(violation(RuleNothingDisappears, r.Src, "retired %q removes %s, whose verification window (%s) has not ended; end the window first and retire it in a later release",
				r.Name, b.name, fmtWindow(b.verify)))
		}
		return
	}
	field := map[string]string{"tlogs": "rekor", "ctlogs": "ct", "certificateAuthorities": "ca", "timestampAuthorities": "tsa"}[b.list]
	c.add(violation(RuleNothingDisappears, kindSrc(c.env, field), "%s (verification %s) was in the previous trusted root and is gone; signatures made with it would stop verifying; restore it, or retire it under retired with its material and a reason once its window has ended",
		b.name, fmtWindow(b.verify)))
}

func retires(r *model.Retirement, b entry) bool {
	switch {
	case r.PublicKey != nil:
		return (b.list == "tlogs" || b.list == "ctlogs") && (bytes.Equal(r.PublicKey.Raw, b.raw) || bytes.Equal(r.PublicKey.SPKI, b.raw))
	case len(r.Certificates) > 0:
		return (b.list == "certificateAuthorities" || b.list == "timestampAuthorities") && bytes.Equal(chainDER(r.Certificates), b.raw)
	}
	return false
}

// immutable: rules 6 and 7 for an entry in both releases.
func (c *checker) immutable(b, n entry, now time.Time) {
	if !bytes.Equal(b.raw, n.raw) {
		c.add(violation(RuleImmutable, n.src, "%s: published key bytes changed; published material never changes, add a new entry instead", n.name))
	}
	if !b.verify.Start.V.Equal(n.verify.Start.V) {
		c.add(violation(RuleImmutable, n.verify.Start.Src, "%s: verification start moved from %s to %s; a published start never moves (signatures made since it rely on it)",
			n.name, fmtTime(b.verify.Start.V), fmtTime(n.verify.Start.V)))
	}
	switch {
	case b.verify.HasEnd() && !n.verify.HasEnd():
		c.add(violation(RuleImmutable, n.verify.Src, "%s: the published end %s was removed; a window may only gain an end, never lose or move it", n.name, fmtTime(b.verify.End.V)))
	case b.verify.HasEnd() && !b.verify.End.V.Equal(n.verify.End.V):
		c.add(violation(RuleImmutable, n.verify.End.Src, "%s: the published end moved from %s to %s; a window may only gain an end, never lose or move it",
			n.name, fmtTime(b.verify.End.V), fmtTime(n.verify.End.V)))
	case !b.verify.HasEnd() && n.verify.HasEnd():
		c.newEnd(n, now)
	}
}

// newEnd: rule 7. Ending trust in the past revokes signatures clients
// already accepted; ending it before clients stop signing strands theirs.
func (c *checker) newEnd(n entry, now time.Time) {
	end := n.verify.End
	if !now.IsZero() && end.V.Before(now) {
		c.add(violation(RuleNoRetroactiveEnd, end.Src, "%s: new end %s is before the release time %s; ending trust retroactively breaks signatures clients already accepted; end it at %s or later",
			n.name, fmtTime(end.V), fmtTime(now), fmtTime(now)))
	}
	for _, w := range n.sign {
		if !w.HasEnd() || w.End.V.After(end.V) {
			until := "with no end"
			if w.HasEnd() {
				until = "until " + fmtTime(w.End.V)
			}
			c.add(violation(RuleNoRetroactiveEnd, end.Src, "%s: new end %s is before the end of its signing window in %s (%s); clients would go on signing with it; end signing first",
				n.name, fmtTime(end.V), w.Config, until))
		}
	}
}

// signingStarts: rule 9. A signing window that has started is history:
// clients have signed with the service since its start.
func (c *checker) signingStarts(base, next *model.Environment, now time.Time) {
	type key struct{ file, kind, url string }
	type win struct {
		w    model.Window
		name string
	}
	index := func(env *model.Environment) map[key]win {
		out := map[key]win{}
		cc := &checker{env: env}
		for _, s := range cc.signers() {
			for _, w := range s.svc.Sign {
				file := w.Config
				if sc := env.SigningConfig(w.Config); sc != nil {
					file = sc.File.V
				}
				out[key{file, s.kind, s.svc.URL.V}] = win{w.Window, fmt.Sprintf("%s %q", s.kind, s.svc.Name)}
			}
		}
		return out
	}
	b, n := index(base), index(next)
	keys := make([]key, 0, len(b))
	for k := range b {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y key) int {
		return strings.Compare(x.file+"\x00"+x.kind+"\x00"+x.url, y.file+"\x00"+y.kind+"\x00"+y.url)
	})
	for _, k := range keys {
		bw := b[k].w
		started := now.IsZero() || !bw.Start.V.After(now)
		if !started {
			continue
		}
		nw, ok := n[k]
		if !ok {
			if !bw.HasEnd() || (!now.IsZero() && bw.End.V.After(now)) {
				src := c.env.Src
				for _, sc := range next.SigningConfigs {
					if sc.File.V == k.file {
						src = sc.Src
					}
				}
				c.add(violation(RuleSigningStartFixed, src, "%s (%s) left %s while clients are sent to it (%s); end its signing window in the future instead of removing it",
					b[k].name, k.url, k.file, fmtWindow(bw)))
			}
			continue
		}
		if !nw.w.Start.V.Equal(bw.Start.V) {
			c.add(violation(RuleSigningStartFixed, nw.w.Start.Src, "%s: signing in %s started %s and cannot move to %s; clients have signed with it since",
				nw.name, k.file, fmtTime(bw.Start.V), fmtTime(nw.w.Start.V)))
		}
		if nw.w.HasEnd() && (!bw.HasEnd() || !bw.End.V.Equal(nw.w.End.V)) && !now.IsZero() && nw.w.End.V.Before(now) {
			c.add(violation(RuleSigningStartFixed, nw.w.End.Src, "%s: signing in %s now ends %s, before the release time %s; an end can only be added in the future",
				nw.name, k.file, fmtTime(nw.w.End.V), fmtTime(now)))
		}
	}
}

// kindSrc places a problem with a whole kind (rekor, ct, ca, tsa) where
// the environment declares its remaining entries, else at the environment.
func kindSrc(env *model.Environment, field string) model.Src {
	src := env.Src
	switch {
	case field == "rekor" && len(env.Rekor) > 0:
		src = env.Rekor[0].Src
	case field == "ct" && len(env.CTLogs) > 0:
		src = env.CTLogs[0].Src
	case field == "ca" && len(env.CAs) > 0:
		src = env.CAs[0].Src
	case field == "tsa" && len(env.TSAs) > 0:
		src = env.TSAs[0].Src
	}
	return model.Src{Pos: src.Pos, Path: []string{field}}
}

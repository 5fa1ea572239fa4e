package check

import (
	"bytes"
	"cmp"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"time"

	"cuelang.org/go/cue/errors"

	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/internal/text"
)

// Transition checks rules 6 to 9: what next may change relative to base,
// the previous release of the same environment, at release time now. Both
// must be derived. Violations are reported at next's fields, or at the
// environment where something is missing.
//
// Entries are matched by identity (model.Identity), not by published bytes
// or id: the same certificates reordered, or the same key and URL under a
// corrected log id, are the same entry, reported as a correction (a note),
// never as one removed and one added.
func Transition(base, next *model.Environment, now time.Time) error {
	c := &checker{env: next}
	baseEntries, nextEntries := entries(base), entries(next)
	type key struct {
		list string
		id   model.Identity
	}
	byID, byLeaf := map[key]*entry{}, map[key]*entry{}
	for i := range nextEntries {
		n := &nextEntries[i]
		byID[key{n.list, n.identity}] = n
		if n.leaf != (model.Identity{}) {
			byLeaf[key{n.list, n.leaf}] = n
		}
	}
	// An entry whose material did not derive cannot be matched; the
	// problem with its material is reported already, so a missing entry of
	// its kind is not reported again as gone.
	underived := underivedLists(next)
	for _, b := range baseEntries {
		n := byID[key{b.list, b.identity}]
		if n == nil && b.leaf != (model.Identity{}) {
			n = byLeaf[key{b.list, b.leaf}]
		}
		if n == nil {
			if !underived[b.list] {
				c.disappeared(b, now)
			}
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
	list     string // tlogs, ctlogs, certificateAuthorities, timestampAuthorities
	name     string // for messages
	identity model.Identity
	leaf     model.Identity // chains only
	id       []byte         // published log id; nil for chains
	raw      []byte         // the published key or chain bytes
	certs    []*x509.Certificate
	verify   model.Window
	src      model.Src
	// sign lists the service's signing windows (logs only: an authority's
	// chains share its windows and rule 1 checks their union).
	sign []model.SignWindow
}

func entries(env *model.Environment) []entry {
	var out []entry
	for _, l := range env.Rekor {
		if l.PublicKey != nil {
			out = append(out, entry{list: "tlogs", name: fmt.Sprintf("rekor %q (%s)", l.Name, l.URL.V), identity: l.Identity(), id: l.PublicKey.LogID, raw: l.PublicKey.Raw, verify: l.Verify, src: l.Src, sign: l.Sign})
		}
	}
	for _, l := range env.CTLogs {
		if l.PublicKey != nil {
			out = append(out, entry{list: "ctlogs", name: fmt.Sprintf("ct %q (%s)", l.Name, l.URL.V), identity: l.Identity(), id: l.PublicKey.LogID, raw: l.PublicKey.Raw, verify: l.Verify, src: l.Src})
		}
	}
	for _, g := range env.AuthorityGroups() {
		for _, a := range g.Authorities {
			for _, ch := range a.Chains {
				if len(ch.Certificates) == 0 {
					continue
				}
				out = append(out, entry{list: g.List, name: fmt.Sprintf("%s %q chain %q", g.Kind, a.Name, ch.Name), identity: ch.Identity(), leaf: model.LeafIdentity(ch.Certificates),
					raw: chainDER(ch.Certificates), certs: ch.Certificates, verify: ch.Verify, src: ch.Src})
			}
		}
	}
	return out
}

// underivedLists names the trusted-root lists in which env has an entry
// whose key or chain did not derive.
func underivedLists(env *model.Environment) map[string]bool {
	out := map[string]bool{}
	for _, l := range env.Rekor {
		if l.PublicKey == nil {
			out["tlogs"] = true
		}
	}
	for _, l := range env.CTLogs {
		if l.PublicKey == nil {
			out["ctlogs"] = true
		}
	}
	for _, g := range env.AuthorityGroups() {
		for _, a := range g.Authorities {
			for _, ch := range a.Chains {
				if len(ch.Certificates) == 0 {
					out[g.List] = true
				}
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
		return (b.list == "tlogs" || b.list == "ctlogs") && (bytes.Equal(r.PublicKey.Raw, b.raw) || bytes.Equal(r.PublicKey.SPKI, model.KeySPKI(b.raw)))
	case len(r.Certificates) > 0:
		return (b.list == "certificateAuthorities" || b.list == "timestampAuthorities") && model.CompareChains(r.Certificates, b.certs) != model.ChainDifferent
	}
	return false
}

// immutable: rules 6 and 7 for an entry in both releases. What clients
// already verify with never changes; corrections of how it is published
// (a log id, the order of a chain) are notes.
func (c *checker) immutable(b, n entry, now time.Time) {
	switch {
	case b.certs != nil:
		switch model.CompareChains(b.certs, n.certs) {
		case model.ChainReordered:
			if model.LeafFirst(n.certs) {
				c.add(note(RuleImmutable, n.src, "%s: chain reordered leaf first (the same certificates; a correction)", n.name))
			} else {
				c.add(warning(RuleImmutable, n.src, "%s: chain reordered, and no longer leaf first as protobuf-specs asks; publish it leaf first", n.name))
			}
		case model.ChainChanged:
			c.add(violation(RuleImmutable, n.src, "%s: published chain changed around the same leaf; published material never changes, add a new entry instead", n.name))
		}
	case !bytes.Equal(b.id, n.id):
		c.add(note(RuleImmutable, n.src, "%s: log id corrected from %s to %s (the same key and URL; a correction)", n.name, b64(b.id), b64(n.id)))
	case !bytes.Equal(b.raw, n.raw):
		c.add(note(RuleImmutable, n.src, "%s: the same key, published in another encoding", n.name))
	}
	// A start that did not load (a bad date) is reported where it is; it
	// is no move.
	if n.verify.Start.V.IsZero() {
		return
	}
	if !b.verify.Start.V.Equal(n.verify.Start.V) {
		c.add(violation(RuleImmutable, n.verify.Start.Src, "%s: verification start moved from %s to %s; a published start never moves (signatures made since it rely on it)",
			n.name, text.Time(b.verify.Start.V), text.Time(n.verify.Start.V)))
	}
	// An end not yet reached is a plan: withdrawing it, or moving it
	// later, extends trust and revokes nothing. One already reached is
	// history: signatures after it were refused.
	reached := b.verify.HasEnd() && (now.IsZero() || !b.verify.End.V.After(now))
	switch {
	case b.verify.HasEnd() && !n.verify.HasEnd():
		if reached {
			c.add(violation(RuleImmutable, n.verify.Src, "%s: the end %s, already reached, was removed; an ended window stays ended (add a new entry to trust the material again)", n.name, text.Time(b.verify.End.V)))
		}
	case b.verify.HasEnd() && !b.verify.End.V.Equal(n.verify.End.V):
		switch {
		case reached:
			c.add(violation(RuleImmutable, n.verify.End.Src, "%s: the end %s, already reached, moved to %s; an ended window stays as it ended",
				n.name, text.Time(b.verify.End.V), text.Time(n.verify.End.V)))
		case n.verify.End.V.Before(b.verify.End.V):
			c.newEnd(n, now)
		}
	case !b.verify.HasEnd() && n.verify.HasEnd():
		c.newEnd(n, now)
	}
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// newEnd: rule 7. Ending trust in the past revokes signatures clients
// already accepted; ending it before clients stop signing strands theirs.
func (c *checker) newEnd(n entry, now time.Time) {
	end := n.verify.End
	if !now.IsZero() && end.V.Before(now) {
		c.add(violation(RuleNoRetroactiveEnd, end.Src, "%s: new end %s is before the release time %s; ending trust retroactively breaks signatures clients already accepted; end it at %s or later",
			n.name, text.Time(end.V), text.Time(now), text.Time(now)))
	}
	for _, w := range n.sign {
		if !w.HasEnd() || w.End.V.After(end.V) {
			until := "with no end"
			if w.HasEnd() {
				until = "until " + text.Time(w.End.V)
			}
			c.add(violation(RuleNoRetroactiveEnd, end.Src, "%s: new end %s is before the end of its signing window in %s (%s); clients would go on signing with it; end signing first",
				n.name, text.Time(end.V), w.Config, until))
		}
	}
}

// signingStarts: rule 9. A signing window that has started is history:
// clients have signed with the service since its start, so the start stays.
// Ending a window (even in the past) or removing it changes no
// verification, only where clients sign next: it is allowed (a git revert
// of a rollout is a valid rollback), and the rules on the release itself
// (no-gaps, verify-before-sign) say whether clients are left somewhere
// they cannot sign or verify.
func (c *checker) signingStarts(base, next *model.Environment, now time.Time) {
	type win struct {
		w    model.Window
		name string
	}
	index := func(env *model.Environment) map[signKey]win {
		out := map[signKey]win{}
		cc := &checker{env: env}
		for _, s := range cc.signers() {
			for _, w := range s.svc.Sign {
				file := w.Config
				if sc := env.SigningConfig(w.Config); sc != nil {
					file = sc.File.V
				}
				out[signKey{file, s.kind, model.NormalizeURL(s.svc.URL.V)}] = win{w.Window, fmt.Sprintf("%s %q", s.kind, s.svc.Name)}
			}
		}
		return out
	}
	b, n := index(base), index(next)
	keys := make([]signKey, 0, len(b))
	for k := range b {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y signKey) int {
		return cmp.Or(strings.Compare(x.file, y.file), strings.Compare(x.kind, y.kind), strings.Compare(x.url, y.url))
	})
	for _, k := range keys {
		bw := b[k].w
		started := now.IsZero() || !bw.Start.V.After(now)
		nw, ok := n[k]
		if !started || !ok || nw.w.Start.V.IsZero() {
			continue
		}
		if !nw.w.Start.V.Equal(bw.Start.V) {
			c.add(violation(RuleSigningStartFixed, nw.w.Start.Src, "%s: signing in %s started %s and cannot move to %s; clients have signed with it since",
				nw.name, k.file, text.Time(bw.Start.V), text.Time(nw.w.Start.V)))
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

package review

import (
	"fmt"
	"slices"
	"strings"
	"time"

	prototrustroot "github.com/sigstore/protobuf-specs/gen/pb-go/trustroot/v1"
	"github.com/trustc-dev/trustc/clients"
	"github.com/trustc-dev/trustc/release"
)

// impact runs every signer on the old and the new signing config at each
// instant from Now on where anything could change (a window bound of the
// file, old or new, or of the new trusted root) and reports each stretch
// in which some signer behaves differently, clients diverge, or a signer
// uses a service the trusted root does not cover.
func (c *fileCtx) impact() []Impact {
	name := c.name()
	var oldEnv, newEnv *clients.Env
	if c.old != nil {
		oldEnv = clients.NewEnvWithFronts(c.env.old, c.env.fronts)
	}
	if c.new != nil {
		newEnv = clients.NewEnvWithFronts(c.env.new, c.env.fronts)
	}
	points := c.boundaries()
	type stretch struct {
		imp          Impact
		key          string
		raw          []string
		oldCS, newCS *clients.ConfigSnapshot
	}
	var stretches []stretch
	for _, t := range points {
		var oldCS, newCS *clients.ConfigSnapshot
		if oldEnv != nil {
			oldCS = configAt(oldEnv, name, t)
		}
		if newEnv != nil {
			newCS = configAt(newEnv, name, t)
		}
		imp := Impact{From: t, Lines: signerLines(oldCS, newCS, nil)}
		if newCS != nil {
			var before []string
			if oldCS != nil {
				before = append(slices.Clone(oldCS.Divergences), oldCS.Unmatched...)
			}
			for _, d := range newCS.Divergences {
				if slices.Contains(before, d) {
					imp.Still = append(imp.Still, "Clients diverge: "+d)
				} else {
					imp.Divergences = append(imp.Divergences, d)
				}
			}
			for _, u := range newCS.Unmatched {
				if slices.Contains(before, u) {
					imp.Still = append(imp.Still, "Not trusted: "+u)
				} else {
					imp.Untrusted = append(imp.Untrusted, u)
				}
			}
		}
		key := strings.Join(imp.Lines, "\n") + "\x00" + strings.Join(imp.Divergences, "\n") + "\x00" + strings.Join(imp.Untrusted, "\n") + "\x00" + strings.Join(imp.Still, "\n")
		if n := len(stretches); n > 0 && stretches[n-1].key == key {
			continue
		}
		stretches = append(stretches, stretch{imp: imp, key: key, raw: imp.Lines, oldCS: oldCS, newCS: newCS})
	}
	var out []Impact
	for i, s := range stretches {
		if s.key == "\x00\x00\x00" {
			continue
		}
		if i+1 < len(stretches) {
			s.imp.To = stretches[i+1].imp.From
		}
		if i > 0 {
			// Say "still" of signers whose choice the previous stretch
			// already had, and drop lines it already said.
			prev := stretches[i-1]
			worded := signerLines(s.oldCS, s.newCS, prev.newCS)
			s.imp.Lines = nil
			for j, l := range s.raw {
				if !slices.Contains(prev.raw, l) {
					s.imp.Lines = append(s.imp.Lines, worded[j])
				}
			}
		}
		// A stretch in which signers do as before and only what was
		// already so is left says nothing about this change.
		if len(s.imp.Lines) == 0 && len(s.imp.Divergences) == 0 && len(s.imp.Untrusted) == 0 {
			continue
		}
		out = append(out, s.imp)
	}
	return out
}

func configAt(e *clients.Env, name string, t time.Time) *clients.ConfigSnapshot {
	s := e.At(t)
	for i := range s.Configs {
		if s.Configs[i].File == name {
			return &s.Configs[i]
		}
	}
	return nil
}

// boundaries lists the instants at which a selection can change: every
// window start, and 1ns after every window end (ends are inclusive), of
// the file's services before and after and of the new trusted root; from
// Now on, starting at Now. Without Now, from the earliest boundary.
func (c *fileCtx) boundaries() []time.Time {
	var pts []time.Time
	add := func(s span) {
		if !s.start.IsZero() {
			pts = append(pts, s.start)
		}
		if !s.end.IsZero() {
			pts = append(pts, s.end.Add(time.Nanosecond))
		}
	}
	for _, f := range []*envFile{c.old, c.new} {
		if f == nil {
			continue
		}
		for _, l := range [][]*servicePB{f.sc.GetCaUrls(), f.sc.GetOidcUrls(), f.sc.GetRekorTlogUrls(), f.sc.GetTsaUrls()} {
			for _, s := range l {
				add(windowOf(s.ProtoReflect()))
			}
		}
	}
	if e := c.env.new; e != nil && e.TrustedRoot != nil {
		for _, w := range trustWindows(e) {
			add(w)
		}
	}
	slices.SortFunc(pts, time.Time.Compare)
	pts = slices.CompactFunc(pts, time.Time.Equal)
	if c.now.IsZero() {
		return pts
	}
	out := []time.Time{c.now}
	for _, p := range pts {
		if p.After(c.now) {
			out = append(out, p)
		}
	}
	return out
}

func trustWindows(e *release.Env) []span {
	var out []span
	m := e.TrustedRoot.Msg.ProtoReflect()
	for _, field := range []string{"tlogs", "certificateAuthorities", "ctlogs", "timestampAuthorities"} {
		for _, entry := range listOf(m, m.Descriptor().Fields().ByJSONName(field)) {
			out = append(out, windowOf(entry))
		}
	}
	return out
}

type servicePB = prototrustroot.Service

// What each role's service is used for, as a verb phrase: plural, then
// singular.
var roleVerbs = map[clients.Role][2]string{
	clients.RoleCA:    {"get certificates from", "gets certificates from"},
	clients.RoleOIDC:  {"log in at", "logs in at"},
	clients.RoleRekor: {"sign with", "signs with"},
	clients.RoleTSA:   {"timestamp with", "timestamps with"},
}

func verb(plural, singular string, many bool) string {
	if many {
		return plural
	}
	return singular
}

// phrase says what signers do with one role's choice.
func phrase(r clients.Role, ch clients.Choice, many bool) string {
	switch {
	case ch.Error != "":
		return verb("fail", "fails", many) + ": " + ch.Error
	case len(ch.Services) == 0 && ch.Note != "":
		return ch.Note
	case len(ch.Services) == 0:
		return verb("use", "uses", many) + " no " + string(r)
	}
	v := roleVerbs[r]
	s := verb(v[0], v[1], many) + " " + ch.String()
	if ch.Note != "" {
		s += " (" + ch.Note + ")"
	}
	return s
}

// signerLines compares each signer's choice, role by role, and says who
// changes to what and who keeps what. A nil side is a file that does not
// exist there.
//
// prevCS, when set, is the new file at the previous stretch: a signer of a
// new file whose choice is the one it had then "still" has it.
func signerLines(oldCS, newCS, prevCS *clients.ConfigSnapshot) []string {
	signers := clients.Signers()
	choice := func(cs *clients.ConfigSnapshot, i int, r clients.Role) (clients.Choice, bool) {
		if cs == nil {
			return clients.Choice{}, false
		}
		return cs.Signers[i].Choice(r), true
	}
	var lines []string
	for _, r := range clients.Roles {
		type group struct {
			oldKey, newKey string
			prevKey        string
			still          bool
			old, new, prev *clients.Choice
			names          []clients.Client
		}
		var groups []*group
		changed := false
		var readers []clients.Client
		for i, cl := range signers {
			oc, hasOld := choice(oldCS, i, r)
			nc, hasNew := choice(newCS, i, r)
			if (!hasOld || oc.NotRead) && (!hasNew || nc.NotRead) {
				continue
			}
			readers = append(readers, cl)
			g := &group{}
			if hasOld {
				g.old, g.oldKey = &oc, phrase(r, oc, true)
			}
			if hasNew {
				g.new, g.newKey = &nc, phrase(r, nc, true)
			}
			if g.oldKey != g.newKey {
				changed = true
			}
			if pc, ok := choice(prevCS, i, r); ok && !hasOld && hasNew && !pc.NotRead {
				g.prev, g.prevKey = &pc, phrase(r, pc, true)
				g.still = g.prevKey == g.newKey
			}
			j := slices.IndexFunc(groups, func(x *group) bool {
				return x.oldKey == g.oldKey && x.newKey == g.newKey && x.prevKey == g.prevKey
			})
			if j < 0 {
				groups = append(groups, g)
				j = len(groups) - 1
			}
			groups[j].names = append(groups[j].names, cl)
		}
		if !changed {
			continue
		}
		var parts []string
		for _, g := range groups {
			who := groupName(g.names, readers, signers)
			many := len(g.names) > 1
			switch {
			case g.new == nil:
				parts = append(parts, fmt.Sprintf("%s %s this file (before: %s)", who, verb("lose", "loses", many), phrase(r, *g.old, many)))
			case g.old == nil && g.still:
				parts = append(parts, fmt.Sprintf("%s still %s", who, phrase(r, *g.new, many)))
			case g.old == nil && g.prev != nil:
				parts = append(parts, fmt.Sprintf("%s now %s (until then: %s)", who, phrase(r, *g.new, many), phrase(r, *g.prev, many)))
			case g.old == nil:
				parts = append(parts, fmt.Sprintf("%s %s", who, phrase(r, *g.new, many)))
			case g.oldKey == g.newKey:
				parts = append(parts, fmt.Sprintf("%s still %s", who, phrase(r, *g.new, many)))
			default:
				parts = append(parts, fmt.Sprintf("%s now %s (before: %s)", who, phrase(r, *g.new, many), phrase(r, *g.old, many)))
			}
		}
		lines = append(lines, fmt.Sprintf("%s: %s.", r, strings.Join(parts, "; ")))
	}
	return lines
}

// groupName names a set of signers by the class they make up, else lists
// them. Signers are named by release and configuration, so that one
// client never shows in two groups that say different things.
func groupName(g, readers, signers []clients.Client) string {
	names := func(l []clients.Client) []string {
		out := make([]string, len(l))
		for i, c := range l {
			out[i] = c.Name()
		}
		return out
	}
	var v2, v1 []clients.Client
	for _, c := range readers {
		if c.RekorV2() {
			v2 = append(v2, c)
		} else {
			v1 = append(v1, c)
		}
	}
	gn := names(g)
	var rest []string
	for _, c := range names(readers) {
		if !slices.Contains(gn, c) {
			rest = append(rest, c)
		}
	}
	var unread []string
	for _, c := range names(signers) {
		if !slices.Contains(names(readers), c) {
			unread = append(unread, c)
		}
	}
	switch {
	case len(g) > 1 && len(rest) == 0 && len(unread) == 0:
		return "all clients"
	case len(g) > 1 && len(rest) == 0:
		return "all clients but " + joinAnd(unread) + ", which does not read this list,"
	case len(v2) > 1 && slices.Equal(gn, names(v2)):
		return "clients with Rekor v2 support (" + joinAnd(gn) + ")"
	case len(v1) > 1 && slices.Equal(gn, names(v1)):
		return "clients with only Rekor v1 (" + joinAnd(gn) + ")"
	case len(g) > 2 && len(rest) == 1:
		return "all clients except " + rest[0]
	}
	return joinAnd(gn)
}

func joinAnd(l []string) string {
	switch len(l) {
	case 0:
		return ""
	case 1:
		return l[0]
	}
	return strings.Join(l[:len(l)-1], ", ") + " and " + l[len(l)-1]
}

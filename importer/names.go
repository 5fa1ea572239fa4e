package importer

import (
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/trustc-dev/trustc/compiler/model"
)

// Names are suggestions: nothing published depends on a service's, a
// chain's or a material file's name, so a reviewer may rename any of them.
// They follow what Sigstore's own hosts suggest, so that an import of the
// published files reads like the hand-written environments:
//
//	rekor.sigstore.dev                     → rekor
//	log2025-1.rekor.sigstore.dev           → log2025-1
//	log2026-1.us-east4.rekor.sigstage.dev  → log2026-1.us-east4
//	ctfe.sigstore.dev/2022                 → 2022
//	fulcio.sigstore.dev                    → fulcio
//	timestamp.sigstore.dev (TSA), oauth2.sigstore.dev (OIDC) → sigstore
//
// A log, front or CA is named by its host without the domain and without
// the service's own label (…rekor, …ctfe), or by the last segment of its
// path when it has one. A TSA or OIDC provider is named by its domain,
// since a deployment usually has one of each. Chains, and logs that share
// a URL, are named by the year their verification window starts.

// name gives every service, chain and material file its name, and the
// fronts their shards by name.
func (pl *planner) name() {
	env := pl.p.env
	taken := map[string]bool{}
	// Logs that share a URL (a key rotated behind it) take the year their
	// window starts.
	year := func(u string, w model.Window) string { return fmt.Sprintf("%s-%04d", hostName(u), w.Start.V.Year()) }
	for _, l := range env.Rekor {
		l.Name = unique(taken, hostName(l.URL.V), year(l.URL.V, l.Verify), fullName(l.URL.V))
	}
	for _, f := range env.RekorFronts {
		f.Name = unique(taken, hostName(f.URL.V), fullName(f.URL.V))
	}
	taken = map[string]bool{}
	for _, l := range env.CTLogs {
		l.Name = unique(taken, hostName(l.URL.V), year(l.URL.V, l.Verify), fullName(l.URL.V))
	}
	for _, group := range env.AuthorityGroups() {
		kind := group.Kind
		taken = map[string]bool{}
		for _, a := range group.Authorities {
			switch {
			case a.Name != "": // named after its subject
				a.Name = unique(taken, a.Name, kind)
			case kind == "ca":
				a.Name = unique(taken, hostName(a.URL.V), fullName(a.URL.V))
			default:
				a.Name = unique(taken, domainName(a.URL.V), fullName(a.URL.V))
			}
		}
	}
	taken = map[string]bool{}
	for _, o := range env.OIDC {
		o.Name = unique(taken, domainName(o.URL.V), fullName(o.URL.V))
	}
	for _, f := range env.RekorFronts {
		for _, l := range pl.p.shards[f] {
			f.Shards = append(f.Shards, model.Value[string]{V: l.Name})
		}
	}

	files := map[string]bool{}
	for _, l := range env.Rekor {
		l.Key.File.V = logFile(files, "rekor", l.Name)
	}
	for _, l := range env.CTLogs {
		l.Key.File.V = logFile(files, "ctfe", l.Name)
	}
	for _, a := range env.CAs {
		nameChains(files, a, a.Name)
	}
	for _, a := range env.TSAs {
		prefix := "tsa"
		if len(env.TSAs) > 1 {
			prefix = "tsa-" + a.Name
		}
		nameChains(files, a, prefix)
	}
}

func nameChains(files map[string]bool, a *model.Authority, prefix string) {
	taken := map[string]bool{}
	for _, c := range a.Chains {
		c.Name = unique(taken, fmt.Sprintf("%04d", c.Verify.Start.V.Year()), "")
		c.Certs[0].File.V = uniqueFile(files, prefix+"-"+c.Name, ".chain.pem")
	}
}

func logFile(files map[string]bool, kind, name string) string {
	if name == kind {
		return uniqueFile(files, kind, ".pub")
	}
	return uniqueFile(files, name+"."+kind, ".pub")
}

func uniqueFile(taken map[string]bool, stem, ext string) string {
	name := stem + ext
	for i := 2; taken[name]; i++ {
		name = fmt.Sprintf("%s-%d%s", stem, i, ext)
	}
	taken[name] = true
	return name
}

// unique returns the first of the candidates not taken, else the first
// with a number appended.
func unique(taken map[string]bool, candidates ...string) string {
	for _, c := range candidates {
		if c != "" && !taken[c] {
			taken[c] = true
			return c
		}
	}
	base := candidates[0]
	if base == "" {
		base = "service"
	}
	name := base
	for i := 2; taken[name]; i++ {
		name = fmt.Sprintf("%s-%d", base, i)
	}
	taken[name] = true
	return name
}

func parseHost(u string) (labels, segs []string, ok bool) {
	pu, err := url.Parse(u)
	if err != nil || pu.Hostname() == "" {
		return nil, nil, false
	}
	for _, s := range strings.Split(pu.Path, "/") {
		if s != "" {
			segs = append(segs, s)
		}
	}
	host := strings.ToLower(pu.Hostname())
	if net.ParseIP(host) != nil {
		return []string{host}, segs, true
	}
	return strings.Split(host, "."), segs, true
}

// hostName names a log, front or CA (see above).
func hostName(u string) string {
	labels, segs, ok := parseHost(u)
	if !ok {
		return ""
	}
	if len(segs) > 0 {
		return sanitize(segs[len(segs)-1])
	}
	if len(labels) > 2 {
		labels = labels[:len(labels)-2]
		if len(labels) > 1 {
			labels = labels[:len(labels)-1]
		}
	} else {
		labels = labels[:1]
	}
	return sanitize(strings.Join(labels, "."))
}

// domainName names a TSA or OIDC provider after its domain.
func domainName(u string) string {
	labels, _, ok := parseHost(u)
	if !ok {
		return ""
	}
	if len(labels) >= 2 {
		return sanitize(labels[len(labels)-2])
	}
	return sanitize(labels[0])
}

// fullName is the fallback when two services would share a name: the
// whole host and path.
func fullName(u string) string {
	labels, segs, ok := parseHost(u)
	if !ok {
		return ""
	}
	return sanitize(strings.Join(append([]string{strings.Join(labels, ".")}, segs...), "-"))
}

func isNameRune(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.'
}

// sanitize keeps a name to letters, digits, '-' and '.', so that it is a
// safe file name too.
func sanitize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if isNameRune(r) {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	return strings.Trim(b.String(), "-.")
}

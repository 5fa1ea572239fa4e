package importer

import (
	"fmt"
	"net"
	"net/url"
	"strings"
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

// name gives every service, chain and material file its name.
func (pl *planner) name() {
	p := pl.p
	taken := map[string]bool{}
	// Logs that share a URL (a key rotated behind it) take the year their
	// window starts.
	year := func(l *plog) string { return fmt.Sprintf("%s-%04d", hostName(l.url), l.verify.start.Year()) }
	for _, l := range p.rekor {
		l.name = unique(taken, hostName(l.url), year(l), fullName(l.url))
	}
	for _, f := range p.fronts {
		f.name = unique(taken, hostName(f.url), fullName(f.url))
	}
	taken = map[string]bool{}
	for _, l := range p.ct {
		l.name = unique(taken, hostName(l.url), year(l), fullName(l.url))
	}
	for _, group := range [][]*pauth{p.ca, p.tsa} {
		taken = map[string]bool{}
		for _, a := range group {
			switch {
			case a.name != "": // named after its subject
				a.name = unique(taken, a.name, a.kind)
			case a.kind == "ca":
				a.name = unique(taken, hostName(a.url), fullName(a.url))
			default:
				a.name = unique(taken, domainName(a.url), fullName(a.url))
			}
		}
	}
	taken = map[string]bool{}
	for _, o := range p.oidc {
		o.name = unique(taken, domainName(o.url), fullName(o.url))
	}

	files := map[string]bool{}
	for _, l := range p.rekor {
		l.keyFile = logFile(files, "rekor", l.name)
	}
	for _, l := range p.ct {
		l.keyFile = logFile(files, "ctfe", l.name)
	}
	for _, a := range p.ca {
		pl.nameChains(files, a, a.name)
	}
	for _, a := range p.tsa {
		prefix := "tsa"
		if len(p.tsa) > 1 {
			prefix = "tsa-" + a.name
		}
		pl.nameChains(files, a, prefix)
	}
}

func (pl *planner) nameChains(files map[string]bool, a *pauth, prefix string) {
	taken := map[string]bool{}
	for _, c := range a.chains {
		c.name = unique(taken, fmt.Sprintf("%04d", c.verify.start.Year()), "")
		c.file = uniqueFile(files, prefix+"-"+c.name, ".chain.pem")
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

package emit

import (
	"fmt"
	"slices"

	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/release"
)

// Source says where a declared value lands in the emitted files: the file,
// the JSON path inside it (as review and jsonpos spell paths, e.g.
// "tlogs[1].publicKey.validFor.end"; empty for the file as a whole) and the
// value's Src in the input.
type Source struct {
	File string
	Path string
	Src  model.Src
}

// SourceMap is every Source of one environment, trusted root first, then
// the signing configs in declaration order, then the legacy file.
type SourceMap []Source

// Sources maps the values env declares to the places Environment emits
// them, so that a problem reported at a CUE field can be shown beside the
// published entry it changes. It follows Environment's own order (the same
// sorting helpers), so a path names the entry clients will read.
//
// A value emitted in several places (a service's URL in the trusted root
// and in each signing config) has one Source per place.
func Sources(env *model.Environment) SourceMap {
	var m SourceMap
	add := func(file, path string, src model.Src) {
		if len(src.Path) > 0 {
			m = append(m, Source{File: file, Path: path, Src: src})
		}
	}
	window := func(file, path string, w model.Window) {
		add(file, path, w.Src)
		add(file, path+".start", w.Start.Src)
		if w.HasEnd() {
			add(file, path+".end", w.End.Src)
		}
	}

	tr := env.TrustedRoot.File.V
	// Only v0.2 trusted roots carry operators (see tlog).
	v02 := env.TrustedRoot.MediaType.V == release.TrustedRootMediaType02
	add(tr, "", env.TrustedRoot.File.Src)
	add(tr, "mediaType", env.TrustedRoot.MediaType.Src)
	logs := func(list string, i int, src, url, operator model.Src, key model.Material, logID, details model.Value[string], verify model.Window) {
		p := fmt.Sprintf("%s[%d]", list, i)
		add(tr, p, src)
		add(tr, p+".baseUrl", url)
		add(tr, p+".publicKey.rawBytes", key.File.Src)
		add(tr, p+".publicKey.keyDetails", details.Src)
		window(tr, p+".publicKey.validFor", verify)
		add(tr, p+".logId", logID.Src)
		if v02 {
			add(tr, p+".operator", operator)
		}
	}
	for i, l := range sortedLogs(env.Rekor) {
		logs("tlogs", i, l.Src, l.URL.Src, l.Operator.Src, l.Key, l.LogID, l.KeyDetails, l.Verify)
	}
	for i, l := range sortedCTLogs(env.CTLogs) {
		logs("ctlogs", i, l.Src, l.URL.Src, l.Operator.Src, l.Key, l.LogID, l.KeyDetails, l.Verify)
	}
	for _, g := range []struct {
		list string
		as   []*model.Authority
	}{{"certificateAuthorities", env.CAs}, {"timestampAuthorities", env.TSAs}} {
		chains := sortedChains(g.as)
		for i, e := range chains {
			p := fmt.Sprintf("%s[%d]", g.list, i)
			add(tr, p, e.c.Src)
			add(tr, p+".uri", e.a.URL.Src)
			for k, c := range e.c.Certs {
				add(tr, fmt.Sprintf("%s.certChain.certificates[%d]", p, k), c.File.Src)
			}
			if o := e.c.SubjectOverride; o != nil {
				add(tr, p+".subject", o.Src)
				add(tr, p+".subject.organization", o.Organization.Src)
				add(tr, p+".subject.commonName", o.CommonName.Src)
			}
			window(tr, p+".validFor", e.c.Verify)
			if v02 {
				add(tr, p+".operator", e.a.Operator.Src)
			}
		}
		// An authority as a whole is its first chain in the trusted root.
		for _, a := range g.as {
			if i := slices.IndexFunc(chains, func(e chainEntry) bool { return e.a == a }); i >= 0 {
				add(tr, fmt.Sprintf("%s[%d]", g.list, i), a.Src)
			}
		}
	}
	// A retirement removes a trusted-root entry; it concerns the file.
	for _, r := range env.Retired {
		add(tr, "", r.Src)
	}

	for _, sc := range env.SigningConfigs {
		f := sc.File.V
		add(f, "", sc.Src)
		add(f, "rekorTlogConfig.selector", sc.Rekor.Selector.Src)
		add(f, "rekorTlogConfig.count", sc.Rekor.Count.Src)
		add(f, "tsaConfig.selector", sc.TSA.Selector.Src)
		add(f, "tsaConfig.count", sc.TSA.Count.Src)
		for _, l := range []struct {
			field string
			svcs  []*model.Service
		}{
			{"caUrls", authorityServices(env.CAs)},
			{"oidcUrls", oidcServices(env.OIDC)},
			{"rekorTlogUrls", rekorServices(env)},
			{"tsaUrls", authorityServices(env.TSAs)},
		} {
			for i, e := range signEntries(sc.Name, l.svcs) {
				p := fmt.Sprintf("%s[%d]", l.field, i)
				add(f, p, e.w.Src)
				add(f, p+".url", e.s.URL.Src)
				add(f, p+".majorApiVersion", e.s.API.Src)
				window(f, p+".validFor", e.w)
				add(f, p+".operator", e.s.Operator.Src)
			}
		}
	}
	// Services that are not trusted-root entries (OIDC providers, Rekor
	// fronts) are, as a whole, their first signing-config entry.
	for _, s := range slices.Concat(oidcServices(env.OIDC), frontServices(env)) {
		for _, src := range m {
			if len(s.Sign) > 0 && slices.Equal(src.Src.Path, s.Sign[0].Src.Path) {
				add(src.File, src.Path, s.Src)
				break
			}
		}
	}

	if l := env.Legacy; l != nil {
		f := l.File.V
		add(f, "", l.Src)
		add(f, "caUrl", l.CAURL.Src)
		add(f, "oidcUrl", l.OIDCURL.Src)
		for i, u := range l.TlogURLs {
			add(f, fmt.Sprintf("tlogUrls[%d]", i), u.Src)
		}
		for i, u := range l.TSAURLs {
			add(f, fmt.Sprintf("tsaUrls[%d]", i), u.Src)
		}
	}
	return m
}

func frontServices(env *model.Environment) []*model.Service {
	out := make([]*model.Service, len(env.RekorFronts))
	for i, f := range env.RekorFronts {
		out[i] = &f.Service
	}
	return out
}

// Lookup finds where the value at path (a Src path, as rules report it)
// lands: the Source declared at exactly that path, else the one at its
// longest leading part, so that a problem in a field trustc does not
// publish (a waiting period, a shard name) lands on the entry or file it
// belongs to. Among equally good matches the first wins: the trusted
// root's entry before a signing config's. ok is false when no declared
// value encloses path (policy settings, for example, are published
// nowhere).
func (m SourceMap) Lookup(path []string) (s Source, ok bool) {
	best := -1
	for _, src := range m {
		n := len(src.Src.Path)
		if n <= best || n > len(path) || !slices.Equal(src.Src.Path, path[:n]) {
			continue
		}
		s, best, ok = src, n, true
		if n == len(path) {
			break
		}
	}
	return s, ok
}

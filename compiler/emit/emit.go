package emit

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"

	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	prototrustroot "github.com/sigstore/protobuf-specs/gen/pb-go/trustroot/v1"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/release"
)

// Environment emits every file env publishes.
func Environment(env *model.Environment) (*release.Env, error) {
	out := &release.Env{Name: env.Name}

	tr := TrustedRoot(env)
	b, err := Canonical(tr)
	if err != nil {
		return nil, err
	}
	out.TrustedRoot = &release.TrustedRootFile{Name: env.TrustedRoot.File.V, Bytes: b, Msg: tr}

	for _, sc := range env.SigningConfigs {
		m := SigningConfig(env, sc)
		b, err := Canonical(m)
		if err != nil {
			return nil, err
		}
		out.SigningConfigs = append(out.SigningConfigs, &release.SigningConfigFile{Name: sc.File.V, Bytes: b, Msg: m})
	}
	slices.SortFunc(out.SigningConfigs, func(a, b *release.SigningConfigFile) int { return cmp.Compare(a.Name, b.Name) })

	if env.Legacy != nil {
		m := LegacySigningConfig(env.Legacy)
		b, err := canonicalLegacy(m)
		if err != nil {
			return nil, err
		}
		out.Legacy = &release.LegacySigningConfigFile{Name: env.Legacy.File.V, Bytes: b, Msg: m}
	}

	if out.Targets, err = TUFTargets(env); err != nil {
		return nil, err
	}
	return out, nil
}

// TUFTargets emits the files env publishes as TUF targets of their own,
// sorted by name: the material bytes unchanged, and the custom object
// root-signing writes, {"sigstore":{"status":…,"uri":…,"usage":…}}, keys
// sorted as its serialiser sorts them, no uri for usage "Unknown".
func TUFTargets(env *model.Environment) ([]*release.Target, error) {
	var out []*release.Target
	for _, t := range env.TUFTargets {
		custom := release.TargetCustom{Sigstore: release.TargetSigstore{Status: t.Status.V, URI: t.URI, Usage: t.Usage}}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false) // URLs may hold '&'
		if err := enc.Encode(custom); err != nil {
			return nil, fmt.Errorf("marshal custom metadata of %s: %w", t.File.V, err)
		}
		out = append(out, &release.Target{
			Name:   t.File.V,
			Bytes:  t.Bytes,
			Custom: bytes.TrimSuffix(buf.Bytes(), []byte("\n")),
		})
	}
	slices.SortFunc(out, func(a, b *release.Target) int { return cmp.Compare(a.Name, b.Name) })
	return out, nil
}

// TrustedRoot builds the trusted root. Every list is sorted by the start of
// its verification window, oldest first, as protobuf-specs asks; entries
// starting at the same instant keep their CUE declaration order.
func TrustedRoot(env *model.Environment) *prototrustroot.TrustedRoot {
	return trustedRoot(env, nil)
}

func trustedRoot(env *model.Environment, r *recorder) *prototrustroot.TrustedRoot {
	// Only v0.2 trusted roots carry operators (see tlog).
	v02 := env.TrustedRoot.MediaType.V == release.TrustedRootMediaType02
	tr := &prototrustroot.TrustedRoot{MediaType: env.TrustedRoot.MediaType.V}
	r.in(env.TrustedRoot.File.V)
	r.add("", env.TrustedRoot.File.Src)
	r.add("mediaType", env.TrustedRoot.MediaType.Src)

	for i, l := range sortedLogs(env.Rekor) {
		tr.Tlogs = append(tr.Tlogs, tlog(r.at("tlogs", i), l.Src, l.URL, l.Operator, l.Key, l.LogID, l.KeyDetails, l.PublicKey, l.Verify, v02))
	}
	for i, l := range sortedCTLogs(env.CTLogs) {
		tr.Ctlogs = append(tr.Ctlogs, tlog(r.at("ctlogs", i), l.Src, l.URL, l.Operator, l.Key, l.LogID, l.KeyDetails, l.PublicKey, l.Verify, v02))
	}
	tr.CertificateAuthorities = authorities(r, "certificateAuthorities", env.CAs, v02)
	tr.TimestampAuthorities = authorities(r, "timestampAuthorities", env.TSAs, v02)
	// A retirement removes a trusted-root entry; it concerns the file.
	for _, ret := range env.Retired {
		r.add("", ret.Src)
	}
	return tr
}

// sortedLogs and sortedCTLogs put logs in trusted-root order: by the start
// of verification, ties in CUE declaration order.
func sortedLogs(ls []*model.RekorLog) []*model.RekorLog {
	out := slices.Clone(ls)
	slices.SortStableFunc(out, func(a, b *model.RekorLog) int { return a.Verify.Start.V.Compare(b.Verify.Start.V) })
	return out
}

func sortedCTLogs(ls []*model.CTLog) []*model.CTLog {
	out := slices.Clone(ls)
	slices.SortStableFunc(out, func(a, b *model.CTLog) int { return a.Verify.Start.V.Compare(b.Verify.Start.V) })
	return out
}

// tlog builds one log entry; r records at the entry's path.
func tlog(r *recorder, src model.Src, url, operator model.Value[string], key model.Material, logID, details model.Value[string], pk *model.PublicKey, w model.Window, v02 bool) *prototrustroot.TransparencyLogInstance {
	r.add("", src)
	r.add(".baseUrl", url.Src)
	r.add(".publicKey.rawBytes", key.File.Src)
	r.add(".publicKey.keyDetails", details.Src)
	r.window(".publicKey.validFor", w)
	r.add(".logId", logID.Src)
	t := &prototrustroot.TransparencyLogInstance{
		BaseUrl: url.V,
		// RFC 6962 and C2SP tlog-tiles both fix the Merkle tree hash to
		// SHA-256; no Sigstore log uses anything else.
		HashAlgorithm: protocommon.HashAlgorithm_SHA2_256,
		PublicKey: &protocommon.PublicKey{
			RawBytes:   pk.Raw,
			KeyDetails: protocommon.PublicKeyDetails(protocommon.PublicKeyDetails_value[pk.Details]),
			ValidFor:   timeRange(w),
		},
		LogId: &protocommon.LogId{KeyId: pk.LogID},
	}
	if v02 {
		// Older parsers reject these fields, so only v0.2 roots carry them.
		t.CheckpointKeyId = &protocommon.LogId{KeyId: pk.CheckpointKeyID}
		t.Operator = operator.V
		r.add(".operator", operator.Src)
	}
	return t
}

// chainEntry is one trusted-root authority entry: one chain of one
// authority.
type chainEntry struct {
	a *model.Authority
	c *model.Chain
}

// sortedChains lists every chain of as by the start of its verification
// window, ties in declaration order.
func sortedChains(as []*model.Authority) []chainEntry {
	var all []chainEntry
	for _, a := range as {
		for _, c := range a.Chains {
			all = append(all, chainEntry{a, c})
		}
	}
	slices.SortStableFunc(all, func(x, y chainEntry) int { return x.c.Verify.Start.V.Compare(y.c.Verify.Start.V) })
	return all
}

// authorities builds the entries of list, one per chain; r records at
// list's paths.
func authorities(r *recorder, list string, as []*model.Authority, v02 bool) []*prototrustroot.CertificateAuthority {
	var out []*prototrustroot.CertificateAuthority
	chains := sortedChains(as)
	for i, e := range chains {
		er := r.at(list, i)
		er.add("", e.c.Src)
		er.add(".uri", e.a.URL.Src)
		for k, c := range e.c.Certs {
			er.at(".certChain.certificates", k).add("", c.File.Src)
		}
		if o := e.c.SubjectOverride; o != nil {
			er.add(".subject", o.Src)
			er.add(".subject.organization", o.Organization.Src)
			er.add(".subject.commonName", o.CommonName.Src)
		}
		er.window(".validFor", e.c.Verify)
		ca := &prototrustroot.CertificateAuthority{
			Subject:   &protocommon.DistinguishedName{Organization: e.c.Subject.Organization, CommonName: e.c.Subject.CommonName},
			Uri:       e.a.URL.V,
			CertChain: &protocommon.X509CertificateChain{},
			ValidFor:  timeRange(e.c.Verify),
		}
		for _, cert := range e.c.Certificates {
			ca.CertChain.Certificates = append(ca.CertChain.Certificates, &protocommon.X509Certificate{RawBytes: cert.Raw})
		}
		if v02 {
			ca.Operator = e.a.Operator.V
			er.add(".operator", e.a.Operator.Src)
		}
		out = append(out, ca)
	}
	// An authority as a whole is its first chain in the trusted root.
	for _, a := range as {
		if i := slices.IndexFunc(chains, func(e chainEntry) bool { return e.a == a }); i >= 0 {
			r.at(list, i).add("", a.Src)
		}
	}
	return out
}

func timeRange(w model.Window) *protocommon.TimeRange {
	r := &protocommon.TimeRange{Start: timestamppb.New(w.Start.V)}
	if w.HasEnd() {
		r.End = timestamppb.New(w.End.V)
	}
	return r
}

// SigningConfig builds one v0.2 signing config: the services whose sign
// windows name it, each list newest start first as protobuf-specs asks
// (ties keep CUE declaration order).
func SigningConfig(env *model.Environment, sc *model.SigningConfig) *prototrustroot.SigningConfig {
	return signingConfig(env, sc, nil)
}

func signingConfig(env *model.Environment, sc *model.SigningConfig, r *recorder) *prototrustroot.SigningConfig {
	r.in(sc.File.V)
	r.add("", sc.Src)
	r.add("rekorTlogConfig.selector", sc.Rekor.Selector.Src)
	r.add("rekorTlogConfig.count", sc.Rekor.Count.Src)
	r.add("tsaConfig.selector", sc.TSA.Selector.Src)
	r.add("tsaConfig.count", sc.TSA.Count.Src)
	return &prototrustroot.SigningConfig{
		MediaType:       release.SigningConfigMediaType02,
		CaUrls:          services(r, "caUrls", sc.Name, authorityServices(env.CAs)),
		OidcUrls:        services(r, "oidcUrls", sc.Name, oidcServices(env.OIDC)),
		RekorTlogUrls:   services(r, "rekorTlogUrls", sc.Name, rekorServices(env)),
		RekorTlogConfig: selector(sc.Rekor),
		TsaUrls:         services(r, "tsaUrls", sc.Name, authorityServices(env.TSAs)),
		TsaConfig:       selector(sc.TSA),
	}
}

func authorityServices(as []*model.Authority) []*model.Service {
	out := make([]*model.Service, len(as))
	for i, a := range as {
		out[i] = &a.Service
	}
	return out
}

func oidcServices(os []*model.OIDCProvider) []*model.Service {
	out := make([]*model.Service, len(os))
	for i, o := range os {
		out[i] = &o.Service
	}
	return out
}

// rekorServices lists logs, then fronts, in declaration order.
func rekorServices(env *model.Environment) []*model.Service {
	var out []*model.Service
	for _, l := range env.Rekor {
		out = append(out, &l.Service)
	}
	for _, f := range env.RekorFronts {
		out = append(out, &f.Service)
	}
	return out
}

// signEntry is one service in one signing config, with its window there.
type signEntry struct {
	s *model.Service
	w model.Window
}

// signEntries lists the services whose sign windows name config, newest
// start first, ties in declaration order.
func signEntries(config string, svcs []*model.Service) []signEntry {
	var in []signEntry
	for _, s := range svcs {
		if w, ok := s.SignWindow(config); ok {
			in = append(in, signEntry{s, w})
		}
	}
	slices.SortStableFunc(in, func(a, b signEntry) int { return b.w.Start.V.Compare(a.w.Start.V) })
	return in
}

// services builds the entries of list in one signing config; r records
// at list's paths.
func services(r *recorder, list, config string, svcs []*model.Service) []*prototrustroot.Service {
	var out []*prototrustroot.Service
	for i, e := range signEntries(config, svcs) {
		er := r.at(list, i)
		er.add("", e.w.Src)
		er.add(".url", e.s.URL.Src)
		er.add(".majorApiVersion", e.s.API.Src)
		er.window(".validFor", e.w)
		er.add(".operator", e.s.Operator.Src)
		out = append(out, &prototrustroot.Service{
			Url:             e.s.URL.V,
			MajorApiVersion: uint32(e.s.API.V),
			ValidFor:        timeRange(e.w),
			Operator:        e.s.Operator.V,
		})
	}
	return out
}

func selector(s model.Selector) *prototrustroot.ServiceConfiguration {
	return &prototrustroot.ServiceConfiguration{
		Selector: prototrustroot.ServiceSelector(prototrustroot.ServiceSelector_value[s.Selector.V]),
		Count:    uint32(s.Count.V),
	}
}

// LegacySigningConfig builds the v0.1 signing config.
func LegacySigningConfig(l *model.LegacySigningConfig) *release.LegacySigningConfig {
	return legacySigningConfig(l, nil)
}

func legacySigningConfig(l *model.LegacySigningConfig, r *recorder) *release.LegacySigningConfig {
	r.in(l.File.V)
	r.add("", l.Src)
	r.add("caUrl", l.CAURL.Src)
	r.add("oidcUrl", l.OIDCURL.Src)
	m := &release.LegacySigningConfig{
		MediaType: release.SigningConfigMediaType01,
		CAURL:     l.CAURL.V,
		OIDCURL:   l.OIDCURL.V,
	}
	for i, u := range l.TlogURLs {
		r.at("tlogUrls", i).add("", u.Src)
		m.TlogURLs = append(m.TlogURLs, u.V)
	}
	for i, u := range l.TSAURLs {
		r.at("tsaUrls", i).add("", u.Src)
		m.TSAURLs = append(m.TSAURLs, u.V)
	}
	return m
}

// canonicalLegacy writes the v0.1 file in the same layout as Canonical,
// with keys in the order Sigstore published (mediaType first). HTML
// escaping is off: URLs may hold '&'.
func canonicalLegacy(m *release.LegacySigningConfig) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(m); err != nil {
		return nil, fmt.Errorf("marshal legacy signing config: %w", err)
	}
	return indent(buf.Bytes())
}

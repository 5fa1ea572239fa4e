package load

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"cuelang.org/go/cue/errors"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	prototrustroot "github.com/sigstore/protobuf-specs/gen/pb-go/trustroot/v1"

	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/internal/jsonpos"
	"github.com/trustc-dev/trustc/release"
)

// JSONOptions supply what published JSON does not say: the policy a
// hand-edited environment is checked against and the shards behind any
// front URL.
type JSONOptions struct {
	// Dir names the directory the files came from, for positions.
	Dir string
	// WaitingPeriod applies to every signing config.
	WaitingPeriod      time.Duration
	TUFTimestampExpiry time.Duration
	Buffer             time.Duration
	Clients            []string
	// Fronts maps a signing URL to the base URLs of the logs behind it.
	Fronts map[string][]string
	// MainFile is the signing config that must keep a Rekor v1 log; the
	// others are opt-in. Default signing_config.v0.2.json.
	MainFile string
}

// FromRelease turns a published environment into the model, so that the
// same rules check a hand-edited file and a compiled one. Every value keeps
// its JSON file, line and column. Trusted-root entries become services by
// URL; a signing URL with no trusted-root entry becomes a service without
// verification material, which the policy then reports.
func FromRelease(env *release.Env, opts JSONOptions) (*model.Environment, error) {
	j := &jsonLoader{opts: opts, env: &model.Environment{Name: env.Name, Dir: opts.Dir}}
	if opts.MainFile == "" {
		j.opts.MainFile = "signing_config.v0.2.json"
	}
	for _, f := range env.Files() {
		doc, err := jsonpos.New(filepath.Join(opts.Dir, f.Name), f.Bytes)
		if err != nil {
			return nil, err
		}
		if j.docs == nil {
			j.docs = map[string]*jsonpos.Doc{}
		}
		j.docs[f.Name] = doc
	}
	j.trustedRoot(env.TrustedRoot)
	for _, sc := range env.SigningConfigs {
		j.signingConfig(sc)
	}
	j.inferShards()
	if env.Legacy != nil {
		j.legacy(env.Legacy)
	}
	j.env.Policy = model.Policy{
		TUFTimestampExpiry: model.Value[time.Duration]{V: opts.TUFTimestampExpiry},
		Buffer:             model.Value[time.Duration]{V: opts.Buffer},
	}
	for _, c := range opts.Clients {
		j.env.Policy.Clients = append(j.env.Policy.Clients, model.Value[string]{V: c})
	}
	if j.errs != nil {
		return j.env, errors.Sanitize(j.errs)
	}
	return j.env, nil
}

type jsonLoader struct {
	opts JSONOptions
	env  *model.Environment
	docs map[string]*jsonpos.Doc
	errs errors.Error
	// byURL finds a service by kind and URL: signing configs name their
	// services by URL, and a linear search per entry was O(n²).
	byURL map[svcKey]*model.Service
	logs  map[string]*model.RekorLog
}

type svcKey struct{ kind, url string }

func (j *jsonLoader) remember(kind string, s *model.Service) {
	if j.byURL == nil {
		j.byURL = map[svcKey]*model.Service{}
	}
	if _, ok := j.byURL[svcKey{kind, s.URL.V}]; !ok && s.URL.V != "" {
		j.byURL[svcKey{kind, s.URL.V}] = s
	}
}

func (j *jsonLoader) src(file, path string) model.Src {
	s := model.Src{Path: []string{path}}
	if d := j.docs[file]; d != nil {
		s.Pos = d.Pos(path)
	}
	if path == "" {
		s.Path = nil
	}
	return s
}

func (j *jsonLoader) fail(err errors.Error) { j.errs = errors.Append(j.errs, err) }

func (j *jsonLoader) window(file, path string, r *protocommon.TimeRange) model.Window {
	w := model.Window{Src: j.src(file, path)}
	w.Start = model.Value[time.Time]{Src: j.src(file, path+".start")}
	if r.GetStart() == nil {
		j.fail(w.Src.Rulef(model.RuleWellFormed, "%s has no validFor.start", file))
	} else {
		w.Start.V = r.GetStart().AsTime()
	}
	if r.GetEnd() != nil {
		w.End = model.Value[time.Time]{V: r.GetEnd().AsTime(), Src: j.src(file, path+".end")}
	}
	return w
}

func (j *jsonLoader) trustedRoot(tr *release.TrustedRootFile) {
	f, m := tr.Name, tr.Msg
	j.env.Src = j.src(f, "")
	j.env.TrustedRoot = model.TrustedRoot{
		File:      model.Value[string]{V: f, Src: j.src(f, "")},
		MediaType: model.Value[string]{V: m.GetMediaType(), Src: j.src(f, "mediaType")},
	}
	for i, t := range m.GetTlogs() {
		p := fmt.Sprintf("tlogs[%d]", i)
		l := &model.RekorLog{Service: j.service(f, p, t.GetBaseUrl(), t.GetOperator(), "baseUrl")}
		// The trusted root does not say a log's API version. A signing
		// config naming the log does; otherwise derive reads it from the
		// published log id, as trustc import does. The position stays
		// unset to tell the two apart.
		l.API = model.Value[int]{V: 1}
		if t.GetPublicKey().GetKeyDetails() == protocommon.PublicKeyDetails_PKIX_ED25519 {
			l.API.V = 2
		}
		l.Key, l.LogID, l.KeyDetails = j.key(f, p, t)
		l.Verify = j.window(f, p+".publicKey.validFor", t.GetPublicKey().GetValidFor())
		j.env.Rekor = append(j.env.Rekor, l)
		j.remember("rekor", &l.Service)
		if j.logs == nil {
			j.logs = map[string]*model.RekorLog{}
		}
		if _, ok := j.logs[l.URL.V]; !ok {
			j.logs[l.URL.V] = l
		}
	}
	for i, t := range m.GetCtlogs() {
		p := fmt.Sprintf("ctlogs[%d]", i)
		svc := j.service(f, p, t.GetBaseUrl(), t.GetOperator(), "baseUrl")
		l := &model.CTLog{Name: svc.Name, Src: svc.Src, Operator: svc.Operator, URL: svc.URL}
		l.Key, l.LogID, l.KeyDetails = j.key(f, p, t)
		l.Verify = j.window(f, p+".publicKey.validFor", t.GetPublicKey().GetValidFor())
		j.env.CTLogs = append(j.env.CTLogs, l)
	}
	j.env.CAs = j.authorities(f, "certificateAuthorities", m.GetCertificateAuthorities())
	j.env.TSAs = j.authorities(f, "timestampAuthorities", m.GetTimestampAuthorities())
	for _, a := range j.env.CAs {
		j.remember("ca", &a.Service)
	}
	for _, a := range j.env.TSAs {
		j.remember("tsa", &a.Service)
	}

	// protobuf-specs asks for every trusted-root list oldest first.
	j.ascending(f, "tlogs", len(m.GetTlogs()), func(i int) *protocommon.TimeRange { return m.GetTlogs()[i].GetPublicKey().GetValidFor() }, ".publicKey.validFor.start")
	j.ascending(f, "ctlogs", len(m.GetCtlogs()), func(i int) *protocommon.TimeRange { return m.GetCtlogs()[i].GetPublicKey().GetValidFor() }, ".publicKey.validFor.start")
	j.ascending(f, "certificateAuthorities", len(m.GetCertificateAuthorities()), func(i int) *protocommon.TimeRange { return m.GetCertificateAuthorities()[i].GetValidFor() }, ".validFor.start")
	j.ascending(f, "timestampAuthorities", len(m.GetTimestampAuthorities()), func(i int) *protocommon.TimeRange { return m.GetTimestampAuthorities()[i].GetValidFor() }, ".validFor.start")
}

func (j *jsonLoader) ascending(file, list string, n int, at func(int) *protocommon.TimeRange, suffix string) {
	for i := 1; i < n; i++ {
		prev, cur := at(i-1).GetStart().AsTime(), at(i).GetStart().AsTime()
		if cur.Before(prev) {
			j.fail(j.src(file, fmt.Sprintf("%s[%d]%s", list, i, suffix)).Warnf(model.RuleWellFormed, "%s[%d] starts %s, before %s[%d] (%s); protobuf-specs lists trusted-root entries oldest first",
				list, i, cur.Format(time.RFC3339Nano), list, i-1, prev.Format(time.RFC3339Nano)))
		}
	}
}

// service makes the service part of an entry; its name is its URL without
// the scheme, which is what a reader of the JSON recognises.
func (j *jsonLoader) service(file, path, u, operator, urlField string) model.Service {
	name := strings.TrimPrefix(u, "https://")
	if name == "" {
		name = path
	}
	return model.Service{
		Name:     name,
		Src:      j.src(file, path),
		Operator: model.Value[string]{V: operator, Src: j.src(file, path+".operator")},
		URL:      model.Value[string]{V: u, Src: j.src(file, path+"."+urlField)},
	}
}

// key turns a log's published key into material as derive expects it, and
// keeps the published log id and key details so that derive checks them.
func (j *jsonLoader) key(file, path string, t *prototrustroot.TransparencyLogInstance) (model.Material, model.Value[string], model.Value[string]) {
	pk := t.GetPublicKey()
	typ := "PUBLIC KEY"
	if strings.HasPrefix(pk.GetKeyDetails().String(), "PKCS1_") {
		typ = "RSA PUBLIC KEY"
	}
	m := model.Material{
		File:  model.Value[string]{V: file + " " + path + ".publicKey.rawBytes", Src: j.src(file, path+".publicKey.rawBytes")},
		Bytes: pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: pk.GetRawBytes()}),
	}
	id := model.Value[string]{V: base64.StdEncoding.EncodeToString(t.GetLogId().GetKeyId()), Src: j.src(file, path+".logId.keyId")}
	details := model.Value[string]{V: pk.GetKeyDetails().String(), Src: j.src(file, path+".publicKey.keyDetails")}
	return m, id, details
}

// authorities groups chains by URI into services, in order of appearance.
func (j *jsonLoader) authorities(file, list string, cas []*prototrustroot.CertificateAuthority) []*model.Authority {
	var out []*model.Authority
	byURI := map[string]*model.Authority{}
	for i, ca := range cas {
		p := fmt.Sprintf("%s[%d]", list, i)
		a := byURI[ca.GetUri()]
		if ca.GetUri() == "" {
			a = nil
		}
		if a == nil {
			a = &model.Authority{Service: j.service(file, p, ca.GetUri(), ca.GetOperator(), "uri")}
			if ca.GetUri() == "" {
				// Trust-only authorities (no URI) are known by their subject.
				a.Name = ca.GetSubject().GetOrganization() + " " + ca.GetSubject().GetCommonName()
			}
			a.API = model.Value[int]{V: 1, Src: a.URL.Src}
			out = append(out, a)
			if ca.GetUri() != "" {
				byURI[ca.GetUri()] = a
			}
		}
		ch := &model.Chain{Name: p, Src: j.src(file, p), Verify: j.window(file, p+".validFor", ca.GetValidFor())}
		var b []byte
		var anchor *x509.Certificate
		for _, c := range ca.GetCertChain().GetCertificates() {
			b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.GetRawBytes()})...)
			anchor, _ = x509.ParseCertificate(c.GetRawBytes())
		}
		ch.Certs = []model.Material{{File: model.Value[string]{V: file + " " + p + ".certChain", Src: j.src(file, p+".certChain")}, Bytes: b}}
		if len(b) == 0 {
			ch.Certs[0].Bytes = []byte{} // derive reports the empty chain
		}
		// Publish the subject as given where it differs from the anchor's.
		sub := ca.GetSubject()
		if anchor != nil {
			org := ""
			if len(anchor.Subject.Organization) > 0 {
				org = anchor.Subject.Organization[0]
			}
			if org != sub.GetOrganization() || anchor.Subject.CommonName != sub.GetCommonName() {
				s := j.src(file, p+".subject")
				ch.SubjectOverride = &model.SubjectOverride{
					Src:          s,
					Organization: model.Value[string]{V: sub.GetOrganization(), Src: s},
					CommonName:   model.Value[string]{V: sub.GetCommonName(), Src: s},
					Reason:       model.Value[string]{V: "published so", Src: s},
				}
			}
		}
		a.Chains = append(a.Chains, ch)
	}
	return out
}

func (j *jsonLoader) signingConfig(sc *release.SigningConfigFile) {
	f, m := sc.Name, sc.Msg
	s := j.src(f, "")
	cfg := &model.SigningConfig{
		Name:          f,
		Src:           s,
		File:          model.Value[string]{V: f, Src: s},
		Rekor:         j.selector(f, "rekorTlogConfig", m.GetRekorTlogConfig()),
		TSA:           j.selector(f, "tsaConfig", m.GetTsaConfig()),
		WaitingPeriod: model.Value[time.Duration]{V: j.opts.WaitingPeriod},
		OptIn:         model.Value[bool]{V: f != j.opts.MainFile},
	}
	j.env.SigningConfigs = append(j.env.SigningConfigs, cfg)

	lists := []struct {
		name string
		svcs []*prototrustroot.Service
		find func(url string, api int) *model.Service
	}{
		{"caUrls", m.GetCaUrls(), func(u string, _ int) *model.Service { return j.authority("ca", &j.env.CAs, u) }},
		{"oidcUrls", m.GetOidcUrls(), func(u string, _ int) *model.Service { return j.oidc(u) }},
		{"rekorTlogUrls", m.GetRekorTlogUrls(), j.rekor},
		{"tsaUrls", m.GetTsaUrls(), func(u string, _ int) *model.Service { return j.authority("tsa", &j.env.TSAs, u) }},
	}
	for _, list := range lists {
		for i, svc := range list.svcs {
			p := fmt.Sprintf("%s[%d]", list.name, i)
			target := list.find(svc.GetUrl(), int(svc.GetMajorApiVersion()))
			if !target.URL.Set() {
				target.URL = model.Value[string]{V: svc.GetUrl(), Src: j.src(f, p+".url")}
			}
			if target.Operator.V == "" {
				target.Operator = model.Value[string]{V: svc.GetOperator(), Src: j.src(f, p+".operator")}
			}
			target.API = model.Value[int]{V: int(svc.GetMajorApiVersion()), Src: j.src(f, p+".majorApiVersion")}
			if _, dup := target.SignWindow(f); dup {
				j.fail(j.src(f, p+".url").Rulef(model.RuleWellFormed, "%s lists %s twice in %s; each URL must be unique", f, svc.GetUrl(), list.name))
				continue
			}
			target.Sign = append(target.Sign, model.SignWindow{Config: f, Window: j.window(f, p+".validFor", svc.GetValidFor())})
			// protobuf-specs asks for signing-config lists newest first.
			if i > 0 && svc.GetValidFor().GetStart().AsTime().After(list.svcs[i-1].GetValidFor().GetStart().AsTime()) {
				j.fail(j.src(f, p+".validFor.start").Warnf(model.RuleWellFormed, "%s[%d] starts after %s[%d]; protobuf-specs lists signing-config services newest first",
					list.name, i, list.name, i-1))
			}
		}
	}
}

func (j *jsonLoader) selector(file, path string, c *prototrustroot.ServiceConfiguration) model.Selector {
	return model.Selector{
		Selector: model.Value[string]{V: c.GetSelector().String(), Src: j.src(file, path+".selector")},
		Count:    model.Value[int]{V: int(c.GetCount()), Src: j.src(file, path+".count")},
	}
}

func (j *jsonLoader) authority(kind string, list *[]*model.Authority, u string) *model.Service {
	if s := j.byURL[svcKey{kind, u}]; s != nil {
		return s
	}
	a := &model.Authority{Service: model.Service{Name: strings.TrimPrefix(u, "https://"), URL: model.Value[string]{V: u}}}
	*list = append(*list, a)
	j.remember(kind, &a.Service)
	return &a.Service
}

func (j *jsonLoader) oidc(u string) *model.Service {
	if s := j.byURL[svcKey{"oidc", u}]; s != nil {
		return s
	}
	o := &model.OIDCProvider{Service: model.Service{Name: strings.TrimPrefix(u, "https://"), URL: model.Value[string]{V: u}}}
	j.env.OIDC = append(j.env.OIDC, o)
	j.remember("oidc", &o.Service)
	return &o.Service
}

// rekor finds the log a signing URL names, or makes it a front: of the
// shards given in the options, or of none, which the policy reports.
func (j *jsonLoader) rekor(u string, _ int) *model.Service {
	if s := j.byURL[svcKey{"rekor", u}]; s != nil {
		return s
	}
	f := &model.RekorFront{Service: model.Service{Name: strings.TrimPrefix(u, "https://"), URL: model.Value[string]{V: u}}}
	for _, shard := range j.opts.Fronts[u] {
		if l := j.logs[shard]; l != nil {
			f.Shards = append(f.Shards, model.Value[string]{V: l.Name})
		}
	}
	j.env.RekorFronts = append(j.env.RekorFronts, f)
	j.remember("rekor", &f.Service)
	return &f.Service
}

// inferShards gives a front that no -front option describes the shards
// trustc import would choose: the logs of its API version trusted when
// signing to it starts, preferring those no signing config names directly
// (a shard behind a front is reached only through it). Published JSON
// cannot say which logs a front serves; refusing every front would call
// staging's global.rekor.sigstage.dev unverifiable, which it is not. A
// note says what was assumed.
func (j *jsonLoader) inferShards() {
	for _, f := range j.env.RekorFronts {
		if len(f.Shards) > 0 || len(f.Sign) == 0 {
			continue
		}
		start := f.Sign[0].Start.V
		for _, w := range f.Sign[1:] {
			if w.Start.V.Before(start) {
				start = w.Start.V
			}
		}
		behind, _ := FrontShards(j.env.Rekor, f.API.V, start)
		if len(behind) == 0 {
			continue // verify-before-sign reports the front
		}
		var names []string
		for _, l := range behind {
			f.Shards = append(f.Shards, model.Value[string]{V: l.Name})
			names = append(names, l.URL.V)
		}
		j.fail(f.Sign[0].Src.Problemf(model.RuleVerifyBeforeSign, model.Note, "%s is no log of the trusted root; taken to front the API v%d logs trusted when signing to it starts (%s), as trustc import does; -front %s=SHARD,... says which",
			f.URL.V, f.API.V, strings.Join(names, ", "), f.URL.V))
	}
}

// FrontShards is the rule for the shards of a front that published JSON
// does not describe: the logs of its API version trusted when signing to
// it starts, preferring those no signing config names directly, since a
// shard behind a front is reached only through it. direct reports that
// every shard is also named directly (there were no others). trustc check
// and trustc import both take a front's shards by it.
func FrontShards(logs []*model.RekorLog, api int, start time.Time) (shards []*model.RekorLog, direct bool) {
	var named []*model.RekorLog
	for _, l := range logs {
		if l.API.V != api || !l.Verify.Contains(start) {
			continue
		}
		if len(l.Sign) == 0 {
			shards = append(shards, l)
		} else {
			named = append(named, l)
		}
	}
	if len(shards) == 0 {
		return named, len(named) > 0
	}
	return shards, false
}

func (j *jsonLoader) legacy(l *release.LegacySigningConfigFile) {
	f := l.Name
	s := j.src(f, "")
	lc := &model.LegacySigningConfig{
		Src:     s,
		File:    model.Value[string]{V: f, Src: s},
		CAURL:   model.Value[string]{V: l.Msg.CAURL, Src: j.src(f, "caUrl")},
		OIDCURL: model.Value[string]{V: l.Msg.OIDCURL, Src: j.src(f, "oidcUrl")},
	}
	for i, u := range l.Msg.TlogURLs {
		lc.TlogURLs = append(lc.TlogURLs, model.Value[string]{V: u, Src: j.src(f, fmt.Sprintf("tlogUrls[%d]", i))})
	}
	for i, u := range l.Msg.TSAURLs {
		lc.TSAURLs = append(lc.TSAURLs, model.Value[string]{V: u, Src: j.src(f, fmt.Sprintf("tsaUrls[%d]", i))})
	}
	j.env.Legacy = lc
}

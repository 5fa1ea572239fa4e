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

// FromRelease turns a published environment into the model (FromJSON),
// its files named below opts.Dir in positions.
func FromRelease(env *release.Env, opts JSONOptions) (*model.Environment, error) {
	var files []*JSONFile
	if tr := env.TrustedRoot; tr != nil {
		files = append(files, &JSONFile{Name: tr.Name, TrustedRoot: tr})
	}
	for _, sc := range env.SigningConfigs {
		files = append(files, &JSONFile{Name: sc.Name, SigningConfig: sc})
	}
	if l := env.Legacy; l != nil {
		files = append(files, &JSONFile{Name: l.Name, Legacy: l})
	}
	for _, f := range files {
		var b []byte
		switch {
		case f.TrustedRoot != nil:
			b = f.TrustedRoot.Bytes
		case f.SigningConfig != nil:
			b = f.SigningConfig.Bytes
		default:
			b = f.Legacy.Bytes
		}
		doc, err := jsonpos.New(filepath.Join(opts.Dir, f.Name), b)
		if err != nil {
			return nil, err
		}
		f.Doc = doc
	}
	return FromJSON(env.Name, files, opts)
}

// FromJSON turns the files of one published environment, as ReadJSON
// decoded them, into the model, so that the same rules check a hand-edited
// file and a compiled one, and trustc import writes CUE of what trustc
// check judged. Every value keeps its JSON file, line and column.
// Trusted-root entries become services by URL; a signing URL with no
// trusted-root entry becomes a service without verification material,
// which the policy then reports.
//
// Where the files state one value twice (a service's API version or
// operator in several entries, a service listed twice in one signing
// config), they must agree: the model holds one value, so a disagreement
// is an error at the later statement rather than a silent choice. A
// signing entry whose URL several logs share (a key rotated behind one
// URL) goes to the log trusted when the entry starts signing.
func FromJSON(name string, files []*JSONFile, opts JSONOptions) (*model.Environment, error) {
	j := &jsonLoader{opts: opts, env: &model.Environment{Name: name, Dir: opts.Dir}}
	if opts.MainFile == "" {
		j.opts.MainFile = "signing_config.v0.2.json"
	}
	for _, f := range files {
		if f.TrustedRoot != nil {
			j.trustedRoot(f)
		}
	}
	for _, f := range files {
		if f.SigningConfig != nil {
			j.signingConfig(f)
		}
	}
	j.inferShards()
	for _, f := range files {
		if f.Legacy != nil {
			j.legacy(f)
		}
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
	errs errors.Error
	// byURL finds a service by kind and URL: signing configs name their
	// services by URL, and a linear search per entry was O(n²). A Rekor
	// URL that several logs share finds the first; logs has them all.
	byURL map[svcKey]*model.Service
	logs  map[string][]*model.RekorLog
	// said is the first signing entry that names each service URL: every
	// later one must give the same API version and operator.
	said map[svcKey]said
	// apiStated holds the services a signing entry gave an API version.
	apiStated map[*model.Service]bool
}

type svcKey struct{ kind, url string }

// said is what one signing entry states about its service.
type said struct {
	f    *JSONFile
	path string
	api  int
	op   string
}

func (j *jsonLoader) remember(kind string, s *model.Service) {
	if j.byURL == nil {
		j.byURL = map[svcKey]*model.Service{}
	}
	if _, ok := j.byURL[svcKey{kind, s.URL.V}]; !ok && s.URL.V != "" {
		j.byURL[svcKey{kind, s.URL.V}] = s
	}
}

func (j *jsonLoader) fail(err errors.Error) { j.errs = errors.Append(j.errs, err) }

func (j *jsonLoader) window(f *JSONFile, path string, r *protocommon.TimeRange) model.Window {
	w := model.Window{Src: f.Src(path)}
	w.Start = model.Value[time.Time]{Src: f.Src(path + ".start")}
	if r.GetStart() == nil {
		j.fail(w.Start.Src.Rulef(model.RuleWellFormed, "missing; trustc needs the time a window starts"))
	} else {
		w.Start.V = r.GetStart().AsTime()
	}
	if r.GetEnd() != nil {
		w.End = model.Value[time.Time]{V: r.GetEnd().AsTime(), Src: f.Src(path + ".end")}
	}
	return w
}

func (j *jsonLoader) trustedRoot(f *JSONFile) {
	m := f.TrustedRoot.Msg
	j.env.Src = f.Src("")
	j.env.TrustedRoot = model.TrustedRoot{
		File:      model.Value[string]{V: f.Name, Src: f.Src("")},
		MediaType: model.Value[string]{V: m.GetMediaType(), Src: f.Src("mediaType")},
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
			j.logs = map[string][]*model.RekorLog{}
		}
		j.logs[l.URL.V] = append(j.logs[l.URL.V], l)
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

func (j *jsonLoader) ascending(f *JSONFile, list string, n int, at func(int) *protocommon.TimeRange, suffix string) {
	for i := 1; i < n; i++ {
		prev, cur := at(i-1).GetStart().AsTime(), at(i).GetStart().AsTime()
		if cur.Before(prev) {
			j.fail(f.Src(fmt.Sprintf("%s[%d]%s", list, i, suffix)).Warnf(model.RuleWellFormed, "%s[%d] starts %s, before %s[%d] (%s); protobuf-specs lists trusted-root entries oldest first",
				list, i, cur.Format(time.RFC3339Nano), list, i-1, prev.Format(time.RFC3339Nano)))
		}
	}
}

// service makes the service part of an entry; its name is its URL without
// the scheme, which is what a reader of the JSON recognises. A v0.1
// trusted root has no operators: its entries state one only where they
// name one.
func (j *jsonLoader) service(f *JSONFile, path, u, operator, urlField string) model.Service {
	name := strings.TrimPrefix(u, "https://")
	if name == "" {
		name = path
	}
	s := model.Service{
		Name: name,
		Src:  f.Src(path),
		URL:  model.Value[string]{V: u, Src: f.Src(path + "." + urlField)},
	}
	if operator != "" || f.TrustedRoot.Msg.GetMediaType() == release.TrustedRootMediaType02 {
		s.Operator = model.Value[string]{V: operator, Src: f.Src(path + ".operator")}
	}
	return s
}

// key turns a log's published key into material as derive expects it, and
// keeps the published log id and key details so that derive checks them.
// The PEM type is the DER's own (SubjectPublicKeyInfo, or PKCS#1 as
// staging's first CT log is published); for DER that is neither, derive
// reports the key, and the key details guess the type.
func (j *jsonLoader) key(f *JSONFile, path string, t *prototrustroot.TransparencyLogInstance) (model.Material, model.Value[string], model.Value[string]) {
	pk := t.GetPublicKey()
	typ := "PUBLIC KEY"
	if _, err := x509.ParsePKIXPublicKey(pk.GetRawBytes()); err != nil {
		if _, err := x509.ParsePKCS1PublicKey(pk.GetRawBytes()); err == nil || strings.HasPrefix(pk.GetKeyDetails().String(), "PKCS1_") {
			typ = "RSA PUBLIC KEY"
		}
	}
	m := model.Material{
		File:  model.Value[string]{V: f.Name + " " + path + ".publicKey.rawBytes", Src: f.Src(path + ".publicKey.rawBytes")},
		Bytes: pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: pk.GetRawBytes()}),
	}
	id := model.Value[string]{V: base64.StdEncoding.EncodeToString(t.GetLogId().GetKeyId()), Src: f.Src(path + ".logId.keyId")}
	details := model.Value[string]{V: pk.GetKeyDetails().String(), Src: f.Src(path + ".publicKey.keyDetails")}
	return m, id, details
}

// authorities groups chains into services, in order of appearance: by
// URI, or, for trust-only authorities (no URI, a TSA clients only verify
// against), by subject. Each chain's entry states the service's operator
// again; they must agree.
func (j *jsonLoader) authorities(f *JSONFile, list string, cas []*prototrustroot.CertificateAuthority) []*model.Authority {
	var out []*model.Authority
	byKey := map[string]*model.Authority{}
	for i, ca := range cas {
		p := fmt.Sprintf("%s[%d]", list, i)
		key := ca.GetUri()
		if key == "" {
			key = "\x00" + ca.GetSubject().GetOrganization() + "\x00" + ca.GetSubject().GetCommonName()
		}
		a := byKey[key]
		if a == nil {
			a = &model.Authority{Service: j.service(f, p, ca.GetUri(), ca.GetOperator(), "uri")}
			if ca.GetUri() == "" {
				// Trust-only authorities are known by their subject.
				a.Name = ca.GetSubject().GetOrganization() + " " + ca.GetSubject().GetCommonName()
			}
			a.API = model.Value[int]{V: 1, Src: a.URL.Src}
			out = append(out, a)
			byKey[key] = a
		} else if s := j.service(f, p, ca.GetUri(), ca.GetOperator(), "uri"); s.Operator.Set() {
			j.agree(&a.Service, s.Operator)
		}
		a.Chains = append(a.Chains, j.chain(f, p, ca))
	}
	return out
}

// agree records that op is stated for s again: it must be what s already
// has, if it has one.
func (j *jsonLoader) agree(s *model.Service, op model.Value[string]) {
	switch {
	case !s.Operator.Set():
		s.Operator = op
	case s.Operator.V != op.V:
		j.fail(op.Src.Conflictf(model.RuleWellFormed, s.Operator.Src, "%q, but %s names %q for the same service; a service has one operator",
			op.V, describeSrc(s.Operator.Src), s.Operator.V))
	}
}

// describeSrc names where a value is stated in a message: "file: path".
func describeSrc(s model.Src) string {
	name := filepath.Base(s.Pos.Filename())
	if len(s.Path) > 0 {
		return name + ": " + s.Path[0]
	}
	return name
}

// chain is one CA or TSA entry's chain.
func (j *jsonLoader) chain(f *JSONFile, p string, ca *prototrustroot.CertificateAuthority) *model.Chain {
	ch := &model.Chain{Name: p, Src: f.Src(p), Verify: j.window(f, p+".validFor", ca.GetValidFor())}
	var b []byte
	var anchor *x509.Certificate
	for _, c := range ca.GetCertChain().GetCertificates() {
		b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.GetRawBytes()})...)
		anchor, _ = x509.ParseCertificate(c.GetRawBytes())
	}
	ch.Certs = []model.Material{{File: model.Value[string]{V: f.Name + " " + p + ".certChain", Src: f.Src(p + ".certChain")}, Bytes: b}}
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
			s := f.Src(p + ".subject")
			ch.SubjectOverride = &model.SubjectOverride{
				Src:          s,
				Organization: model.Value[string]{V: sub.GetOrganization(), Src: s},
				CommonName:   model.Value[string]{V: sub.GetCommonName(), Src: s},
				Reason:       model.Value[string]{V: "published so", Src: s},
			}
		}
	}
	return ch
}

func (j *jsonLoader) signingConfig(f *JSONFile) {
	m := f.SigningConfig.Msg
	s := f.Src("")
	cfg := &model.SigningConfig{
		Name:          f.Name,
		Src:           s,
		File:          model.Value[string]{V: f.Name, Src: s},
		Rekor:         j.selector(f, "rekorTlogConfig", m.GetRekorTlogConfig()),
		TSA:           j.selector(f, "tsaConfig", m.GetTsaConfig()),
		WaitingPeriod: model.Value[time.Duration]{V: j.opts.WaitingPeriod},
		OptIn:         model.Value[bool]{V: f.Name != j.opts.MainFile},
	}
	j.env.SigningConfigs = append(j.env.SigningConfigs, cfg)

	lists := []struct {
		name, kind string
		svcs       []*prototrustroot.Service
		find       func(url string, start time.Time) *model.Service
	}{
		{"caUrls", "ca", m.GetCaUrls(), func(u string, _ time.Time) *model.Service { return j.authority("ca", &j.env.CAs, u) }},
		{"oidcUrls", "oidc", m.GetOidcUrls(), func(u string, _ time.Time) *model.Service { return j.oidc(u) }},
		{"rekorTlogUrls", "rekor", m.GetRekorTlogUrls(), j.rekor},
		{"tsaUrls", "tsa", m.GetTsaUrls(), func(u string, _ time.Time) *model.Service { return j.authority("tsa", &j.env.TSAs, u) }},
	}
	for _, list := range lists {
		for i, svc := range list.svcs {
			p := fmt.Sprintf("%s[%d]", list.name, i)
			w := j.window(f, p+".validFor", svc.GetValidFor())
			target := list.find(svc.GetUrl(), w.Start.V)
			if !target.URL.Set() {
				target.URL = model.Value[string]{V: svc.GetUrl(), Src: f.Src(p + ".url")}
			}
			if prev, dup := target.SignWindow(f.Name); dup {
				first := strings.TrimSuffix(prev.Src.Path[0], ".validFor")
				j.fail(f.Src(p+".url").Conflictf(model.RuleWellFormed, f.Src(first+".url"), "%s lists %s twice in %s (also at %s); each URL must be unique",
					f.Name, svc.GetUrl(), list.name, first))
				continue
			}
			j.stated(f, p, list.kind, target, svc)
			target.Sign = append(target.Sign, model.SignWindow{Config: f.Name, Window: w})
			// protobuf-specs asks for signing-config lists newest first.
			if i > 0 {
				cur, prev := svc.GetValidFor().GetStart().AsTime(), list.svcs[i-1].GetValidFor().GetStart().AsTime()
				if cur.After(prev) {
					j.fail(f.Src(p+".validFor.start").Warnf(model.RuleWellFormed, "%s[%d] starts %s, after %s[%d] (%s); protobuf-specs lists signing-config services newest first",
						list.name, i, cur.Format(time.RFC3339Nano), list.name, i-1, prev.Format(time.RFC3339Nano)))
				}
			}
		}
	}
}

// stated takes the API version and operator a signing entry gives its
// service. Every entry that names a URL must give the same ones as the
// first, in any file, and the operator must be the trusted root's.
func (j *jsonLoader) stated(f *JSONFile, p, kind string, target *model.Service, svc *prototrustroot.Service) {
	api := model.Value[int]{V: int(svc.GetMajorApiVersion()), Src: f.Src(p + ".majorApiVersion")}
	op := model.Value[string]{V: svc.GetOperator(), Src: f.Src(p + ".operator")}
	k := svcKey{kind, svc.GetUrl()}
	if first, ok := j.said[k]; ok {
		if first.api != api.V {
			j.fail(api.Src.Conflictf(model.RuleWellFormed, first.f.Src(first.path+".majorApiVersion"), "%d, but %s: %s gives %s API version %d; a service has one API version",
				api.V, first.f.Name, first.path, svc.GetUrl(), first.api))
		}
		if first.op != op.V {
			j.fail(op.Src.Conflictf(model.RuleWellFormed, first.f.Src(first.path+".operator"), "%q, but %s: %s gives %s operator %q; a service has one operator",
				op.V, first.f.Name, first.path, svc.GetUrl(), first.op))
			return
		}
	} else {
		if j.said == nil {
			j.said, j.apiStated = map[svcKey]said{}, map[*model.Service]bool{}
		}
		j.said[k] = said{f, p, api.V, op.V}
	}
	// The first entry for a URL that several logs share may have gone to
	// another of them.
	if !j.apiStated[target] {
		target.API = api
		j.apiStated[target] = true
	}
	j.agree(target, op)
}

func (j *jsonLoader) selector(f *JSONFile, path string, c *prototrustroot.ServiceConfiguration) model.Selector {
	return model.Selector{
		Selector: model.Value[string]{V: c.GetSelector().String(), Src: f.Src(path + ".selector")},
		Count:    model.Value[int]{V: int(c.GetCount()), Src: f.Src(path + ".count")},
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

// rekor finds the log a signing URL names: of the logs that share the URL,
// the one trusted when signing starts (the last such), else the first. A
// URL that is no log is a front: of the shards given in the options, or
// of none, which the policy reports.
func (j *jsonLoader) rekor(u string, start time.Time) *model.Service {
	if logs := j.logs[u]; len(logs) > 0 {
		best := logs[0]
		for _, l := range logs {
			if l.Verify.Contains(start) {
				best = l
			}
		}
		return &best.Service
	}
	if s := j.byURL[svcKey{"rekor", u}]; s != nil {
		return s
	}
	f := &model.RekorFront{Service: model.Service{Name: strings.TrimPrefix(u, "https://"), URL: model.Value[string]{V: u}}}
	for _, shard := range j.opts.Fronts[u] {
		if logs := j.logs[shard]; len(logs) > 0 {
			f.Shards = append(f.Shards, model.Value[string]{V: logs[0].Name})
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
		behind, _, _ := FrontShards(j.env.Rekor, f)
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
// it starts (its earliest signing window's start), preferring those no
// signing config names directly, since a shard behind a front is reached
// only through it. direct reports that every shard is also named directly
// (there were no others). trustc check and trustc import both take a
// front's shards by it.
func FrontShards(logs []*model.RekorLog, f *model.RekorFront) (shards []*model.RekorLog, start time.Time, direct bool) {
	for i, w := range f.Sign {
		if i == 0 || w.Start.V.Before(start) {
			start = w.Start.V
		}
	}
	var named []*model.RekorLog
	for _, l := range logs {
		if l.API.V != f.API.V || !l.Verify.Contains(start) {
			continue
		}
		if len(l.Sign) == 0 {
			shards = append(shards, l)
		} else {
			named = append(named, l)
		}
	}
	if len(shards) == 0 {
		return named, start, len(named) > 0
	}
	return shards, start, false
}

func (j *jsonLoader) legacy(f *JSONFile) {
	l := f.Legacy
	s := f.Src("")
	lc := &model.LegacySigningConfig{
		Src:     s,
		File:    model.Value[string]{V: f.Name, Src: s},
		CAURL:   model.Value[string]{V: l.Msg.CAURL, Src: f.Src("caUrl")},
		OIDCURL: model.Value[string]{V: l.Msg.OIDCURL, Src: f.Src("oidcUrl")},
	}
	for i, u := range l.Msg.TlogURLs {
		lc.TlogURLs = append(lc.TlogURLs, model.Value[string]{V: u, Src: f.Src(fmt.Sprintf("tlogUrls[%d]", i))})
	}
	for i, u := range l.Msg.TSAURLs {
		lc.TSAURLs = append(lc.TSAURLs, model.Value[string]{V: u, Src: f.Src(fmt.Sprintf("tsaUrls[%d]", i))})
	}
	j.env.Legacy = lc
}

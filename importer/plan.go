package importer

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
	"time"

	"cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	prototrustroot "github.com/sigstore/protobuf-specs/gen/pb-go/trustroot/v1"

	"github.com/trustc-dev/trustc/compiler/derive"
	"github.com/trustc-dev/trustc/compiler/load"
	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/internal/text"
	"github.com/trustc-dev/trustc/release"
)

// A plan is an environment as the importer will write it: the model the
// CUE compiles back to, with every decision made (grouping, names, which
// derived values must be stated), and what only the CUE holds (comments,
// the legacy file's references to services); nothing yet rendered.
//
// A value that the CUE states and derive or the schema could supply has a
// Src, where an input file said it: a service's operator only where it is
// not the environment's, keyDetails only where they are not the key's
// default, a subject override's fields only where they differ from the
// trust anchor's. Values the CUE always states need no Src.
type plan struct {
	env    *model.Environment
	policy Policy
	// exemptReason is the waitingPeriodExempt given to services whose
	// windows already break the waiting period.
	exemptReason string
	// operatorNote explains an operator the inputs did not state.
	operatorNote string
	rootNote     string
	// notes are comments above a service (*model.Service) or CT log
	// (*model.CTLog).
	notes map[any][]string
	// shards are the logs behind each front; they are written by name, so
	// only once the plan is named.
	shards map[*model.RekorFront][]*model.RekorLog
	legacy *plegacy
}

func (p *plan) note(k any, text string) { p.notes[k] = append(p.notes[k], text) }

type plegacy struct {
	fileNote string
	caURL    ref
	oidcURL  ref
	tlogURLs []ref
	tsaURLs  []ref
}

// ref is a legacy URL: a service's url (plus a suffix) or a literal.
type ref struct {
	kind    string // rekor, rekorFronts, ca, tsa, oidc; empty for a literal
	svc     *model.Service
	suffix  string
	literal string
}

// Options control an import.
type Options struct {
	// Env is the environment's name: its directory under environments/.
	Env string
	// Operator is the environment's operator. Empty: the operator most of
	// the published services name, or, where the files name none (a v0.1
	// trusted root alone), the services' domain.
	Operator string
	// AllowFindings writes an environment that breaks policy, with every
	// finding as a comment at its field, instead of refusing it.
	AllowFindings bool
	// Policy is what the environment's policy block declares. Zero fields
	// take the defaults of DefaultPolicy.
	Policy Policy
}

// Policy is the policy an imported environment declares.
type Policy struct {
	// TUFTimestampExpiry and Buffer, as CUE durations ("7d").
	TUFTimestampExpiry, Buffer string
	// WaitingPeriod applies to every signing config ("90d").
	WaitingPeriod string
	// Clients the environment serves.
	Clients []string
	// RekorV1RetiresAt, an RFC 3339 time or empty, is when the main
	// signing config may stop offering a Rekor API v1 log: an instance
	// that runs only Rekor v2 logs sets it to its start.
	RekorV1RetiresAt string
}

// DefaultPolicy is Sigstore's: a 7-day TUF timestamp, a week's buffer, no
// waiting period beyond that floor, and every known client.
var DefaultPolicy = Policy{
	TUFTimestampExpiry: "7d",
	Buffer:             "7d",
	WaitingPeriod:      "0d",
	Clients:            []string{"sigstore-go", "cosign", "sigstore-js", "sigstore-python", "sigstore-java"},
}

func (p Policy) withDefaults() Policy {
	d := DefaultPolicy
	if p.TUFTimestampExpiry != "" {
		d.TUFTimestampExpiry = p.TUFTimestampExpiry
	}
	if p.Buffer != "" {
		d.Buffer = p.Buffer
	}
	if p.WaitingPeriod != "" {
		d.WaitingPeriod = p.WaitingPeriod
	}
	if p.Clients != nil {
		d.Clients = p.Clients
	}
	d.RekorV1RetiresAt = p.RekorV1RetiresAt
	return d
}

type planner struct {
	e    *errs
	in   *inputs
	opts Options
	p    *plan
	v02  bool
	// signing-config entries by kind
	entries map[string][]*entry
	// observed operators, in order, for choosing the environment's
	operators []string
}

// entry is one service of one signing config.
type entry struct {
	config *configIn
	path   string
	url    string
	api    int
	op     string
	window model.Window
}

const (
	kindRekor = "rekorTlogUrls"
	kindCA    = "caUrls"
	kindTSA   = "tsaUrls"
	kindOIDC  = "oidcUrls"
)

func buildPlan(e *errs, in *inputs, opts Options) (*plan, error) {
	pl := &planner{e: e, in: in, opts: opts, entries: map[string][]*entry{}, p: &plan{
		env:    &model.Environment{Name: opts.Env},
		policy: opts.Policy.withDefaults(),
		notes:  map[any][]string{},
		shards: map[*model.RekorFront][]*model.RekorLog{},
	}}
	pl.configs()
	pl.trustedRoot()
	if err := pl.e.err(); err != nil {
		return nil, err
	}
	pl.chooseOperator()
	pl.rekor()
	pl.ctlogs()
	pl.p.env.CAs = pl.authorities(in.root.msg.GetCertificateAuthorities(), "certificateAuthorities", "ca", kindCA)
	pl.p.env.TSAs = pl.authorities(in.root.msg.GetTimestampAuthorities(), "timestampAuthorities", "tsa", kindTSA)
	pl.oidc()
	pl.legacy()
	if err := pl.e.err(); err != nil {
		return nil, err
	}
	pl.name()
	return pl.p, nil
}

// configs checks every signing config and collects its services.
func (pl *planner) configs() {
	for _, c := range pl.in.configs {
		m := c.msg
		pl.p.env.SigningConfigs = append(pl.p.env.SigningConfigs, &model.SigningConfig{
			Name:  c.name,
			File:  model.Value[string]{V: c.base},
			Rekor: pl.selector(c, "rekorTlogConfig", m.GetRekorTlogConfig()),
			TSA:   pl.selector(c, "tsaConfig", m.GetTsaConfig()),
		})
		for _, l := range []struct {
			kind string
			svcs []*prototrustroot.Service
		}{{kindCA, m.GetCaUrls()}, {kindOIDC, m.GetOidcUrls()}, {kindRekor, m.GetRekorTlogUrls()}, {kindTSA, m.GetTsaUrls()}} {
			seen := map[string]string{}
			for i, s := range l.svcs {
				p := index(l.kind, i)
				en := &entry{config: c, path: p, url: s.GetUrl(), api: int(s.GetMajorApiVersion()), op: s.GetOperator()}
				if !pl.absURL(c.file, p+".url", s.GetUrl()) {
					continue
				}
				if en.api < 1 {
					pl.e.add(c.file, p+".majorApiVersion", "missing or 0; every service has an API version of at least 1")
				}
				w, ok := pl.window(c.file, p+".validFor", s.GetValidFor())
				if !ok {
					continue
				}
				en.window = w
				// A Rekor URL may be listed twice: logs that share it (a key
				// rotated behind one URL) each have their window. Other
				// services are one per URL.
				if prev, dup := seen[s.GetUrl()]; dup && l.kind != kindRekor {
					pl.e.add(c.file, p+".url", "%s is listed twice (also at %s); trustc gives a service one window per signing config", s.GetUrl(), prev)
					continue
				}
				seen[s.GetUrl()] = p
				if i > 0 {
					if prev := l.svcs[i-1].GetValidFor().GetStart(); prev != nil && prev.AsTime().Before(w.Start.V) {
						pl.e.add(c.file, p+".validFor.start", "%s is later than %s's start %s; trustc publishes each list newest first, as protobuf-specs asks, so it cannot reproduce this order; sort the list",
							text.Time(w.Start.V), index(l.kind, i-1), text.Time(prev.AsTime()))
					}
				}
				pl.entries[l.kind] = append(pl.entries[l.kind], en)
				pl.operators = append(pl.operators, en.op)
			}
		}
	}
	// One service has one API version and one operator in every file.
	for _, kind := range []string{kindCA, kindOIDC, kindRekor, kindTSA} {
		first := map[string]*entry{}
		for _, en := range pl.entries[kind] {
			f, ok := first[en.url]
			if !ok {
				first[en.url] = en
				continue
			}
			if f.api != en.api {
				pl.e.add(en.config.file, en.path+".majorApiVersion", "%d, but %s: %s gives %s API version %d; trustc gives a service one API version",
					en.api, f.config.file, f.path, en.url, f.api)
			}
			if f.op != en.op {
				pl.e.add(en.config.file, en.path+".operator", "%q, but %s: %s gives %s operator %q; trustc gives a service one operator",
					en.op, f.config.file, f.path, en.url, f.op)
			}
		}
	}
}

func (pl *planner) selector(c *configIn, field string, sc *prototrustroot.ServiceConfiguration) model.Selector {
	if sc == nil {
		pl.e.add(c.file, field, "missing; trustc always publishes it (the schema's default is ANY)")
		return model.Selector{}
	}
	s := model.Selector{Selector: model.Value[string]{V: sc.GetSelector().String()}, Count: model.Value[int]{V: int(sc.GetCount())}}
	switch sc.GetSelector() {
	case prototrustroot.ServiceSelector_EXACT:
		if s.Count.V < 1 {
			pl.e.add(c.file, field+".count", "EXACT needs a count of at least 1")
		}
	case prototrustroot.ServiceSelector_ANY, prototrustroot.ServiceSelector_ALL:
		if s.Count.V != 0 {
			pl.e.add(c.file, field+".count", "a count is meaningful only with EXACT, and the schema allows it only there")
		}
	default:
		pl.e.add(c.file, field+".selector", "%s is not ANY, ALL or EXACT", sc.GetSelector())
	}
	return s
}

func (pl *planner) absURL(file, path, s string) bool { return absURL(pl.e, file, path, s) }

// absURL checks that s is an absolute URL: every service URL is one, and
// names and Rekor v2 origins come from its host.
func absURL(e *errs, file, path, s string) bool {
	if s == "" {
		e.add(file, path, "missing")
		return false
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || u.Host == "" {
		e.add(file, path, "%q is not an absolute URL", s)
		return false
	}
	return true
}

func (pl *planner) window(file, path string, tr *protocommon.TimeRange) (model.Window, bool) {
	if tr.GetStart() == nil {
		pl.e.add(file, path+".start", "missing; trustc needs the time a window starts")
		return model.Window{}, false
	}
	w := model.Window{Start: model.Value[time.Time]{V: tr.GetStart().AsTime()}}
	if tr.GetEnd() != nil {
		w.End.V = tr.GetEnd().AsTime()
		if w.End.V.IsZero() {
			pl.e.add(file, path+".end", "%s reads as \"no end\" in trustc; it cannot be published", text.Time(w.End.V))
			return model.Window{}, false
		}
	}
	return w, true
}

// trustedRoot checks the fields of the trusted root trustc publishes
// without asking (media type, field presence, list order).
func (pl *planner) trustedRoot() {
	r := pl.in.root
	switch r.msg.GetMediaType() {
	case release.TrustedRootMediaType02:
		pl.v02 = true
		pl.p.env.TrustedRoot.MediaType.V = release.TrustedRootMediaType02
	case release.TrustedRootMediaType01Legacy:
	default:
		pl.e.add(r.file, "mediaType", "trustc publishes trusted roots as %q or %q, not %q; change the media type to one of them (they describe the same v0.1 format)",
			release.TrustedRootMediaType01Legacy, release.TrustedRootMediaType02, r.msg.GetMediaType())
	}
	if r.base != release.TrustedRootName {
		pl.p.rootNote = fmt.Sprintf("Imported from %s; published as %s, the name Sigstore clients fetch.", r.base, release.TrustedRootName)
	}
	starts := func(list string, n int, start func(i int) *time.Time) {
		for i := 1; i < n; i++ {
			a, b := start(i-1), start(i)
			if a != nil && b != nil && b.Before(*a) {
				pl.e.add(r.file, index(list, i), "starts %s, before %s (%s); trustc publishes each list oldest first, as protobuf-specs asks, so it cannot reproduce this order; sort the list",
					text.Time(*b), index(list, i-1), text.Time(*a))
			}
		}
	}
	logStart := func(ls []*prototrustroot.TransparencyLogInstance) func(int) *time.Time {
		return func(i int) *time.Time {
			if s := ls[i].GetPublicKey().GetValidFor().GetStart(); s != nil {
				t := s.AsTime()
				return &t
			}
			return nil
		}
	}
	caStart := func(cs []*prototrustroot.CertificateAuthority) func(int) *time.Time {
		return func(i int) *time.Time {
			if s := cs[i].GetValidFor().GetStart(); s != nil {
				t := s.AsTime()
				return &t
			}
			return nil
		}
	}
	m := r.msg
	starts("tlogs", len(m.GetTlogs()), logStart(m.GetTlogs()))
	starts("ctlogs", len(m.GetCtlogs()), logStart(m.GetCtlogs()))
	starts("certificateAuthorities", len(m.GetCertificateAuthorities()), caStart(m.GetCertificateAuthorities()))
	starts("timestampAuthorities", len(m.GetTimestampAuthorities()), caStart(m.GetTimestampAuthorities()))
	if pl.v02 {
		for _, l := range slices.Concat(m.GetTlogs(), m.GetCtlogs()) {
			pl.operators = append(pl.operators, l.GetOperator())
		}
		for _, a := range slices.Concat(m.GetCertificateAuthorities(), m.GetTimestampAuthorities()) {
			pl.operators = append(pl.operators, a.GetOperator())
		}
	}
}

// chooseOperator picks the environment's operator: the one named most
// often (ties: first named), so that most services need no operator field.
func (pl *planner) chooseOperator() {
	if pl.opts.Operator != "" {
		pl.p.env.Operator.V = pl.opts.Operator
		return
	}
	count := map[string]int{}
	best := ""
	for _, op := range pl.operators {
		count[op]++
		if count[op] > count[best] || len(count) == 1 {
			best = op
		}
	}
	if len(pl.operators) > 0 {
		pl.p.env.Operator.V = best
		return
	}
	// A v0.1 trusted root alone names no operator.
	for _, u := range pl.allURLs() {
		if d := domain(u); d != "" {
			pl.p.env.Operator.V = d
			pl.p.operatorNote = "The imported files name no operator (a v0.1 trusted root has none): this is the services' domain. Set it to whoever runs them (trustc import -operator)."
			return
		}
	}
	pl.p.operatorNote = "The imported files name no operator: set it to whoever runs these services (trustc import -operator)."
}

func (pl *planner) allURLs() []string {
	m := pl.in.root.msg
	var out []string
	for _, a := range m.GetCertificateAuthorities() {
		out = append(out, a.GetUri())
	}
	for _, l := range m.GetTlogs() {
		out = append(out, l.GetBaseUrl())
	}
	for _, l := range m.GetCtlogs() {
		out = append(out, l.GetBaseUrl())
	}
	for _, a := range m.GetTimestampAuthorities() {
		out = append(out, a.GetUri())
	}
	return out
}

// domain is a URL's host without its first label when it has three or
// more ("fulcio.sigstore.dev" → "sigstore.dev").
func domain(u string) string {
	pu, err := url.Parse(u)
	if err != nil || pu.Hostname() == "" || net.ParseIP(pu.Hostname()) != nil {
		return ""
	}
	labels := strings.Split(pu.Hostname(), ".")
	if len(labels) > 2 {
		labels = labels[len(labels)-2:]
	}
	return strings.Join(labels, ".")
}

// said is an operator as one entry states it.
type said struct{ file, path, op string }

func (pl *planner) saidBy(ens []*entry) []said {
	var out []said
	for _, en := range ens {
		out = append(out, said{en.config.file, en.path + ".operator", en.op})
	}
	return out
}

// rootSaid is what a trusted-root entry states: an operator in a v0.2
// file, nothing in a v0.1 file (which has no operators; a non-empty one is
// an error, since trustc would leave it out).
func (pl *planner) rootSaid(path, op string) []said {
	if pl.v02 {
		return []said{{pl.in.root.file, path, op}}
	}
	if op != "" {
		pl.e.add(pl.in.root.file, path, "only v0.2 trusted roots carry operators; trustc leaves them out of a v0.1 file, so it cannot reproduce this one")
	}
	return nil
}

// serviceOperator settles a service's operator from what its entries
// state, which must agree. An unset value means the environment's.
func (pl *planner) serviceOperator(ss []said) model.Value[string] {
	if len(ss) == 0 {
		return model.Value[string]{}
	}
	for _, s := range ss[1:] {
		if s.op != ss[0].op {
			pl.e.add(s.file, s.path, "%q, but %s: %s names %q for the same service; trustc gives a service one operator", s.op, ss[0].file, ss[0].path, ss[0].op)
			return model.Value[string]{}
		}
	}
	if op := ss[0].op; op != pl.p.env.Operator.V {
		return model.Value[string]{V: op, Src: pl.e.src(ss[0].file, ss[0].path)}
	}
	return model.Value[string]{}
}

// keyPEM decides the PEM form of a published key: SubjectPublicKeyInfo, or
// PKCS#1 for the RSA keys published that way (staging's first CT log).
func keyPEM(raw []byte) ([]byte, error) {
	if _, err := x509.ParsePKIXPublicKey(raw); err == nil {
		return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: raw}), nil
	} else if _, err1 := x509.ParsePKCS1PublicKey(raw); err1 == nil {
		return pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: raw}), nil
	} else {
		return nil, fmt.Errorf("not a DER public key (SubjectPublicKeyInfo or PKCS#1): %v", shortErr(err))
	}
}

func shortErr(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, " ("); i > 0 {
		msg = msg[:i]
	}
	return msg
}

// srcAt gives derive a declared-value position, so that it treats a value
// as stated (model.Value.Set) and checks it against the material.
func srcAt(name string) model.Src {
	return model.Src{Pos: token.NewFile(name, -1, 1).Pos(0, token.NoRelPos)}
}

// deriveKey runs compiler/derive over one log key, so that the importer
// and the compiler agree by construction on log ids and key details.
func deriveKey(pemBytes []byte, u string, api int, details string) (*model.PublicKey, error) {
	l := &model.RekorLog{
		Service: model.Service{URL: model.Value[string]{V: u}, API: model.Value[int]{V: api}},
		Key:     model.Material{File: model.Value[string]{V: "the key"}, Bytes: pemBytes},
	}
	if details != "" {
		l.KeyDetails = model.Value[string]{V: details, Src: srcAt("keyDetails")}
	}
	if err := derive.Environment(&model.Environment{Rekor: []*model.RekorLog{l}}); err != nil {
		return nil, firstMsg(err)
	}
	return l.PublicKey, nil
}

func firstMsg(err error) error {
	list := errors.Errors(err)
	if len(list) == 0 {
		return err
	}
	format, args := list[0].Msg()
	return fmt.Errorf(format, args...)
}

// index is the JSON path of a list's element.
func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// logKey checks everything about a published log that trustc derives and
// returns the log with its key (its notes go to the plan), or nil. apis
// are the API versions to try, in order: the one a signing config gives,
// or, for a log in no signing config, 1 and then 2, since the published
// log id tells them apart.
func (pl *planner) logKey(list string, i int, l *prototrustroot.TransparencyLogInstance, apis []int, from *entry) (*model.RekorLog, bool) {
	file := pl.in.root.file
	p := index(list, i)
	ok := pl.absURL(file, p+".baseUrl", l.GetBaseUrl())
	if l.GetHashAlgorithm() != protocommon.HashAlgorithm_SHA2_256 {
		pl.e.add(file, p+".hashAlgorithm", "%s; trustc publishes SHA2_256 for every log, which RFC 6962 and C2SP tlog-tiles fix", l.GetHashAlgorithm())
		ok = false
	}
	pk := l.GetPublicKey()
	if len(pk.GetRawBytes()) == 0 {
		pl.e.add(file, p+".publicKey.rawBytes", "missing; trustc needs the log's key")
		return nil, false
	}
	keyBytes, err := keyPEM(pk.GetRawBytes())
	if err != nil {
		pl.e.add(file, p+".publicKey.rawBytes", "%v", err)
		return nil, false
	}
	w, wok := pl.window(file, p+".publicKey.validFor", pk.GetValidFor())
	if !ok || !wok {
		return nil, false
	}
	out := &model.RekorLog{
		Service: model.Service{URL: model.Value[string]{V: l.GetBaseUrl()}},
		Key:     model.Material{Bytes: keyBytes},
		Verify:  w,
	}

	// Log id: try each API version; the first whose derived id matches wins.
	published := l.GetLogId().GetKeyId()
	var derived *model.PublicKey
	var tried []string
	for _, api := range apis {
		d, err := deriveKey(keyBytes, l.GetBaseUrl(), api, "")
		if err != nil {
			pl.e.add(file, p+".publicKey.rawBytes", "%v", err)
			return nil, false
		}
		if bytes.Equal(d.LogID, published) {
			derived, out.API.V = d, api
			break
		}
		id := b64(d.LogID)
		if !slices.ContainsFunc(tried, func(s string) bool { return strings.HasPrefix(s, id) }) {
			tried = append(tried, fmt.Sprintf("%s as an API v%d log", id, api))
		}
	}
	if derived == nil && from != nil {
		// The signing config gave the API version; does the other fit?
		for _, api := range []int{1, 2} {
			if d, err := deriveKey(keyBytes, l.GetBaseUrl(), api, ""); err == nil && api != from.api && bytes.Equal(d.LogID, published) {
				pl.e.add(from.config.file, from.path+".majorApiVersion", "%d, but %s: %s publishes the log id of an API v%d log; one of the two is wrong",
					from.api, file, p, api)
				return nil, false
			}
		}
	}
	if derived == nil {
		if len(tried) == 1 {
			// The id does not depend on the API version (not an Ed25519 key).
			tried[0], _, _ = strings.Cut(tried[0], " ")
		}
		if len(published) == 0 {
			pl.e.add(file, p+".logId.keyId", "missing; trustc publishes the log id derived from the key (%s)", strings.Join(tried, ", or "))
		} else {
			pl.e.add(file, p+".logId.keyId", "%s does not match the key, whose log id is %s", b64(published), strings.Join(tried, ", or "))
		}
		return nil, false
	}

	// Key details: state them only where they are not the derived default.
	if kd := pk.GetKeyDetails(); kd.String() != derived.Details {
		if kd == protocommon.PublicKeyDetails_PUBLIC_KEY_DETAILS_UNSPECIFIED {
			pl.e.add(file, p+".publicKey.keyDetails", "missing; trustc publishes the key's details (%s)", derived.Details)
			return nil, false
		}
		if _, err := deriveKey(keyBytes, l.GetBaseUrl(), out.API.V, kd.String()); err != nil {
			pl.e.add(file, p+".publicKey.keyDetails", "%s does not fit the key (%s)", kd, derived.Details)
			return nil, false
		}
		out.KeyDetails = model.Value[string]{V: kd.String(), Src: pl.e.src(file, p+".publicKey.keyDetails")}
		pl.p.note(&out.Service, fmt.Sprintf("Published with keyDetails %s; the key's default is %s.", kd, derived.Details))
	}

	switch {
	case pl.v02:
		if got := l.GetCheckpointKeyId().GetKeyId(); !bytes.Equal(got, derived.CheckpointKeyID) {
			pl.e.add(file, p+".checkpointKeyId.keyId", "%q, but the key's checkpoint key id is %q; trustc publishes the derived one", b64(got), b64(derived.CheckpointKeyID))
			return nil, false
		}
	default:
		if l.GetCheckpointKeyId() != nil {
			pl.e.add(file, p+".checkpointKeyId", "only v0.2 trusted roots carry it; trustc leaves it out of a v0.1 file, so it cannot reproduce this one")
			return nil, false
		}
	}
	return out, true
}

// rekor turns the trusted root's tlogs into rekor logs, gives them their
// signing windows, and makes a front of every signing URL that is no log.
func (pl *planner) rekor() {
	m := pl.in.root.msg
	// Which log each rekor signing entry names: by URL; where several logs
	// share the URL, the one trusted when signing starts.
	byLog := make([][]*entry, len(m.GetTlogs()))
	var fronts []*entry
	for _, en := range pl.entries[kindRekor] {
		best := -1
		for i, l := range m.GetTlogs() {
			if l.GetBaseUrl() != en.url {
				continue
			}
			if best < 0 {
				best = i
			}
			if w := l.GetPublicKey().GetValidFor(); w.GetStart() != nil && !w.GetStart().AsTime().After(en.window.Start.V) &&
				(w.GetEnd() == nil || !w.GetEnd().AsTime().Before(en.window.Start.V)) {
				best = i
			}
		}
		if best < 0 {
			fronts = append(fronts, en)
			continue
		}
		byLog[best] = append(byLog[best], en)
	}
	for i, l := range m.GetTlogs() {
		apis, from := []int{1, 2}, (*entry)(nil)
		if ens := byLog[i]; len(ens) > 0 {
			apis, from = []int{ens[0].api}, ens[0]
		}
		lg, ok := pl.logKey("tlogs", i, l, apis, from)
		if !ok {
			continue
		}
		if len(byLog[i]) == 0 && lg.API.V >= 2 {
			pl.p.note(&lg.Service, fmt.Sprintf("In no signing config: API v%d because the published log id is the C2SP signed-note key hash only v2 logs use.", lg.API.V))
		}
		for _, en := range byLog[i] {
			if _, dup := lg.SignWindow(en.config.name); dup {
				pl.e.add(en.config.file, en.path+".url", "a second entry for the log %s in this file; trustc gives a log one window per signing config", en.url)
				continue
			}
			lg.Sign = append(lg.Sign, model.SignWindow{Config: en.config.name, Window: en.window})
		}
		lg.Operator = pl.serviceOperator(append(pl.rootSaid(index("tlogs", i)+".operator", l.GetOperator()), pl.saidBy(byLog[i])...))
		pl.p.env.Rekor = append(pl.p.env.Rekor, lg)
	}
	pl.fronts(fronts)
}

// fronts groups the rekor signing URLs that are no log of the trusted root
// (a "global" host in front of shards) and picks their shards by the rule
// trustc check applies to published JSON (load.FrontShards).
func (pl *planner) fronts(ens []*entry) {
	for _, group := range byURL(ens) {
		u := group[0].url
		f := &model.RekorFront{Service: model.Service{URL: model.Value[string]{V: u}, API: model.Value[int]{V: group[0].api}}}
		start := group[0].window.Start.V
		for _, en := range group {
			if _, dup := f.SignWindow(en.config.name); dup {
				pl.e.add(en.config.file, en.path+".url", "%s is listed twice in this file; trustc gives a front one window per signing config", en.url)
				continue
			}
			f.Sign = append(f.Sign, model.SignWindow{Config: en.config.name, Window: en.window})
			if en.window.Start.V.Before(start) {
				start = en.window.Start.V
			}
		}
		f.Operator = pl.serviceOperator(pl.saidBy(group))
		trusted, direct := load.FrontShards(pl.p.env.Rekor, f.API.V, start)
		how := " that no signing config names directly"
		if direct {
			how = "; each is also named directly by a signing config"
		}
		if len(trusted) == 0 {
			en := group[0]
			pl.e.add(en.config.file, en.path+".url", "%s is no tlog baseUrl in %s, so it must front log shards, but no API v%d log there is trusted at its signing start %s; add the log it fronts to the trusted root",
				u, pl.in.root.file, f.API.V, text.Time(start))
			continue
		}
		pl.p.shards[f] = trusted
		pl.p.note(&f.Service, fmt.Sprintf("%s is no log of the trusted root: it fronts log shards, whose keys verify its entries. trustc import chose the API v%d logs trusted when signing to it starts (%s)%s; check the list.",
			hostOf(u), f.API.V, text.Time(start), how))
		pl.p.env.RekorFronts = append(pl.p.env.RekorFronts, f)
	}
}

func hostOf(u string) string {
	if pu, err := url.Parse(u); err == nil && pu.Host != "" {
		return pu.Host
	}
	return u
}

func (pl *planner) ctlogs() {
	for i, l := range pl.in.root.msg.GetCtlogs() {
		lg, ok := pl.logKey("ctlogs", i, l, []int{1}, nil)
		if !ok {
			continue
		}
		ct := &model.CTLog{URL: lg.URL, Key: lg.Key, KeyDetails: lg.KeyDetails, Verify: lg.Verify}
		ct.Operator = pl.serviceOperator(pl.rootSaid(index("ctlogs", i)+".operator", l.GetOperator()))
		if n := pl.p.notes[&lg.Service]; n != nil {
			pl.p.notes[ct] = n
			delete(pl.p.notes, &lg.Service)
		}
		pl.p.env.CTLogs = append(pl.p.env.CTLogs, ct)
	}
}

// authorities groups CA or TSA entries into services: one per URL, with a
// chain per entry; entries without a URL (a TSA clients only verify
// against) by their subject. Signing URLs that match no entry become
// services without chains.
func (pl *planner) authorities(cas []*prototrustroot.CertificateAuthority, list, kind, entryKind string) []*model.Authority {
	var out []*model.Authority
	identity := map[*model.Authority]string{}
	stated := map[*model.Authority][]said{}
	for i, a := range cas {
		p := index(list, i)
		ch, ok := pl.chain(p, a, kind)
		if !ok {
			continue
		}
		key := a.GetUri()
		// A uri that is no URL is kept as published: it is an identifier
		// clients never contact (staging v3 to v9's "tsa.github.internal"),
		// which trustc check reports as a warning, not a reason to refuse
		// the import.
		if key == "" {
			key = "\x00" + a.GetSubject().GetOrganization() + "\x00" + a.GetSubject().GetCommonName()
		}
		var svc *model.Authority
		for _, s := range out {
			if identity[s] == key {
				svc = s
			}
		}
		if svc == nil {
			svc = &model.Authority{Service: model.Service{URL: model.Value[string]{V: a.GetUri()}, API: model.Value[int]{V: 1}}}
			identity[svc] = key
			if a.GetUri() == "" {
				// Named after its subject until the plan is named.
				svc.Name = subjectName(a.GetSubject(), kind)
				pl.p.note(&svc.Service, "No uri in the trusted root: clients verify against it but are never sent to it.")
			}
			out = append(out, svc)
		}
		svc.Chains = append(svc.Chains, ch)
		stated[svc] = append(stated[svc], pl.rootSaid(p+".operator", a.GetOperator())...)
	}
	for _, en := range pl.entries[entryKind] {
		var svc *model.Authority
		for _, s := range out {
			if s.URL.V == en.url {
				svc = s
			}
		}
		if svc == nil {
			svc = &model.Authority{Service: model.Service{URL: model.Value[string]{V: en.url}}}
			pl.p.note(&svc.Service, "In a signing config but not in the trusted root: clients are sent to it but trust no chain of it.")
			out = append(out, svc)
		}
		svc.API.V = en.api
		svc.Sign = append(svc.Sign, model.SignWindow{Config: en.config.name, Window: en.window})
		stated[svc] = append(stated[svc], pl.saidBy([]*entry{en})...)
	}
	for _, svc := range out {
		svc.Operator = pl.serviceOperator(stated[svc])
	}
	return out
}

// chain checks one CA or TSA entry and returns its chain.
func (pl *planner) chain(p string, a *prototrustroot.CertificateAuthority, kind string) (*model.Chain, bool) {
	file := pl.in.root.file
	certs := a.GetCertChain().GetCertificates()
	if len(certs) == 0 {
		pl.e.add(file, p+".certChain.certificates", "missing or empty; trustc needs the chain's certificates")
		return nil, false
	}
	var buf bytes.Buffer
	ok := true
	for j, c := range certs {
		if _, err := x509.ParseCertificate(c.GetRawBytes()); err != nil {
			pl.e.add(file, index(p+".certChain.certificates", j)+".rawBytes", "not a DER X.509 certificate: %s", shortErr(err))
			ok = false
			continue
		}
		pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: c.GetRawBytes()})
	}
	w, wok := pl.window(file, p+".validFor", a.GetValidFor())
	if !ok || !wok {
		return nil, false
	}
	ch := &model.Chain{Certs: []model.Material{{Bytes: buf.Bytes()}}, Verify: w}
	// The derived subject, as compiler/derive computes it.
	auth := &model.Authority{Chains: []*model.Chain{{Certs: []model.Material{{File: model.Value[string]{V: "the chain"}, Bytes: buf.Bytes()}}}}}
	env := &model.Environment{CAs: []*model.Authority{auth}}
	if kind == "tsa" {
		env = &model.Environment{TSAs: []*model.Authority{auth}}
	}
	if err := derive.Environment(env); err != nil {
		pl.e.add(file, p+".certChain", "%v", firstMsg(err))
		return nil, false
	}
	derived := auth.Chains[0].Subject
	pub := a.GetSubject()
	if pub == nil {
		pl.e.add(file, p+".subject", "missing; trustc publishes the trust anchor's subject (O=%q, CN=%q)", derived.Organization, derived.CommonName)
		return nil, false
	}
	if pub.GetOrganization() != derived.Organization || pub.GetCommonName() != derived.CommonName {
		o := &model.SubjectOverride{}
		var what []string
		if v := pub.GetOrganization(); v != derived.Organization {
			o.Organization = model.Value[string]{V: v, Src: pl.e.src(file, p+".subject.organization")}
			what = append(what, "organization "+describe(v)+" where the trust anchor's is "+describe(derived.Organization))
		}
		if v := pub.GetCommonName(); v != derived.CommonName {
			o.CommonName = model.Value[string]{V: v, Src: pl.e.src(file, p+".subject.commonName")}
			what = append(what, "common name "+describe(v)+" where the trust anchor's is "+describe(derived.CommonName))
		}
		o.Reason.V = "imported: the published subject has " + strings.Join(what, ", and ")
		ch.SubjectOverride = o
	}
	return ch, true
}

func describe(s string) string {
	if s == "" {
		return "empty"
	}
	return s
}

// subjectName names a service that has no URL after its subject's
// organization ("GitHub, Inc." → "github").
func subjectName(s *protocommon.DistinguishedName, kind string) string {
	for _, v := range []string{s.GetOrganization(), s.GetCommonName()} {
		if f := strings.FieldsFunc(v, func(r rune) bool { return !isNameRune(r) || r == '.' }); len(f) > 0 {
			return sanitize(f[0])
		}
	}
	return kind
}

// byURL groups signing entries by URL, in order of first appearance.
func byURL(ens []*entry) [][]*entry {
	var out [][]*entry
	at := map[string]int{}
	for _, en := range ens {
		i, ok := at[en.url]
		if !ok {
			i = len(out)
			at[en.url] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], en)
	}
	return out
}

func (pl *planner) oidc() {
	for _, group := range byURL(pl.entries[kindOIDC]) {
		o := &model.OIDCProvider{Service: model.Service{URL: model.Value[string]{V: group[0].url}, API: model.Value[int]{V: group[0].api}}}
		for _, en := range group {
			o.Sign = append(o.Sign, model.SignWindow{Config: en.config.name, Window: en.window})
		}
		o.Operator = pl.serviceOperator(pl.saidBy(group))
		pl.p.env.OIDC = append(pl.p.env.OIDC, o)
	}
}

// legacy maps the v0.1 signing config's URLs to the services that have
// them, so that it reads as what it is: a frozen view of those services.
func (pl *planner) legacy() {
	l := pl.in.legacy
	if l == nil {
		return
	}
	pl.p.legacy = &plegacy{
		caURL:   pl.ref(l.msg.CAURL, "ca"),
		oidcURL: pl.ref(l.msg.OIDCURL, "oidc"),
	}
	if l.base != release.LegacySigningConfigName {
		pl.p.legacy.fileNote = fmt.Sprintf("Imported from %s; published as %s, the name clients fetch.", l.base, release.LegacySigningConfigName)
	}
	for _, u := range l.msg.TlogURLs {
		pl.p.legacy.tlogURLs = append(pl.p.legacy.tlogURLs, pl.ref(u, "rekor"))
	}
	for _, u := range l.msg.TSAURLs {
		pl.p.legacy.tsaURLs = append(pl.p.legacy.tsaURLs, pl.ref(u, "tsa"))
	}
}

// ref finds the service whose URL u is, also with a trailing slash added;
// a rekor URL may be a log's or a front's. Services are named later, so a
// ref holds the service until then.
func (pl *planner) ref(u, kind string) ref {
	for _, suffix := range []string{"", "/"} {
		for k, s := range pl.p.env.Services() {
			if (k == kind || kind == "rekor" && k == "rekorFronts") && s.URL.V != "" && s.URL.V+suffix == u {
				return ref{kind: k, suffix: suffix, svc: s}
			}
		}
	}
	return ref{literal: u}
}

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
// The model is load.FromJSON's, where every value has the Src of the JSON
// that states it. Of the values derive or the schema could supply, the
// planner leaves a Src only on those the CUE must state: a service's
// operator only where it is not the environment's, keyDetails only where
// they are not the key's default, a subject override's fields only where
// they differ from the trust anchor's.
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

// A planner decides what the CUE states. The model comes from
// load.FromJSON, the reader trustc check judges published JSON with; what
// is left here is what an import adds: that trustc can reproduce each file
// (it derives log ids, key details and subjects, and publishes lists in
// one order), which values the CUE must state, the operator, names and
// notes.
type planner struct {
	e    *errs
	in   *inputs
	opts Options
	p    *plan
	v02  bool
	// observed operators, one per statement, in order, for choosing the
	// environment's
	operators []string
}

func buildPlan(e *errs, in *inputs, opts Options) (*plan, error) {
	pl := &planner{e: e, in: in, opts: opts, p: &plan{
		policy: opts.Policy.withDefaults(),
		notes:  map[any][]string{},
		shards: map[*model.RekorFront][]*model.RekorLog{},
	}}
	env, err := load.FromJSON(opts.Env, in.files, load.JSONOptions{})
	for _, p := range model.Problems(err) {
		switch p.Severity {
		case model.Error:
			e.append(p)
		case model.Warning:
			// A list out of the order protobuf-specs asks for is only a
			// warning in published JSON, but trustc publishes that order
			// and no other, so it cannot reproduce the file.
			refused := *p
			refused.Severity = model.Error
			refused.Fix = "trustc publishes that order, so it cannot reproduce this one; sort the list"
			e.append(&refused)
		}
		// Notes (the shards assumed behind a front) the importer writes
		// itself, as comments (fronts).
	}
	pl.p.env = env
	pl.configs()
	pl.trustedRoot()
	if err := pl.e.err(); err != nil {
		return nil, err
	}
	pl.chooseOperator()
	pl.rekor()
	pl.fronts()
	pl.ctlogs()
	for _, g := range env.AuthorityGroups() {
		pl.authorities(g)
	}
	for _, o := range env.OIDC {
		pl.settleOperator(&o.Service)
	}
	pl.legacy()
	if err := pl.e.err(); err != nil {
		return nil, err
	}
	pl.name()
	return pl.p, nil
}

// configs checks what trustc publishes of every signing config without
// asking (absolute URLs, API versions, selectors), and gives each config
// its short name.
func (pl *planner) configs() {
	// load.FromJSON names a signing config by its file.
	short := map[string]string{}
	for _, c := range pl.in.configs {
		short[c.base] = c.name
	}
	for _, sc := range pl.p.env.SigningConfigs {
		sc.Name = short[sc.Name]
	}
	for _, c := range pl.in.configs {
		m := c.msg
		pl.selector(c, "rekorTlogConfig", m.GetRekorTlogConfig())
		pl.selector(c, "tsaConfig", m.GetTsaConfig())
		for _, l := range []struct {
			kind string
			svcs []*prototrustroot.Service
		}{{"caUrls", m.GetCaUrls()}, {"oidcUrls", m.GetOidcUrls()}, {"rekorTlogUrls", m.GetRekorTlogUrls()}, {"tsaUrls", m.GetTsaUrls()}} {
			for i, s := range l.svcs {
				p := index(l.kind, i)
				if !pl.absURL(c.file, p+".url", s.GetUrl()) {
					continue
				}
				if s.GetMajorApiVersion() < 1 {
					pl.e.add(c.file, p+".majorApiVersion", "missing or 0; every service has an API version of at least 1")
				}
				pl.operators = append(pl.operators, s.GetOperator())
			}
		}
	}
	for _, s := range pl.p.env.Services() {
		for i := range s.Sign {
			s.Sign[i].Config = short[s.Sign[i].Config]
			pl.noEnd(s.Sign[i].Window)
		}
	}
}

func (pl *planner) selector(c *configIn, field string, sc *prototrustroot.ServiceConfiguration) {
	if sc == nil {
		pl.e.add(c.file, field, "missing; trustc always publishes it (the schema's default is ANY)")
		return
	}
	switch sc.GetSelector() {
	case prototrustroot.ServiceSelector_EXACT:
		if sc.GetCount() < 1 {
			pl.e.add(c.file, field+".count", "EXACT needs a count of at least 1")
		}
	case prototrustroot.ServiceSelector_ANY, prototrustroot.ServiceSelector_ALL:
		if sc.GetCount() != 0 {
			pl.e.add(c.file, field+".count", "a count is meaningful only with EXACT, and the schema allows it only there")
		}
	default:
		pl.e.add(c.file, field+".selector", "%s is not ANY, ALL or EXACT", sc.GetSelector())
	}
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

// noEnd refuses an end that the CUE cannot state: the zero time is how
// trustc says "open".
func (pl *planner) noEnd(w model.Window) bool {
	if w.End.Src.Pos.IsValid() && w.End.V.IsZero() {
		pl.e.append(w.End.Src.Errorf("%s reads as \"no end\" in trustc; it cannot be published", text.Time(w.End.V)))
		return false
	}
	return true
}

// trustedRoot checks the media type of the trusted root, which trustc
// publishes without asking, and counts its operators.
func (pl *planner) trustedRoot() {
	r := pl.in.root
	env := pl.p.env
	switch r.msg.GetMediaType() {
	case release.TrustedRootMediaType02:
		pl.v02 = true
	case release.TrustedRootMediaType01Legacy:
		// The schema's default: the CUE does not state it.
		env.TrustedRoot.MediaType = model.Value[string]{}
	default:
		pl.e.add(r.file, "mediaType", "trustc publishes trusted roots as %q or %q, not %q; change the media type to one of them (they describe the same v0.1 format)",
			release.TrustedRootMediaType01Legacy, release.TrustedRootMediaType02, r.msg.GetMediaType())
	}
	if r.base != release.TrustedRootName {
		pl.p.rootNote = fmt.Sprintf("Imported from %s; published as %s, the name Sigstore clients fetch.", r.base, release.TrustedRootName)
	}
	if m := r.msg; pl.v02 {
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
	for _, u := range pl.rootURLs() {
		if d := domain(u); d != "" {
			pl.p.env.Operator.V = d
			pl.p.operatorNote = "The imported files name no operator (a v0.1 trusted root has none): this is the services' domain. Set it to whoever runs them (trustc import -operator)."
			return
		}
	}
	pl.p.operatorNote = "The imported files name no operator: set it to whoever runs these services (trustc import -operator)."
}

// rootURLs are the URLs of the trusted root's entries: CAs, logs, CT logs,
// TSAs.
func (pl *planner) rootURLs() []string {
	env := pl.p.env
	var out []string
	inRoot := func(as []*model.Authority) {
		for _, a := range as {
			if len(a.Chains) > 0 {
				out = append(out, a.URL.V)
			}
		}
	}
	inRoot(env.CAs)
	for _, l := range env.Rekor {
		out = append(out, l.URL.V)
	}
	for _, l := range env.CTLogs {
		out = append(out, l.URL.V)
	}
	inRoot(env.TSAs)
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

// settleOperator leaves a service's operator stated only where it is not
// the environment's (load.FromJSON has checked that every statement
// agrees).
func (pl *planner) settleOperator(s *model.Service) { s.Operator = pl.operator(s.Operator) }

func (pl *planner) operator(op model.Value[string]) model.Value[string] {
	if !op.Set() || op.V == pl.p.env.Operator.V {
		return model.Value[string]{}
	}
	return op
}

// rootOperator refuses an operator in a v0.1 trusted root: only v0.2
// roots carry them, and trustc would leave it out.
func (pl *planner) rootOperator(path, op string) {
	if !pl.v02 && op != "" {
		pl.e.add(pl.in.root.file, path, "only v0.2 trusted roots carry operators; trustc leaves them out of a v0.1 file, so it cannot reproduce this one")
	}
}

// checkKeyDER checks a published key's DER, which load.FromJSON wrapped in
// PEM: SubjectPublicKeyInfo, or PKCS#1 for the RSA keys published that
// way (staging's first CT log). It reports false for no key at all.
func checkKeyDER(pemBytes []byte) (bool, error) {
	b, _ := pem.Decode(pemBytes)
	if b == nil || len(b.Bytes) == 0 {
		return false, nil
	}
	_, err := x509.ParsePKIXPublicKey(b.Bytes)
	if err == nil {
		return true, nil
	}
	if _, err1 := x509.ParsePKCS1PublicKey(b.Bytes); err1 == nil {
		return true, nil
	}
	return true, fmt.Errorf("not a DER public key (SubjectPublicKeyInfo or PKCS#1): %v", shortErr(err))
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

// logKey is what a published log and a CT log share: where it is, its
// key, log id, key details and window.
type logKey struct {
	list      string
	i         int
	url       string
	key       model.Material
	logID     model.Value[string]
	details   *model.Value[string]
	verify    model.Window
	published *prototrustroot.TransparencyLogInstance
}

// checkLog checks everything about a published log that trustc derives,
// and returns its API version. apis are the versions to try, in order: the
// one a signing config gives (from), or, for a log in no signing config, 1
// and then 2, since the published log id tells them apart. Key details
// that are not the key's default stay stated, with a note on note (the
// log's service, or the CT log); the others are left to derive.
func (pl *planner) checkLog(k logKey, apis []int, from model.Value[int], note any) (int, bool) {
	file := pl.in.root.file
	p := index(k.list, k.i)
	ok := pl.absURL(file, p+".baseUrl", k.url)
	if k.published.GetHashAlgorithm() != protocommon.HashAlgorithm_SHA2_256 {
		pl.e.add(file, p+".hashAlgorithm", "%s; trustc publishes SHA2_256 for every log, which RFC 6962 and C2SP tlog-tiles fix", k.published.GetHashAlgorithm())
		ok = false
	}
	switch present, err := checkKeyDER(k.key.Bytes); {
	case !present:
		pl.e.add(file, p+".publicKey.rawBytes", "missing; trustc needs the log's key")
		return 0, false
	case err != nil:
		pl.e.add(file, p+".publicKey.rawBytes", "%v", err)
		return 0, false
	}
	if !pl.noEnd(k.verify) || !k.verify.Start.Src.Pos.IsValid() || !ok {
		return 0, false
	}

	// Log id: try each API version; the first whose derived id matches wins.
	published, _ := base64.StdEncoding.DecodeString(k.logID.V)
	var derived *model.PublicKey
	var tried []string
	api := 0
	for _, a := range apis {
		d, err := deriveKey(k.key.Bytes, k.url, a, "")
		if err != nil {
			pl.e.add(file, p+".publicKey.rawBytes", "%v", err)
			return 0, false
		}
		if bytes.Equal(d.LogID, published) {
			derived, api = d, a
			break
		}
		id := b64(d.LogID)
		if !slices.ContainsFunc(tried, func(s string) bool { return strings.HasPrefix(s, id) }) {
			tried = append(tried, fmt.Sprintf("%s as an API v%d log", id, a))
		}
	}
	if derived == nil && from.Set() {
		// The signing config gave the API version; does the other fit?
		for _, a := range []int{1, 2} {
			if d, err := deriveKey(k.key.Bytes, k.url, a, ""); err == nil && a != from.V && bytes.Equal(d.LogID, published) {
				pl.e.append(from.Src.Errorf("%d, but %s: %s publishes the log id of an API v%d log; one of the two is wrong", from.V, file, p, a))
				return 0, false
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
		return 0, false
	}

	// Key details: state them only where they are not the derived default.
	if kd := k.details.V; kd != derived.Details {
		if kd == protocommon.PublicKeyDetails_PUBLIC_KEY_DETAILS_UNSPECIFIED.String() {
			pl.e.add(file, p+".publicKey.keyDetails", "missing; trustc publishes the key's details (%s)", derived.Details)
			return 0, false
		}
		if _, err := deriveKey(k.key.Bytes, k.url, api, kd); err != nil {
			pl.e.add(file, p+".publicKey.keyDetails", "%s does not fit the key (%s)", kd, derived.Details)
			return 0, false
		}
		pl.p.note(note, fmt.Sprintf("Published with keyDetails %s; the key's default is %s.", kd, derived.Details))
	} else {
		*k.details = model.Value[string]{}
	}

	switch l := k.published; {
	case pl.v02:
		if got := l.GetCheckpointKeyId().GetKeyId(); !bytes.Equal(got, derived.CheckpointKeyID) {
			pl.e.add(file, p+".checkpointKeyId.keyId", "%q, but the key's checkpoint key id is %q; trustc publishes the derived one", b64(got), b64(derived.CheckpointKeyID))
			return 0, false
		}
	default:
		if l.GetCheckpointKeyId() != nil {
			pl.e.add(file, p+".checkpointKeyId", "only v0.2 trusted roots carry it; trustc leaves it out of a v0.1 file, so it cannot reproduce this one")
			return 0, false
		}
	}
	return api, true
}

// rekor checks the trusted root's tlogs and settles what their CUE
// states. load.FromJSON gave each signing entry to its log: by URL, and
// where several logs share the URL, to the one trusted when signing
// starts.
func (pl *planner) rekor() {
	// load.FromJSON keeps the trusted root's order: Rekor[i] is tlogs[i].
	tlogs := pl.in.root.msg.GetTlogs()
	for i, l := range pl.p.env.Rekor {
		apis := []int{1, 2}
		if l.API.Set() {
			apis = []int{l.API.V}
		}
		api, ok := pl.checkLog(logKey{"tlogs", i, l.URL.V, l.Key, l.LogID, &l.KeyDetails, l.Verify, tlogs[i]}, apis, l.API, &l.Service)
		if !ok {
			continue
		}
		l.API.V = api
		if len(l.Sign) == 0 && api >= 2 {
			pl.p.note(&l.Service, fmt.Sprintf("In no signing config: API v%d because the published log id is the C2SP signed-note key hash only v2 logs use.", api))
		}
		pl.rootOperator(index("tlogs", i)+".operator", tlogs[i].GetOperator())
		pl.settleOperator(&l.Service)
	}
}

// fronts picks the shards of the rekor signing URLs that are no log of
// the trusted root (a "global" host in front of shards) by the rule
// trustc check applies to published JSON (load.FrontShards). They are
// named once the logs are.
func (pl *planner) fronts() {
	for _, f := range pl.p.env.RekorFronts {
		f.Shards = nil
		pl.settleOperator(&f.Service)
		trusted, start, direct := load.FrontShards(pl.p.env.Rekor, f)
		how := " that no signing config names directly"
		if direct {
			how = "; each is also named directly by a signing config"
		}
		if len(trusted) == 0 {
			pl.e.append(f.URL.Src.Errorf("%s is no tlog baseUrl in %s, so it must front log shards, but no API v%d log there is trusted at its signing start %s; add the log it fronts to the trusted root",
				f.URL.V, pl.in.root.file, f.API.V, text.Time(start)))
			continue
		}
		pl.p.shards[f] = trusted
		pl.p.note(&f.Service, fmt.Sprintf("%s is no log of the trusted root: it fronts log shards, whose keys verify its entries. trustc import chose the API v%d logs trusted when signing to it starts (%s)%s; check the list.",
			hostOf(f.URL.V), f.API.V, text.Time(start), how))
	}
}

func hostOf(u string) string {
	if pu, err := url.Parse(u); err == nil && pu.Host != "" {
		return pu.Host
	}
	return u
}

func (pl *planner) ctlogs() {
	ctlogs := pl.in.root.msg.GetCtlogs()
	for i, l := range pl.p.env.CTLogs {
		if _, ok := pl.checkLog(logKey{"ctlogs", i, l.URL.V, l.Key, l.LogID, &l.KeyDetails, l.Verify, ctlogs[i]}, []int{1}, model.Value[int]{}, l); !ok {
			continue
		}
		pl.rootOperator(index("ctlogs", i)+".operator", ctlogs[i].GetOperator())
		l.Operator = pl.operator(l.Operator)
	}
}

// authorities checks a kind's CA or TSA entries, which load.FromJSON
// grouped into services: one per URL, with a chain per entry; entries
// without a URL (a TSA clients only verify against) by their subject.
// Signing URLs that match no entry are services without chains.
func (pl *planner) authorities(g model.AuthorityGroup) {
	entries := pl.in.root.msg.GetCertificateAuthorities()
	if g.Kind == "tsa" {
		entries = pl.in.root.msg.GetTimestampAuthorities()
	}
	// load.FromJSON keeps each chain at its entry's path: the entries are
	// checked in the order of the file.
	chains := map[string]*model.Chain{}
	owner := map[*model.Chain]*model.Authority{}
	for _, a := range g.Authorities {
		for _, ch := range a.Chains {
			chains[ch.Src.Path[0]], owner[ch] = ch, a
		}
	}
	published := map[*model.Authority]*protocommon.DistinguishedName{}
	for i, entry := range entries {
		p := index(g.List, i)
		ch := chains[p]
		if ok := pl.chain(p, entry, ch, g.Kind); ok && published[owner[ch]] == nil {
			published[owner[ch]] = entry.GetSubject()
		}
	}
	for _, a := range g.Authorities {
		if len(a.Chains) == 0 {
			pl.p.note(&a.Service, "In a signing config but not in the trusted root: clients are sent to it but trust no chain of it.")
		}
		// A uri that is no URL is kept as published: it is an identifier
		// clients never contact (staging v3 to v9's "tsa.github.internal"),
		// which trustc check reports as a warning, not a reason to refuse
		// the import.
		a.Name = ""
		if sub := published[a]; a.URL.V == "" && sub != nil {
			// Named after its subject until the plan is named.
			a.Name = subjectName(sub, g.Kind)
			pl.p.note(&a.Service, "No uri in the trusted root: clients verify against it but are never sent to it.")
		}
		pl.settleOperator(&a.Service)
	}
}

// chain checks the CA or TSA entry at p, whose chain ch is, and settles
// the chain's subject override.
func (pl *planner) chain(p string, a *prototrustroot.CertificateAuthority, ch *model.Chain, kind string) bool {
	file := pl.in.root.file
	pl.rootOperator(p+".operator", a.GetOperator())
	certs := a.GetCertChain().GetCertificates()
	if len(certs) == 0 {
		pl.e.add(file, p+".certChain.certificates", "missing or empty; trustc needs the chain's certificates")
		return false
	}
	ok := true
	for j, c := range certs {
		if _, err := x509.ParseCertificate(c.GetRawBytes()); err != nil {
			pl.e.add(file, index(p+".certChain.certificates", j)+".rawBytes", "not a DER X.509 certificate: %s", shortErr(err))
			ok = false
		}
	}
	if !pl.noEnd(ch.Verify) || !ok || !ch.Verify.Start.Src.Pos.IsValid() {
		return false
	}
	// The derived subject, as compiler/derive computes it.
	auth := &model.Authority{Chains: []*model.Chain{{Certs: []model.Material{{File: model.Value[string]{V: "the chain"}, Bytes: ch.Certs[0].Bytes}}}}}
	env := &model.Environment{CAs: []*model.Authority{auth}}
	if kind == "tsa" {
		env = &model.Environment{TSAs: []*model.Authority{auth}}
	}
	if err := derive.Environment(env); err != nil {
		pl.e.add(file, p+".certChain", "%v", firstMsg(err))
		return false
	}
	derived := auth.Chains[0].Subject
	pub := a.GetSubject()
	if pub == nil {
		pl.e.add(file, p+".subject", "missing; trustc publishes the trust anchor's subject (O=%q, CN=%q)", derived.Organization, derived.CommonName)
		return false
	}
	ch.SubjectOverride = nil
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
	return true
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

// legacy maps the v0.1 signing config's URLs to the services that have
// them, so that it reads as what it is: a frozen view of those services.
func (pl *planner) legacy() {
	l := pl.p.env.Legacy
	if l == nil {
		return
	}
	pl.p.legacy = &plegacy{
		caURL:   pl.ref(l.CAURL.V, "ca"),
		oidcURL: pl.ref(l.OIDCURL.V, "oidc"),
	}
	if l.File.V != release.LegacySigningConfigName {
		pl.p.legacy.fileNote = fmt.Sprintf("Imported from %s; published as %s, the name clients fetch.", l.File.V, release.LegacySigningConfigName)
	}
	for _, u := range l.TlogURLs {
		pl.p.legacy.tlogURLs = append(pl.p.legacy.tlogURLs, pl.ref(u.V, "rekor"))
	}
	for _, u := range l.TSAURLs {
		pl.p.legacy.tsaURLs = append(pl.p.legacy.tsaURLs, pl.ref(u.V, "tsa"))
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

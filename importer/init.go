package importer

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"slices"
	"strings"
	"time"

	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	prototrustroot "github.com/sigstore/protobuf-specs/gen/pb-go/trustroot/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/trustc-dev/trustc/compiler/derive"
	"github.com/trustc-dev/trustc/compiler/emit"
	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/internal/text"
	"github.com/trustc-dev/trustc/release"
)

// Spec describes a new private instance: its operator and its services,
// as an operator knows them before anything is published. The fields
// follow the flags of cosign's `trusted-root create` (--fulcio, --rekor,
// --ctfe, --tsa) so that one command line serves both.
type Spec struct {
	Env      string
	Operator string
	Fulcio   []ChainSpec
	TSA      []ChainSpec
	Rekor    []LogSpec
	CTFE     []LogSpec
	OIDC     []OIDCSpec
	// Sign are signing windows given apart from the material, as cosign's
	// signing-config create gives them: each names a service another spec
	// of its kind brings the material of, by URL.
	Sign []SignSpec
	// RekorConfig and TSAConfig are the main signing config's selectors
	// (zero: ANY), as cosign's --rekor-config and --tsa-config give them.
	RekorConfig, TSAConfig Selector
	// Policy is what the environment's policy block declares.
	Policy Policy
	// Now is the release time the time-dependent rules check the
	// environment at, as trustc generate will (a start in the future that
	// a declared client trips on, and the like). Zero skips them.
	Now time.Time
}

// ChainSpec is a certificate authority (Fulcio) or timestamp authority and
// one of its chains.
type ChainSpec struct {
	// Flag names the spec in errors ("-fulcio https://fulcio.example.com").
	Flag string
	URL  string
	// Chain is a PEM file of certificates, leaf-most first, trust anchor
	// last.
	Chain Input
	// Start defaults to the trust anchor's NotBefore for a CA and to the
	// leaf's for a TSA, as cosign does. End is optional.
	Start, End time.Time
	API        int // 0: 1
	// Operator runs the service, if not the environment's operator.
	Operator string
}

// LogSpec is a Rekor or CT log.
type LogSpec struct {
	Flag       string
	URL        string
	Key        Input // PEM public key
	Start, End time.Time
	API        int // Rekor only; 0: 1, or 2 when Origin is set
	// Origin is what cosign takes to compute a Rekor v2 log id (and a
	// static CT log's checkpoint key id); trustc derives it from URL and
	// only checks that the two agree.
	Origin string
	// Operator runs a Rekor log, if not the environment's operator.
	Operator string
}

// OIDCSpec is an OpenID Connect provider.
type OIDCSpec struct {
	Flag     string
	URL      string
	Start    time.Time // zero: when the first CA starts, else the first service
	End      time.Time // zero: open
	API      int
	Operator string
}

// SignSpec is a signing window for a CA, Rekor log or TSA, without its
// material: what cosign's signing-config create takes. The service's
// material comes from a spec of the same Kind and URL; the window replaces
// the one it would sign in by default (its whole verification window).
type SignSpec struct {
	Flag       string
	Kind       string // "fulcio", "rekor" or "tsa"
	URL        string
	Start, End time.Time
	API        int // 0: the material spec's
	Operator   string
}

// Selector is a signing config's service selector: "ANY", "ALL" or
// "EXACT" with a count. The zero Selector is ANY.
type Selector struct {
	Name  string
	Count int
}

// Init creates the environment of a new private instance for the trustc
// repository at root: a trusted root and one signing config ("main")
// that sends clients to every service from its start. Like Import it
// compiles the result before returning it, and it refuses policy findings.
func Init(root string, s Spec) (*Result, error) {
	if err := CheckEnvName(s.Env); err != nil {
		return nil, err
	}
	e := newErrs()
	if s.Operator == "" {
		e.add("-operator", "", "missing; name who runs these services, as a scheme-less URI such as example.com")
	}
	if len(s.Fulcio)+len(s.TSA)+len(s.Rekor)+len(s.CTFE) == 0 {
		e.add("trustc init", "", "no services: give at least one of -fulcio, -rekor, -ctfe and -tsa")
	}
	b := &initBuilder{e: e, op: s.Operator, apis: map[string]int{},
		root: &model.Environment{TrustedRoot: model.TrustedRoot{MediaType: model.Value[string]{V: release.TrustedRootMediaType01Legacy}}},
		sc: &prototrustroot.SigningConfig{
			MediaType:       release.SigningConfigMediaType02,
			RekorTlogConfig: &prototrustroot.ServiceConfiguration{Selector: prototrustroot.ServiceSelector_ANY},
			TsaConfig:       &prototrustroot.ServiceConfiguration{Selector: prototrustroot.ServiceSelector_ANY},
		},
	}
	for _, c := range s.Fulcio {
		b.chain(c, false)
	}
	for _, c := range s.TSA {
		b.chain(c, true)
	}
	for _, l := range s.Rekor {
		b.log(l, true)
	}
	for _, l := range s.CTFE {
		b.log(l, false)
	}
	b.oidc(s.OIDC)
	b.selector("-rekor-config", s.RekorConfig, b.sc.RekorTlogConfig)
	b.selector("-tsa-config", s.TSAConfig, b.sc.TsaConfig)
	for _, l := range [][]*prototrustroot.Service{b.sc.CaUrls, b.sc.RekorTlogUrls, b.sc.TsaUrls, b.sc.OidcUrls} {
		for i, x := range l {
			for _, y := range l[:i] {
				if x.GetUrl() == y.GetUrl() && x.GetMajorApiVersion() != y.GetMajorApiVersion() {
					e.add(x.GetUrl(), "api-version", "given as %d and as %d; one service has one API version", y.GetMajorApiVersion(), x.GetMajorApiVersion())
				}
			}
		}
	}
	if err := e.err(); err != nil {
		return nil, err
	}
	b.finish()
	b.sign(s.Sign)
	if err := e.err(); err != nil {
		return nil, err
	}

	// The messages go the way of published files, through the reader of
	// published JSON, so that the plan knows which file and field stated
	// each value, as for trustc import.
	var files []Input
	for _, f := range []struct {
		name string
		msg  proto.Message
	}{{release.TrustedRootName, emit.TrustedRoot(b.root)}, {"signing_config.v0.2.json", b.sc}} {
		data, err := emit.Canonical(f.msg)
		if err != nil {
			return nil, err
		}
		files = append(files, Input{Name: f.name, Data: data})
	}
	pe := newErrs()
	in := parseInputs(pe, files)
	p, err := buildPlan(pe, in, Options{Env: s.Env, Operator: s.Operator, Policy: s.Policy})
	if err == nil {
		err = pe.err()
	}
	if err != nil {
		return nil, fmt.Errorf("the specs pass their own checks but not the importer's (a bug in trustc init):\n%w", err)
	}
	header := []string{
		"Created by trustc init for a private Sigstore instance run by " + s.Operator + ".",
		"Names of services, chains and material files are trustc's suggestions: nothing published depends on them, so rename them as you see fit.",
	}
	// A new instance's services are there from its start: no client holds
	// an older trusted root that lacks them.
	p.exemptReason = "in service from the environment's start: no client holds an older trusted root without it"
	return finish(root, p, header, wantOf(in), false, s.Now)
}

type initBuilder struct {
	e    *errs
	op   string
	apis map[string]int // an API version a material spec gave, by kind and URL
	// root holds the trusted root's logs and authorities, derived, for
	// compiler/emit to write as trustc generate will.
	root *model.Environment
	sc   *prototrustroot.SigningConfig
}

func (b *initBuilder) url(flag, u string) bool { return absURL(b.e, flag, "url", u) }

func (b *initBuilder) window(flag string, start, end time.Time) (*protocommon.TimeRange, bool) {
	if !end.IsZero() && end.Before(start) {
		b.e.add(flag, "end-time", "%s is before start-time %s", text.Time(end), text.Time(start))
		return nil, false
	}
	r := &protocommon.TimeRange{Start: timestamppb.New(start)}
	if !end.IsZero() {
		r.End = timestamppb.New(end)
	}
	return r, true
}

func api(n int) uint32 {
	if n == 0 {
		return 1
	}
	return uint32(n)
}

// chain checks a CA or TSA chain the way its clients will use it: every
// certificate issued by the next, a TSA's chain starting at its leaf, a
// CA's at the intermediate that issues signing certificates.
func (b *initBuilder) chain(c ChainSpec, tsa bool) {
	ok := b.url(c.Flag, c.URL)
	m := model.Material{File: model.Value[string]{V: c.Chain.Name}, Bytes: c.Chain.Data}
	var certs []*x509.Certificate
	rest := c.Chain.Data
	for {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			b.e.add(c.Flag, "certificate-chain", "%s holds a PEM %q block; a chain file holds only CERTIFICATE blocks", c.Chain.Name, blk.Type)
			return
		}
		cert, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			b.e.add(c.Flag, "certificate-chain", "%s: a CERTIFICATE block is not a DER X.509 certificate: %s", c.Chain.Name, shortErr(err))
			return
		}
		certs = append(certs, cert)
	}
	if len(certs) == 0 || strings.TrimSpace(string(rest)) != "" {
		b.e.add(c.Flag, "certificate-chain", "%s holds no certificates, or data after them; want PEM CERTIFICATE blocks, leaf-most first", c.Chain.Name)
		return
	}
	for i := 0; i+1 < len(certs); i++ {
		if err := certs[i].CheckSignatureFrom(certs[i+1]); err != nil {
			b.e.add(c.Flag, "certificate-chain", "%s: certificate %d is not issued by certificate %d (%v); list the chain leaf-most first, trust anchor last", c.Chain.Name, i+1, i+2, err)
			return
		}
	}
	switch {
	case tsa && certs[0].IsCA:
		b.e.add(c.Flag, "certificate-chain", "%s starts with a CA certificate; a TSA chain starts with the TSA's own (leaf) certificate", c.Chain.Name)
		return
	case !tsa && !certs[0].IsCA:
		b.e.add(c.Flag, "certificate-chain", "%s starts with a certificate that is not a CA; a Fulcio chain starts with the CA that issues signing certificates and leaves out any leaf", c.Chain.Name)
		return
	}
	start := c.Start
	if start.IsZero() {
		start = certs[len(certs)-1].NotBefore
		if tsa {
			start = certs[0].NotBefore
		}
	}
	w, wok := b.window(c.Flag, start.UTC(), c.End.UTC())
	if !ok || !wok {
		return
	}
	// The published subject is the derived one, so that the environment
	// states nothing derive computes.
	auth := &model.Authority{
		Service: model.Service{URL: model.Value[string]{V: c.URL}},
		Chains:  []*model.Chain{{Certs: []model.Material{m}, Verify: modelWindow(w)}},
	}
	env := &model.Environment{CAs: []*model.Authority{auth}}
	if tsa {
		env = &model.Environment{TSAs: []*model.Authority{auth}}
	}
	if err := derive.Environment(env); err != nil {
		b.e.add(c.Flag, "certificate-chain", "%v", firstMsg(err))
		return
	}
	svc := &prototrustroot.Service{Url: c.URL, MajorApiVersion: api(c.API), ValidFor: proto.CloneOf(w), Operator: b.operator(c.Operator)}
	kind := "fulcio"
	if tsa {
		kind = "tsa"
	}
	if c.API != 0 {
		b.apis[kind+" "+c.URL] = c.API
	}
	if tsa {
		b.root.TSAs = append(b.root.TSAs, auth)
		b.sc.TsaUrls = append(b.sc.TsaUrls, svc)
	} else {
		b.root.CAs = append(b.root.CAs, auth)
		b.sc.CaUrls = append(b.sc.CaUrls, svc)
	}
}

func (b *initBuilder) log(l LogSpec, rekor bool) {
	ok := b.url(l.Flag, l.URL)
	if l.Start.IsZero() {
		b.e.add(l.Flag, "start-time", "missing; say from when clients trust this log's key")
		ok = false
	}
	a := 1
	if rekor {
		a = int(api(l.API))
		if l.Origin != "" && l.API == 0 {
			a = 2
		}
	}
	// A CT log's id is the SHA-256 of its key whether it is static (C2SP
	// static-ct-api keeps RFC 6962's log id) or not, so for -ctfe origin
	// only has to name the log it describes.
	if l.Origin != "" {
		what := "a CT log's"
		if rekor {
			what = "a Rekor v2 log's"
		}
		if o, err := derive.Origin(l.URL); err == nil && o != l.Origin {
			b.e.add(l.Flag, "origin", "%q differs from %q, the origin trustc derives from url (%s origin is its URL without the scheme); leave origin out", l.Origin, o, what)
			ok = false
		}
	}
	// derive.PublicKey names the file in its messages.
	if _, err := derive.PublicKey(model.Material{File: model.Value[string]{V: l.Key.Name}, Bytes: l.Key.Data}); err != nil {
		b.e.add(l.Flag, "public-key", "%v", firstMsg(err))
		return
	}
	pk, kerr := deriveKey(l.Key.Data, l.URL, a, "")
	if kerr != nil {
		b.e.add(l.Flag, "public-key", "%v", kerr)
		return
	}
	w, wok := b.window(l.Flag, l.Start.UTC(), l.End.UTC())
	if !ok || !wok {
		return
	}
	key := model.Material{File: model.Value[string]{V: l.Key.Name}, Bytes: l.Key.Data}
	if !rekor {
		b.root.CTLogs = append(b.root.CTLogs, &model.CTLog{URL: model.Value[string]{V: l.URL}, Key: key, Verify: modelWindow(w), PublicKey: pk})
		return
	}
	b.root.Rekor = append(b.root.Rekor, &model.RekorLog{
		Service:   model.Service{URL: model.Value[string]{V: l.URL}, API: model.Value[int]{V: a}},
		Key:       key,
		Verify:    modelWindow(w),
		PublicKey: pk,
	})
	b.sc.RekorTlogUrls = append(b.sc.RekorTlogUrls, &prototrustroot.Service{Url: l.URL, MajorApiVersion: uint32(a), ValidFor: proto.CloneOf(w), Operator: b.operator(l.Operator)})
	// A Rekor log's API version fixes how its log id derives, so a signing
	// window given apart must agree with it.
	b.apis["rekor "+l.URL] = a
}

func (b *initBuilder) oidc(specs []OIDCSpec) {
	for _, o := range specs {
		if !b.url(o.Flag, o.URL) {
			continue
		}
		start := o.Start
		if start.IsZero() {
			start = b.earliest()
		}
		w, ok := b.window(o.Flag, start.UTC(), o.End.UTC())
		if !ok {
			continue
		}
		b.sc.OidcUrls = append(b.sc.OidcUrls, &prototrustroot.Service{
			Url: o.URL, MajorApiVersion: api(o.API), Operator: b.operator(o.Operator), ValidFor: w,
		})
	}
}

func (b *initBuilder) operator(op string) string {
	if op != "" {
		return op
	}
	return b.op
}

// selector sets a signing config's selector from cosign's ANY, ALL or
// EXACT:<count>.
func (b *initBuilder) selector(flag string, s Selector, c *prototrustroot.ServiceConfiguration) {
	switch s.Name {
	case "", "ANY":
	case "ALL":
		c.Selector = prototrustroot.ServiceSelector_ALL
	case "EXACT":
		if s.Count < 1 {
			b.e.add(flag, "", "EXACT needs a count of at least 1, as in EXACT:1")
			return
		}
		c.Selector, c.Count = prototrustroot.ServiceSelector_EXACT, uint32(s.Count)
	default:
		b.e.add(flag, "", "%q is not ANY, ALL or EXACT:<count>", s.Name)
	}
}

// sign gives services the signing windows specified apart from their
// material, after finish has merged each URL's entries into one.
func (b *initBuilder) sign(specs []SignSpec) {
	seen := map[string]string{}
	for _, s := range specs {
		key := s.Kind + " " + s.URL
		if prev, ok := seen[key]; ok {
			b.e.add(s.Flag, "", "a second signing window for %s (the first is %s); one signing window per service", s.URL, prev)
			continue
		}
		seen[key] = s.Flag
		list := map[string][]*prototrustroot.Service{"fulcio": b.sc.CaUrls, "rekor": b.sc.RekorTlogUrls, "tsa": b.sc.TsaUrls}[s.Kind]
		i := slices.IndexFunc(list, func(svc *prototrustroot.Service) bool { return svc.GetUrl() == s.URL })
		if i < 0 {
			material := map[string]string{"fulcio": "certificate-chain", "rekor": "public-key", "tsa": "certificate-chain"}[s.Kind]
			b.e.add(s.Flag, material, "missing, and no other -%s for %s gives it; the trusted root needs the material of every service clients sign with", s.Kind, s.URL)
			continue
		}
		svc := list[i]
		if a, ok := b.apis[key]; ok && s.API != 0 && s.API != a {
			b.e.add(s.Flag, "api-version", "%d, but the -%s with the material of %s says %d; one service has one API version", s.API, s.Kind, s.URL, a)
			continue
		}
		if s.Start.IsZero() {
			b.e.add(s.Flag, "start-time", "missing; say from when clients sign with %s", s.URL)
			continue
		}
		w, ok := b.window(s.Flag, s.Start.UTC(), s.End.UTC())
		if !ok {
			continue
		}
		svc.ValidFor = w
		if s.API != 0 {
			svc.MajorApiVersion = uint32(s.API)
		}
		if s.Operator != "" {
			svc.Operator = s.Operator
		}
	}
	for _, l := range []*[]*prototrustroot.Service{&b.sc.CaUrls, &b.sc.RekorTlogUrls, &b.sc.TsaUrls} {
		slices.SortStableFunc(*l, func(x, y *prototrustroot.Service) int {
			return y.GetValidFor().GetStart().AsTime().Compare(x.GetValidFor().GetStart().AsTime())
		})
	}
}

// earliest is when the first CA starts, else the first service: an OIDC
// provider is there for the CA.
func (b *initBuilder) earliest() time.Time {
	var ts []time.Time
	for _, s := range b.sc.CaUrls {
		ts = append(ts, s.GetValidFor().GetStart().AsTime())
	}
	if len(ts) == 0 {
		for _, s := range slices.Concat(b.sc.RekorTlogUrls, b.sc.TsaUrls) {
			ts = append(ts, s.GetValidFor().GetStart().AsTime())
		}
		for _, l := range b.root.CTLogs {
			ts = append(ts, l.Verify.Start.V)
		}
	}
	if len(ts) == 0 {
		return time.Time{}
	}
	return slices.MinFunc(ts, time.Time.Compare)
}

// finish orders the signing config's lists as protobuf-specs asks (newest
// first; emit orders the trusted root's) and gives a service that several
// chains share one signing entry, from its first start to its last end.
func (b *initBuilder) finish() {
	byStart := func(a, c *protocommon.TimeRange) int { return a.GetStart().AsTime().Compare(c.GetStart().AsTime()) }
	for _, l := range []*[]*prototrustroot.Service{&b.sc.CaUrls, &b.sc.OidcUrls, &b.sc.RekorTlogUrls, &b.sc.TsaUrls} {
		*l = merge(*l)
		slices.SortStableFunc(*l, func(x, y *prototrustroot.Service) int { return byStart(y.GetValidFor(), x.GetValidFor()) })
	}
}

// modelWindow is a window of the trusted root, as derive and emit take it.
func modelWindow(r *protocommon.TimeRange) model.Window {
	w := model.Window{Start: model.Value[time.Time]{V: r.GetStart().AsTime()}}
	if r.GetEnd() != nil {
		w.End.V = r.GetEnd().AsTime()
	}
	return w
}

// merge keeps one entry per URL, spanning all of that URL's windows.
func merge(svcs []*prototrustroot.Service) []*prototrustroot.Service {
	var out []*prototrustroot.Service
	for _, s := range svcs {
		i := slices.IndexFunc(out, func(o *prototrustroot.Service) bool { return o.GetUrl() == s.GetUrl() })
		if i < 0 {
			out = append(out, s)
			continue
		}
		o := out[i].GetValidFor()
		w := s.GetValidFor()
		if w.GetStart().AsTime().Before(o.GetStart().AsTime()) {
			o.Start = w.GetStart()
		}
		switch {
		case o.GetEnd() == nil || w.GetEnd() == nil:
			o.End = nil
		default:
			o.End = timestamppb.New(slices.MaxFunc([]time.Time{o.GetEnd().AsTime(), w.GetEnd().AsTime()}, time.Time.Compare))
		}
	}
	return out
}

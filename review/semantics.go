package review

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	prototrustroot "github.com/sigstore/protobuf-specs/gen/pb-go/trustroot/v1"
	"github.com/trustc-dev/trustc/clients"
	"github.com/trustc-dev/trustc/compiler/derive"
	"github.com/trustc-dev/trustc/internal/text"
	"github.com/trustc-dev/trustc/release"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// defaultSigningConfig is the TUF target sigstore-go (pkg/root
// GetSigningConfig) and sigstore-python (sigstore/_internal/tuf.py) fetch.
const defaultSigningConfig = "signing_config.v0.2.json"

// defaultFetchers names the releases that fetch defaultSigningConfig.
func defaultFetchers() string {
	return fmt.Sprintf("%s (root.GetSigningConfig) and %s", clients.Signer(clients.SigstoreGo).Release(), clients.Signer(clients.SigstorePython).Release())
}

// python is the sigstore-python release the review's remarks on it are
// about.
func python() string { return clients.Verifier(clients.SigstorePython).Release() }

// fileCtx reviews one file of one environment.
type fileCtx struct {
	env      *Env
	old, new *envFile
	now      time.Time
}

func (c *fileCtx) kind() fileKind {
	if c.new != nil {
		return c.new.kind
	}
	return c.old.kind
}

func (c *fileCtx) name() string {
	if c.new != nil {
		return c.new.name
	}
	return c.old.name
}

func (c *fileCtx) review() *File {
	f := &File{Name: c.name()}
	switch {
	case c.old == nil:
		f.Status = StatusAdded
	case c.new == nil:
		f.Status = StatusRemoved
	default:
		f.Status = StatusChanged
	}
	if c.kind() == kindLegacy {
		f.Changes = c.legacyChanges()
	} else {
		for _, d := range diffRoot(c.msg(c.old), c.msg(c.new)) {
			f.Changes = append(f.Changes, c.change(d))
		}
	}
	if len(f.Changes) == 0 && f.Status == StatusChanged {
		f.Status = StatusFormatting
		return f
	}
	switch c.kind() {
	case kindTrustedRoot:
		f.Warnings = c.refusals()
	case kindSigningConfig:
		f.Clients = c.impact()
		f.Warnings = c.signingRefusals()
		if c.old == nil && c.new.name != defaultSigningConfig {
			f.Notes = append(f.Notes, fmt.Sprintf("%s fetch only %s from TUF; this file reaches clients configured to read it.", defaultFetchers(), defaultSigningConfig))
		}
	case kindLegacy:
		if c.new == nil {
			f.Warnings = []string{"Clients that read only signing_config.json (v0.1) lose their signing configuration."}
		}
	}
	return f
}

// msg returns the file's message, or a typed invalid one for a file that
// is not there, so both sides of a walk share a descriptor.
func (c *fileCtx) msg(f *envFile) protoreflect.Message {
	if f != nil {
		return f.msg
	}
	if c.kind() == kindTrustedRoot {
		return (*prototrustroot.TrustedRoot)(nil).ProtoReflect()
	}
	return (*prototrustroot.SigningConfig)(nil).ProtoReflect()
}

// What each top-level field holds, in reviewers' words.
var whats = map[string]string{
	"tlogs":                  "Rekor log",
	"ctlogs":                 "CT log",
	"certificateAuthorities": "certificate authority",
	"timestampAuthorities":   "timestamp authority",
	"caUrls":                 "CA service",
	"oidcUrls":               "OIDC provider",
	"rekorTlogUrls":          "Rekor service",
	"tsaUrls":                "TSA service",
	"rekorTlogConfig":        "Rekor selection",
	"tsaConfig":              "TSA selection",
	"mediaType":              "media type",
}

// What verifiers accept from each kind of trusted-root entry.
var madeWith = map[string]string{
	"tlogs":                  "entries logged to it",
	"ctlogs":                 "certificates with its SCTs",
	"certificateAuthorities": "certificates it issued",
	"timestampAuthorities":   "timestamps it signed",
}

func whatOf(section string) string {
	if w, ok := whats[section]; ok {
		return w
	}
	return section
}

func (c *fileCtx) change(d delta) Change {
	ch := Change{Op: d.op, What: whatOf(d.section), Path: d.path(), Field: d.field}
	switch d.op {
	case Added:
		ch.Subject = subjectOf(d.new)
		ch.Details = leaves(d.new, "")
	case Removed:
		ch.Subject = subjectOf(d.old)
		ch.Details = leaves(d.old, "")
	case Changed:
		// A field of a file that appears or disappears is added or
		// removed with it.
		switch {
		case c.old == nil:
			ch.Op = Added
		case c.new == nil:
			ch.Op = Removed
		}
		if d.new != nil && d.new.IsValid() {
			ch.Subject = subjectOf(d.new)
		} else if d.old != nil {
			ch.Subject = subjectOf(d.old)
		}
		ch.Old, ch.New = d.oldVal, d.newVal
	case Reordered:
		ch.What = "order of " + d.section
		ch.Old, ch.New = d.oldVal, d.newVal
	}
	if c.kind() == kindTrustedRoot {
		c.trustSemantics(&ch, d)
	} else {
		c.signingSemantics(&ch, d)
	}
	switch ch.Op {
	case Added:
		ch.Old = ""
	case Removed:
		ch.New = ""
	}
	return ch
}

// span is a closed stretch of time; zero ends are open.
type span struct{ start, end time.Time }

var (
	minTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	maxTime = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
)

func (s span) bounds() (time.Time, time.Time) {
	a, b := s.start, s.end
	if a.IsZero() {
		a = minTime
	}
	if b.IsZero() {
		b = maxTime
	}
	return a, b
}

func fromBounds(a, b time.Time) span {
	if a.Equal(minTime) {
		a = time.Time{}
	}
	if b.Equal(maxTime) {
		b = time.Time{}
	}
	return span{a, b}
}

// minus returns the parts of s outside o. Ends are inclusive, so a part
// starts 1ns after o ends or stops 1ns before o starts.
func (s span) minus(o span) []span {
	sa, sb := s.bounds()
	oa, ob := o.bounds()
	if sa.After(sb) {
		return nil
	}
	if oa.After(ob) || ob.Before(sa) || oa.After(sb) {
		return []span{s}
	}
	var out []span
	if sa.Before(oa) {
		out = append(out, fromBounds(sa, oa.Add(-time.Nanosecond)))
	}
	if sb.After(ob) {
		out = append(out, fromBounds(ob.Add(time.Nanosecond), sb))
	}
	return out
}

func (s span) String() string {
	a, b := s.bounds()
	from := "from " + text.Time(a)
	end, after := text.JustAfter(a)
	if s.start.IsZero() {
		from, after = "from the beginning", false
	} else if after {
		from = "after " + text.Time(end)
	}
	start, before := text.JustBefore(b)
	switch {
	case s.end.IsZero() && after:
		return from
	case s.end.IsZero():
		return from + " on"
	case !s.start.IsZero() && a.Equal(b):
		return "at " + text.Time(a) + " exactly"
	case before:
		return from + " until before " + text.Time(start)
	}
	return from + " through " + text.Time(b)
}

// windowOf reads an entry's validity window: a log's key window or an
// authority's or service's own.
func windowOf(m protoreflect.Message) span {
	v := get(m, "valid_for")
	if !v.IsValid() {
		v = get(m, "public_key", "valid_for")
	}
	if !v.IsValid() {
		return span{}
	}
	tr := v.Message()
	var s span
	if t := get(tr, "start"); tr.Has(tr.Descriptor().Fields().ByName("start")) {
		s.start = timeOf(t.Message())
	}
	if t := get(tr, "end"); tr.Has(tr.Descriptor().Fields().ByName("end")) {
		s.end = timeOf(t.Message())
	}
	return s
}

func timeOf(m protoreflect.Message) time.Time {
	return time.Unix(get(m, "seconds").Int(), get(m, "nanos").Int()).UTC()
}

// isWindowField reports whether a leaf is a window bound of its entry.
func isWindowField(field string) bool {
	return strings.HasSuffix(field, "validFor.start") || strings.HasSuffix(field, "validFor.end")
}

// when sets Effective and When from the first instant affected.
func (c *fileCtx) when(ch *Change, first time.Time) {
	if first.IsZero() || (!c.now.IsZero() && !first.After(c.now)) {
		ch.When = "on publication"
		return
	}
	ch.Effective = first
	ch.When = "from " + text.Time(first)
	if end, ok := text.JustAfter(first); ok {
		ch.When = "after " + text.Time(end)
	}
}

// rekorAPI is a trusted-root log's Rekor API version, which the trusted
// root does not state: the majorApiVersion of a signing config's service
// at its URL, else derive.RekorAPI's answer from the published log id and
// key, the rule compiler/load applies to published trusted roots.
func (c *fileCtx) rekorAPI(m protoreflect.Message) uint64 {
	url := strings.TrimSuffix(str(m, "base_url"), "/")
	for _, env := range []*release.Env{c.env.new, c.env.old} {
		if env == nil {
			continue
		}
		for _, f := range env.SigningConfigs {
			for _, s := range f.Msg.GetRekorTlogUrls() {
				if strings.TrimSuffix(s.GetUrl(), "/") == url {
					return uint64(s.GetMajorApiVersion())
				}
			}
		}
	}
	details := protocommon.PublicKeyDetails(get(m, "public_key", "key_details").Enum()).String()
	return uint64(derive.RekorAPI(bytesOf(m, "public_key", "raw_bytes"), details, url, bytesOf(m, "log_id", "key_id")))
}

// bytesOf reads a bytes field through get, nil where the path does not
// exist.
func bytesOf(m protoreflect.Message, names ...string) []byte {
	v := get(m, names...)
	if !v.IsValid() {
		return nil
	}
	b, _ := v.Interface().([]byte)
	return b
}

// rekorV2Verifiers says who verifies a Rekor v2 log's entries.
func rekorV2Verifiers() string {
	var names []string
	for _, v := range clients.RekorV2Verifiers() {
		names = append(names, v.Name())
	}
	return fmt.Sprintf("Its entries are Rekor API v2 entries (a checkpoint, no SET): %s verify them; releases before their Rekor v2 support do not.", text.And(names))
}

func (c *fileCtx) trustSemantics(ch *Change, d delta) {
	if d.section == "tlogs" && d.op != Reordered {
		m := d.new
		if m == nil || !m.IsValid() {
			m = d.old
		}
		api := c.rekorAPI(m)
		ch.What = fmt.Sprintf("Rekor v%d log", api)
		if api == 2 && d.op == Added {
			defer func() { ch.Impact = append(ch.Impact, rekorV2Verifiers()) }()
		}
	}
	what := madeWith[d.section]
	switch {
	case d.op == Added && what != "":
		w := windowOf(d.new)
		c.when(ch, w.start)
		ch.New = "trusted " + w.String()
		ch.Impact = append(ch.Impact, fmt.Sprintf("Verifiers that fetch this release accept %s %s.", what, w))
		if !w.end.IsZero() && d.section != "timestampAuthorities" {
			ch.Impact = append(ch.Impact, pythonIgnoresEnd(what))
		}
		ch.Impact = append(ch.Impact, c.signedWith(d.section, subjectOf(d.new))...)
	case d.op == Removed && what != "":
		w := windowOf(d.old)
		c.when(ch, time.Time{})
		ch.Old = "trusted " + w.String()
		ch.Warning = fmt.Sprintf("Verifiers that fetch this release reject all %s, including bundles made while it was trusted (%s).", what, w)
		ch.Impact = append(ch.Impact, c.signedWith(d.section, subjectOf(d.old))...)
	case d.op == Changed && what != "" && isWindowField(d.field):
		c.windowChange(ch, d, what, true)
	case d.op == Changed && what != "" && d.field == "logId.keyId":
		c.when(ch, time.Time{})
		ch.Impact = append(ch.Impact, fmt.Sprintf("Log id corrected from %s to %s: the same key at the same URL. Verifiers find a bundle's log by the id its entry names; entries that name %s verify against this log from publication.", d.oldVal, d.newVal, d.newVal))
	case d.op == Changed && what != "" && d.field == "certChain":
		c.when(ch, time.Time{})
		ch.Impact = append(ch.Impact, fmt.Sprintf("Chain reordered %s: the same certificates, so verifiers accept the same %s; protobuf-specs lists a chain leaf first.", d.newVal, what))
	case d.op == Changed && what != "":
		c.when(ch, time.Time{})
		ch.Impact = append(ch.Impact, trustFieldImpact(d.section, d.field)...)
	case d.op == Reordered:
		c.when(ch, time.Time{})
		ch.Impact = append(ch.Impact, "Verifiers find entries by log ID or by chain, not by position; the order has no effect on them.")
	default:
		c.when(ch, time.Time{})
		if d.section == "mediaType" {
			ch.Impact = append(ch.Impact, "Clients decide from the media type whether they can read the file at all; see the file's warnings.")
		}
	}
}

func pythonIgnoresEnd(what string) string {
	return fmt.Sprintf("%s does not check this end: it keeps accepting %s after it.", python(), what)
}

// trustFieldImpact explains a changed field of a trusted-root entry whose
// identity (log ID, chain ends) stayed.
func trustFieldImpact(section, field string) []string {
	switch {
	case strings.HasPrefix(field, "publicKey.rawBytes"), strings.HasPrefix(field, "publicKey.keyDetails"):
		return []string{"Verifiers check this log's signatures with the new key from publication; the log ID, which names the key, did not change."}
	case field == "hashAlgorithm":
		return []string{"Verifiers hash this log's Merkle tree with the new algorithm."}
	case field == "baseUrl", field == "uri":
		return []string{"Verifiers find entries by log ID or chain, not URL; signing configs and reviewers match services to this entry by URL."}
	case strings.HasPrefix(field, "checkpointKeyId"):
		return []string{"Rekor v2 verifiers match checkpoint signatures by this key ID (sigstore-js prefers it over the log ID)."}
	case field == "operator":
		return []string{"Verifiers count distinct operators towards thresholds by this name."}
	case strings.HasPrefix(field, "certChain"):
		return []string{"Verifiers build chains from the new certificates from publication."}
	case strings.HasPrefix(field, "subject"):
		return []string{"Informational: verifiers use the chain, not this name."}
	}
	return []string{"Verifiers read the new value from publication."}
}

// signedWith says which signing configs of the new release send signers
// to a trusted-root entry's URL.
func (c *fileCtx) signedWith(section, url string) []string {
	field := map[string]string{"tlogs": "rekorTlogUrls", "certificateAuthorities": "caUrls", "timestampAuthorities": "tsaUrls"}[section]
	if field == "" || c.env.new == nil {
		return nil
	}
	var out []string
	for _, f := range c.env.new.SigningConfigs {
		fd := f.Msg.ProtoReflect().Descriptor().Fields().ByJSONName(field)
		l := f.Msg.ProtoReflect().Get(fd).List()
		for i := range l.Len() {
			m := l.Get(i).Message()
			if strings.TrimSuffix(str(m, "url"), "/") == strings.TrimSuffix(url, "/") {
				out = append(out, fmt.Sprintf("%s lists it for signing (v%d) %s.", f.Name, num(m, "major_api_version"), windowOf(m)))
			}
		}
	}
	if len(out) == 0 && section == "tlogs" {
		out = append(out, "No signing config of this release lists its URL for signing.")
	}
	return out
}

// windowChange explains a moved window bound: what is lost and gained,
// and whether a loss reaches back before now, which breaks bundles that
// already exist.
func (c *fileCtx) windowChange(ch *Change, d delta, what string, trust bool) {
	oldW, newW := windowOf(d.old), windowOf(d.new)
	lost, gained := oldW.minus(newW), newW.minus(oldW)
	first := time.Time{}
	for _, s := range append(slices.Clone(lost), gained...) {
		a, _ := s.bounds()
		if first.IsZero() || a.Before(first) {
			first = a
		}
	}
	if first.Equal(minTime) {
		first = time.Time{}
	}
	c.when(ch, first)
	if trust && strings.HasSuffix(d.field, "end") && len(lost) == 0 && len(gained) > 0 && !oldW.end.IsZero() && (c.now.IsZero() || oldW.end.After(c.now)) {
		// Issue 11: withdrawing or moving out an end not yet reached
		// takes nothing away; it is no change to immutable material.
		ch.Impact = append(ch.Impact, fmt.Sprintf("Trust extended: the end %s had not been reached, so nothing that verifies today stops verifying.", text.Time(oldW.end)))
	}
	for _, s := range lost {
		a, _ := s.bounds()
		past := c.now.IsZero() || a.Before(c.now)
		switch {
		case trust && past:
			ch.Warning = fmt.Sprintf("Verifiers that fetch this release reject %s %s, including bundles that exist today.", what, s)
		case trust:
			ch.Impact = append(ch.Impact, fmt.Sprintf("Verifiers reject %s %s.", what, s))
		default:
			ch.Impact = append(ch.Impact, fmt.Sprintf("Signers no longer use it %s.", s))
		}
	}
	for _, s := range gained {
		if trust {
			ch.Impact = append(ch.Impact, fmt.Sprintf("Verifiers accept %s %s.", what, s))
		} else {
			ch.Impact = append(ch.Impact, fmt.Sprintf("Signers may use it %s.", s))
		}
	}
	if trust && strings.HasSuffix(d.field, "end") && d.section != "timestampAuthorities" {
		ch.Impact = append(ch.Impact, pythonIgnoresEnd(what))
	}
	if trust && strings.HasSuffix(d.field, "start") {
		ch.Impact = append(ch.Impact, fmt.Sprintf("%s compares the start with its clock, not with when %s were made.", python(), what))
	}
}

func (c *fileCtx) signingSemantics(ch *Change, d delta) {
	switch {
	case d.op == Added && d.section != "mediaType":
		w := windowOf(d.new)
		c.when(ch, w.start)
		ch.New = fmt.Sprintf("v%d, %s", num(d.new, "major_api_version"), w)
		ch.Impact = append(ch.Impact, "Offered to signers "+w.String()+"; see what clients do below.")
	case d.op == Removed && d.section != "mediaType":
		w := windowOf(d.old)
		c.when(ch, time.Time{})
		ch.Old = fmt.Sprintf("v%d, %s", num(d.old, "major_api_version"), w)
		ch.Impact = append(ch.Impact, "No longer offered to signers; see what clients do below.")
	case d.op == Changed && isWindowField(d.field):
		c.windowChange(ch, d, "", false)
	case d.op == Changed && d.field == "operator":
		c.when(ch, time.Time{})
		ch.Impact = append(ch.Impact, "sigstore-go and sigstore-python pick at most one service per operator.")
	case d.op == Reordered:
		c.when(ch, time.Time{})
		ch.Impact = append(ch.Impact, fmt.Sprintf("%s picks the last listed of one operator's services of equal API version, and %s keeps file order among equal starts; %s sorts by start.",
			clients.Signer(clients.SigstorePython).Release(), clients.Signer(clients.SigstoreJS).Release(), clients.Signer(clients.SigstoreGo).Release()))
	default:
		c.when(ch, time.Time{})
	}
}

// refusals warns when a verifier rejects the new trusted root but not the
// old one.
func (c *fileCtx) refusals() []string {
	if c.new == nil {
		return []string{"Verifiers that fetch this release have no trusted root: they verify nothing."}
	}
	at := c.now
	_, newRefusals := clients.Verify(c.new.tr, at)
	var oldRefusals []clients.Refusal
	if c.old != nil {
		_, oldRefusals = clients.Verify(c.old.tr, at)
	}
	var out []string
	for _, r := range newRefusals {
		if !slices.ContainsFunc(oldRefusals, func(o clients.Refusal) bool { return o.Client.Name() == r.Client.Name() }) {
			out = append(out, fmt.Sprintf("%s refuses this trusted root: %s.", r.Client.Name(), r.Error))
		}
	}
	return out
}

// signingRefusals warns when a signer rejects the whole new signing config
// at every instant (a media type, say) but accepted the old one.
func (c *fileCtx) signingRefusals() []string {
	if c.new == nil {
		out := []string{"Clients given this file no longer find it."}
		if c.old.name == defaultSigningConfig {
			out = append(out, defaultFetchers()+" fetch "+defaultSigningConfig+" from TUF by default and fail without it.")
		}
		return out
	}
	var out []string
	for _, cl := range clients.Signers() {
		n := clients.Sign(cl, c.new.sc, c.now)
		if n.Error == "" || !strings.Contains(strings.ToLower(n.Error), "media type") && !strings.Contains(n.Error, "format") {
			continue
		}
		if c.old != nil && clients.Sign(cl, c.old.sc, c.now).Error == n.Error {
			continue
		}
		out = append(out, fmt.Sprintf("%s refuses this signing config: %s.", cl.Name(), n.Error))
	}
	return out
}

// legacyChanges compares the v0.1 file field by field. It is a plain
// struct, so reflection stands in for the protobuf descriptors: a field
// added to release.LegacySigningConfig is compared without code here.
func (c *fileCtx) legacyChanges() []Change {
	var a, b release.LegacySigningConfig
	if c.old != nil {
		a = *c.old.legacy
	}
	if c.new != nil {
		b = *c.new.legacy
	}
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	var out []Change
	for i := range va.NumField() {
		sf := va.Type().Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			continue
		}
		ch := Change{Op: Changed, What: "v0.1 " + name, Path: name, Field: name,
			Old: legacyValue(va.Field(i), c.old == nil), New: legacyValue(vb.Field(i), c.new == nil), When: "on publication"}
		switch {
		case c.old == nil:
			ch.Op, ch.Old = Added, ""
		case c.new == nil:
			ch.Op, ch.New = Removed, ""
		}
		ch.Impact = []string{"Clients that read signing_config.json (v0.1, no windows) switch at once."}
		out = append(out, ch)
	}
	return out
}

func legacyValue(v reflect.Value, absent bool) string {
	if absent {
		return unset
	}
	switch v.Kind() {
	case reflect.Slice:
		var parts []string
		for i := range v.Len() {
			parts = append(parts, fmt.Sprint(v.Index(i).Interface()))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case reflect.String:
		if v.String() == "" {
			return unset
		}
	}
	return fmt.Sprint(v.Interface())
}

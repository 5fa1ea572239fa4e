package load

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"cuelang.org/go/cue"

	"github.com/trustc-dev/trustc/compiler/model"
)

func (d *decoder) environment(v cue.Value, name string) *model.Environment {
	root := d.src(v, model.Src{})
	env := &model.Environment{Name: name, Dir: d.dir, Src: root}
	env.Operator = d.str(v, "operator", root)

	tr := lookup(v, "trustedRoot")
	env.TrustedRoot = model.TrustedRoot{
		File:      d.str(tr, "file", root),
		MediaType: d.str(tr, "mediaType", root),
	}
	for _, f := range d.fields(lookup(v, "signingConfigs")) {
		s := d.src(f, root)
		env.SigningConfigs = append(env.SigningConfigs, &model.SigningConfig{
			Name:             label(f),
			Src:              s,
			File:             d.str(f, "file", s),
			Rekor:            d.selector(lookup(f, "rekorTlogConfig"), s),
			TSA:              d.selector(lookup(f, "tsaConfig"), s),
			WaitingPeriod:    d.duration(f, "waitingPeriod", s),
			OptIn:            d.bool(f, "optIn", s),
			RekorV1RetiresAt: d.optTime(f, "rekorV1RetiresAt", s),
		})
	}
	if l := lookup(v, "legacySigningConfig"); l.Exists() {
		s := d.src(l, root)
		env.Legacy = &model.LegacySigningConfig{
			Src:      s,
			File:     d.str(l, "file", s),
			CAURL:    d.url(d.str(l, "caUrl", s)),
			OIDCURL:  d.url(d.str(l, "oidcUrl", s)),
			TlogURLs: d.urls(d.strs(l, "tlogUrls", s)),
			TSAURLs:  d.urls(d.strs(l, "tsaUrls", s)),
		}
	}
	for _, f := range d.fields(lookup(v, "rekor")) {
		svc := d.service(f, root)
		env.Rekor = append(env.Rekor, &model.RekorLog{
			Service:    svc,
			Key:        d.material(lookup(f, "key"), svc.Src),
			LogID:      d.optStr(f, "logId", svc.Src),
			KeyDetails: d.optStr(f, "keyDetails", svc.Src),
			Verify:     d.window(lookup(f, "verify"), svc.Src),
		})
	}
	for _, f := range d.fields(lookup(v, "rekorFronts")) {
		svc := d.service(f, root)
		env.RekorFronts = append(env.RekorFronts, &model.RekorFront{
			Service: svc,
			Shards:  d.strs(f, "shards", svc.Src),
		})
	}
	for _, f := range d.fields(lookup(v, "ct")) {
		s := d.src(f, root)
		env.CTLogs = append(env.CTLogs, &model.CTLog{
			Name:       label(f),
			Src:        s,
			Operator:   d.str(f, "operator", s),
			URL:        d.url(d.str(f, "url", s)),
			Key:        d.material(lookup(f, "key"), s),
			LogID:      d.optStr(f, "logId", s),
			KeyDetails: d.optStr(f, "keyDetails", s),
			Verify:     d.window(lookup(f, "verify"), s),
		})
	}
	env.CAs = d.authorities(lookup(v, "ca"), root)
	env.TSAs = d.authorities(lookup(v, "tsa"), root)
	for _, f := range d.fields(lookup(v, "oidc")) {
		env.OIDC = append(env.OIDC, &model.OIDCProvider{Service: d.service(f, root)})
	}
	p := lookup(v, "policy")
	ps := d.src(p, root)
	env.Policy = model.Policy{
		Src:                ps,
		TUFTimestampExpiry: d.duration(p, "tufTimestampExpiry", ps),
		Buffer:             d.duration(p, "buffer", ps),
		Clients:            d.strs(p, "clients", ps),
	}
	for _, f := range d.fields(lookup(v, "retired")) {
		s := d.src(f, root)
		r := &model.Retirement{Name: label(f), Src: s, Kind: d.str(f, "kind", s), Reason: d.str(f, "reason", s)}
		if k := lookup(f, "key"); k.Exists() {
			m := d.material(k, s)
			r.Key = &m
		}
		certs, _ := lookup(f, "certs").List()
		for certs.Next() {
			r.Certs = append(r.Certs, d.material(certs.Value(), s))
		}
		env.Retired = append(env.Retired, r)
	}
	for _, f := range d.fields(lookup(v, "tufTargets")) {
		s := d.conjunctSrc(f, root)
		env.TUFTargets = append(env.TUFTargets, &model.TUFTarget{
			Material: d.tufTarget(label(f), s),
			Src:      s,
			Status:   d.str(f, "status", s),
		})
	}
	return env
}

func (d *decoder) service(v cue.Value, parent model.Src) model.Service {
	s := d.src(v, parent)
	svc := model.Service{
		Name:                label(v),
		Src:                 s,
		Operator:            d.str(v, "operator", s),
		URL:                 d.url(d.optStr(v, "url", s)),
		API:                 d.int(v, "api", s),
		WaitingPeriodExempt: d.optStr(v, "waitingPeriodExempt", s),
	}
	for _, w := range d.fields(lookup(v, "sign")) {
		svc.Sign = append(svc.Sign, model.SignWindow{Config: label(w), Window: d.window(w, s)})
	}
	return svc
}

func (d *decoder) authorities(v cue.Value, parent model.Src) []*model.Authority {
	var out []*model.Authority
	for _, f := range d.fields(v) {
		a := &model.Authority{Service: d.service(f, parent)}
		for _, c := range d.fields(lookup(f, "chains")) {
			cs := d.src(c, a.Src)
			ch := &model.Chain{Name: label(c), Src: cs, Verify: d.window(lookup(c, "verify"), cs)}
			certs, _ := lookup(c, "certs").List()
			for certs.Next() {
				ch.Certs = append(ch.Certs, d.material(certs.Value(), cs))
			}
			if o := lookup(c, "subjectOverride"); o.Exists() {
				os := d.src(o, cs)
				ch.SubjectOverride = &model.SubjectOverride{
					Src:          os,
					Organization: d.optStr(o, "organization", os),
					CommonName:   d.optStr(o, "commonName", os),
					Reason:       d.str(o, "reason", os),
				}
			}
			a.Chains = append(a.Chains, ch)
		}
		out = append(out, a)
	}
	return out
}

func (d *decoder) selector(v cue.Value, parent model.Src) model.Selector {
	s := d.src(v, parent)
	return model.Selector{
		Selector: d.str(v, "selector", s),
		Count:    d.optInt(v, "count", s),
	}
}

func (d *decoder) str(v cue.Value, field string, parent model.Src) model.Value[string] {
	return d.strOf(v, lookup(v, field), field, parent)
}

// optStr is str for an optional field; an absent one has no position.
func (d *decoder) optStr(v cue.Value, field string, parent model.Src) model.Value[string] {
	f := lookup(v, field)
	if !f.Exists() {
		return model.Value[string]{}
	}
	return d.strOf(v, f, field, parent)
}

// strOf decodes f, v's field named field, already looked up.
func (d *decoder) strOf(v, f cue.Value, field string, parent model.Src) model.Value[string] {
	s := d.src(f, parent)
	if !f.Exists() {
		s.Path = append(pathOf(v), field)
		d.fail(s.Errorf("missing field %s", field))
		return model.Value[string]{Src: s}
	}
	str, err := f.String()
	if err != nil {
		d.fail(s.Errorf("%v", err))
	}
	d.checkUTF8(str, s)
	return model.Value[string]{V: str, Src: s}
}

// checkUTF8 refuses U+FFFD, which is how CUE reads bytes that are not
// UTF-8: published JSON would carry the replacement character instead of
// what the file held, and no one reviewing the CUE would see it.
func (d *decoder) checkUTF8(str string, s model.Src) {
	if strings.ContainsRune(str, utf8.RuneError) {
		d.fail(s.Errorf("%+q holds bytes that are not UTF-8 (read as U+FFFD); save the file as UTF-8", str))
	}
}

// url checks a URL field's text: clients use it as written, so an empty
// one would publish a service without its address and surrounding
// whitespace would be published as part of it. Whether it is an https URL
// is a policy rule (check).
func (d *decoder) url(u model.Value[string]) model.Value[string] {
	switch {
	case !u.Set():
	case u.V == "":
		d.fail(u.Src.Errorf("empty url; give the service's https URL"))
	case strings.TrimSpace(u.V) != u.V:
		d.fail(u.Src.Errorf("url %q has whitespace around it; write %q", u.V, strings.TrimSpace(u.V)))
	case strings.IndexFunc(u.V, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0:
		d.fail(u.Src.Errorf("url %q holds whitespace or control characters; percent-encode them or fix the URL", u.V))
	}
	return u
}

func (d *decoder) urls(us []model.Value[string]) []model.Value[string] {
	for _, u := range us {
		d.url(u)
	}
	return us
}

func (d *decoder) strs(v cue.Value, field string, parent model.Src) []model.Value[string] {
	f := lookup(v, field)
	if !f.Exists() {
		return nil
	}
	var out []model.Value[string]
	it, _ := f.List()
	for it.Next() {
		s := d.src(it.Value(), parent)
		str, err := it.Value().String()
		if err != nil {
			d.fail(s.Errorf("%v", err))
		}
		d.checkUTF8(str, s)
		out = append(out, model.Value[string]{V: str, Src: s})
	}
	return out
}

func (d *decoder) int(v cue.Value, field string, parent model.Src) model.Value[int] {
	return d.intOf(lookup(v, field), parent)
}

func (d *decoder) optInt(v cue.Value, field string, parent model.Src) model.Value[int] {
	f := lookup(v, field)
	if !f.Exists() {
		return model.Value[int]{}
	}
	return d.intOf(f, parent)
}

func (d *decoder) intOf(f cue.Value, parent model.Src) model.Value[int] {
	s := d.src(f, parent)
	n, err := f.Int64()
	if err != nil {
		d.fail(s.Errorf("%v", err))
	}
	return model.Value[int]{V: int(n), Src: s}
}

func (d *decoder) window(v cue.Value, parent model.Src) model.Window {
	s := d.src(v, parent)
	w := model.Window{Src: s}
	if f := lookup(v, "start"); f.Exists() {
		w.Start = d.time(d.strOf(v, f, "start", s))
	} else {
		w.Start.Src = d.str(v, "start", s).Src // reports the missing field
	}
	if e := lookup(v, "end"); e.Exists() {
		w.End = d.time(d.strOf(v, e, "end", s))
	}
	return w
}

// maxFraction is the most fractional-second digits a timestamp may have:
// protobuf-specs timestamps hold nanoseconds, and Go's parser silently
// drops digits past the ninth.
const maxFraction = 9

// time parses a present RFC 3339 timestamp and insists on UTC:
// protobuf-specs timestamps are UTC, and an offset in the source would
// print differently from what the reviewer read. An empty one is an error:
// it once became 0001-01-01T00:00:00Z as a start and "no end" as an end.
func (d *decoder) time(str model.Value[string]) model.Value[time.Time] {
	out := model.Value[time.Time]{Src: str.Src}
	if str.V == "" {
		d.fail(str.Src.Errorf("empty timestamp: want RFC 3339 in UTC, like 2025-09-23T00:00:00Z (leave an end out for an open window)"))
		return out
	}
	t, err := time.Parse(time.RFC3339Nano, str.V)
	switch {
	case err != nil:
		d.fail(str.Src.Errorf("invalid timestamp %q: want RFC 3339 in UTC, like 2025-09-23T00:00:00Z", str.V))
	case !strings.HasSuffix(str.V, "Z"):
		d.fail(str.Src.Errorf("timestamp %q is not in UTC: write it as %s", str.V, t.UTC().Format(time.RFC3339Nano)))
	case fraction(str.V) > maxFraction:
		d.fail(str.Src.Errorf("timestamp %q has %d fractional digits; timestamps hold nanoseconds, at most %d digits", str.V, fraction(str.V), maxFraction))
	case t.Year() < 1970:
		d.fail(str.Src.Errorf("timestamp %q is before 1970-01-01T00:00:00Z; nothing trustc publishes is that old", str.V))
	default:
		out.V = t
	}
	return out
}

// fraction counts the fractional-second digits of an RFC 3339 timestamp.
func fraction(s string) int {
	_, frac, ok := strings.Cut(s, ".")
	if !ok {
		return 0
	}
	return len(frac) - len(strings.TrimLeft(frac, "0123456789"))
}

// material reads the file a key or certs field names (see materialPath).
func (d *decoder) material(v cue.Value, parent model.Src) model.Material {
	name, err := v.String()
	s := d.src(v, parent)
	m := model.Material{File: model.Value[string]{V: name, Src: s}}
	if err != nil {
		d.fail(s.Errorf("%v", err))
		return m
	}
	clean, ok := materialPath(name)
	if !ok {
		d.fail(s.Errorf("material file %q must be a slash-separated path inside the environment directory", name))
		return m
	}
	b, err := d.readFile(clean)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		d.fail(s.Errorf("material file %q does not exist beside the environment's CUE files", name))
	case err != nil:
		d.fail(s.Errorf("read material file %q: %v", name, err))
	default:
		m.Bytes = b
	}
	return m
}

func (d *decoder) bool(v cue.Value, field string, parent model.Src) model.Value[bool] {
	f := lookup(v, field)
	s := d.src(f, parent)
	b, err := f.Bool()
	if err != nil {
		d.fail(s.Errorf("%v", err))
	}
	return model.Value[bool]{V: b, Src: s}
}

func (d *decoder) optTime(v cue.Value, field string, parent model.Src) model.Value[time.Time] {
	f := lookup(v, field)
	if !f.Exists() {
		return model.Value[time.Time]{}
	}
	return d.time(d.strOf(v, f, field, parent))
}

// duration parses Go duration syntax or whole days ("90d"), which Go lacks
// and which waiting periods are naturally written in.
func (d *decoder) duration(v cue.Value, field string, parent model.Src) model.Value[time.Duration] {
	str := d.str(v, field, parent)
	out := model.Value[time.Duration]{Src: str.Src}
	if str.V == "" {
		return out
	}
	dur, err := ParseDuration(str.V)
	if err != nil {
		if errors.Is(err, ErrDurationTooLong) {
			d.fail(str.Src.Errorf("duration %q is longer than %d days, the most trustc can count; write a shorter one", str.V, MaxDays))
			return out
		}
		d.fail(str.Src.Errorf("invalid duration %q: want whole days like \"90d\" or a Go duration like \"36h\"", str.V))
		return out
	}
	out.V = dur
	return out
}

// MaxDays is the most whole days a duration may be: time.Duration counts
// nanoseconds in an int64, which ends after 106751 days (about 292 years).
// Multiplying more days wraps around, so "213505d" once read as about a day
// and turned the waiting-period rule off.
const MaxDays = int64(math.MaxInt64 / int64(24*time.Hour))

// ErrDurationTooLong is ParseDuration's error for more days than MaxDays.
var ErrDurationTooLong = fmt.Errorf("more than %d days, the longest duration there is", MaxDays)

// ParseDuration parses "<n>d" (whole days, n up to MaxDays) or Go duration
// syntax; negative durations are refused. It is the one parser of the
// days form: the CLI's duration flags (check's policy flags, tuf build's
// -<role>-expires) use it too.
func ParseDuration(s string) (time.Duration, error) {
	var dur time.Duration
	if n, ok := strings.CutSuffix(s, "d"); ok {
		// Digits only: strconv would also take "+5" and "-0".
		if n == "" || strings.TrimLeft(n, "0123456789") != "" {
			return 0, fmt.Errorf("%q: want whole days such as \"90d\"", s)
		}
		days, err := strconv.ParseInt(n, 10, 64)
		if err != nil || days > MaxDays {
			return 0, fmt.Errorf("%q: %w", s, ErrDurationTooLong)
		}
		dur = time.Duration(days) * 24 * time.Hour
	} else {
		var err error
		if dur, err = time.ParseDuration(s); err != nil {
			return 0, err
		}
	}
	if dur < 0 {
		return 0, errors.New("negative duration")
	}
	return dur, nil
}

// tufTarget reads a file that tufTargets names, also when no key or chain
// field names it (artifact.pub), so that emit has its bytes without doing
// I/O. A name that is no plain file name, or a file that does not exist, is
// left without bytes for check to report with the rule it breaks; only a
// file that exists and cannot be read is load's to report.
func (d *decoder) tufTarget(name string, s model.Src) model.Material {
	m := model.Material{File: model.Value[string]{V: name, Src: s}}
	clean, ok := materialPath(name)
	if !ok {
		return m
	}
	b, err := d.readFile(clean)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		d.fail(s.Errorf("read material file %q: %v", name, err))
	case b == nil:
		m.Bytes = []byte{} // an empty file exists; nil means missing
	default:
		m.Bytes = b
	}
	return m
}

// readFile reads a material file, clean and slash-separated, below the
// environment directory: the bytes scan checked, if it read the file.
func (d *decoder) readFile(clean string) ([]byte, error) {
	if b, ok := d.scanned[filepath.Join(d.dir, filepath.FromSlash(clean))]; ok {
		return b, nil
	}
	return fs.ReadFile(d.fsys, clean)
}

// materialPath cleans a material file name. Names are paths relative to
// the environment directory and may not leave it, so that an environment
// is self-contained and reviewable as one directory.
func materialPath(name string) (string, bool) {
	clean := path.Clean(name)
	if name == "" || path.IsAbs(name) || clean == ".." || strings.HasPrefix(clean, "../") || strings.Contains(name, `\`) {
		return "", false
	}
	return clean, true
}

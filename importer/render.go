package importer

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/format"
	"cuelang.org/go/cue/literal"
	"cuelang.org/go/cue/parser"
)

// The CUE is written as text laid out the way the hand-written
// environments are (one-line windows, `a: b: c` for single fields), then
// parsed and printed by cue/format, so that it is exactly what `cue fmt`
// leaves unchanged and any quoting mistake fails here rather than in the
// repository.

// Files an environment directory holds besides its material.
const (
	EnvironmentFile = "environment.cue"
	ServicesFile    = "services.cue"
)

// renderer writes a plan as CUE.
type renderer struct {
	p            *plan
	pkg          string
	schemaImport string
	header       []string
	// comments are findings to write above the field at a path (labels
	// unquoted, joined by pathSep).
	comments map[string][]string
	// lines records the paths that start a line, where a comment can go.
	lines map[string]bool

	lets   []*let
	letFor map[string]*let // by window key
}

type let struct {
	name string
	w    window
}

const pathSep = "\x00"

func key(path ...string) string { return strings.Join(path, pathSep) }

func windowKey(w window) string { return stamp(w.start) + "|" + stamp(w.end) }

// render returns the environment's files: CUE and PEM.
func (r *renderer) render() (map[string][]byte, error) {
	r.lines = map[string]bool{}
	r.chooseLets()
	files := map[string][]byte{}
	for name, text := range map[string]string{
		EnvironmentFile: r.environment(),
		ServicesFile:    r.services(),
	} {
		f, err := parser.ParseFile(name, text, parser.ParseComments)
		if err != nil {
			return nil, fmt.Errorf("generated %s does not parse (a bug in trustc import): %v\n%s", name, err, text)
		}
		b, err := format.Node(f)
		if err != nil {
			return nil, fmt.Errorf("format generated %s: %v", name, err)
		}
		files[name] = b
	}
	for _, l := range slices.Concat(r.p.rekor, r.p.ct) {
		files[l.keyFile] = l.key
	}
	for _, a := range slices.Concat(r.p.ca, r.p.tsa) {
		for _, c := range a.chains {
			files[c.file] = c.pem
		}
	}
	return files, nil
}

// w builds one file's text.
type w struct {
	r      *renderer
	b      strings.Builder
	indent int
}

// line writes text on its own line, after the comments for any of paths
// (the labels the line starts with), and records that those paths start a
// line.
func (w *w) line(text string, notes []string, paths ...[]string) {
	var comments []string
	comments = append(comments, notes...)
	for _, p := range paths {
		k := key(p...)
		w.r.lines[k] = true
		comments = append(comments, w.r.comments[k]...)
	}
	for _, c := range comments {
		for _, l := range wrap(c, 76) {
			w.b.WriteString(strings.Repeat("\t", w.indent) + "// " + l + "\n")
		}
	}
	w.b.WriteString(strings.Repeat("\t", w.indent) + text + "\n")
}

func (w *w) blank() { w.b.WriteString("\n") }

// open writes `labels...: {` and indents. Several labels make the
// single-field shorthand `a: b: {`.
func (w *w) open(path []string, notes []string, labels ...string) {
	var paths [][]string
	for i := range labels {
		paths = append(paths, append(slices.Clone(path), labels[:i+1]...))
	}
	var quoted []string
	for _, l := range labels {
		quoted = append(quoted, label(l))
	}
	w.line(strings.Join(quoted, ": ")+": {", notes, paths...)
	w.indent++
}

func (w *w) close() {
	w.indent--
	w.line("}", nil)
}

// field writes `label: value` at path+label.
func (w *w) field(path []string, l, value string, notes ...string) {
	w.line(label(l)+": "+value, notes, append(slices.Clone(path), l))
}

func (r *renderer) environment() string {
	p := r.p
	w := &w{r: r}
	for _, h := range r.header {
		for _, l := range wrap(h, 76) {
			w.b.WriteString("// " + l + "\n")
		}
	}
	w.line("package "+r.pkg, nil)
	w.blank()
	w.line("import "+literal.String.Quote(r.schemaImport), nil)
	w.blank()
	w.line("schema.#Environment", nil)
	w.blank()
	var notes []string
	if p.operatorNote != "" {
		notes = append(notes, p.operatorNote)
	}
	w.line("operator: "+str(p.operator), notes, []string{"operator"})
	w.blank()
	notes = nil
	if p.rootNote != "" {
		notes = append(notes, p.rootNote)
	}
	if p.rootMediaType != "" {
		w.line("trustedRoot: mediaType: "+str(p.rootMediaType), notes, []string{"trustedRoot"}, []string{"trustedRoot", "mediaType"})
	} else {
		w.line("trustedRoot: {}", notes, []string{"trustedRoot"})
	}
	w.blank()
	w.open(nil, nil, "policy")
	w.field([]string{"policy"}, "tufTimestampExpiry", str(p.policy.TUFTimestampExpiry))
	if p.policy.Buffer != DefaultPolicy.Buffer {
		w.field([]string{"policy"}, "buffer", str(p.policy.Buffer))
	}
	clients := make([]string, len(p.policy.Clients))
	for i, c := range p.policy.Clients {
		clients[i] = str(c)
	}
	w.field([]string{"policy"}, "clients", "["+strings.Join(clients, ", ")+"]")
	w.close()
	if len(p.configs) > 0 {
		w.blank()
		w.open(nil, nil, "signingConfigs")
		for _, c := range p.configs {
			path := []string{"signingConfigs", c.name}
			w.open([]string{"signingConfigs"}, nil, c.name)
			w.field(path, "file", str(c.file))
			if c.name != "main" {
				// Only the main file must keep a Rekor v1 log for clients
				// without v2 support; the others are read on request.
				w.field(path, "optIn", "true")
			}
			w.field(path, "waitingPeriod", str(p.policy.WaitingPeriod))
			if c.name == "main" && p.policy.RekorV1RetiresAt != "" {
				w.field(path, "rekorV1RetiresAt", str(p.policy.RekorV1RetiresAt))
			}
			w.field(path, "rekorTlogConfig", selectorValue(c.rekor))
			w.field(path, "tsaConfig", selectorValue(c.tsa))
			w.close()
		}
		w.close()
	}
	if l := p.legacy; l != nil {
		w.blank()
		var notes []string
		if l.fileNote != "" {
			notes = append(notes, l.fileNote)
		}
		path := []string{"legacySigningConfig"}
		w.open(nil, notes, "legacySigningConfig")
		r.legacyField(w, path, "caUrl", l.caURL)
		r.legacyField(w, path, "oidcUrl", l.oidcURL)
		r.legacyList(w, path, "tlogUrls", l.tlogURLs, true)
		r.legacyList(w, path, "tsaUrls", l.tsaURLs, false)
		w.close()
	}
	return w.b.String()
}

func selectorValue(s selector) string {
	if s.name == "EXACT" {
		return fmt.Sprintf("{selector: %s, count: %d}", str(s.name), s.count)
	}
	return "selector: " + str(s.name)
}

func (r *renderer) legacyField(w *w, path []string, l string, v ref) {
	var notes []string
	if v.suffix == "/" {
		notes = append(notes, "Published with a trailing slash; v0.1 clients append paths to it.")
	}
	w.field(path, l, refValue(v), notes...)
}

func (r *renderer) legacyList(w *w, path []string, l string, vs []ref, always bool) {
	if len(vs) == 0 && !always {
		return
	}
	var items []string
	for _, v := range vs {
		items = append(items, refValue(v))
	}
	w.field(path, l, "["+strings.Join(items, ", ")+"]")
}

func refValue(v ref) string {
	if v.kind == "" {
		return str(v.literal)
	}
	s := v.kind + "." + label(v.svc.name) + ".url"
	if v.suffix != "" {
		s += " + " + str(v.suffix)
	}
	return s
}

func (r *renderer) services() string {
	p := r.p
	w := &w{r: r}
	w.line("package "+r.pkg, nil)
	if len(r.lets) > 0 {
		w.blank()
		for i, l := range r.lets {
			var notes []string
			if i == 0 {
				notes = []string{"Windows that several fields share."}
			}
			w.line("let "+l.name+" = "+windowLiteral(l.w), notes)
		}
	}
	// kind writes the services of one kind, each through one(parent,
	// labels, i): a single service as `kind: name: {`, several inside
	// `kind: {`. The service's path is parent+labels either way.
	kind := func(k string, n int, one func(parent, labels []string, i int)) {
		if n == 0 {
			return
		}
		w.blank()
		if n == 1 {
			one(nil, []string{k}, 0)
			return
		}
		w.open(nil, nil, k)
		for i := range n {
			one([]string{k}, nil, i)
		}
		w.close()
	}
	kind("rekor", len(p.rekor), func(parent, labels []string, i int) {
		l := p.rekor[i]
		svc := r.openService(w, parent, append(labels, l.name), &l.psvc)
		w.field(svc, "key", str(l.keyFile))
		if l.keyDetails != "" {
			w.field(svc, "keyDetails", str(l.keyDetails))
		}
		r.window(w, svc, "verify", l.verify)
		r.signs(w, svc, l.sign)
		w.close()
	})
	kind("rekorFronts", len(p.fronts), func(parent, labels []string, i int) {
		f := p.fronts[i]
		svc := r.openService(w, parent, append(labels, f.name), &f.psvc)
		var shards []string
		for _, s := range f.shards {
			shards = append(shards, str(s.name))
		}
		w.field(svc, "shards", "["+strings.Join(shards, ", ")+"]")
		r.signs(w, svc, f.sign)
		w.close()
	})
	kind("ct", len(p.ct), func(parent, labels []string, i int) {
		l := p.ct[i]
		w.open(parent, l.notes, append(labels, l.name)...)
		svc := slices.Concat(parent, labels, []string{l.name})
		w.field(svc, "url", str(l.url))
		if l.operator != nil {
			w.field(svc, "operator", str(*l.operator))
		}
		w.field(svc, "key", str(l.keyFile))
		if l.keyDetails != "" {
			w.field(svc, "keyDetails", str(l.keyDetails))
		}
		r.window(w, svc, "verify", l.verify)
		w.close()
	})
	for _, group := range []struct {
		name string
		as   []*pauth
	}{{"ca", p.ca}, {"tsa", p.tsa}} {
		kind(group.name, len(group.as), func(parent, labels []string, i int) {
			a := group.as[i]
			svc := r.openService(w, parent, append(labels, a.name), &a.psvc)
			r.chains(w, svc, a.chains)
			r.signs(w, svc, a.sign)
			w.close()
		})
	}
	kind("oidc", len(p.oidc), func(parent, labels []string, i int) {
		o := p.oidc[i]
		svc := r.openService(w, parent, append(labels, o.name), o)
		r.signs(w, svc, o.sign)
		w.close()
	})
	return w.b.String()
}

// openService opens a service's struct, writes the fields every service
// has and returns the service's path.
func (r *renderer) openService(w *w, parent, labels []string, s *psvc) []string {
	w.open(parent, s.notes, labels...)
	svc := slices.Concat(parent, labels)
	if s.url != "" {
		w.field(svc, "url", str(s.url))
	}
	w.field(svc, "api", strconv.Itoa(s.api))
	if s.operator != nil {
		w.field(svc, "operator", str(*s.operator))
	}
	if s.exempt != "" {
		w.field(svc, "waitingPeriodExempt", str(s.exempt))
	}
	return svc
}

func (r *renderer) chains(w *w, svc []string, chains []*pchain) {
	if len(chains) == 0 {
		return
	}
	path := append(slices.Clone(svc), "chains")
	each := func(parent []string, c *pchain, labels ...string) {
		w.open(parent, nil, labels...)
		cp := append(slices.Clone(path), c.name)
		w.field(cp, "certs", "["+str(c.file)+"]")
		r.window(w, cp, "verify", c.verify)
		if o := c.override; o != nil {
			w.open(cp, nil, "subjectOverride")
			op := append(slices.Clone(cp), "subjectOverride")
			if o.organization != nil {
				w.field(op, "organization", str(*o.organization))
			}
			if o.commonName != nil {
				w.field(op, "commonName", str(*o.commonName))
			}
			w.field(op, "reason", str(o.reason))
			w.close()
		}
		w.close()
	}
	if len(chains) == 1 {
		each(svc, chains[0], "chains", chains[0].name)
		return
	}
	w.open(svc, nil, "chains")
	for _, c := range chains {
		each(path, c, c.name)
	}
	w.close()
}

// window writes `l: <window>`: a let, `start: "…"`, or `{start: …, end: …}`.
func (r *renderer) window(w *w, path []string, l string, win window) {
	w.field(path, l, r.windowValue(win))
}

func (r *renderer) windowValue(win window) string {
	if lt := r.letFor[windowKey(win)]; lt != nil {
		return lt.name
	}
	if !win.hasEnd() {
		return "start: " + str(stamp(win.start))
	}
	return windowLiteral(win)
}

func windowLiteral(win window) string {
	if !win.hasEnd() {
		return "{start: " + str(stamp(win.start)) + "}"
	}
	return "{start: " + str(stamp(win.start)) + ", end: " + str(stamp(win.end)) + "}"
}

// signs writes a service's sign field: `sign: main: …` for one file,
// `sign: {main: x, rekorV2: x}` when every window is a let, else a block.
func (r *renderer) signs(w *w, svc []string, ss []sign) {
	if len(ss) == 0 {
		return
	}
	path := append(slices.Clone(svc), "sign")
	if len(ss) == 1 {
		w.line(label("sign")+": "+label(ss[0].config)+": "+r.windowValue(ss[0].window), nil, path, append(slices.Clone(path), ss[0].config))
		return
	}
	allLets := true
	var parts []string
	for _, s := range ss {
		lt := r.letFor[windowKey(s.window)]
		allLets = allLets && lt != nil
		if lt != nil {
			parts = append(parts, label(s.config)+": "+lt.name)
		}
	}
	if allLets {
		w.field(svc, "sign", "{"+strings.Join(parts, ", ")+"}")
		return
	}
	w.open(svc, nil, "sign")
	for _, s := range ss {
		w.field(path, s.config, r.windowValue(s.window))
	}
	w.close()
}

// chooseLets gives a let to every window that some service uses twice or
// more (trusted and signed to from the same instant, or signed to through
// several files); every other use of that window then names it too. A let
// that one service uses is named after it (fulcioSince); one that several
// services share is named after its date (since2025_01_01), since what
// ties them is the date. A window that services share only by coincidence
// stays written out, so that changing one does not silently change another.
func (r *renderer) chooseLets() {
	type use struct {
		base string
		ws   map[string]int
	}
	var uses []use
	add := func(kind, name string, ws []window) {
		u := use{base: letBase(kind, name), ws: map[string]int{}}
		for _, w := range ws {
			u.ws[windowKey(w)]++
		}
		uses = append(uses, u)
	}
	signWindows := func(ss []sign) []window {
		var out []window
		for _, s := range ss {
			out = append(out, s.window)
		}
		return out
	}
	p := r.p
	for _, l := range p.rekor {
		add("rekor", l.name, append([]window{l.verify}, signWindows(l.sign)...))
	}
	for _, f := range p.fronts {
		add("rekor", f.name, signWindows(f.sign))
	}
	for _, l := range p.ct {
		add("ct", l.name, []window{l.verify})
	}
	for _, group := range []struct {
		kind string
		as   []*pauth
	}{{"ca", p.ca}, {"tsa", p.tsa}} {
		for _, a := range group.as {
			var ws []window
			for _, c := range a.chains {
				ws = append(ws, c.verify)
			}
			name := a.name
			if group.kind == "tsa" && len(group.as) == 1 {
				name = ""
			}
			add(group.kind, name, append(ws, signWindows(a.sign)...))
		}
	}
	for _, o := range p.oidc {
		name := o.name
		if len(p.oidc) == 1 {
			name = ""
		}
		add("oidc", name, signWindows(o.sign))
	}

	r.lets, r.letFor = nil, map[string]*let{}
	windows := map[string]window{}
	for _, l := range slices.Concat(p.rekor, p.ct) {
		windows[windowKey(l.verify)] = l.verify
	}
	for _, a := range slices.Concat(p.ca, p.tsa) {
		for _, c := range a.chains {
			windows[windowKey(c.verify)] = c.verify
		}
	}
	for _, s := range r.allSigns() {
		windows[windowKey(s.window)] = s.window
	}
	taken := map[string]bool{}
	for _, u := range uses {
		for _, k := range slices.Sorted(maps.Keys(u.ws)) {
			if u.ws[k] < 2 || r.letFor[k] != nil {
				continue
			}
			win := windows[k]
			sharers := 0
			for _, v := range uses {
				if v.ws[k] > 0 {
					sharers++
				}
			}
			var base string
			switch {
			case sharers > 1 && win.hasEnd():
				base = "window" + win.start.Format("2006_01_02")
			case sharers > 1:
				base = "since" + win.start.Format("2006_01_02")
			case win.hasEnd():
				base = u.base + "Window"
			default:
				base = u.base + "Since"
			}
			lt := &let{name: strings.ReplaceAll(unique(taken, base), "-", "_"), w: win}
			r.lets = append(r.lets, lt)
			r.letFor[k] = lt
		}
	}
}

func (r *renderer) allSigns() []sign {
	p := r.p
	var out []sign
	for _, l := range p.rekor {
		out = append(out, l.sign...)
	}
	for _, f := range p.fronts {
		out = append(out, f.sign...)
	}
	for _, a := range slices.Concat(p.ca, p.tsa) {
		out = append(out, a.sign...)
	}
	for _, o := range p.oidc {
		out = append(out, o.sign...)
	}
	return out
}

// letBase makes an identifier from a service's name: fulcio → fulcio,
// log2025-1 → log2025_1; a TSA or OIDC provider goes by its kind.
func letBase(kind, name string) string {
	if name == "" {
		return kind
	}
	words := strings.FieldsFunc(name, func(r rune) bool { return !(r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r))) })
	var b strings.Builder
	for i, wd := range words {
		switch {
		case i == 0:
			b.WriteString(wd)
		case wd[0] >= '0' && wd[0] <= '9':
			b.WriteString("_" + wd)
		default:
			b.WriteString(strings.ToUpper(wd[:1]) + wd[1:])
		}
	}
	s := b.String()
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		s = kind + s
	}
	return s
}

// keywords cannot stand unquoted as labels or selectors without risk.
var keywords = []string{"package", "import", "for", "in", "if", "let", "true", "false", "null", "_", "__"}

// label quotes a field label where CUE needs it ("2022", "log2025-1").
func label(s string) string {
	if ast.StringLabelNeedsQuoting(s) || slices.Contains(keywords, s) {
		return literal.String.Quote(s)
	}
	return s
}

func str(s string) string { return literal.String.Quote(s) }

// wrap breaks a comment into lines of at most width bytes where it can, and
// keeps it one comment: control characters become spaces.
func wrap(s string, width int) []string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	var lines []string
	var cur string
	for _, word := range strings.Fields(s) {
		if cur != "" && len(cur)+1+len(word) > width {
			lines = append(lines, cur)
			cur = word
			continue
		}
		if cur == "" {
			cur = word
		} else {
			cur += " " + word
		}
	}
	if cur != "" || len(lines) == 0 {
		lines = append(lines, cur)
	}
	return lines
}

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

	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/internal/text"
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
	w    model.Window
}

const pathSep = "\x00"

func key(path ...string) string { return strings.Join(path, pathSep) }

func windowKey(w model.Window) string { return text.Time(w.Start.V) + "|" + text.Time(w.End.V) }

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
	env := r.p.env
	for _, l := range env.Rekor {
		files[l.Key.File.V] = l.Key.Bytes
	}
	for _, l := range env.CTLogs {
		files[l.Key.File.V] = l.Key.Bytes
	}
	for _, a := range slices.Concat(env.CAs, env.TSAs) {
		for _, c := range a.Chains {
			files[c.Certs[0].File.V] = c.Certs[0].Bytes
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
	p, env := r.p, r.p.env
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
	w.line("operator: "+str(env.Operator.V), notes, []string{"operator"})
	w.blank()
	notes = nil
	if p.rootNote != "" {
		notes = append(notes, p.rootNote)
	}
	if mt := env.TrustedRoot.MediaType.V; mt != "" {
		w.line("trustedRoot: mediaType: "+str(mt), notes, []string{"trustedRoot"}, []string{"trustedRoot", "mediaType"})
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
	if len(env.SigningConfigs) > 0 {
		w.blank()
		w.open(nil, nil, "signingConfigs")
		for _, c := range env.SigningConfigs {
			path := []string{"signingConfigs", c.Name}
			w.open([]string{"signingConfigs"}, nil, c.Name)
			w.field(path, "file", str(c.File.V))
			if c.Name != "main" {
				// Only the main file must keep a Rekor v1 log for clients
				// without v2 support; the others are read on request.
				w.field(path, "optIn", "true")
			}
			w.field(path, "waitingPeriod", str(p.policy.WaitingPeriod))
			if c.Name == "main" && p.policy.RekorV1RetiresAt != "" {
				w.field(path, "rekorV1RetiresAt", str(p.policy.RekorV1RetiresAt))
			}
			w.field(path, "rekorTlogConfig", selectorValue(c.Rekor))
			w.field(path, "tsaConfig", selectorValue(c.TSA))
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

func selectorValue(s model.Selector) string {
	if s.Selector.V == "EXACT" {
		return fmt.Sprintf("{selector: %s, count: %d}", str(s.Selector.V), s.Count.V)
	}
	return "selector: " + str(s.Selector.V)
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
	s := v.kind + "." + label(v.svc.Name) + ".url"
	if v.suffix != "" {
		s += " + " + str(v.suffix)
	}
	return s
}

func (r *renderer) services() string {
	env := r.p.env
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
	kind("rekor", len(env.Rekor), func(parent, labels []string, i int) {
		l := env.Rekor[i]
		svc := r.openService(w, parent, append(labels, l.Name), &l.Service)
		r.key(w, svc, l.Key, l.KeyDetails)
		r.window(w, svc, "verify", l.Verify)
		r.signs(w, svc, l.Sign)
		w.close()
	})
	kind("rekorFronts", len(env.RekorFronts), func(parent, labels []string, i int) {
		f := env.RekorFronts[i]
		svc := r.openService(w, parent, append(labels, f.Name), &f.Service)
		var shards []string
		for _, s := range f.Shards {
			shards = append(shards, str(s.V))
		}
		w.field(svc, "shards", "["+strings.Join(shards, ", ")+"]")
		r.signs(w, svc, f.Sign)
		w.close()
	})
	kind("ct", len(env.CTLogs), func(parent, labels []string, i int) {
		l := env.CTLogs[i]
		w.open(parent, r.p.notes[l], append(labels, l.Name)...)
		svc := slices.Concat(parent, labels, []string{l.Name})
		w.field(svc, "url", str(l.URL.V))
		if l.Operator.Set() {
			w.field(svc, "operator", str(l.Operator.V))
		}
		r.key(w, svc, l.Key, l.KeyDetails)
		r.window(w, svc, "verify", l.Verify)
		w.close()
	})
	for _, group := range env.AuthorityGroups() {
		kind(group.Kind, len(group.Authorities), func(parent, labels []string, i int) {
			a := group.Authorities[i]
			svc := r.openService(w, parent, append(labels, a.Name), &a.Service)
			r.chains(w, svc, a.Chains)
			r.signs(w, svc, a.Sign)
			w.close()
		})
	}
	kind("oidc", len(env.OIDC), func(parent, labels []string, i int) {
		o := env.OIDC[i]
		svc := r.openService(w, parent, append(labels, o.Name), &o.Service)
		r.signs(w, svc, o.Sign)
		w.close()
	})
	return w.b.String()
}

// openService opens a service's struct, writes the fields every service
// has and returns the service's path.
func (r *renderer) openService(w *w, parent, labels []string, s *model.Service) []string {
	w.open(parent, r.p.notes[s], labels...)
	svc := slices.Concat(parent, labels)
	if s.URL.V != "" {
		w.field(svc, "url", str(s.URL.V))
	}
	w.field(svc, "api", strconv.Itoa(s.API.V))
	if s.Operator.Set() {
		w.field(svc, "operator", str(s.Operator.V))
	}
	if s.WaitingPeriodExempt.V != "" {
		w.field(svc, "waitingPeriodExempt", str(s.WaitingPeriodExempt.V))
	}
	return svc
}

// key writes a log's key file, and its key details where they are stated.
func (r *renderer) key(w *w, svc []string, key model.Material, details model.Value[string]) {
	w.field(svc, "key", str(key.File.V))
	if details.Set() {
		w.field(svc, "keyDetails", str(details.V))
	}
}

func (r *renderer) chains(w *w, svc []string, chains []*model.Chain) {
	if len(chains) == 0 {
		return
	}
	path := append(slices.Clone(svc), "chains")
	each := func(parent []string, c *model.Chain, labels ...string) {
		w.open(parent, nil, labels...)
		cp := append(slices.Clone(path), c.Name)
		w.field(cp, "certs", "["+str(c.Certs[0].File.V)+"]")
		r.window(w, cp, "verify", c.Verify)
		if o := c.SubjectOverride; o != nil {
			w.open(cp, nil, "subjectOverride")
			op := append(slices.Clone(cp), "subjectOverride")
			if o.Organization.Set() {
				w.field(op, "organization", str(o.Organization.V))
			}
			if o.CommonName.Set() {
				w.field(op, "commonName", str(o.CommonName.V))
			}
			w.field(op, "reason", str(o.Reason.V))
			w.close()
		}
		w.close()
	}
	if len(chains) == 1 {
		each(svc, chains[0], "chains", chains[0].Name)
		return
	}
	w.open(svc, nil, "chains")
	for _, c := range chains {
		each(path, c, c.Name)
	}
	w.close()
}

// window writes `l: <window>`: a let, `start: "…"`, or `{start: …, end: …}`.
func (r *renderer) window(w *w, path []string, l string, win model.Window) {
	w.field(path, l, r.windowValue(win))
}

func (r *renderer) windowValue(win model.Window) string {
	if lt := r.letFor[windowKey(win)]; lt != nil {
		return lt.name
	}
	if !win.HasEnd() {
		return "start: " + str(text.Time(win.Start.V))
	}
	return windowLiteral(win)
}

func windowLiteral(win model.Window) string {
	if !win.HasEnd() {
		return "{start: " + str(text.Time(win.Start.V)) + "}"
	}
	return "{start: " + str(text.Time(win.Start.V)) + ", end: " + str(text.Time(win.End.V)) + "}"
}

// signs writes a service's sign field: `sign: main: …` for one file,
// `sign: {main: x, rekorV2: x}` when every window is a let, else a block.
func (r *renderer) signs(w *w, svc []string, ss []model.SignWindow) {
	if len(ss) == 0 {
		return
	}
	path := append(slices.Clone(svc), "sign")
	if len(ss) == 1 {
		w.line(label("sign")+": "+label(ss[0].Config)+": "+r.windowValue(ss[0].Window), nil, path, append(slices.Clone(path), ss[0].Config))
		return
	}
	allLets := true
	var parts []string
	for _, s := range ss {
		lt := r.letFor[windowKey(s.Window)]
		allLets = allLets && lt != nil
		if lt != nil {
			parts = append(parts, label(s.Config)+": "+lt.name)
		}
	}
	if allLets {
		w.field(svc, "sign", "{"+strings.Join(parts, ", ")+"}")
		return
	}
	w.open(svc, nil, "sign")
	for _, s := range ss {
		w.field(path, s.Config, r.windowValue(s.Window))
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
	windows := map[string]model.Window{}
	add := func(kind, name string, ws []model.Window) {
		u := use{base: letBase(kind, name), ws: map[string]int{}}
		for _, w := range ws {
			k := windowKey(w)
			u.ws[k]++
			windows[k] = w
		}
		uses = append(uses, u)
	}
	signWindows := func(ss []model.SignWindow) []model.Window {
		var out []model.Window
		for _, s := range ss {
			out = append(out, s.Window)
		}
		return out
	}
	env := r.p.env
	for _, l := range env.Rekor {
		add("rekor", l.Name, append([]model.Window{l.Verify}, signWindows(l.Sign)...))
	}
	for _, f := range env.RekorFronts {
		add("rekor", f.Name, signWindows(f.Sign))
	}
	for _, l := range env.CTLogs {
		add("ct", l.Name, []model.Window{l.Verify})
	}
	for _, group := range env.AuthorityGroups() {
		for _, a := range group.Authorities {
			var ws []model.Window
			for _, c := range a.Chains {
				ws = append(ws, c.Verify)
			}
			name := a.Name
			if group.Kind == "tsa" && len(group.Authorities) == 1 {
				name = ""
			}
			add(group.Kind, name, append(ws, signWindows(a.Sign)...))
		}
	}
	for _, o := range env.OIDC {
		name := o.Name
		if len(env.OIDC) == 1 {
			name = ""
		}
		add("oidc", name, signWindows(o.Sign))
	}

	r.lets, r.letFor = nil, map[string]*let{}
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
			case sharers > 1 && win.HasEnd():
				base = "window" + win.Start.V.Format("2006_01_02")
			case sharers > 1:
				base = "since" + win.Start.V.Format("2006_01_02")
			case win.HasEnd():
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

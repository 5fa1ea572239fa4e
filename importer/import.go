package importer

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"cuelang.org/go/cue/errors"
	"cuelang.org/go/mod/modfile"
	"github.com/rogpeppe/go-internal/diff"
	prototrustroot "github.com/sigstore/protobuf-specs/gen/pb-go/trustroot/v1"
	"google.golang.org/protobuf/proto"

	"github.com/trustc-dev/trustc/compiler"
	"github.com/trustc-dev/trustc/compiler/check"
	"github.com/trustc-dev/trustc/compiler/emit"
	"github.com/trustc-dev/trustc/compiler/load"
	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/internal/report"
	"github.com/trustc-dev/trustc/internal/safefile"
	"github.com/trustc-dev/trustc/internal/text"
	"github.com/trustc-dev/trustc/release"
)

// Result is an imported environment, not yet written.
type Result struct {
	// Files are the environment directory's files by name: the CUE and
	// the PEM material beside it.
	Files map[string][]byte
	// Findings are the policy findings written into the CUE as comments
	// (only with Options.AllowFindings). trustc generate refuses the
	// environment until they are fixed.
	Findings []errors.Error
}

// Import turns published trust files into an environment for the trustc
// repository at root: CUE in the schema of root/schema, and PEM files.
// It reports every problem in the files, each at its file:line:col and
// JSON path (InputError); a FindingsError when the result breaks policy and
// opts.AllowFindings is false. It writes nothing into root.
func Import(root string, files []Input, opts Options) (*Result, error) {
	if err := CheckEnvName(opts.Env); err != nil {
		return nil, err
	}
	e := newErrs()
	in := parseInputs(e, files)
	if err := e.err(); err != nil {
		return nil, err
	}
	p, err := buildPlan(e, in, opts)
	if err != nil {
		return nil, err
	}
	header := []string{
		"Imported by trustc import from " + text.And(in.names) + ".",
		"Names of services, chains and material files are trustc's suggestions: nothing published depends on them, so rename them as you see fit.",
	}
	p.exemptReason = "imported: its published signing window began sooner after its verification window than this environment's waiting period; kept as published"
	return finish(root, p, header, wantOf(in), opts.AllowFindings, time.Time{})
}

var envName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// CheckEnvName checks that name can be an environment's directory (and so
// its golden/ directory): a plain name of letters, digits, '.', '_', '-'.
func CheckEnvName(name string) error {
	if !envName.MatchString(name) || strings.Contains(name, "..") {
		return fmt.Errorf("environment name %q: want letters, digits, '.', '_' or '-' (at most 64), starting with a letter or digit", name)
	}
	return nil
}

// packageName makes a CUE package name of an environment name.
func packageName(env string) string {
	var b strings.Builder
	for _, r := range env {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	s := strings.TrimLeft(b.String(), "_")
	if s == "" || s[0] >= '0' && s[0] <= '9' || slices.Contains(keywords, s) {
		s = "env_" + s
	}
	return s
}

// schemaImport is the import path of root's schema package.
func schemaImport(root string) (string, error) {
	name := filepath.Join(root, "cue.mod", "module.cue")
	b, err := safefile.ReadFile(name, safefile.MaxCUE)
	if err != nil {
		return "", fmt.Errorf("read %s: %w (run trustc in a trustc repository, or pass -C)", filepath.ToSlash(filepath.Join("cue.mod", "module.cue")), err)
	}
	f, err := modfile.Parse(b, name)
	if err != nil {
		return "", fmt.Errorf("parse cue.mod/module.cue: %w", err)
	}
	return f.ModuleRootPath() + "/" + load.SchemaDir, nil
}

// want is what an imported environment must compile to.
type want struct {
	root    *prototrustroot.TrustedRoot
	configs []*configIn
	legacy  *release.LegacySigningConfig
}

func wantOf(in *inputs) want {
	w := want{root: in.root.msg, configs: in.configs}
	if in.legacy != nil {
		w.legacy = in.legacy.msg
	}
	return w
}

// finish renders the plan, verifies it as an overlay of the
// repository and, for findings that are allowed, renders it again with
// each finding as a comment at its field. A nonzero now also runs the
// rules that depend on the release time, as trustc generate does.
func finish(root string, p *plan, header []string, w want, allow bool, now time.Time) (*Result, error) {
	imp, err := schemaImport(root)
	if err != nil {
		return nil, err
	}
	r := &renderer{p: p, pkg: packageName(p.env.Name), schemaImport: imp, header: header}
	files, err := r.render()
	if err != nil {
		return nil, err
	}
	findings, err := verify(root, p.env.Name, files, w, now)
	if err != nil {
		return nil, err
	}
	// Windows already published are history: a service whose signing
	// began sooner after trust than the policy asks is exempted, with the
	// reason in the CUE for every reviewer to see, instead of refusing the
	// files or rewriting what clients saw.
	if n := p.grandfather(findings); n > 0 {
		r.header = append(r.header, fmt.Sprintf("%d service(s) sign from less than the waiting period after they are trusted; each carries a waitingPeriodExempt saying why. Review them: the exemption covers these windows, and trustc refuses new ones that break the rule.", n))
		if files, err = r.render(); err != nil {
			return nil, err
		}
		if findings, err = verify(root, p.env.Name, files, w, now); err != nil {
			return nil, err
		}
	}
	if findings == nil {
		return &Result{Files: files}, nil
	}
	if !allow {
		return nil, &FindingsError{Findings: findings}
	}
	list := errors.Errors(findings)
	r.header = append(r.header, fmt.Sprintf("trustc import -allow-findings wrote %d policy finding(s) as FINDING comments at their fields; trustc generate refuses this environment until they are fixed.", len(list)))
	r.comments = map[string][]string{}
	for _, f := range list {
		k := r.place(f.Path())
		r.comments[k] = append(r.comments[k], "FINDING: "+Describe(f))
	}
	r.header = append(r.header, r.comments[key()]...)
	if files, err = r.render(); err != nil {
		return nil, err
	}
	if _, err := verify(root, p.env.Name, files, w, now); err != nil {
		return nil, err
	}
	return &Result{Files: files, Findings: errors.Errors(findings)}, nil
}

// place finds where a finding at path goes: above the line of the
// deepest field on its path that starts a line. Fields inside a one-line
// window or a let have no line of their own.
func (r *renderer) place(path []string) string {
	labels := make([]string, len(path))
	for i, l := range path {
		if u, err := strconv.Unquote(l); err == nil {
			l = u
		}
		labels[i] = l
	}
	for n := len(labels); n > 0; n-- {
		if k := key(labels[:n]...); r.lines[k] {
			return k
		}
	}
	return key()
}

// verify compiles files as environment env of the repository at root,
// the files overlaid on it (nothing is written), and checks that the
// result equals what was imported. It returns the rules' errors, judged
// as published JSON is (compiler.Options.Published); an error means the
// importer wrote something that does not compile back to its inputs.
func verify(root, env string, files map[string][]byte, w want, now time.Time) (errors.Error, error) {
	overlay := load.Overlay{}
	for name, b := range files {
		overlay[load.EnvironmentsDir+"/"+env+"/"+name] = b
	}
	bug := func(what string, err error) error {
		var b strings.Builder
		report.Lines(&b, "  ", err, root)
		return fmt.Errorf("%s (a bug in trustc import, or a schema this trustc does not know):\n%s", what, b.String())
	}
	// With a release time, the time-dependent rules run too, as trustc
	// generate runs them; the run without one (Timeless) is what the
	// grandfathering of published windows is decided on.
	src := compiler.Sources{Dir: root, Envs: []string{env}, Overlay: overlay}
	res, err := compiler.Compile(src, compiler.Options{Now: now, Review: true, Published: true, Timeless: true})
	if res == nil {
		return nil, bug("the generated CUE does not load", err)
	}
	if _, problems := err.(errors.Error); problems {
		return nil, bug("the generated material does not derive", err)
	} else if err != nil {
		return nil, err // emit's
	}
	// Only errors are findings: warnings and notes do not stop trustc
	// generate, so they do not stop an import either (trustc check shows
	// them).
	findings, _ := model.Split(res.Advice)
	if err := compare(res.Release.Envs[0], w); err != nil {
		return nil, err
	}
	return findings, nil
}

// compare checks an emitted environment against what was imported, as
// protobuf messages; a difference shows as a diff of canonical JSON.
func compare(got *release.Env, w want) error {
	var problems []string
	differ := func(name string, want, got proto.Message) {
		if proto.Equal(want, got) {
			return
		}
		a, _ := emit.Canonical(want)
		b, _ := emit.Canonical(got)
		problems = append(problems, string(diff.Diff("imported "+name, a, "compiled "+name, b)))
	}
	differ(release.TrustedRootName, w.root, got.TrustedRoot.Msg)
	for _, c := range w.configs {
		f := got.SigningConfig(c.base)
		if f == nil {
			problems = append(problems, c.base+" is not compiled")
			continue
		}
		differ(c.base, c.msg, f.Msg)
	}
	switch {
	case w.legacy == nil && got.Legacy != nil:
		problems = append(problems, "a legacy signing config is compiled but none was imported")
	case w.legacy != nil && got.Legacy == nil:
		problems = append(problems, "the legacy signing config is not compiled")
	case w.legacy != nil:
		a, _ := json.MarshalIndent(w.legacy, "", "  ")
		b, _ := json.MarshalIndent(got.Legacy.Msg, "", "  ")
		if string(a) != string(b) {
			problems = append(problems, string(diff.Diff("imported "+release.LegacySigningConfigName, a, "compiled", b)))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("the generated environment does not reproduce its inputs (a bug in trustc import, or input it cannot express):\n%s", strings.Join(problems, "\n"))
	}
	return nil
}

// grandfather exempts, from the waiting period, every service a
// waiting-period finding names, and returns how many it exempted.
func (p *plan) grandfather(findings errors.Error) int {
	// One index for all findings: looking each finding's service up by a
	// scan of every service made an import with 100k findings quadratic
	// (it did not finish in ten minutes). The first of a name wins, as a
	// scan in declaration order would find it.
	count := 0
	for range p.env.Services() {
		count++
	}
	// Sized first: growing it was a third of the work at 1000 findings.
	services := make(map[serviceKey]*model.Service, count)
	for kind, s := range p.env.Services() {
		if k := (serviceKey{kind, s.Name}); services[k] == nil {
			services[k] = s
		}
	}
	n := 0
	for _, f := range errors.Errors(findings) {
		v, ok := f.(*check.Violation)
		if !ok || v.Rule != check.RuleWaitingPeriod || len(v.Src.Path) < 2 {
			continue
		}
		s := services[serviceKey{v.Src.Path[0], unquote(v.Src.Path[1])}]
		if s == nil || s.WaitingPeriodExempt.V != "" {
			continue
		}
		s.WaitingPeriodExempt.V = p.exemptReason
		n++
	}
	return n
}

// serviceKey is a service's CUE kind and name.
type serviceKey struct{ kind, name string }

func unquote(label string) string {
	if s, err := strconv.Unquote(label); err == nil {
		return s
	}
	return label
}

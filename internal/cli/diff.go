package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	cueerrors "cuelang.org/go/cue/errors"

	"github.com/trustc-dev/trustc/clients"
	"github.com/trustc-dev/trustc/compiler"
	"github.com/trustc-dev/trustc/compiler/check"
	"github.com/trustc-dev/trustc/compiler/emit"
	"github.com/trustc-dev/trustc/compiler/load"
	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/internal/report"
	"github.com/trustc-dev/trustc/internal/safefile"
	"github.com/trustc-dev/trustc/release"
	"github.com/trustc-dev/trustc/review"
	"github.com/trustc-dev/trustc/timeline"
)

// runDiff reviews a trust change: what it does to which clients, and when.
//
// The new release is what the CUE compiles to now, not the working tree's
// golden/: the CUE is what the author changed and what the policy checks
// at file and line, and a stale golden/ is drift that 'trustc generate
// -check' reports on its own (diff warns about it too). Given a directory
// NEW, diff reviews those published files instead.
//
// The old release is golden/ where the change left main (the merge base),
// golden/ at -base-ref, or a directory of published JSON (-base).
//
// diff is a report: it exits 0 with or without changes or policy
// findings, 1 when it cannot review (input that does not load), 2 on
// usage errors.
func runDiff(args []string, stdout, stderr io.Writer) int {
	c := newSubcmd("diff", "[flags] [NEW]", stderr)
	c.repoFlag("environments/, golden/ and .git")
	baseDir := c.String("base", "", "old release: a `dir`ectory of published JSON or a golden/ tree")
	baseRef := c.String("base-ref", "", "old release: golden/ at this git `ref` (default: the merge base of HEAD and main)")
	format := c.String("format", "text", "output `format`: "+strings.Join(review.Formats, ", "))
	now := c.timeFlag("now", "review `time` (RFC 3339): client impact from then on, time-dependent rules; default the clock")
	svgDir := c.String("svg", "", "write one standalone timeline SVG per environment, <env>.svg, into this `dir`ectory")
	envName := c.String("env", "", "environment `name` for directories holding one environment's files (default: NEW's base name, else the base's)")
	full := c.Bool("full", false, "draw every timeline row and list every timeline note (default: the changed rows and their neighbours, notes summarised past three of a kind)")
	comment := c.String("comment", "", "also write the markdown review, cut to fit one GitHub comment, to this `file`")
	commentRest := c.String("comment-rest", "the output of trustc diff -format markdown", "where a cut -comment says the full review is: `text` such as \"the job summary of this run\"")
	var policy jsonPolicy
	policy.register(c.FlagSet, "NEW")
	if code, ok := c.parse(args); !ok {
		return code
	}
	if c.NArg() > 1 || !slices.Contains(review.Formats, *format) || (*baseDir != "" && *baseRef != "") {
		return c.usage()
	}
	fail := c.failf
	absRoot, code, ok := c.repo()
	if !ok {
		return code
	}
	var err error
	t := now.value()

	// One name for a directory that holds a single environment, so that
	// 'trustc diff -base old/ new/' compares old with new, not two
	// environments named "old" and "new".
	name := *envName
	newDir := ""
	if c.NArg() == 1 {
		newDir, _ = filepath.Abs(c.Arg(0))
		name = baseName(name, newDir)
	}

	// The old release.
	var old *release.Release
	oldDir := filepath.Join(absRoot, "golden") // for positions in the base
	gitBase := ""                              // the base ref, whose CUE holds the plan before
	switch {
	case *baseDir != "":
		oldDir, _ = filepath.Abs(*baseDir)
		if old, err = release.Read(safefile.DirFS(oldDir, safefile.MaxJSON), baseName(name, oldDir)); err != nil {
			return fail("read base release: %v", inDir(*baseDir, err))
		}
	default:
		ref := *baseRef
		if ref == "" {
			if ref, err = mergeBase(absRoot); err != nil {
				return fail("no base release to review against (%v); pass -base or -base-ref", err)
			}
		}
		gitBase = ref
		tree, err := gitTree(absRoot, ref, "golden")
		var none *noTreeError
		switch {
		case errors.As(err, &none):
			fmt.Fprintf(stderr, "trustc diff: no golden/ at %s; reviewing a first release\n", ref)
		case err != nil:
			return fail("read base release: %v", err)
		default:
			if old, err = release.Read(tree, name); err != nil {
				return fail("read base release golden/ at %s: %v", ref, err)
			}
		}
	}
	opts := compiler.Options{Now: t}
	if old != nil {
		// The base is history, read leniently: its own problems are not
		// this change's.
		base := compiler.Published(old, load.JSONOptions{Dir: oldDir})
		opts.Base = &base
	}

	// The new release and the policy's findings on it.
	var new *release.Release
	var findings []review.Finding
	var newEnvs []*model.Environment
	var baseEnvs map[string]*model.Environment // the base derived, by name
	var fronts map[string]clients.Fronts
	if newDir != "" {
		if new, err = release.Read(safefile.DirFS(newDir, safefile.MaxJSON), name); err != nil {
			return fail("read %s: %v", c.Arg(0), err)
		}
		jopts, _, err := policy.options(newDir)
		if err != nil {
			return c.usagef("%v", err)
		}
		// Findings name files as the review does, "env/file", so that
		// they find their file whatever environments the base has.
		prefix := ""
		if _, err := os.Stat(filepath.Join(newDir, release.TrustedRootName)); err == nil {
			prefix = name + "/"
		}
		// What does not load or derive is the review's finding, in place
		// of the rules'.
		reviewOpts := opts
		reviewOpts.Review = true
		res, err := compiler.Compile(compiler.Published(new, jopts), reviewOpts)
		if !model.Blocking(err) {
			fronts = frontsOf(res.Envs)
			err = res.Advice
		}
		findings = jsonFindings(err, newDir, prefix)
	} else {
		res, found, code := compileForReview(absRoot, opts, stderr)
		if res == nil {
			return code
		}
		new, newEnvs, findings, fronts, baseEnvs = res.Release, res.Envs, found, frontsOf(res.Envs), res.Base
		warnDrift(absRoot, new, stderr)
	}

	r := review.Diff(old, new, review.Options{Now: t, Findings: findings, Full: *full, Fronts: fronts})
	out, err := r.Render(*format)
	if err != nil {
		return fail("%v", err)
	}
	if newEnvs != nil && gitBase != "" {
		// The calendar before is the CUE at the base; a base whose CUE
		// does not load has none, and the section is left out.
		before, berr := calendarsAt(absRoot, gitBase, t)
		after, aerr := calendars(newEnvs, baseEnvs, t)
		switch {
		case berr != nil:
			fmt.Fprintf(stderr, "trustc diff: warning: no release calendar before the change: %v\n", berr)
		case aerr != nil:
			return fail("%v", aerr)
		default:
			out = append(out, calendarSection(*format, before, after)...)
		}
	}
	if _, err := stdout.Write(out); err != nil {
		return fail("%v", err)
	}
	if *comment != "" {
		// GitHub counts characters and a workflow adds a marker line to
		// find its comment again; bytes bound characters, and 512 of
		// them are left for the marker.
		if err := os.WriteFile(*comment, r.Comment(review.CommentLimit-commentMarkerRoom, *commentRest), 0o644); err != nil {
			return fail("write comment: %v", err)
		}
	}
	if *svgDir != "" {
		if err := writeSVGs(*svgDir, r, old, new, t); err != nil {
			return fail("%v", err)
		}
	}
	return exitOK
}

// commentMarkerRoom is what -comment leaves of GitHub's comment limit
// for a line the workflow adds.
const commentMarkerRoom = 512

// compileForReview compiles the environments at root and checks them with
// every rule. Unlike generate, a broken rule does not stop it: the release
// is emitted anyway, since the review exists to show the change beside
// what the policy says about it. Input that does not load or derive has
// no release to review; it is printed as generate prints it.
func compileForReview(root string, opts compiler.Options, stderr io.Writer) (*compiler.Result, []review.Finding, int) {
	opts.Review = true
	res, err := compiler.Compile(compiler.Dir(root), opts)
	if res == nil || res.Envs == nil {
		// Nothing loaded; a result holds only what the base came to.
		report.Text(stderr, "trustc diff: cannot review", err, root)
		return nil, nil, exitFail
	}
	// Material that does not derive, and CUE that breaks the structure
	// rules, leave nothing to emit: those problems are the input's, not
	// findings beside a change.
	broken, _ := err.(cueerrors.Error)
	var findings []review.Finding
	for i, env := range res.Envs {
		var sources emit.SourceMap
		for _, e := range cueerrors.Errors(res.EnvAdvice[i]) {
			v, ok := e.(*check.Violation)
			if !ok || v.Rule == model.RuleInput {
				broken = cueerrors.Append(broken, e)
				continue
			}
			if sources == nil {
				sources = emit.Sources(env)
			}
			findings = append(findings, cueFinding(env.Name, v, sources, root))
		}
	}
	if broken != nil {
		report.Text(stderr, "trustc diff: cannot review", cueerrors.Sanitize(broken), root)
		return nil, nil, exitFail
	}
	if err != nil {
		fmt.Fprintf(stderr, "trustc diff: %v\n", err)
		return nil, nil, exitFail
	}
	return res, findings, exitOK
}

// frontsOf maps each environment's Rekor fronts to their shards' URLs:
// what the review needs to judge signing to a front as check does.
func frontsOf(envs []*model.Environment) map[string]clients.Fronts {
	out := map[string]clients.Fronts{}
	for _, env := range envs {
		for _, f := range env.RekorFronts {
			for _, shard := range f.Shards {
				for _, l := range env.Rekor {
					if l.Name == shard.V {
						if out[env.Name] == nil {
							out[env.Name] = clients.Fronts{}
						}
						out[env.Name][f.URL.V] = append(out[env.Name][f.URL.V], l.URL.V)
					}
				}
			}
		}
	}
	return out
}

// cueFinding turns a violation at a CUE field into a review finding at
// the published file and JSON path the field becomes (see emit.Sources),
// so the review shows it beside the change it concerns. The message keeps
// the CUE file, line and field, which is where the author fixes it. A
// field published nowhere (a policy setting) stays on its CUE file, which
// the review lists on its own.
func cueFinding(env string, v *check.Violation, sources emit.SourceMap, root string) review.Finding {
	where := strings.Join(v.Src.Path, ".")
	file := ""
	if pos := v.Src.Pos; pos.IsValid() {
		pp := pos.Position()
		file = report.Rel(root, pp.Filename)
		where = fmt.Sprintf("%s:%d:%d %s", file, pp.Line, pp.Column, where)
	}
	f := review.Finding{Rule: v.Rule, File: file, Message: fmt.Sprintf("%s (in CUE: %s)", v.Message, strings.TrimSpace(where)), Severity: v.Severity.String()}
	if s, ok := sources.Lookup(v.Src.Path); ok {
		f.File, f.Path = env+"/"+s.File, s.Path
	}
	return f
}

// jsonFindings turns problems in published files into review findings:
// the position's file, relative to dir and after prefix, and the JSON
// path.
func jsonFindings(err error, dir, prefix string) []review.Finding {
	var out []review.Finding
	for _, p := range report.Problems(err, dir) {
		out = append(out, review.Finding{Rule: p.Rule, File: prefix + p.File, Path: p.Path, Message: p.Message, Severity: p.Severity})
	}
	return out
}

// warnDrift says when the working tree's golden/ is not what the CUE
// compiles to: the review shows the CUE, clients get golden/.
func warnDrift(root string, rel *release.Release, stderr io.Writer) {
	dir := filepath.Join(root, "golden")
	if _, err := os.Stat(dir); err != nil {
		return
	}
	drift, err := Drift(safefile.DirFS(dir, safefile.MaxJSON), Files(rel))
	if err != nil || len(drift) == 0 {
		return
	}
	printStale(stderr, "trustc diff: warning", "golden/", drift)
}

// writeSVGs writes <env>.svg for every environment of either release:
// the reviewed timeline, with changed rows marked, where the review has
// the environment, else the plain one.
func writeSVGs(dir string, r *review.Review, old, new *release.Release, now time.Time) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write timelines: %w", err)
	}
	for _, n := range review.EnvNames(new, old) {
		var tl *timeline.Timeline
		if i := slices.IndexFunc(r.Envs, func(e *review.Env) bool { return e.Name == n }); i >= 0 {
			tl = r.Envs[i].Timeline()
		} else if e := new.Env(n); e != nil {
			tl = timeline.New(e, now)
		} else {
			tl = timeline.New(old.Env(n), now)
		}
		if err := os.WriteFile(filepath.Join(dir, n+".svg"), tl.SVG(), 0o644); err != nil {
			return fmt.Errorf("write timeline: %w", err)
		}
	}
	return nil
}

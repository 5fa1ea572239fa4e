package compiler

import (
	"fmt"
	"io/fs"
	"time"

	"cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"

	"github.com/trustc-dev/trustc/compiler/asof"
	"github.com/trustc-dev/trustc/compiler/check"
	"github.com/trustc-dev/trustc/compiler/derive"
	"github.com/trustc-dev/trustc/compiler/emit"
	"github.com/trustc-dev/trustc/compiler/load"
	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/internal/parallel"
	"github.com/trustc-dev/trustc/release"
)

// Sources is what Compile reads: the CUE environments of a repository
// (Dir, with Overlay over it), or published JSON (Release, or FS to read
// it from).
type Sources struct {
	// Dir is the repository root, holding cue.mod/, schema/ and
	// environments/.
	Dir string
	// Envs names the environments to compile; all of them when empty.
	Envs []string
	// Overlay holds files, by slash path below Dir, read instead of the
	// disk (see load.Overlay): 'trustc import' compiles what it is about
	// to write without writing it first.
	Overlay load.Overlay
	// Release, when set, is published JSON, compiled instead of Dir: the
	// rules judge it as published (check.Options.Published), and it is
	// the release Compile returns. JSON says what the files do not.
	Release *release.Release
	// FS, when set and Release is not, holds published JSON for Compile
	// to read as release.Read reads it: a golden/ tree (one directory per
	// environment), or one environment's files, named Name.
	FS   fs.FS
	Name string
	JSON load.JSONOptions
}

// Dir is the sources of the named environments (all when none are named)
// of the repository at root.
func Dir(root string, envs ...string) Sources {
	return Sources{Dir: root, Envs: envs}
}

// Published is the sources of a release of published JSON.
func Published(rel *release.Release, opts load.JSONOptions) Sources {
	return Sources{Release: rel, JSON: opts}
}

// PublishedFS is the sources of the published JSON in fsys (see
// release.Read for name), which Compile reads.
func PublishedFS(fsys fs.FS, name string, opts load.JSONOptions) Sources {
	return Sources{FS: fsys, Name: name, JSON: opts}
}

// read reads FS into Release, so that what follows sees a release.
func (s Sources) read() (Sources, error) {
	if s.Release != nil || s.FS == nil {
		return s, nil
	}
	rel, err := release.Read(s.FS, s.Name)
	if err != nil {
		return s, err
	}
	s.Release, s.FS = rel, nil
	return s, nil
}

// Result is a compiled release and the models it came from.
type Result struct {
	// Release is the compiled release; nil when a problem blocks it.
	Release *release.Release
	// Envs are the models, derived and, for CUE, replaced by their
	// release as of Options.Now (asof.Release): every environment that
	// loaded, also when another did not.
	Envs []*model.Environment
	// Advice holds the problems that do not block the release (warnings,
	// notes; with Options.Review, the policy's findings), as model.Problem
	// and check.Violation values; nil when there are none.
	Advice error
	// EnvAdvice is the advice of derive and the rules by environment, in
	// the order of Envs (load's is in Advice only: it is reported before
	// an environment exists).
	EnvAdvice []error

	// Base is Options.Base derived, by environment name: what rules 6 to
	// 9 compared with. Nil without a base, or when it could not be read.
	Base map[string]*model.Environment
	// BaseErr says why Options.Base could not be read (release.Read's
	// error); rules 6 to 9 did not run.
	BaseErr error
	// BaseProblems are the problems loading and deriving Options.Base
	// found: the base's own flaws, history that never blocks the head,
	// for the caller to show or not.
	BaseProblems error
}

// Options tune a compilation.
type Options struct {
	// Now is the release time, for the rules that depend on it, and the
	// instant the release is compiled as of (see package asof): CUE
	// environments are replaced by the release published then, which
	// the rules judge and Emit writes. Zero skips the time-dependent
	// rules and compiles the whole plan, so that compiling stays a pure
	// function of the input.
	Now time.Time
	// Base is the previous release, usually published JSON: rules 6 to 9
	// check each environment against the base's environment of the same
	// name. Nil skips them. Compile reads and derives it, without the
	// rules (it is history), while the head loads and derives: reading
	// and deriving golden/ first was a fifth of a generate's wall time
	// (issue 17), most of it checking chain signatures the head shares.
	// What it came to is in Result.Base, BaseErr and BaseProblems.
	Base *Sources
	// BaseTime is when the base was published (its commit's time, or what
	// the caller knows); zero when unknown. The waiting period counts an
	// entry the base already held from then.
	BaseTime time.Time
	// derivedBase is a base already derived, used when Base is nil: tests
	// set it (export_test.go) to change what CUE cannot declare.
	derivedBase map[string]*model.Environment

	// NoRules stops after derive: a base release is history, read for
	// the rules across releases, whose own problems are not this
	// change's; a release probed is checked when it is compiled.
	NoRules bool
	// Review emits the release whatever the rules find, and returns
	// every violation, of any severity, in Result.Advice: 'trustc diff'
	// shows a change beside what the policy says about it, and 'trustc
	// import' writes findings as comments. The error then holds the
	// problems of load and derive, of any severity: input that does not
	// load returns no result, and an environment whose material does
	// not derive is not checked.
	Review bool
	// Published judges CUE as published JSON is judged: compiled whole,
	// no release staged from its plan, signing history without a base
	// taken as history (check.Options.Published). 'trustc import' writes
	// CUE that must reproduce published files.
	Published bool
	// Timeless also runs the rules without a release time when Now is
	// set, and reports both runs' problems: with a release time,
	// published signing history is settled, and the importer decides
	// what to grandfather on the run without one.
	Timeless bool
}

// Compile compiles src: it loads, derives, stages the release as of
// opts.Now, checks and emits. Problems in every environment and every
// stage are reported together, so a person fixes everything at once. The
// error holds only the blocking problems, the result the release (when
// nothing blocks it), the models and the advice. A result comes with the
// error whenever every environment loaded, and, except in review, also
// when only some did; otherwise, with Options.Base, a result that holds
// only what the base came to (Result.Base, BaseErr, BaseProblems), and
// without, none.
func Compile(src Sources, opts Options) (*Result, error) {
	// The head is loaded and derived while the base is read and derived:
	// cue/load keeps one core busy alone, and neither needs the other
	// until the rules.
	var envs []*model.Environment
	var loadErr error
	var derived []errors.Error // derive's problems, by environment
	var res *Result
	loaded := func() bool { return !model.Blocking(loadErr) || envs != nil && !opts.Review }
	parallel.Do(
		func() {
			if src, envs, loadErr = loadAll(src); loaded() {
				derived = parallel.Map(len(envs), func(i int) errors.Error { return promote(derive.Environment(envs[i])) })
			}
		},
		func() { res = readBase(opts) })
	if !loaded() {
		if opts.Base == nil {
			return nil, loadErr
		}
		return res, loadErr
	}
	res.Envs, res.EnvAdvice = envs, make([]error, len(envs))
	base := res.Base
	if opts.Base == nil {
		base = opts.derivedBase
	}
	type result struct{ blocking, advice errors.Error }
	perEnv := parallel.Map(len(envs), func(i int) result {
		// Each goroutine writes its own element: no race.
		derr := derived[i]
		env, rerr := checkEnv(envs[i], derr, src.Release != nil, opts, base)
		envs[i] = env
		if opts.Review {
			return result{derr, rerr}
		}
		b, a := model.Split(errors.Append(derr, rerr))
		return result{b, a}
	})
	var blocking, advice errors.Error
	if opts.Review {
		blocking = promote(loadErr)
	} else {
		blocking, advice = model.Split(loadErr)
	}
	for i, r := range perEnv {
		blocking, advice = errors.Append(blocking, r.blocking), errors.Append(advice, r.advice)
		if r.advice != nil {
			res.EnvAdvice[i] = errors.Sanitize(r.advice)
		}
	}
	if advice != nil {
		res.Advice = errors.Sanitize(advice)
	}
	if blocking != nil {
		blocking = errors.Sanitize(blocking)
		if model.Blocking(blocking) {
			return res, blocking
		}
	}
	if src.Release != nil {
		res.Release = src.Release
		return res, blocking
	}
	rel, err := emitAll(envs)
	if err != nil {
		return res, err
	}
	res.Release = rel
	return res, blocking
}

// loadAll loads src's environments: CUE, or published JSON read into the
// model. Those that loaded come back also when others did not, and src
// with the release it read, if any.
func loadAll(src Sources) (Sources, []*model.Environment, error) {
	src, err := src.read()
	if err != nil {
		return src, nil, err
	}
	if src.Release != nil {
		envs, err := load.Release(src.Release, src.JSON)
		return src, envs, err
	}
	envs, err := load.EnvironmentsWith(src.Dir, src.Overlay, src.Envs...)
	return src, envs, err
}

// readBase reads and derives opts.Base into a result that holds only it:
// every environment that loaded, by name, and its problems apart, since a
// flawed base still serves the rules (a release may fix its base's flaw).
func readBase(opts Options) *Result {
	res := &Result{}
	if opts.Base == nil {
		return res
	}
	src, err := opts.Base.read()
	if err != nil {
		res.BaseErr = err
		return res
	}
	base, err := Compile(src, Options{NoRules: true})
	res.BaseProblems = err
	if base != nil {
		res.Base = map[string]*model.Environment{}
		for _, e := range base.Envs {
			res.Base[e.Name] = e
		}
	}
	return res
}

// checkEnv stages env's release as of opts.Now and checks it, derived
// with derive's problems derr, returning the rules' problems.
// Environments are independent, so Compile runs this concurrently: a rule
// sees one environment (and its base) and keeps no state beyond them.
// fromJSON says env was read from published JSON, whose rules run as if
// it derived (the caller asked for them on what it holds).
func checkEnv(env *model.Environment, derr errors.Error, fromJSON bool, opts Options, base map[string]*model.Environment) (*model.Environment, errors.Error) {
	if opts.NoRules || derr != nil && opts.Review {
		return env, nil
	}
	published := fromJSON || opts.Published
	if !published {
		env = asof.Release(env, opts.Now)
	}
	derived := derr == nil || fromJSON
	// Structure needs no derived values, so it runs even when derive
	// failed: one run reports both kinds of problem.
	rerr := rules(env, derived, published, opts, base[env.Name])
	if opts.Timeless && !opts.Now.IsZero() {
		timeless := opts
		timeless.Now = time.Time{}
		rerr = errors.Append(rerr, rules(env, derived, published, timeless, base[env.Name]))
	}
	return env, rerr
}

// emitAll emits derived, checked environments, concurrently.
func emitAll(envs []*model.Environment) (*release.Release, error) {
	type result struct {
		env *release.Env
		err error
	}
	out := parallel.Map(len(envs), func(i int) result {
		env, err := emit.Environment(envs[i])
		return result{env, err}
	})
	rel := &release.Release{}
	for _, r := range out {
		if r.err != nil {
			return nil, r.err
		}
		rel.Envs = append(rel.Envs, r.env)
	}
	return rel, nil
}

func promote(err error) errors.Error {
	if err == nil {
		return nil
	}
	return errors.Promote(err, "")
}

// rules runs the structure rules, then, on a well-formed environment, the
// policy (which skips material that did not derive, so one bad key file
// does not hide the rest), and, when everything derived, the rules across
// releases (an underived key would look like a removed entry) against
// base, env's environment in the base release, if there is one.
func rules(env *model.Environment, derived, published bool, opts Options, base *model.Environment) errors.Error {
	// Structure judges the whole plan: a window withheld from this
	// release (a misspelt signing config, an end before its start) is a
	// mistake today.
	whole := env
	if env.Plan != nil {
		whole = env.Plan
	}
	serr := check.Structure(whole)
	errs := promote(serr)
	if serr != nil {
		return errs
	}
	popts := check.Options{Now: opts.Now, Published: published, Next: nextRelease(env, opts.Now)}
	if base != nil && derived {
		popts.Base, popts.BaseTime = base, opts.BaseTime
	}
	errs = errors.Append(errs, promote(check.Policy(env, popts)))
	if base != nil && derived {
		errs = errors.Append(errs, promote(check.Transition(base, env, opts.Now)))
	}
	if env.Plan != nil && derived {
		errs = errors.Append(errs, laterReleases(env, base, opts, errs))
	}
	return errs
}

// nextRelease is the release time of the release that follows env's at
// now, if its plan has one.
func nextRelease(env *model.Environment, now time.Time) time.Time {
	if env.Plan == nil {
		return time.Time{}
	}
	if ts := asof.Instants(env.Plan, now); len(ts) > 0 {
		return ts[0]
	}
	return time.Time{}
}

// laterReleases checks each release env's plan has after release (the
// one at now; see asof.Instants) at its own release time, with every rule
// and against the release before it: a plan whose every release passes
// is a rollout that breaks no client on the way, and a mistake in a step
// months ahead is reported today, at its CUE field. A violation reported
// for an earlier release is not repeated.
func laterReleases(release, base *model.Environment, opts Options, reported errors.Error) errors.Error {
	now := opts.Now
	type key struct {
		pos       token.Pos
		rule, msg string
	}
	seen := map[key]bool{}
	for _, e := range errors.Errors(reported) {
		if v, ok := e.(*check.Violation); ok {
			seen[key{v.Src.Pos, v.Rule, v.Message}] = true
		}
	}
	var errs errors.Error
	prev := release
	for _, t := range asof.Instants(release.Plan, now) {
		next := asof.Release(release.Plan, t)
		// The waiting period counts from when clients got each entry:
		// what the base (the release published before the plan) held
		// counts as it does for the release at now; every other trust
		// entry is first published by the release at now.
		popts := check.Options{Now: t, Next: nextRelease(next, t), Base: base, BaseTime: opts.BaseTime, Planned: now, NewFrom: now}
		found := errors.Append(promote(check.Policy(next, popts)), promote(check.Transition(prev, next, t)))
		for _, e := range errors.Errors(found) {
			v, ok := e.(*check.Violation)
			if !ok {
				errs = errors.Append(errs, e)
				continue
			}
			k := key{v.Src.Pos, v.Rule, v.Message}
			if seen[k] {
				continue
			}
			seen[k] = true
			later := *v
			later.Message = fmt.Sprintf("%s (in the release due %s)", v.Message, t.UTC().Format(time.RFC3339Nano))
			errs = errors.Append(errs, &later)
		}
		prev = next
	}
	return errs
}

// Report is every problem of a compilation, the blocking ones (err) and
// the advice together, sorted: what a command prints, in one list.
func Report(res *Result, err error) error {
	var all errors.Error
	if err != nil {
		all = promote(err)
	}
	if res != nil && res.Advice != nil {
		all = errors.Append(all, promote(res.Advice))
	}
	if all == nil {
		return nil
	}
	return errors.Sanitize(all)
}

package compiler

import (
	"fmt"
	"path/filepath"
	"slices"
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

// Result is a compiled release and the models it came from.
type Result struct {
	Release *release.Release
	Envs    []*model.Environment
	// Advice holds the problems that do not block the release (warnings,
	// notes), as model.Problem values; nil when there are none.
	Advice error
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
	// Base is the previous release, derived, by environment name; rules 6
	// to 9 check each environment against its base. Nil skips them.
	Base map[string]*model.Environment
	// BaseTime is when the base was published (its commit's time, or what
	// the caller knows); zero when unknown. The waiting period counts an
	// entry the base already held from then.
	BaseTime time.Time
}

// Compile compiles the named environments (all when none are named) of the
// repository at root with the time-independent rules. See CompileWith.
func Compile(root string, names ...string) (*Result, error) {
	return CompileWith(root, Options{}, names...)
}

// CompileWith compiles the named environments (all when none are named) of
// the repository at root. Problems in every environment and every stage are
// reported together, so a person fixes everything at once; a release is
// returned only when none of them is an error (warnings are in
// Result.Advice).
func CompileWith(root string, opts Options, names ...string) (*Result, error) {
	envs, loadErr := load.Environments(root, names...)
	// Derive and check what did load, even if something else did not.
	checkErr := Check(envs, opts)
	var all error
	if loadErr != nil || checkErr != nil {
		all = errors.Sanitize(errors.Append(promote(loadErr), promote(checkErr)))
	}
	if model.Blocking(all) {
		return nil, all
	}
	res, err := Emit(envs)
	if err != nil {
		return nil, err
	}
	res.Advice = all
	return res, nil
}

// Check derives loaded environments, replaces each (in envs) by its
// release as of opts.Now (asof.Release), and checks that release.
func Check(envs []*model.Environment, opts Options) error {
	return checkAll(envs, opts, true)
}

// CheckModels runs every rule on environments already derived (published
// JSON read by Models, or CUE an importer derived itself), with the base
// (by name) for rules 6 to 9.
func CheckModels(envs []*model.Environment, opts Options) error {
	return checkAll(envs, opts, false)
}

// checkAll derives (when asked) and checks environments. They are
// independent, so they are handled concurrently: a rule sees one
// environment (and its base) and keeps no state beyond them. Errors are
// gathered in input order and sorted, so the report does not depend on
// scheduling.
func checkAll(envs []*model.Environment, opts Options, deriveFirst bool) error {
	perEnv := parallel.Map(len(envs), func(i int) errors.Error {
		env := envs[i]
		if !deriveFirst {
			return rules(env, true, true, opts)
		}
		// Structure needs no derived values, so it runs even when derive
		// failed: one run reports both kinds of problem.
		derr := derive.Environment(env)
		// Each goroutine writes its own element: no race.
		env = asof.Release(env, opts.Now)
		envs[i] = env
		return errors.Append(promote(derr), rules(env, derr == nil, false, opts))
	})
	return joined(perEnv)
}

// joined is every environment's problems, sorted and deduplicated; nil
// when there are none.
func joined(perEnv []errors.Error) error {
	var errs errors.Error
	for _, err := range perEnv {
		errs = errors.Append(errs, err)
	}
	if errs != nil {
		return errors.Sanitize(errs)
	}
	return nil
}

// Emit emits derived, checked environments, concurrently.
func Emit(envs []*model.Environment) (*Result, error) {
	type result struct {
		env *release.Env
		err error
	}
	out := parallel.Map(len(envs), func(i int) result {
		env, err := emit.Environment(envs[i])
		return result{env, err}
	})
	res := &Result{Release: &release.Release{}, Envs: envs}
	for _, r := range out {
		if r.err != nil {
			return nil, r.err
		}
		res.Release.Envs = append(res.Release.Envs, r.env)
	}
	return res, nil
}

func promote(err error) errors.Error {
	if err == nil {
		return nil
	}
	return errors.Promote(err, "")
}

// Models turns a release of published JSON into derived models, one per
// environment. It checks nothing: as a base release they are history, whose
// own problems are not this change's; CheckModels checks them where they
// are the change.
//
// Environments are read and derived concurrently, as checkAll derives the
// CUE ones: generate reads the release it replaces before it compiles, so
// this is on its critical path, and deriving a chain verifies ECDSA P-384
// signatures at about a millisecond each.
func Models(rel *release.Release, opts load.JSONOptions) ([]*model.Environment, error) {
	envs := make([]*model.Environment, len(rel.Envs))
	perEnv := parallel.Map(len(rel.Envs), func(i int) errors.Error {
		e := rel.Envs[i]
		o := opts
		if o.Dir != "" && len(rel.Envs) > 1 {
			o.Dir = filepath.Join(o.Dir, e.Name)
		}
		env, err := load.FromRelease(e, o)
		if env == nil {
			return promote(err)
		}
		envs[i] = env // each goroutine writes its own element
		return errors.Append(promote(err), promote(derive.Environment(env)))
	})
	return slices.DeleteFunc(envs, func(e *model.Environment) bool { return e == nil }), joined(perEnv)
}

// rules runs the structure rules, then, on a well-formed environment, the
// policy (which skips material that did not derive, so one bad key file
// does not hide the rest), and, when everything derived, the rules across
// releases (an underived key would look like a removed entry).
func rules(env *model.Environment, derived, published bool, opts Options) errors.Error {
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
	if base := opts.Base[env.Name]; base != nil && derived {
		popts.Base, popts.BaseTime = base, opts.BaseTime
	}
	errs = errors.Append(errs, promote(check.Policy(env, popts)))
	if base := opts.Base[env.Name]; base != nil && derived {
		errs = errors.Append(errs, promote(check.Transition(base, env, opts.Now)))
	}
	if env.Plan != nil && derived {
		errs = errors.Append(errs, laterReleases(env, opts.Base[env.Name], opts, errs))
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

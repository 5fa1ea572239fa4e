package compiler

import (
	"cuelang.org/go/cue/errors"

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
}

// Compile compiles the named environments (all when none are named) of the
// repository at root. Problems in every environment and every stage are
// reported together, so a person fixes everything at once; a release is
// returned only when there are none.
func Compile(root string, names ...string) (*Result, error) {
	envs, loadErr := load.Environments(root, names...)
	// Derive and check what did load, even if something else did not.
	checkErr := Check(envs)
	if loadErr != nil || checkErr != nil {
		return nil, errors.Sanitize(errors.Append(promote(loadErr), promote(checkErr)))
	}
	return Emit(envs)
}

// Check derives and checks loaded environments. Environments are
// independent, so each is derived and checked on its own goroutine: a
// rule sees one environment and must keep no state beyond it. Errors are
// gathered in input order and sorted, so the report does not depend on
// scheduling.
func Check(envs []*model.Environment) error {
	perEnv := parallel.Map(len(envs), func(i int) errors.Error {
		env := envs[i]
		// Structure needs no derived values, so it runs even when derive
		// failed: one run reports both kinds of problem.
		errs := promote(derive.Environment(env))
		return errors.Append(errs, promote(check.Structure(env)))
	})
	var errs errors.Error
	for _, err := range perEnv {
		errs = errors.Append(errs, err)
	}
	if errs != nil {
		return errors.Sanitize(errs)
	}
	return nil
}

// Emit emits derived, checked environments, each on its own goroutine.
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

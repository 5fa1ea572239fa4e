package load

import (
	"path/filepath"

	"cuelang.org/go/cue/errors"

	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/internal/parallel"
	"github.com/trustc-dev/trustc/release"
)

// Release reads every environment of a published release into the model
// (FromRelease), each with its positions below opts.Dir, or below
// opts.Dir/<env> when the release has several. Environments are read
// concurrently, as CUE ones are evaluated: generate reads the release it
// replaces on its critical path. Those that read come back also when
// others did not.
func Release(rel *release.Release, opts JSONOptions) ([]*model.Environment, error) {
	return gather(parallel.Map(len(rel.Envs), func(i int) loaded {
		e := rel.Envs[i]
		o := opts
		if o.Dir != "" && len(rel.Envs) > 1 {
			o.Dir = filepath.Join(o.Dir, e.Name)
		}
		env, err := FromRelease(e, o)
		if err != nil {
			return loaded{env, errors.Promote(err, "")}
		}
		return loaded{env, nil}
	}))
}

// loaded is one environment read, and its problems.
type loaded struct {
	env *model.Environment
	err errors.Error
}

// gather keeps the environments that loaded, in order, and sorts every
// problem into one list.
func gather(results []loaded) ([]*model.Environment, error) {
	var errs errors.Error
	var envs []*model.Environment
	for _, r := range results {
		errs = errors.Append(errs, r.err)
		if r.env != nil {
			envs = append(envs, r.env)
		}
	}
	if errs != nil {
		return envs, errors.Sanitize(errs)
	}
	return envs, nil
}

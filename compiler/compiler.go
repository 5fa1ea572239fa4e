package compiler

import (
	"cuelang.org/go/cue/errors"

	"github.com/trustc-dev/trustc/compiler/check"
	"github.com/trustc-dev/trustc/compiler/derive"
	"github.com/trustc-dev/trustc/compiler/emit"
	"github.com/trustc-dev/trustc/compiler/load"
	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/release"
)

// Result is a compiled release and the models it came from.
type Result struct {
	Release *release.Release
	Envs    []*model.Environment
}

// Compile compiles the named environments (all when none are named) of the
// repository at root. Problems in every environment are reported together;
// a release is returned only when there are none.
func Compile(root string, names ...string) (*Result, error) {
	envs, err := load.Environments(root, names...)
	if err != nil {
		return nil, err
	}
	return CompileModels(envs)
}

// CompileModels runs derive, check and emit on loaded environments.
func CompileModels(envs []*model.Environment) (*Result, error) {
	var errs errors.Error
	for _, env := range envs {
		if err := derive.Environment(env); err != nil {
			errs = errors.Append(errs, errors.Promote(err, ""))
			continue
		}
		if err := check.Structure(env); err != nil {
			errs = errors.Append(errs, errors.Promote(err, ""))
		}
	}
	if errs != nil {
		return nil, errors.Sanitize(errs)
	}
	res := &Result{Release: &release.Release{}, Envs: envs}
	for _, env := range envs {
		out, err := emit.Environment(env)
		if err != nil {
			return nil, err
		}
		res.Release.Envs = append(res.Release.Envs, out)
	}
	return res, nil
}

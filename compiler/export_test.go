package compiler

import (
	"cuelang.org/go/cue/errors"

	"github.com/trustc-dev/trustc/compiler/derive"
	"github.com/trustc-dev/trustc/compiler/model"
)

// CheckEnv derives, stages and checks one loaded environment as Compile
// does, for BenchmarkCheck to measure the rules without load.
func CheckEnv(env *model.Environment, opts Options) error {
	derr := promote(derive.Environment(env))
	_, rerr := checkEnv(env, derr, false, opts, opts.derivedBase)
	if err := errors.Append(derr, rerr); err != nil {
		return err
	}
	return nil
}

// WithDerivedBase is opts with a base already derived, by environment
// name, in place of Options.Base: the policy corpus edits a base's model
// where CUE cannot declare the flaw (a published log id).
func WithDerivedBase(opts Options, base map[string]*model.Environment) Options {
	opts.Base, opts.derivedBase = nil, base
	return opts
}

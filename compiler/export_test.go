package compiler

import (
	"cuelang.org/go/cue/errors"

	"github.com/trustc-dev/trustc/compiler/model"
)

// CheckEnv derives, stages and checks one loaded environment as Compile
// does, for BenchmarkCheck to measure the rules without load.
func CheckEnv(env *model.Environment, opts Options) error {
	_, derr, rerr := compileEnv(env, false, opts)
	if err := errors.Append(derr, rerr); err != nil {
		return err
	}
	return nil
}

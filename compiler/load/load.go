package load

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/load"
	"cuelang.org/go/cue/token"

	"github.com/trustc-dev/trustc/compiler/model"
)

// EnvironmentsDir is where environment packages live below the module root.
const EnvironmentsDir = "environments"

// Names lists the environments below root/environments: every directory
// holding a .cue file, sorted.
func Names(root string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(root, EnvironmentsDir))
	if err != nil {
		return nil, fmt.Errorf("list environments: %w", err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		cues, _ := filepath.Glob(filepath.Join(root, EnvironmentsDir, e.Name(), "*.cue"))
		if len(cues) > 0 {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("list environments: no CUE package in %s", filepath.Join(root, EnvironmentsDir))
	}
	return names, nil
}

// Environments loads the named environments (all of them when names is
// empty) from the CUE module at root. The error, if any, is a cue/errors
// list holding every problem found, in every environment.
func Environments(root string, names ...string) ([]*model.Environment, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		if names, err = Names(root); err != nil {
			return nil, err
		}
	}
	args := make([]string, len(names))
	for i, n := range names {
		args[i] = "./" + EnvironmentsDir + "/" + n
	}
	insts := load.Instances(args, &load.Config{Dir: root})
	ctx := cuecontext.New()

	var errs errors.Error
	var envs []*model.Environment
	for i, inst := range insts {
		env, err := environment(ctx, inst, names[i])
		errs = errors.Append(errs, err)
		if env != nil {
			envs = append(envs, env)
		}
	}
	if errs != nil {
		return nil, errors.Sanitize(errs)
	}
	return envs, nil
}

func environment(ctx *cue.Context, inst *build.Instance, name string) (*model.Environment, errors.Error) {
	if inst.Err != nil {
		return nil, errors.Promote(inst.Err, "load environment "+name)
	}
	v := ctx.BuildInstance(inst)
	if err := v.Err(); err != nil {
		return nil, errors.Promote(err, "")
	}
	if err := v.Validate(cue.Concrete(true), cue.Final()); err != nil {
		return nil, errors.Promote(err, "")
	}
	d := &decoder{dir: inst.Dir, fsys: os.DirFS(inst.Dir)}
	env := d.environment(v, name)
	return env, d.errs
}

// decoder turns an evaluated environment into the model, collecting
// errors rather than stopping at the first.
type decoder struct {
	dir  string
	fsys fs.FS
	errs errors.Error
}

func (d *decoder) fail(err errors.Error) { d.errs = errors.Append(d.errs, err) }

// src locates v for error messages. CUE reports the position of whichever
// conjunct made the value, which for a struct or a defaulted field is the
// schema; people edit the environment, so prefer a position inside it.
func (d *decoder) src(v cue.Value, fallback model.Src) model.Src {
	s := model.Src{Pos: fallback.Pos, Path: pathOf(v)}
	if p := d.userPos(v, 3); p.IsValid() {
		s.Pos = p
	}
	return s
}

// userPos returns v's position if it lies in the environment directory,
// else the earliest such position among its fields (a struct's first line).
func (d *decoder) userPos(v cue.Value, depth int) token.Pos {
	if p := v.Pos(); p.IsValid() && isInside(d.dir, p.Filename()) {
		return p
	}
	if depth == 0 || v.IncompleteKind() != cue.StructKind {
		return token.NoPos
	}
	var best token.Pos
	for _, f := range fields(v) {
		p := d.userPos(f, depth-1)
		if p.IsValid() && (!best.IsValid() || p.Filename() < best.Filename() ||
			p.Filename() == best.Filename() && p.Offset() < best.Offset()) {
			best = p
		}
	}
	return best
}

func pathOf(v cue.Value) []string {
	sels := v.Path().Selectors()
	out := make([]string, len(sels))
	for i, s := range sels {
		if s.Type() == cue.IndexLabel {
			out[i] = fmt.Sprintf("[%d]", s.Index())
			continue
		}
		out[i] = s.Unquoted()
	}
	return out
}

// fields iterates v's regular fields in declaration order.
func fields(v cue.Value) []cue.Value {
	it, err := v.Fields()
	if err != nil {
		return nil
	}
	var out []cue.Value
	for it.Next() {
		out = append(out, it.Value())
	}
	return out
}

func label(v cue.Value) string {
	sels := v.Path().Selectors()
	if len(sels) == 0 {
		return ""
	}
	return sels[len(sels)-1].Unquoted()
}

func isInside(dir, file string) bool {
	rel, err := filepath.Rel(dir, file)
	return err == nil && !strings.HasPrefix(rel, "..") && !filepath.IsAbs(rel)
}

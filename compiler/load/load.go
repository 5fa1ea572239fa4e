package load

import (
	goerrors "errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing/fstest"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/load"
	"cuelang.org/go/cue/token"

	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/internal/parallel"
	"github.com/trustc-dev/trustc/internal/safefile"
)

// Directories below the module root.
const (
	// EnvironmentsDir holds one CUE package per environment.
	EnvironmentsDir = "environments"
	// SchemaDir holds the schema package every environment is checked against.
	SchemaDir = "schema"
)

// listEnvs lists the environments below root/environments, with those
// overlay o holds CUE of: every directory holding a .cue file, sorted.
func listEnvs(root string, o Overlay) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(root, EnvironmentsDir))
	if err != nil && (len(o) == 0 || !goerrors.Is(err, fs.ErrNotExist)) {
		return nil, fmt.Errorf("list environments: %w", err)
	}
	var names []string
	for _, e := range entries {
		// A hidden directory is no environment: atomicdir's temporary
		// trees are hidden, and scan refuses them.
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		cues, _ := filepath.Glob(filepath.Join(root, EnvironmentsDir, e.Name(), "*.cue"))
		if len(cues) > 0 && !slices.Contains(o.envDirs(), e.Name()) {
			names = append(names, e.Name())
		}
	}
	for p := range o {
		// environments/ENV/FILE.cue: an environment's package.
		rest, inEnvs := strings.CutPrefix(p, EnvironmentsDir+"/")
		env, file, ok := strings.Cut(rest, "/")
		if inEnvs && ok && path.Ext(file) == ".cue" && !strings.Contains(file, "/") && !slices.Contains(names, env) {
			names = append(names, env)
		}
	}
	slices.Sort(names)
	if len(names) == 0 {
		return nil, fmt.Errorf("list environments: no CUE package in %s", filepath.Join(root, EnvironmentsDir))
	}
	return names, nil
}

// Environments loads the named environments (all of them when names is
// empty) from the CUE module at root. See EnvironmentsWith.
func Environments(root string, names ...string) ([]*model.Environment, error) {
	return EnvironmentsWith(root, nil, names...)
}

// EnvironmentsWith loads the named environments (all of them when names
// is empty) from the CUE module at root, with overlay o (nil for none)
// read in place of the disk (see Overlay). The error, if any, is a cue/errors
// list holding every problem found, in every environment. Environments
// whose CUE evaluated are returned even then, with the values that had
// problems left zero, so that later stages can report their own problems
// in the same run.
//
// Environments are evaluated concurrently, each in its own cue.Context
// (a context is not safe for concurrent use); the result keeps the order
// of names, so nothing downstream sees the scheduling.
func EnvironmentsWith(root string, o Overlay, names ...string) ([]*model.Environment, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	// Nothing is loaded until every file is safe to read and holds no
	// private key: a leaked key comes first, whatever else is wrong.
	scanned, scanErr := scanWith(root, o, names)
	if scanErr != nil {
		return nil, errors.Sanitize(scanErr)
	}
	if len(names) == 0 {
		if names, err = listEnvs(root, o); err != nil {
			return nil, err
		}
	}
	args := make([]string, len(names))
	for i, n := range names {
		args[i] = "./" + EnvironmentsDir + "/" + n
	}
	// One cue/load call parses every environment and, once, the schema they
	// import. Naming ./schema in the same call would parse it a second time,
	// as a separate instance.
	cfg := &load.Config{Dir: root, Overlay: o.cueOverlay(root, func(env string) []string {
		entries, _ := os.ReadDir(filepath.Join(root, EnvironmentsDir, env))
		var out []string
		for _, e := range entries {
			out = append(out, e.Name())
		}
		return out
	})}
	insts := load.Instances(args, cfg)
	schemaInst := importedSchema(insts, filepath.Join(root, SchemaDir))
	if schemaInst == nil {
		// No environment imports the schema; each is still unified with it.
		schemaInst = load.Instances([]string{"./" + SchemaDir}, cfg)[0]
	}
	if schemaInst.Err != nil {
		return nil, errors.Promote(schemaInst.Err, "load schema")
	}
	// Build the schema before any goroutine does: it reports the schema's
	// errors once, and CUE records build errors in the build.Instance that
	// every goroutine shares. The context goes on to the first environment.
	first := cuecontext.New()
	if err := schemaErr(first, schemaInst); err != nil {
		return nil, err
	}

	return gather(parallel.Map(len(names), func(i int) loaded {
		ctx := first
		if i > 0 {
			ctx = cuecontext.New()
		}
		env, err := environment(ctx, root, insts[i], names[i], schemaInst, scanned, slices.Contains(o.envDirs(), names[i]))
		return loaded{env, err}
	}))
}

// importedSchema returns the schema instance the environments import, found
// by its directory.
func importedSchema(insts []*build.Instance, dir string) *build.Instance {
	for _, inst := range insts {
		for _, imp := range inst.Imports {
			if imp.Dir == dir {
				return imp
			}
		}
	}
	return nil
}

// schemaErr builds the schema in ctx and reports what is wrong with it or
// its #Environment.
func schemaErr(ctx *cue.Context, schemaInst *build.Instance) errors.Error {
	def := ctx.BuildInstance(schemaInst).LookupPath(cue.MakePath(cue.Def("#Environment")))
	if err := def.Err(); err != nil {
		return errors.Promote(err, "load schema")
	}
	return nil
}

// closed returns a package whose value is inst's unified with
// #Environment from schemaInst. Building inst and then calling Unify
// evaluated the environment twice, once alone and once with the
// definition (Unify re-evaluates every conjunct of both): a seventh of a
// generate's CPU. Built through this package, which imports both, CUE
// evaluates the environment once, with the same conjuncts: the same values
// and errors at the same positions in the environment (some list one more
// line of the schema among them). The environment comes first, as it did
// in Unify: the other way round, a conflict between two of its files was
// reported against the schema's type. The declaration has no position, so
// no error points into it.
func closed(inst, schemaInst *build.Instance) *build.Instance {
	w := build.NewContext().NewInstance(inst.Dir, nil)
	w.ImportPath = "trustc.invalid/closed" // no module's: it cannot collide
	w.Imports = []*build.Instance{inst, schemaInst}
	w.AddSyntax(&ast.File{Decls: []ast.Decl{
		&ast.Package{Name: ast.NewIdent("closed")},
		&ast.ImportDecl{Specs: []*ast.ImportSpec{
			ast.NewImport(ast.NewIdent("env"), inst.ImportPath),
			ast.NewImport(ast.NewIdent("schema"), schemaInst.ImportPath),
		}},
		&ast.EmbedDecl{Expr: ast.NewBinExpr(token.AND,
			ast.NewIdent("env"), ast.NewSel(ast.NewIdent("schema"), "#Environment"))},
	}})
	return w
}

// environment decodes one loaded instance; overlaid says its directory is
// the overlay's, so that a material file is read from nowhere else.
func environment(ctx *cue.Context, root string, inst *build.Instance, name string, schemaInst *build.Instance, scanned map[string][]byte, overlaid bool) (*model.Environment, errors.Error) {
	if inst.Err != nil {
		return nil, errors.Promote(inst.Err, "load environment "+name)
	}
	// CUE merges files of the same package from parent directories into
	// the instance; an environment is its own directory, so such a file
	// would change it unseen by anyone reviewing that directory.
	var stray errors.Error
	for _, f := range inst.BuildFiles {
		if !isInside(inst.Dir, f.Filename) {
			pos := token.NewFile(f.Filename, -1, 1).Pos(0, token.NoRelPos)
			stray = errors.Append(stray, model.Src{Pos: pos}.Errorf(
				"%s declares package %s, so CUE merges it into environment %q from outside %s; move it there or change its package",
				relSlash(root, f.Filename), inst.PkgName, name, relSlash(root, inst.Dir)))
		}
	}
	if stray != nil {
		return nil, stray
	}
	// Unifying with the definition closes every struct, so a misspelt or
	// unknown field is an error at its position rather than ignored. (An
	// embedded schema.#Environment in a multi-file package does not do
	// that on its own.)
	v := ctx.BuildInstance(closed(inst, schemaInst))
	if err := v.Err(); err != nil {
		return nil, errors.Promote(err, "")
	}
	d := newDecoder(inst.Dir, scanned)
	if overlaid {
		// Every overlay file is in scanned; any other name is missing.
		d.fsys = fstest.MapFS{}
	}
	if err := v.Validate(cue.Concrete(true), cue.Final()); err != nil {
		return nil, d.locate(v, err)
	}
	env := d.environment(v, name)
	return env, d.errs
}

// decoder turns an evaluated environment into the model, collecting
// errors rather than stopping at the first.
type decoder struct {
	dir  string
	fsys fs.FS
	errs errors.Error
	// scanned holds the files scan read, by path; others are read from
	// fsys.
	scanned map[string][]byte

	// Every value's position is looked for in the environment, and for a
	// struct that search visits its fields (see userPos), so without these
	// caches decoding cost grows with size times depth: each struct's
	// fields were listed, and sorted into declaration order by CUE, once
	// for every struct above it.
	kids   map[string][]cue.Value // a struct's fields, by path
	within map[posKey]token.Pos   // userPos of a struct, by path and depth
	inside map[string]bool        // whether a file lies in dir, by name
}

type posKey struct {
	path  string
	depth int
}

func newDecoder(dir string, scanned map[string][]byte) *decoder {
	return &decoder{
		dir:     dir,
		fsys:    safefile.DirFS(dir, safefile.MaxPEM),
		scanned: scanned,
		kids:    map[string][]cue.Value{},
		within:  map[posKey]token.Pos{},
		inside:  map[string]bool{},
	}
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

// conjunctSrc is src for a field whose value is often an empty struct
// ("rekor.pub": {}): CUE places such a value in the schema and it has no
// fields to fall back on, but the environment's own conjunct starts at the
// field's label.
func (d *decoder) conjunctSrc(v cue.Value, fallback model.Src) model.Src {
	_, conjuncts := v.Expr()
	for _, c := range conjuncts {
		if p := c.Pos(); p.IsValid() && d.isInside(p.Filename()) {
			return model.Src{Pos: p, Path: pathOf(v)}
		}
	}
	return d.src(v, fallback)
}

// locate adds, to every CUE error that points only into the schema (a
// required field left out), the position of the enclosing value in the
// environment, so that every message names a file the person edits.
func (d *decoder) locate(v cue.Value, err error) errors.Error {
	var out errors.Error
	for _, e := range errors.Errors(err) {
		inside := false
		for _, p := range errors.Positions(e) {
			inside = inside || isInside(d.dir, p.Filename())
		}
		path := e.Path()
		if inside || len(path) == 0 {
			out = errors.Append(out, e)
			continue
		}
		// The nearest enclosing value the environment declares: a struct
		// left out whole (a CT log's verify) has no position of its own
		// either.
		p, i := token.NoPos, len(path)-1
		for ; i > 0; i-- {
			parent := v.LookupPath(cue.ParsePath(strings.Join(path[:i], ".")))
			if p = d.userPos(parent, 3); p.IsValid() {
				break
			}
		}
		if !p.IsValid() {
			out = errors.Append(out, e)
			continue
		}
		format, args := e.Msg()
		msg := fmt.Sprintf(format, args...)
		out = errors.Append(out, model.Src{Pos: p, Path: path}.Errorf("%s: the environment must set %s", msg, strings.Join(path[i:], ".")))
	}
	return out
}

// userPos returns v's position if it lies in the environment directory,
// else the earliest such position among its fields (a struct's first line),
// looking depth levels down.
func (d *decoder) userPos(v cue.Value, depth int) token.Pos {
	if p := v.Pos(); p.IsValid() && d.isInside(p.Filename()) {
		return p
	}
	if depth == 0 || v.IncompleteKind() != cue.StructKind {
		return token.NoPos
	}
	key := posKey{v.Path().String(), depth}
	if p, ok := d.within[key]; ok {
		return p
	}
	var best token.Pos
	for _, f := range d.fields(v) {
		p := d.userPos(f, depth-1)
		if p.IsValid() && (!best.IsValid() || p.Filename() < best.Filename() ||
			p.Filename() == best.Filename() && p.Offset() < best.Offset()) {
			best = p
		}
	}
	d.within[key] = best
	return best
}

func (d *decoder) isInside(file string) bool {
	in, ok := d.inside[file]
	if !ok {
		in = isInside(d.dir, file)
		d.inside[file] = in
	}
	return in
}

// fields lists v's regular fields in declaration order.
func (d *decoder) fields(v cue.Value) []cue.Value {
	key := v.Path().String()
	if fs, ok := d.kids[key]; ok {
		return fs
	}
	fs := fields(v)
	d.kids[key] = fs
	return fs
}

// lookup returns v's field name. (cue.ParsePath would parse name as a CUE
// expression on every call.)
func lookup(v cue.Value, name string) cue.Value {
	return v.LookupPath(cue.MakePath(cue.Str(name)))
}

func pathOf(v cue.Value) []string {
	sels := v.Path().Selectors()
	out := make([]string, len(sels))
	for i, s := range sels {
		out[i] = s.String() // CUE syntax, as CUE's own errors print paths
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

// relSlash renders path relative to root with slashes, as output must be
// the same on every machine.
func relSlash(root, path string) string {
	if rel, err := filepath.Rel(root, path); err == nil {
		path = rel
	}
	return filepath.ToSlash(path)
}

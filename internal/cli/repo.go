package cli

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/trustc-dev/trustc/compiler"
	"github.com/trustc-dev/trustc/compiler/load"
	"github.com/trustc-dev/trustc/importer"
	"github.com/trustc-dev/trustc/internal/report"
	"github.com/trustc-dev/trustc/internal/scaffold"
	"github.com/trustc-dev/trustc/schema"
)

// isRepository reports whether root is a trust repository already (it has
// a cue.mod); import and init write only the environment into one, and a
// whole new repository anywhere else.
func isRepository(root string) bool {
	_, err := os.Stat(filepath.Join(root, filepath.FromSlash(scaffold.Marker)))
	return err == nil
}

// newRepo is a trust repository trustc is about to create at root: its
// scaffold is laid out in a scratch directory first, so that the importer
// compiles the environment against the schema this binary ships, and root
// is written only once everything compiled.
type newRepo struct {
	root, mod, env string
	files          map[string][]byte // scaffold, by slash path
	scratch        string
}

// startRepo checks that root can take a new repository whose CUE module is
// mod and lays its scaffold out in a scratch directory. The caller removes
// it with close.
func startRepo(cmd, root, mod, env string, stderr io.Writer) (*newRepo, int, bool) {
	if mod == "" {
		fmt.Fprintf(stderr, "trustc %s: nothing written: %s is not a trust repository yet (no %s); pass -module with its CUE module path, such as example.com/trust@v0, to create one there\n", cmd, root, scaffold.Marker)
		return nil, exitUsage, false
	}
	files, err := scaffold.Files(mod, env)
	if err != nil {
		fmt.Fprintf(stderr, "trustc %s: nothing written: -module: %v\n", cmd, err)
		return nil, exitUsage, false
	}
	var present []string
	for _, p := range append(slices.Clone(scaffold.Paths), "schema", "environments", "golden") {
		if _, err := os.Lstat(filepath.Join(root, filepath.FromSlash(p))); err == nil {
			present = append(present, p)
		}
	}
	for _, p := range scaffold.Kept {
		if _, err := os.Lstat(filepath.Join(root, filepath.FromSlash(p))); err == nil {
			delete(files, p)
		}
	}
	if len(present) > 0 {
		fmt.Fprintf(stderr, "trustc %s: nothing written: %s holds %s but no %s; create a new repository in an empty directory, or add the missing cue.mod to use this one\n", cmd, root, strings.Join(present, ", "), scaffold.Marker)
		return nil, exitFail, false
	}
	scratch, err := os.MkdirTemp("", "trustc-"+cmd+"-")
	if err != nil {
		fmt.Fprintf(stderr, "trustc %s: nothing written: %v\n", cmd, err)
		return nil, exitFail, false
	}
	r := &newRepo{root: root, mod: mod, env: env, files: files, scratch: scratch}
	if err := writeFiles(scratch, files); err != nil {
		r.close()
		fmt.Fprintf(stderr, "trustc %s: nothing written: %v\n", cmd, err)
		return nil, exitFail, false
	}
	return r, 0, true
}

func (r *newRepo) close() { os.RemoveAll(r.scratch) }

// finish compiles the environment the importer made, over the scratch
// copy, and writes the whole repository, golden/ included, to root.
func (r *newRepo) finish(cmd string, res *importer.Result, err error, stdout, stderr io.Writer) int {
	if code, ok := refused(res, err, cmd, r.env, stderr); !ok {
		return code
	}
	files := map[string][]byte{}
	for name, b := range r.files {
		files[name] = b
	}
	env := load.Overlay{}
	for name, b := range res.Files {
		env[path.Join(load.EnvironmentsDir, r.env, name)] = b
		files[path.Join(load.EnvironmentsDir, r.env, name)] = b
	}
	// The scratch copy holds the scaffold; the environment is compiled
	// over it as an overlay, as the importer verified it.
	out, err := compiler.Compile(compiler.Sources{Dir: r.scratch, Overlay: env}, compiler.Options{})
	if err != nil {
		// The importer compiled the environment already; this is a bug.
		report.Text(stderr, "trustc "+cmd+": nothing written: the new repository does not compile (a bug in trustc)", err, r.scratch)
		return exitFail
	}
	golden := Files(out.Release)
	for name, b := range golden {
		files[path.Join("golden", name)] = b
	}
	if err := writeFiles(r.root, files); err != nil {
		fmt.Fprintf(stderr, "trustc %s: %v\n", cmd, err)
		return exitFail
	}
	fmt.Fprintf(stdout, "a new trust repository, CUE module %s: %d files\n", r.mod, len(r.files))
	fmt.Fprintf(stdout, "environments/%s: %d files\n", r.env, len(res.Files))
	fmt.Fprintf(stdout, "golden/%s: %d files\n", r.env, len(golden))
	findingsWritten(res, cmd, r.env, stderr)
	return exitOK
}

// writeFiles writes slash-named files below dir.
func writeFiles(dir string, files map[string][]byte) error {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		p := filepath.Join(dir, filepath.FromSlash(n))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("write %s: %w", n, err)
		}
		if err := os.WriteFile(p, files[n], 0o644); err != nil {
			return fmt.Errorf("write %s: %w", n, err)
		}
	}
	return nil
}

// schemaDrift names what differs between root's schema/ and the schema
// this trustc was built with, or returns "" when they are the same. An
// adopter's repository holds a copy (trustc init wrote it); after a trustc
// upgrade that changes the schema, the copy is what environments are
// still checked against, so say so instead of letting it pass unseen.
func schemaDrift(root string) string {
	dir := filepath.Join(root, "schema")
	var differ []string
	want := map[string]bool{}
	entries, err := fs.ReadDir(schema.FS, ".")
	if err != nil {
		return ""
	}
	for _, e := range entries {
		want[e.Name()] = true
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			differ = append(differ, e.Name()+" missing")
			continue
		}
		if shipped, _ := fs.ReadFile(schema.FS, e.Name()); !bytes.Equal(b, shipped) {
			differ = append(differ, e.Name()+" differs")
		}
	}
	extra, _ := filepath.Glob(filepath.Join(dir, "*.cue"))
	for _, p := range extra {
		if !want[filepath.Base(p)] {
			differ = append(differ, filepath.Base(p)+" is extra")
		}
	}
	return strings.Join(differ, ", ")
}

// warnSchema prints schemaDrift's finding, if any, as a warning.
func warnSchema(cmd, root string, stderr io.Writer) {
	if d := schemaDrift(root); d != "" {
		fmt.Fprintf(stderr, "trustc %s: warning: schema/ is not the schema this trustc ships (%s); environments are checked against schema/ as it is. Take the schema of this trustc's version (github.com/trustc-dev/trustc/schema), or run the trustc that matches schema/\n", cmd, d)
	}
}

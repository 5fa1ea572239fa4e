package cli

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"strings"
	"testing/fstest"

	"github.com/trustc-dev/trustc/compiler"
	"github.com/trustc-dev/trustc/compiler/load"
	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/release"
)

// baseModels reads a previous release and derives it for rules 6 to 9.
func baseModels(fsys fs.FS, name, dir string) (map[string]*model.Environment, error) {
	rel, err := release.Read(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("read base release: %w", inDir(dir, err))
	}
	out, err := modelsByName(rel, dir)
	if err != nil {
		return nil, fmt.Errorf("load base release %s: %w", dir, err)
	}
	return out, nil
}

// inBackground runs read on its own goroutine and returns a function that
// waits for its result. Callers report the error when they wait, so that
// output keeps its order.
func inBackground(read func() (map[string]*model.Environment, error)) func() (map[string]*model.Environment, error) {
	var (
		base map[string]*model.Environment
		err  error
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		base, err = read()
	}()
	return func() (map[string]*model.Environment, error) {
		<-done
		return base, err
	}
}

// modelsByName derives a release, for rules 6 to 9; dir is where its
// files came from, for positions.
func modelsByName(rel *release.Release, dir string) (map[string]*model.Environment, error) {
	envs, err := compiler.Models(rel, load.JSONOptions{Dir: dir})
	if err != nil {
		return nil, err
	}
	out := map[string]*model.Environment{}
	for _, e := range envs {
		out[e.Name] = e
	}
	return out, nil
}

// gitTree reads the files below dir at ref in the repository at root.
func gitTree(root, ref, dir string) (fs.FS, error) {
	tree, err := resolveRef(root, ref)
	if err != nil {
		return nil, err
	}
	names, err := git(root, "ls-tree", "-r", "--name-only", tree, "--", dir)
	if err != nil {
		return nil, err
	}
	files := fstest.MapFS{}
	for _, n := range strings.Split(strings.TrimSpace(string(names)), "\n") {
		if n == "" {
			continue
		}
		b, err := git(root, "show", tree+":"+n)
		if err != nil {
			return nil, err
		}
		files[strings.TrimPrefix(n, dir+"/")] = &fstest.MapFile{Data: b, Mode: 0o644}
	}
	if len(files) == 0 {
		return nil, &noTreeError{root, dir, ref}
	}
	return files, nil
}

// resolveRef turns a user's ref into a tree id, the only form passed on
// to git. A ref is an argument, never an option: "-base-ref --output=FILE"
// once reached 'git ls-tree' and 'git show' as an option (show would
// write FILE). A ref starting with "-" cannot name a branch or tag (git
// check-ref-format refuses it), so it is refused outright;
// --end-of-options guards whatever else rev-parse might read as one.
func resolveRef(root, ref string) (string, error) {
	if ref == "" || strings.HasPrefix(ref, "-") {
		return "", fmt.Errorf("%q is no git ref: refs do not start with \"-\"; give a branch, tag or commit", ref)
	}
	out, err := git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", ref+"^{tree}")
	if err != nil {
		return "", fmt.Errorf("%q names no commit or tree in %s", ref, root)
	}
	return strings.TrimSpace(string(out)), nil
}

// noTreeError says a ref has no such directory: before the first release.
// diff reviews that as a first release; check, which needs a base, fails.
type noTreeError struct{ root, dir, ref string }

func (e *noTreeError) Error() string {
	return fmt.Sprintf("%s has no %s/ at %s", e.root, e.dir, e.ref)
}

// mergeBase is the default base of a change: where it left main.
func mergeBase(root string) (string, error) {
	out, err := git(root, "merge-base", "HEAD", "main")
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(out)), nil
}

func git(root string, args ...string) ([]byte, error) {
	cmd := exec.Command("git", append([]string{"-C", root}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1")
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/trustc-dev/trustc/compiler/load"
)

// checkOutput says why generate must not replace dir, or nil. generate
// replaces its output directory whole, so '-out .' once deleted the
// repository, .git included, and '-out DIR' any directory named (issue
// 12). It replaces only a missing or empty directory, or one laid out as
// generate writes it: a directory per environment, each holding only
// regular .json files. Such a tree is an earlier output even when a file
// in it was edited, added or removed, which is the drift generate repairs.
// Nothing at or above the repository's environments/, schema/ or cue.mod/,
// and nothing inside them, is an output.
func checkOutput(absRoot, dir, shown string) error {
	for _, src := range []string{load.EnvironmentsDir, load.SchemaDir, "cue.mod"} {
		in, err := under(dir, filepath.Join(absRoot, src))
		if err != nil {
			return err
		}
		holds, err := under(filepath.Join(absRoot, src), dir)
		if err != nil {
			return err
		}
		var what string
		switch {
		case in && holds:
			what = "is"
		case in:
			what = "lies inside"
		case holds:
			what = "holds"
		default:
			continue
		}
		return fmt.Errorf("refuse to replace %s: it %s the repository's %s/, which generate reads; choose another -out", shown, what, src)
	}
	envs, exists, err := replaceable(dir, shown)
	if !exists || err != nil {
		return err
	}
	for _, e := range envs {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			return fmt.Errorf("refuse to replace %s: it holds %s, which generate never writes, so it is no earlier output; choose an empty or new -out", shown, e.Name())
		}
		files, err := os.ReadDir(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		for _, f := range files {
			if !f.Type().IsRegular() {
				return fmt.Errorf("refuse to replace %s: %s/%s is not a regular file, as every file generate writes is, so it is no earlier output; remove it, or choose an empty or new -out", shown, e.Name(), f.Name())
			}
			if !strings.HasSuffix(f.Name(), ".json") || strings.HasPrefix(f.Name(), ".") {
				return fmt.Errorf("refuse to replace %s: it holds %s/%s, which generate never writes, so it is no earlier output; choose an empty or new -out", shown, e.Name(), f.Name())
			}
		}
	}
	return nil
}

// checkEnvTarget says why import or init must not replace dir, an
// environment directory, or nil: it replaces only a missing or empty
// directory, or an environment (a directory holding a .cue file) with
// nothing hidden in it (.git, or a temporary tree of another run).
func checkEnvTarget(dir, shown string) error {
	entries, exists, err := replaceable(dir, shown)
	if !exists || err != nil {
		return err
	}
	cue := len(entries) == 0
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			return fmt.Errorf("refuse to replace %s: it holds %s, which no environment holds; move it away first", shown, e.Name())
		}
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), ".cue") {
			cue = true
		}
	}
	if !cue {
		return fmt.Errorf("refuse to replace %s: it holds no .cue file, so it is no environment; move its files away first", shown)
	}
	return nil
}

// replaceable lists dir, the target of a replacement shown to the user
// as shown: exists is false when there is nothing there to replace, and
// anything there but a directory is refused.
func replaceable(dir, shown string) (entries []os.DirEntry, exists bool, err error) {
	fi, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if !fi.IsDir() {
		return nil, true, fmt.Errorf("refuse to replace %s: it is not a directory", shown)
	}
	entries, err = os.ReadDir(dir)
	return entries, true, err
}

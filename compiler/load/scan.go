package load

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	pathpkg "path"
	"path/filepath"
	"slices"
	"strings"

	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"

	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/internal/atomicdir"
	"github.com/trustc-dev/trustc/internal/privkey"
	"github.com/trustc-dev/trustc/internal/safefile"
)

// scan checks every entry under root/environments before CUE reads any of
// it, and reports each problem at its file:
//
//   - a temporary tree of an interrupted 'trustc import', which would
//     otherwise be compiled and published as an environment;
//   - anything but a directory or a regular file (a FIFO hangs cue/load,
//     a device exhausts memory);
//   - a symbolic link leading out of its environment's directory (or out
//     of environments/, for an entry directly in it): an environment must
//     be the directory a reviewer sees;
//   - a file over its size bound (safefile.MaxCUE for CUE, MaxPEM for
//     everything else);
//   - a private key, in any file, referenced or not, however broken its
//     PEM: everything here is committed and may be published.
//
// cue/load follows symbolic links and reads whatever it is given, so these
// are refused before it runs. It also opens the files of every directory
// between an environment and the module root (to merge files of the same
// package), so a FIFO in the repository's top directory hung it as well:
// that directory's files must be regular too.
//
// It returns the bytes of every regular file it read, by path, so that the
// decoder reads material once, and reads the bytes that were checked.
func scan(root string) (map[string][]byte, cueerrors.Error) {
	return scanWith(root, nil, nil)
}

// scanWith is scan of the repository at root with overlay o: the
// environment directories o replaces are not walked, and o's files get
// the checks a file on disk gets (its name, its size bound, no private
// key). They are returned with the files read, by absolute path.
//
// With an overlay, only the environments named (when any are) are
// walked: an overlay is what a command is about to write, and the rest of
// the repository is not its to judge (a concurrent import's temporary
// tree sits beside it).
func scanWith(root string, o Overlay, names []string) (map[string][]byte, cueerrors.Error) {
	replaced := o.envDirs()
	skip := func(env string) bool {
		return slices.Contains(replaced, env) || o != nil && len(names) > 0 && !slices.Contains(names, env)
	}
	envs := filepath.Join(root, EnvironmentsDir)
	files := map[string][]byte{}
	var errs cueerrors.Error
	// One os.Root per directory links must stay in: opening one costs a
	// few system calls, which per file were a third of the scan.
	roots := map[string]*os.Root{}
	defer func() {
		for _, r := range roots {
			r.Close()
		}
	}()
	readIn := func(dir, name string, limit int64) ([]byte, error) {
		r, ok := roots[dir]
		if !ok {
			var err error
			if r, err = os.OpenRoot(dir); err != nil {
				return nil, err
			}
			roots[dir] = r
		}
		return safefile.ReadFileRoot(r, name, limit)
	}
	src := func(path string, b []byte, off int) model.Src {
		f := token.NewFile(path, -1, len(b))
		f.SetLinesForContent(b)
		return model.Src{Pos: f.Pos(off, token.NoRelPos)}
	}
	at := func(path string, b []byte, off int, format string, args ...any) {
		errs = cueerrors.Append(errs, src(path, b, off).Errorf(format, args...))
	}
	privateKey := func(path, rel string, b []byte) {
		if f, ok := privkey.Find(b); ok {
			errs = cueerrors.Append(errs, src(path, b, f.Offset).Rulef(model.RuleMaterial, "this file holds a private key (%s): nothing under %s/ may hold one, since its files are committed and published; delete it, and rotate the key, as it may already have been shared", f.What, EnvironmentsDir))
		}
	}
	top, _ := os.ReadDir(root)
	for _, e := range top {
		if e.IsDir() {
			continue
		}
		path := filepath.Join(root, e.Name())
		fi, err := os.Stat(path)
		if err == nil && !fi.Mode().IsRegular() && !fi.IsDir() {
			at(path, nil, 0, "not a regular file: it is %s; CUE reads the files beside %s/, so only regular files and directories belong there", notRegular(fi.Mode()), EnvironmentsDir)
		}
	}
	walkErr := filepath.WalkDir(envs, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == envs {
				return nil // Names reports a missing environments/
			}
			at(path, nil, 0, "%v", errors.Unwrap(err))
			return nil
		}
		if path == envs {
			return nil
		}
		rel := relSlash(root, path)
		if d.IsDir() && filepath.Dir(path) == envs && skip(d.Name()) {
			return fs.SkipDir
		}
		if strings.HasPrefix(d.Name(), atomicdir.TmpPrefix) {
			at(path, nil, 0, "a temporary tree of a trustc import that was interrupted or is still running; delete it once no import runs")
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		// The directory links must stay in: the environment's own, or
		// environments/ for an entry directly in it.
		inEnv, _ := filepath.Rel(envs, path)
		boundary, name := envs, filepath.ToSlash(inEnv)
		if first, rest, ok := strings.Cut(name, "/"); ok {
			boundary, name = filepath.Join(envs, first), rest
		}
		limit := int64(safefile.MaxPEM)
		if strings.HasSuffix(d.Name(), ".cue") {
			limit = safefile.MaxCUE
		}
		if d.Type()&fs.ModeSymlink != 0 {
			fi, err := os.Stat(path)
			if err == nil && fi.IsDir() {
				// Files are scanned where they are; a directory link
				// must stay inside too.
				if _, err := safefile.DirFS(boundary, limit).(fs.StatFS).Stat(name); err != nil {
					at(path, nil, 0, "%s", describe(err, relSlash(root, boundary)))
				}
				return nil
			}
		}
		b, err := readIn(boundary, name, limit)
		if err != nil {
			at(path, nil, 0, "%s", describe(err, relSlash(root, boundary)))
			return nil
		}
		files[path] = b
		privateKey(path, rel, b)
		return nil
	})
	if walkErr != nil {
		at(envs, nil, 0, "%v", walkErr)
	}
	for _, rel := range slices.Sorted(maps.Keys(o)) {
		b := o[rel]
		path := filepath.Join(root, filepath.FromSlash(rel))
		clean := pathpkg.Clean(rel)
		limit := int64(safefile.MaxPEM)
		if strings.HasSuffix(rel, ".cue") {
			limit = safefile.MaxCUE
		}
		switch {
		case clean != rel || pathpkg.IsAbs(rel) || clean == ".." || strings.HasPrefix(clean, "../"):
			at(path, nil, 0, "%q is not a clean slash path inside the repository", rel)
		case strings.Contains("/"+rel, "/"+atomicdir.TmpPrefix):
			at(path, nil, 0, "a temporary tree's name; give the file another")
		case int64(len(b)) > limit:
			at(path, nil, 0, "%s", describe(fmt.Errorf("%w: over the %s limit", safefile.ErrTooLarge, safefile.Size(limit)), ""))
		default:
			files[path] = b
			if strings.HasPrefix(rel, EnvironmentsDir+"/") {
				privateKey(path, rel, b)
			}
		}
	}
	return files, errs
}

// notRegular names a special file's kind, as safefile does.
func notRegular(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return "a special file"
}

// describe says what is wrong with a file safefile refused, and the fix.
func describe(err error, boundary string) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	switch {
	case errors.Is(err, safefile.ErrEscapes):
		return "a symbolic link leading outside " + boundary + "/ (or an absolute one); copy the file in instead"
	case errors.Is(err, safefile.ErrNotRegular):
		return err.Error() + "; only regular files and directories belong under " + EnvironmentsDir + "/"
	case errors.Is(err, safefile.ErrTooLarge):
		return err.Error() + "; no key, certificate chain or CUE file is that large"
	}
	return err.Error()
}

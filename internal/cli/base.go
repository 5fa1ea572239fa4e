package cli

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing/fstest"
	"time"

	"github.com/trustc-dev/trustc/compiler"
	"github.com/trustc-dev/trustc/compiler/load"
	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/internal/safefile"
)

// dirBase is the compiled release in dir (golden/, generate's -out) as
// the base of rules 6 to 9, for compiler.Options.Base, which Compile reads
// and derives; nil when dir does not exist (before the first release).
func dirBase(fsys fs.FS, dir string) *compiler.Sources {
	if _, err := os.Stat(dir); err != nil {
		return nil
	}
	src := compiler.PublishedFS(fsys, "", load.JSONOptions{Dir: dir})
	return &src
}

// baseUnread says why the base from dir (see dirBase) could not be read,
// or nil: rules 6 to 9 did not run.
func baseUnread(res *compiler.Result, dir string) error {
	if res == nil || res.BaseErr == nil {
		return nil
	}
	return fmt.Errorf("read base release: %w", inDir(dir, res.BaseErr))
}

// baseNotes are the base's flaws, as notes listed once and never blocking
// the head: the base is history, so that a release that fixes a flaw of
// its base can be checked.
func baseNotes(res *compiler.Result) []*model.Problem {
	if res == nil {
		return nil
	}
	// Only the base's errors are flaws worth a note: its warnings and
	// notes were shown when it was the change.
	var notes []*model.Problem
	for _, p := range model.Problems(res.BaseProblems) {
		if p.Severity != model.Error {
			continue
		}
		q := *p
		q.Severity, q.Message = model.Note, "in the base release: "+p.Message
		notes = append(notes, &q)
	}
	return notes
}

// gitTree reads the files below dir at ref in the repository at root, in
// one git process: git archive writes them as one tar stream (one git show
// per file cost a process each, 2000 at 1000 environments).
func gitTree(root, ref, dir string) (fs.FS, error) {
	if err := checkRef(ref); err != nil {
		return nil, err
	}
	// No "--" before dir: after --end-of-options git archive takes it as
	// a pathspec.
	out, err := git(root, "archive", "--format=tar", "--end-of-options", ref, dir)
	if err != nil {
		// Only now tell a ref without dir/ (before the first release)
		// from a bad ref: the common case stays one process.
		if _, rerr := git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", ref+"^{tree}"); rerr != nil {
			return nil, fmt.Errorf("%q names no commit or tree in %s", ref, root)
		}
		if _, derr := git(root, "rev-parse", "--verify", "--quiet", "--end-of-options", ref+":"+dir); derr != nil {
			return nil, &noTreeError{root, dir, ref}
		}
		return nil, err
	}
	read, err := untar(out)
	if err != nil {
		return nil, fmt.Errorf("read git archive of %s at %s: %w", dir, ref, err)
	}
	files := fstest.MapFS{}
	for name, b := range read {
		files[strings.TrimPrefix(name, dir+"/")] = &fstest.MapFile{Data: b, Mode: 0o644}
	}
	if len(files) == 0 {
		return nil, &noTreeError{root, dir, ref}
	}
	return files, nil
}

// untar reads the regular files of a tar stream (git archive's), by
// slash path.
func untar(b []byte) (map[string][]byte, error) {
	files := map[string][]byte{}
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files, nil
		}
		if err != nil {
			return nil, err
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		if files[h.Name], err = io.ReadAll(tr); err != nil {
			return nil, err
		}
	}
}

// checkRef refuses a ref that git would read as an option: "-base-ref
// --output=FILE" once reached 'git show' as one, which writes FILE. No
// branch or tag starts with "-" (git check-ref-format refuses it), so such
// a ref is refused outright; every git command given a ref also takes it
// after --end-of-options.
func checkRef(ref string) error {
	if ref == "" || strings.HasPrefix(ref, "-") {
		return fmt.Errorf("%q is no git ref: refs do not start with \"-\"; give a branch, tag or commit", ref)
	}
	return nil
}

// commitTime is when ref was committed: the base release's publication,
// from which the waiting period counts what it already held.
func commitTime(root, ref string) (time.Time, error) {
	if err := checkRef(ref); err != nil {
		return time.Time{}, err
	}
	out, err := git(root, "show", "-s", "--format=%cI", "--end-of-options", ref+"^{commit}")
	if err != nil {
		return time.Time{}, err
	}
	t, err := time.Parse(time.RFC3339, strings.TrimSpace(string(out)))
	if err != nil {
		return time.Time{}, fmt.Errorf("read commit time of %s: %w", ref, err)
	}
	return t.UTC(), nil
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

// tufSigned is when the targets.json in dir was signed, if it says: the
// metadata tuf-on-ci writes (Sigstore's since 2024) expires a stated
// number of days after signing. This is the base's release time in DIR
// mode when -base-time does not give it.
func tufSigned(dir string) (time.Time, bool) {
	b, err := safefile.ReadFile(filepath.Join(dir, "targets.json"), safefile.MaxJSON)
	if err != nil {
		return time.Time{}, false
	}
	var md struct {
		Signed struct {
			Expires time.Time `json:"expires"`
			Period  int       `json:"x-tuf-on-ci-expiry-period"`
		} `json:"signed"`
	}
	if json.Unmarshal(b, &md) != nil || md.Signed.Expires.IsZero() || md.Signed.Period <= 0 {
		return time.Time{}, false
	}
	return md.Signed.Expires.Add(-time.Duration(md.Signed.Period) * 24 * time.Hour).UTC(), true
}

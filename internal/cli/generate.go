package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"time"

	"github.com/trustc-dev/trustc/compiler"
	"github.com/trustc-dev/trustc/compiler/asof"
	"github.com/trustc-dev/trustc/internal/atomicdir"
	"github.com/trustc-dev/trustc/internal/report"
	"github.com/trustc-dev/trustc/internal/safefile"
	"github.com/trustc-dev/trustc/internal/text"
	"github.com/trustc-dev/trustc/release"
)

func runGenerate(args []string, stdout, stderr io.Writer) int {
	c := newSubcmd("generate", "[-C dir] [-out dir] [-check]", stderr)
	c.repoFlag("environments/ and cue.mod/")
	out := c.String("out", "golden", "output `dir`ectory (relative paths are relative to -C)")
	check := c.Bool("check", false, "write nothing; exit 1 and name every file that differs from the output directory, or exit 3 when the difference is a release the plan says is due")
	now := c.timeFlag("now", "release `time` (RFC 3339) for time-dependent rules; default the clock")
	if code, ok := c.parse(args); !ok {
		return code
	}
	if code, ok := c.noArgs(); !ok {
		return code
	}
	absRoot, code, ok := c.repo()
	if !ok {
		return code
	}
	outDir := inRepo(absRoot, *out)
	warnSchema("generate", absRoot, stderr)
	if !*check {
		// Refused before compiling, so the reason is not lost among
		// problems in the CUE.
		if err := checkOutput(absRoot, outDir, *out); err != nil {
			return c.failf("nothing written: %v", err)
		}
	}
	t := now.value()
	res, ok := compileOnBase("trustc generate", "nothing written", compiler.Dir(absRoot), t, outDir, absRoot, stderr)
	if !ok {
		return exitFail
	}
	files := Files(res.Release)
	if *check {
		drift, err := Drift(safefile.DirFS(outDir, safefile.MaxJSON), files)
		if err != nil {
			fmt.Fprintf(stderr, "trustc generate -check: %v\n", err)
			return exitFail
		}
		if len(drift) == 0 {
			return exitOK
		}
		dueLines, stale, err := dueOrDrift(outDir, res.Envs, t, drift)
		if err != nil {
			fmt.Fprintf(stderr, "trustc generate -check: %v\n", err)
			return exitFail
		}
		if len(stale) > 0 {
			printStale(stderr, "trustc generate -check", *out, stale)
		}
		if len(dueLines) > 0 {
			// Not a mistake: the plan says these files change today. A
			// scheduled job runs 'trustc generate' and opens the release
			// pull request on this status.
			fmt.Fprintf(stderr, "trustc generate -check: a planned release is due; run 'trustc generate' and open the release pull request:\n")
			for _, d := range dueLines {
				fmt.Fprintf(stderr, "  %s\n", d)
			}
		}
		if len(stale) > 0 {
			return exitFail
		}
		return exitDue
	}
	if err := atomicdir.Replace(outDir, files); err != nil {
		if errors.Is(err, atomicdir.ErrReadOnly) {
			return c.failf("nothing written: %v", err)
		}
		return c.failf("write %s: %v", *out, err)
	}
	for i, env := range res.Release.Envs {
		next := ""
		// Entries the plan withholds until a later release: say when the
		// next one is due, so nobody mistakes this release for the plan.
		if m := res.Envs[i]; m.Plan != nil {
			if ts := asof.Instants(m.Plan, t); len(ts) > 0 {
				next = fmt.Sprintf("; next planned release due %s (trustc plan)", text.Time(ts[0]))
			}
		}
		fmt.Fprintf(stdout, "%s: %d files%s\n", env.Name, len(env.Files()), next)
	}
	return exitOK
}

// releaseOptions are the options generate compiles with, and so every
// command that must refuse what generate refuses (tuf build): the rules at
// now, and the release in outDir, if there is one, as the base for rules 6
// to 9 (Compile reads and derives it while the CUE loads). The golden/
// being replaced was checked when it was written: its notes are not this
// change's, and callers leave Result.BaseProblems unsaid.
func releaseOptions(now time.Time, outDir string) compiler.Options {
	return compiler.Options{Now: now, Base: dirBase(safefile.DirFS(outDir, safefile.MaxJSON), outDir)}
}

// compileOnBase compiles src with releaseOptions and prints what the
// maintainer must see: that the release in outDir could not be read as
// the base, then the problems that refuse the release (after "cmd:
// refusal") or its advice. ok is false when there is no release. A
// damaged output directory is only a warning, since it is what generate
// repairs; the rules across releases still run in 'trustc check',
// against git history.
func compileOnBase(cmd, refusal string, src compiler.Sources, now time.Time, outDir, absRoot string, stderr io.Writer) (res *compiler.Result, ok bool) {
	res, err := compiler.Compile(src, releaseOptions(now, outDir))
	if berr := baseUnread(res, outDir); berr != nil {
		fmt.Fprintf(stderr, "%s: warning: rules 6 to 9 skipped: %v\n", cmd, berr)
	}
	if err != nil {
		report.Text(stderr, cmd+": "+refusal, compiler.Report(res, err), absRoot)
		return nil, false
	}
	report.Text(stderr, cmd, res.Advice, absRoot)
	return res, true
}

// Files lays a release out as golden/ holds it: <env>/<file>.
func Files(rel *release.Release) map[string][]byte {
	files := map[string][]byte{}
	for _, env := range rel.Envs {
		for _, f := range env.Files() {
			files[path.Join(env.Name, f.Name)] = f.Bytes
		}
	}
	return files
}

// printStale says that dir, a compiled release, differs from what the CUE
// compiles to, how to fix it, and each file that differs (from Drift).
// generate -check, diff and tuf build all say it this one way.
func printStale(stderr io.Writer, prefix, dir string, drift []string) {
	fmt.Fprintf(stderr, "%s: %s is stale; run 'make generate' and commit the result:\n", prefix, dir)
	for _, d := range drift {
		fmt.Fprintf(stderr, "  %s\n", d)
	}
}

// Drift compares want with the files in fsys and describes each difference,
// sorted by name: changed, missing and unexpected files.
func Drift(fsys fs.FS, want map[string][]byte) ([]string, error) {
	var out []string
	have := map[string]bool{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == "." && os.IsNotExist(err) {
				return fs.SkipDir
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		have[p] = true
		w, ok := want[p]
		if !ok {
			out = append(out, p+": not generated any more (delete it)")
			return nil
		}
		got, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		if !bytes.Equal(got, w) {
			out = append(out, p+": differs from what the CUE compiles to")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for p := range want {
		if !have[p] {
			out = append(out, p+": missing")
		}
	}
	slices.Sort(out)
	return out, nil
}

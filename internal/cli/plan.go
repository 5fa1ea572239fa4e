package cli

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/trustc-dev/trustc/compiler"
	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/plan"
	"github.com/trustc-dev/trustc/release"
)

// runPlan prints the release calendar: every date after -now on which
// the published files must change, or something clients rely on happens.
// The whole plan is checked first, release by release, as generate
// checks it; a plan that breaks a rule has no calendar (exit 1).
func runPlan(args []string, stdout, stderr io.Writer) int {
	c := newSubcmd("plan", "[-C dir] [-env name] [-now time] [-format text|markdown|json]", stderr)
	c.repoFlag("environments/ and golden/")
	envName := c.String("env", "", "environment `name` (default: every environment)")
	format := c.String("format", "text", "output `format`: text, markdown or json")
	now := c.timeFlag("now", "release `time` (RFC 3339) the calendar starts after; default the clock")
	if code, ok := c.parse(args); !ok {
		return code
	}
	if c.NArg() > 0 || !slices.Contains(plan.Formats, *format) {
		return c.usage()
	}
	absRoot, code, ok := c.repo()
	if !ok {
		return code
	}
	t := now.value()
	// golden/ is the release published before: a trust entry it lacks is
	// first published by the next release, and its waiting period counts
	// from then. It was checked when it was written; its notes are not
	// this plan's.
	golden := filepath.Join(absRoot, "golden")
	var names []string
	if *envName != "" {
		names = []string{*envName}
	}
	res, ok := compileOnBase("trustc plan", "the plan breaks the policy", compiler.Dir(absRoot, names...), t, golden, absRoot, stderr)
	if !ok {
		return exitFail
	}
	var cals []*plan.Calendar
	for _, env := range res.Envs {
		whole := env
		if env.Plan != nil {
			whole = env.Plan
		}
		cal, err := plan.New(whole, res.Base[env.Name], t)
		if err != nil {
			return c.failf("%v", err)
		}
		if dir := filepath.Join(absRoot, "golden", env.Name); exists(dir) {
			if cal.Due, err = plan.Behind(env, t, sameFiles(os.DirFS(dir))); err != nil {
				return c.failf("%v", err)
			}
		}
		cals = append(cals, cal)
	}
	out, err := plan.Render(cals, *format)
	if err != nil {
		return c.failf("%v", err)
	}
	if _, err := stdout.Write(out); err != nil {
		return c.failf("%v", err)
	}
	return exitOK
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// dueOrDrift sorts the differences generate -check found (drift, as
// Drift words them) by environment: an environment whose files are an
// earlier release of its plan is due, and dueLines name the changes of
// each release it lacks; every other difference is stale.
func dueOrDrift(outDir string, envs []*model.Environment, now time.Time, drift []string) (dueLines, stale []string, err error) {
	used := map[string]bool{}
	for _, env := range envs {
		var mine []string
		for _, d := range drift {
			if strings.HasPrefix(d, env.Name+"/") {
				mine = append(mine, d)
				used[d] = true
			}
		}
		if len(mine) == 0 {
			continue
		}
		published := sameFiles(os.DirFS(filepath.Join(outDir, env.Name)))
		dates, err := plan.Behind(env, now, published)
		if err != nil {
			return nil, nil, err
		}
		if len(dates) == 0 {
			stale = append(stale, mine...)
			at, ahead, err := plan.Ahead(env, now, published)
			if err != nil {
				return nil, nil, err
			}
			if ahead {
				stale = append(stale, fmt.Sprintf("%s: holds the release due %s, ahead of its day: clients that use listed services early would sign to entries before their start", env.Name, at.UTC().Format(time.RFC3339Nano)))
			}
			continue
		}
		for _, d := range dates {
			for _, c := range d.Changes() {
				dueLines = append(dueLines, fmt.Sprintf("%s: %s, due %s", env.Name, c, d.Time.UTC().Format(time.RFC3339Nano)))
			}
		}
	}
	for _, d := range drift {
		if !used[d] {
			stale = append(stale, d)
		}
	}
	slices.Sort(stale)
	return dueLines, stale, nil
}

// sameFiles reports whether a release is exactly the files of dir.
func sameFiles(dir fs.FS) func(*release.Env) bool {
	return func(r *release.Env) bool {
		want := map[string][]byte{}
		for _, f := range r.Files() {
			want[f.Name] = f.Bytes
		}
		d, err := Drift(dir, want)
		return err == nil && len(d) == 0
	}
}

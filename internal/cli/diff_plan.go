package cli

import (
	"bytes"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/trustc-dev/trustc/compiler"
	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/plan"
)

// calendarSection is the review's section on the release calendar: for
// every environment whose calendar a change moves, the calendar before
// and after it. A change to a rollout declared ahead may leave today's
// files alone (the review then says "No changes") and still add, move or
// drop every later release. before is the CUE at the base ref; it is
// empty for JSON formats and when there is no base CUE to compare with.
func calendarSection(format string, before, after []*plan.Calendar) []byte {
	if format != "text" && format != "markdown" {
		return nil
	}
	var names []string
	for _, c := range slices.Concat(before, after) {
		if !slices.Contains(names, c.Env) {
			names = append(names, c.Env)
		}
	}
	slices.Sort(names)
	find := func(cs []*plan.Calendar, name string) *plan.Calendar {
		for _, c := range cs {
			if c.Env == name {
				return c
			}
		}
		return nil
	}
	// The two formats differ only in their markup.
	head, side, item, sideEnd, foot := "\n%s: release calendar changed (trustc plan shows each date's rule and clients):\n", "  %s:\n", "    %s\n", "", ""
	sideNames := [2]string{"before", "after"}
	if format == "markdown" {
		head, side, item, sideEnd, foot = "\n### Release calendar of `%s`: changed\n\n", "%s:\n\n", "- %s\n", "\n", "Run `trustc plan -format markdown` for each date's rule and the clients it affects.\n"
		sideNames = [2]string{"Before", "After"}
	}
	var b bytes.Buffer
	for _, n := range names {
		sides := [2][]string{calendarLines(find(before, n)), calendarLines(find(after, n))}
		if slices.Equal(sides[0], sides[1]) {
			continue
		}
		fmt.Fprintf(&b, head, n)
		for i, lines := range sides {
			fmt.Fprintf(&b, side, sideNames[i])
			for _, l := range lines {
				fmt.Fprintf(&b, item, l)
			}
			b.WriteString(sideEnd)
		}
		b.WriteString(foot)
	}
	return b.Bytes()
}

// calendarLines is one line per event of a calendar: what a reviewer
// compares.
func calendarLines(c *plan.Calendar) []string {
	switch {
	case c == nil:
		return []string{"no such environment"}
	case len(c.Dates) == 0:
		return []string{"nothing planned"}
	}
	var out []string
	for _, d := range c.Dates {
		what := "no file changes"
		if d.Release {
			what = "release"
		}
		for _, e := range d.Events {
			out = append(out, fmt.Sprintf("%s (%s): %s: %s %s", d.Time.UTC().Format(time.RFC3339Nano), what, e.File, e.Entry, e.Kind))
		}
	}
	return out
}

// calendars lays out the calendar of each compiled environment (envs as
// compiler.Compile left them: releases that point at their plan) after t.
func calendars(envs []*model.Environment, base map[string]*model.Environment, t time.Time) ([]*plan.Calendar, error) {
	var out []*plan.Calendar
	for _, env := range envs {
		whole := env
		if env.Plan != nil {
			whole = env.Plan
		}
		c, err := plan.New(whole, base[env.Name], t)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// calendarsAt lays out the calendars of the CUE at git ref in the
// repository at root, after t: the plan before a change. Its rules are not
// checked again: the base's own problems are not this change's.
func calendarsAt(root, ref string, t time.Time) ([]*plan.Calendar, error) {
	// A ref before the first environment has no plan: every calendar is
	// new.
	present, err := git(root, "ls-tree", "--name-only", ref, "--", "cue.mod", "schema", "environments")
	if err != nil {
		return nil, err
	}
	if !slices.Contains(strings.Fields(string(present)), "environments") {
		return nil, nil
	}
	archive, err := git(root, append([]string{"archive", "--format=tar", "--end-of-options", ref}, strings.Fields(string(present))...)...)
	if err != nil {
		return nil, err
	}
	files, err := untar(archive)
	if err != nil {
		return nil, fmt.Errorf("read git archive of %s: %w", ref, err)
	}
	// The files at ref are an overlay of an empty directory: nothing of
	// the working tree is read with them, and nothing is written.
	dir, err := os.MkdirTemp("", "trustc-base-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	// Findings are ignored; an environment that does not derive has no
	// calendar.
	res, err := compiler.Compile(compiler.Sources{Dir: dir, Overlay: files}, compiler.Options{Now: t, Review: true})
	if res == nil {
		return nil, fmt.Errorf("load the CUE at %s: %w", ref, err)
	}
	var kept []*model.Environment
	for _, env := range res.Envs {
		if derived(env) {
			kept = append(kept, env)
		}
	}
	return calendars(kept, nil, t)
}

// derived reports whether every log key of env derived: emit needs them.
func derived(env *model.Environment) bool {
	for _, l := range env.Rekor {
		if l.PublicKey == nil {
			return false
		}
	}
	for _, l := range env.CTLogs {
		if l.PublicKey == nil {
			return false
		}
	}
	for _, a := range slices.Concat(env.CAs, env.TSAs) {
		for _, ch := range a.Chains {
			if len(ch.Certificates) == 0 {
				return false
			}
		}
	}
	return true
}

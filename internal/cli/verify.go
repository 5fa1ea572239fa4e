package cli

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/trustc-dev/trustc/compiler"
	"github.com/trustc-dev/trustc/internal/safefile"
	"github.com/trustc-dev/trustc/tufrepo"
)

// fetchTimeout bounds a whole verify-published run over HTTP; each file
// has its own, shorter bound (tufrepo.DefaultFileTimeout).
const fetchTimeout = 2 * time.Minute

func runVerifyPublished(args []string, stdout, stderr io.Writer) int {
	c := newSubcmd("verify-published", "-env name -repo dir|url -root root.json [-state file] [-C dir] [-golden dir] [-now time]", stderr)
	golden, envName, now := c.reviewFlags("`name` of the environment the repository publishes", "metadata expiry is checked against")
	repo := c.String("repo", "", "TUF repository: a local `dir`ectory or an http(s) URL, where <v>.root.json and timestamp.json live")
	rootFile := c.String("root", "", "trusted root.json `file` to start from, obtained out of band")
	stateFile := c.String("state", "", "`file` keeping the highest metadata versions verified per repository; a repository serving lower ones is refused as a rollback (created if missing)")
	if code, ok := c.parse(args); !ok {
		return code
	}
	if code, ok := c.noArgs(); !ok {
		return code
	}
	if *envName == "" || *repo == "" || *rootFile == "" {
		return c.usagef("-env, -repo and -root are required")
	}
	ref, err := referenceTime(*now)
	if err != nil {
		return c.usagef("-now: %v", err)
	}
	trusted, err := safefile.ReadFile(*rootFile, safefile.MaxJSON)
	if err != nil {
		return c.failf("read trusted root: %v", err)
	}
	var state *tufrepo.State
	if *stateFile != "" {
		if state, err = tufrepo.ReadState(*stateFile); err != nil {
			return c.failf("%v", err)
		}
	}
	absRoot, code, ok := c.repo()
	if !ok {
		return code
	}
	goldenDir := inRepo(absRoot, *golden)
	// Expect exactly what tuf build would publish for the reviewed
	// release: the trust files and the legacy targets with their custom
	// metadata. A plan's release depends on the time (package asof): the
	// release of -now, as tuf build compiles it.
	env, ok := reviewedEnv("trustc verify-published", "", absRoot, compiler.Options{Now: ref}, *golden, goldenDir, *envName, stderr)
	if !ok {
		return exitFail
	}
	ctx, cancel := context.WithTimeout(context.Background(), fetchTimeout)
	defer cancel()
	src := tufrepo.Source{
		Location: *repo,
		Root:     trusted,
		Time:     ref,
	}
	rep, err := tufrepo.Compare(ctx, src, tufrepo.TargetsFromEnv(env))
	if err != nil {
		return c.failf("%v", err)
	}
	if state != nil {
		key := tufrepo.StateKey(*repo)
		if err := state.Check(key, rep.Versions); err != nil {
			return c.failf("%v (versions seen are in %s)", err, *stateFile)
		}
		// The versions were verified, drift or not: a later run must not
		// accept anything older.
		state.Record(key, rep.Versions)
		if err := state.Write(*stateFile); err != nil {
			return c.failf("%v", err)
		}
	}
	fmt.Fprint(stdout, rep.Text())
	if len(rep.Findings) > 0 {
		return c.failf("%s drifts from what tuf build publishes for %s", *repo, filepath.ToSlash(filepath.Join(*golden, *envName)))
	}
	return exitOK
}

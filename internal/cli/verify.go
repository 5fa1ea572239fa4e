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
	fs := newFlags("verify-published", "-env name -repo dir|url -root root.json [-state file] [-C dir] [-golden dir] [-now time]", stderr)
	root := fs.String("C", ".", "repository `dir`ectory holding environments/ and cue.mod/")
	golden := fs.String("golden", "golden", "compiled release `dir`ectory (relative paths are relative to -C); golden/<env> must be what the CUE compiles to")
	envName := fs.String("env", "", "`name` of the environment the repository publishes")
	repo := fs.String("repo", "", "TUF repository: a local `dir`ectory or an http(s) URL, where <v>.root.json and timestamp.json live")
	rootFile := fs.String("root", "", "trusted root.json `file` to start from, obtained out of band")
	stateFile := fs.String("state", "", "`file` keeping the highest metadata versions verified per repository; a repository serving lower ones is refused as a rollback (created if missing)")
	now := fs.String("now", "", "reference `time` (RFC 3339) metadata expiry is checked against (default the current time)")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "trustc verify-published: unexpected arguments %q\n", fs.Args())
		return exitUsage
	}
	if *envName == "" || *repo == "" || *rootFile == "" {
		fmt.Fprintln(stderr, "trustc verify-published: -env, -repo and -root are required")
		return exitUsage
	}
	ref, err := referenceTime(*now)
	if err != nil {
		fmt.Fprintf(stderr, "trustc verify-published: -now: %v\n", err)
		return exitUsage
	}
	trusted, err := safefile.ReadFile(*rootFile, safefile.MaxJSON)
	if err != nil {
		fmt.Fprintf(stderr, "trustc verify-published: read trusted root: %v\n", err)
		return exitFail
	}
	var state *tufrepo.State
	if *stateFile != "" {
		if state, err = tufrepo.ReadState(*stateFile); err != nil {
			fmt.Fprintf(stderr, "trustc verify-published: %v\n", err)
			return exitFail
		}
	}
	absRoot, err := filepath.Abs(*root)
	if err != nil {
		fmt.Fprintf(stderr, "trustc verify-published: %v\n", err)
		return exitFail
	}
	goldenDir := *golden
	if !filepath.IsAbs(goldenDir) {
		goldenDir = filepath.Join(absRoot, goldenDir)
	}
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
		fmt.Fprintf(stderr, "trustc verify-published: %v\n", err)
		return exitFail
	}
	if state != nil {
		key := tufrepo.StateKey(*repo)
		if err := state.Check(key, rep.Versions); err != nil {
			fmt.Fprintf(stderr, "trustc verify-published: %v (versions seen are in %s)\n", err, *stateFile)
			return exitFail
		}
		// The versions were verified, drift or not: a later run must not
		// accept anything older.
		state.Record(key, rep.Versions)
		if err := state.Write(*stateFile); err != nil {
			fmt.Fprintf(stderr, "trustc verify-published: %v\n", err)
			return exitFail
		}
	}
	fmt.Fprint(stdout, rep.Text())
	if len(rep.Findings) > 0 {
		fmt.Fprintf(stderr, "trustc verify-published: %s drifts from what tuf build publishes for %s\n", *repo, filepath.ToSlash(filepath.Join(*golden, *envName)))
		return exitFail
	}
	return exitOK
}

package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"time"

	"github.com/trustc-dev/trustc/internal/safefile"
	"github.com/trustc-dev/trustc/tufrepo"
)

// fetchTimeout bounds a whole verify-published run over HTTP.
const fetchTimeout = 2 * time.Minute

func runVerifyPublished(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("verify-published", "-env name -repo dir|url -root root.json [-C dir] [-golden dir] [-now time]", stderr)
	root := fs.String("C", ".", "repository `dir`ectory")
	golden := fs.String("golden", "golden", "compiled release `dir`ectory (relative paths are relative to -C); the repository must serve golden/<env>")
	envName := fs.String("env", "", "`name` of the environment the repository publishes")
	repo := fs.String("repo", "", "TUF repository: a local `dir`ectory or an http(s) URL, where <v>.root.json and timestamp.json live")
	rootFile := fs.String("root", "", "trusted root.json `file` to start from, obtained out of band")
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
	goldenDir := *golden
	if !filepath.IsAbs(goldenDir) {
		goldenDir = filepath.Join(*root, goldenDir)
	}
	ctx, cancel := context.WithTimeout(context.Background(), fetchTimeout)
	defer cancel()
	src := tufrepo.Source{
		Location:   *repo,
		Root:       trusted,
		Time:       ref,
		HTTPClient: &http.Client{Timeout: fetchTimeout},
	}
	rep, err := tufrepo.Compare(ctx, src, filepath.Join(goldenDir, *envName))
	if err != nil {
		fmt.Fprintf(stderr, "trustc verify-published: %v\n", err)
		return exitFail
	}
	fmt.Fprint(stdout, rep.Text())
	if len(rep.Findings) > 0 {
		fmt.Fprintf(stderr, "trustc verify-published: %s drifts from %s\n", *repo, filepath.ToSlash(filepath.Join(*golden, *envName)))
		return exitFail
	}
	return exitOK
}

package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/trustc-dev/trustc/compiler"
	"github.com/trustc-dev/trustc/compiler/load"
	"github.com/trustc-dev/trustc/internal/report"
	"github.com/trustc-dev/trustc/internal/safefile"
	"github.com/trustc-dev/trustc/probe"
	"github.com/trustc-dev/trustc/release"
)

// runProbe checks the live services of a compiled release against it. It
// is the one command that reaches the network, and only the services the
// release names.
func runProbe(args []string, stdout, stderr io.Writer) int {
	c := newSubcmd("probe", "-env name [-C dir] [-golden dir] [-now time] [-format markdown|json] [-timeout d]", stderr)
	root := c.repoFlag("")
	golden := c.String("golden", "golden", "compiled release `dir`ectory (relative paths are relative to -C); the services of golden/<env> are probed")
	envName := c.String("env", "", "`name` of the environment whose services to probe")
	now := c.timeFlag("now", "`time` (RFC 3339) that picks the services in their verification window; default the clock")
	format := c.String("format", "markdown", "output `format`: "+strings.Join(probe.Formats, ", "))
	timeout := c.Duration("timeout", 30*time.Second, "bound on the whole probe")
	if code, ok := c.parse(args); !ok {
		return code
	}
	if code, ok := c.noArgs(); !ok {
		return code
	}
	if *envName == "" || !slices.Contains(probe.Formats, *format) {
		return c.usage()
	}
	dir := filepath.Join(inRepo(*root, *golden), *envName)
	if _, err := os.Stat(dir); err != nil {
		return c.failf("%s: no compiled release of environment %q; run trustc generate", dir, *envName)
	}
	rel, err := release.Read(safefile.DirFS(dir, safefile.MaxJSON), *envName)
	if err != nil {
		return c.failf("read %s: %v", dir, err)
	}
	// Its rules were checked when it was compiled; what is probed is
	// what it holds.
	res, err := compiler.Compile(compiler.Published(rel, load.JSONOptions{Dir: dir}), compiler.Options{NoRules: true})
	if err := compiler.Report(res, err); err != nil {
		report.Text(stderr, "trustc probe: "+dir+" does not derive", err, *root)
		return exitFail
	}
	envs := res.Envs
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	rep := probe.Env(ctx, envs[0], now.value(), &http.Client{Timeout: *timeout})
	b, err := rep.Render(*format)
	if err != nil {
		return c.failf("%v", err)
	}
	if _, err := stdout.Write(b); err != nil {
		return c.failf("%v", err)
	}
	if !rep.OK() {
		for _, r := range rep.Results {
			if r.Status == probe.Fail {
				fmt.Fprintf(stderr, "trustc probe: %s %q at %s: %s\n", r.Kind, r.Name, r.URL, r.Detail)
			}
		}
		return exitFail
	}
	return exitOK
}

package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	cueerrors "cuelang.org/go/cue/errors"

	"github.com/trustc-dev/trustc/importer"
	"github.com/trustc-dev/trustc/internal/atomicdir"
	"github.com/trustc-dev/trustc/internal/report"
	"github.com/trustc-dev/trustc/internal/safefile"
)

func runImport(args []string, stdout, stderr io.Writer) int {
	c := newSubcmd("import", "[-C dir] -env name [-force] [-allow-findings] [-operator uri] trusted_root.json [signing config files...]", stderr)
	c.repoFlag("environments/ and cue.mod/")
	env := c.String("env", "", "write the environment as environments/`name`")
	force := c.Bool("force", false, "replace environments/<name> if it exists")
	allow := c.Bool("allow-findings", false, "write an environment that breaks policy, with each finding as a comment at its field (generate refuses it until they are fixed)")
	operator := c.String("operator", "", "the environment's operator, a scheme-less `uri` such as example.com (default: the one the files name most, or the services' domain)")
	module := c.String("module", "", "CUE module `path` of a new repository, such as example.com/trust@v0; only where -C has no cue.mod/ yet")
	policy := policyFlags(c.FlagSet)
	if code, ok := c.parse(args); !ok {
		return code
	}
	if code, ok := c.env(*env); !ok {
		return code
	}
	if c.NArg() == 0 {
		return c.usagef("no files; give the trusted root, then any signing configs (v0.2 or the v0.1 signing_config.json)")
	}
	abs, code, ok := c.repo()
	if !ok {
		return code
	}
	fresh := !isRepository(abs)
	var dir string
	if !fresh {
		if dir, code, ok = c.target(abs, *env, *force); !ok {
			return code
		}
	}
	var inputs []importer.Input
	var readErrs []string
	for _, name := range c.Args() {
		b, err := safefile.ReadFile(name, safefile.MaxJSON)
		if err != nil {
			readErrs = append(readErrs, fmt.Sprintf("read %s: %v", name, errors.Unwrap(err)))
			continue
		}
		// Positions name the file absolutely, so that they print relative
		// to the directory trustc runs in, as trustc check prints them.
		abs, _ := filepath.Abs(name)
		inputs = append(inputs, importer.Input{Name: name, Path: abs, Data: b})
	}
	if len(readErrs) > 0 {
		printList(stderr, "trustc import: nothing written", readErrs)
		return exitFail
	}
	opts := importer.Options{Env: *env, Operator: *operator, AllowFindings: *allow, Policy: policy()}
	if fresh {
		r, code, ok := startRepo("import", abs, *module, *env, stderr)
		if !ok {
			return code
		}
		defer r.close()
		res, err := importer.Import(r.scratch, inputs, opts)
		return r.finish("import", res, err, stdout, stderr)
	}
	res, err := importer.Import(abs, inputs, opts)
	return write(res, err, "import", abs, dir, *env, stdout, stderr)
}

// env checks -env, the environment import or init writes.
func (c *subcmd) env(env string) (code int, ok bool) {
	if env == "" {
		return c.usagef("-env is required: the name of the environment to write"), false
	}
	if err := importer.CheckEnvName(env); err != nil {
		return c.usagef("%v", err), false
	}
	return 0, true
}

// target resolves environments/<env> of the repository at absRoot and
// refuses to replace it without -force.
func (c *subcmd) target(absRoot, env string, force bool) (dir string, code int, ok bool) {
	dir = filepath.Join(absRoot, "environments", env)
	if _, err := os.Lstat(dir); err == nil && !force {
		return "", c.failf("nothing written: environments/%s exists; choose another -env, or pass -force to replace it", env), false
	}
	if err := checkEnvTarget(dir, "environments/"+env); err != nil {
		return "", c.failf("nothing written: %v", err), false
	}
	return dir, 0, true
}

// write reports an import's or init's outcome and, if there is something
// to write, replaces environments/<env> with it all at once.
func write(res *importer.Result, err error, cmd, absRoot, dir, env string, stdout, stderr io.Writer) int {
	if code, ok := refused(res, err, cmd, env, stderr); !ok {
		return code
	}
	if err := atomicdir.Replace(dir, res.Files); err != nil {
		if errors.Is(err, atomicdir.ErrReadOnly) {
			fmt.Fprintf(stderr, "trustc %s: nothing written: %v\n", cmd, err)
			return exitFail
		}
		fmt.Fprintf(stderr, "trustc %s: nothing written: write environments/%s: %v\n", cmd, env, err)
		return exitFail
	}
	fmt.Fprintf(stdout, "environments/%s: %d files\n", env, len(res.Files))
	findingsWritten(res, cmd, env, stderr)
	return exitOK
}

// refused reports an import or init that writes nothing, and says so.
func refused(res *importer.Result, err error, cmd, env string, stderr io.Writer) (int, bool) {
	headline := "trustc " + cmd + ": nothing written"
	var input *importer.InputError
	var findings *importer.FindingsError
	switch {
	case errors.As(err, &input):
		cwd, _ := os.Getwd()
		report.Text(stderr, headline, input.Problems, cwd)
		return exitFail, false
	case errors.As(err, &findings):
		var lines []string
		for _, f := range findingsOf(findings) {
			lines = append(lines, importer.Describe(f))
		}
		hint := "fix the files, or pass -allow-findings to write each finding as a comment at its field"
		if cmd == "init" {
			hint = "fix the flags"
		}
		printList(stderr, fmt.Sprintf("%s: environments/%s would break policy; %s", headline, env, hint), lines)
		return exitFail, false
	case err != nil:
		fmt.Fprintf(stderr, "%s: %v\n", headline, err)
		return exitFail, false
	}
	return 0, true
}

func findingsWritten(res *importer.Result, cmd, env string, stderr io.Writer) {
	if n := len(res.Findings); n > 0 {
		fmt.Fprintf(stderr, "trustc %s: wrote %d policy finding(s) as FINDING comments; trustc generate refuses environments/%s until they are fixed\n", cmd, n, env)
	}
}

// printList prints a headline and one problem per line, as report.Text
// does, for problems that are plain text (flags, unreadable files) or have
// no position to show (findings in files not written yet): each line is
// then PATH: MESSAGE, the printer's layout without a position.
func printList(w io.Writer, headline string, lines []string) {
	if len(lines) > 1 {
		fmt.Fprintf(w, "%s: %d problems:\n", headline, len(lines))
	} else {
		fmt.Fprintf(w, "%s:\n", headline)
	}
	for _, l := range lines {
		fmt.Fprintf(w, "  %s\n", l)
	}
}

func findingsOf(f *importer.FindingsError) []cueerrors.Error { return cueerrors.Errors(f.Findings) }

// policyFlags declares the flags for the policy block an environment is
// written with, defaulting to importer.DefaultPolicy.
func policyFlags(fs *flag.FlagSet) func() importer.Policy {
	d := importer.DefaultPolicy
	expiry := fs.String("tuf-timestamp-expiry", d.TUFTimestampExpiry, "policy.tufTimestampExpiry: how long the TUF timestamp stays valid")
	buffer := fs.String("buffer", d.Buffer, "policy.buffer: added to the TUF timestamp expiry for the waiting-period floor")
	waiting := fs.String("waiting-period", d.WaitingPeriod, "waitingPeriod of every signing config")
	var clients listFlag
	fs.Var(&clients, "client", "a client the environment serves (repeatable; default: "+strings.Join(d.Clients, ", ")+")")
	return func() importer.Policy {
		p := importer.Policy{TUFTimestampExpiry: *expiry, Buffer: *buffer, WaitingPeriod: *waiting}
		if len(clients) > 0 {
			p.Clients = clients
		}
		return p
	}
}

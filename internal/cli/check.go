package cli

import (
	cueerrors "cuelang.org/go/cue/errors"
	"errors"
	"flag"
	"fmt"
	"io"
	iofs "io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/trustc-dev/trustc/compiler"
	"github.com/trustc-dev/trustc/compiler/load"
	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/internal/safefile"
	"github.com/trustc-dev/trustc/release"
)

func runCheck(args []string, stdout, stderr io.Writer) int {
	c := newSubcmd("check", "[flags] [DIR]", stderr)
	c.repoFlag("environments/ (when no DIR is given)")
	now := c.timeFlag("now", "release `time` (RFC 3339) for time-dependent rules; default the clock")
	baseDir := c.String("base", "", "previous release: a `dir`ectory of published JSON or a golden/ tree")
	baseRef := c.String("base-ref", "", "previous release: golden/ at this git `ref` (default: the merge base of HEAD and main, for CUE environments)")
	baseTime := c.timeFlag("base-time", "when the -base release was published (RFC 3339); default: its targets.json's signing time, or with -base-ref the commit's time")
	noBase := c.Bool("no-base", false, "skip the rules across releases (6 to 9)")
	format := c.String("format", "text", "output `format`: text, json or github")
	envName := c.String("env", "", "environment `name` for a DIR holding one environment's files (default: DIR's base name)")
	var policy jsonPolicy
	policy.register(c.FlagSet, "DIR")
	if code, ok := c.parse(args); !ok {
		return code
	}
	if c.NArg() > 1 || (*format != "text" && *format != "json" && *format != "github") {
		return c.usage()
	}
	absRoot, code, ok := c.repo()
	if !ok {
		return code
	}
	var err error
	opts := compiler.Options{Now: now.value(), BaseTime: baseTime.t}
	done := func(problems error, root string) int {
		if problems == nil && *format != "json" {
			return exitOK
		}
		printProblems(stdout, stderr, *format, "trustc check", problems, root)
		if model.Blocking(problems) {
			return exitFail
		}
		return exitOK
	}

	// The base release, for rules 6 to 9. Its own flaws are notes.
	var readBase func() (*release.Release, string, error)
	switch {
	case *noBase:
	case *baseDir != "":
		abs, _ := filepath.Abs(*baseDir)
		readBase = func() (*release.Release, string, error) {
			if _, err := os.Stat(abs); err != nil {
				// Name the directory: "open .: ..." named none.
				return nil, "", fmt.Errorf("read base release: open %s: %w", abs, errors.Unwrap(err))
			}
			if opts.BaseTime.IsZero() {
				if t, ok := tufSigned(abs); ok {
					opts.BaseTime = t
					if *format == "text" {
						fmt.Fprintf(stderr, "trustc check: base release signed %s (its targets.json); -base-time overrides it\n", t.Format(time.RFC3339))
					}
				}
			}
			rel, err := release.Read(safefile.DirFS(abs, safefile.MaxJSON), baseName(*envName, abs))
			if err != nil {
				return nil, "", &unreadableBase{fmt.Errorf("read base release %s: %w", abs, err), abs}
			}
			return rel, abs, nil
		}
	case c.NArg() == 0:
		ref := *baseRef
		if ref == "" {
			if ref, err = mergeBase(absRoot); err != nil {
				return c.failf("no base release to check rules 6 to 9 against (%v); pass -base, -base-ref or -no-base", err)
			}
		}
		readBase = func() (*release.Release, string, error) {
			tree, err := gitTree(absRoot, ref, "golden")
			if err != nil {
				return nil, "", fmt.Errorf("read base release: %w", err)
			}
			if opts.BaseTime.IsZero() {
				if opts.BaseTime, err = commitTime(absRoot, ref); err != nil {
					return nil, "", fmt.Errorf("read base release: %w", err)
				}
			}
			dir := filepath.Join(absRoot, "golden")
			rel, err := release.Read(tree, "")
			if err != nil {
				return nil, "", &unreadableBase{fmt.Errorf("read base release %s: %w", dir, err), ""}
			}
			return rel, dir, nil
		}
	case *baseRef != "":
		return c.usagef("-base-ref applies to CUE environments; for a DIR use -base")
	}
	var baseRel *release.Release
	var baseAt string
	var unread []*model.Problem // why the base could not be read
	if readBase != nil {
		var bad *unreadableBase
		baseRel, baseAt, err = readBase()
		switch {
		case errors.As(err, &bad):
			// A flawed base never blocks the head: its files are history.
			// Without it, the rules across releases cannot run; say so.
			n := model.Src{}.Problemf(model.RuleInput, model.Note, "%v", bad.err)
			if ps, ok := unparsable(bad.dir, errors.Unwrap(bad.err), model.Note); ok {
				// The first says why; the base is history, not to be fixed.
				n = ps[0]
				n.Message = "in the base release: " + n.Message
			}
			n.Message += "; the rules across releases (6 to 9) are not run"
			unread = append(unread, n)
		case err != nil:
			return c.failf("%v", err)
		}
	}

	// Compile derives the base while the head loads; its flaws are notes.
	compile := func(src compiler.Sources) error {
		if baseRel != nil {
			base := compiler.Published(baseRel, load.JSONOptions{Dir: baseAt})
			opts.Base = &base
		}
		res, err := compiler.Compile(src, opts)
		return withNotes(append(unread, baseNotes(res)...), compiler.Report(res, err))
	}
	if c.NArg() == 0 {
		// -base DIR with one environment's files, and a repository of
		// one environment: they are the same environment, whatever the
		// directory is called, as in DIR mode.
		if envs, _ := os.ReadDir(filepath.Join(absRoot, "environments")); baseRel != nil && len(baseRel.Envs) == 1 && len(envs) == 1 && envs[0].IsDir() {
			baseRel.Envs[0].Name = envs[0].Name()
		}
		warnSchema("check", absRoot, stderr)
		return done(compile(compiler.Dir(absRoot)), absRoot)
	}

	dir, _ := filepath.Abs(c.Arg(0))
	rel, err := release.Read(safefile.DirFS(dir, safefile.MaxJSON), baseName(*envName, dir))
	if err != nil {
		cwd, _ := os.Getwd()
		if ps, ok := unparsable(dir, err, model.Error); ok {
			return done(withNotes(append(unread, ps...), nil), cwd)
		}
		return c.failf("%v", inDir(c.Arg(0), err))
	}
	jopts, stated, err := policy.options(dir)
	if err != nil {
		return c.usagef("%v", err)
	}
	if *format == "text" {
		fmt.Fprintf(stderr, "trustc check: policy: %s\n", stated)
	}
	if baseRel != nil {
		if msg := pair(baseRel, rel); msg != "" {
			return c.usagef("%s", msg)
		}
	}
	cwd, _ := os.Getwd()
	return done(compile(compiler.Published(rel, jopts)), cwd)
}

// unreadableBase is a base release whose files cannot be parsed.
type unreadableBase struct {
	err error
	dir string // where its files are, when on disk
}

func (e *unreadableBase) Error() string { return e.err.Error() }

// withNotes adds the base's notes to the head's problems. Every format
// prints them in position order (internal/report), base files and head
// files alike, so that text, json and github agree.
func withNotes(notes []*model.Problem, err error) error {
	var out cueerrors.Error
	for _, n := range notes {
		out = cueerrors.Append(out, n)
	}
	out = cueerrors.Append(out, promote(err))
	if out == nil {
		return nil
	}
	return out
}

func promote(err error) cueerrors.Error {
	if err == nil {
		return nil
	}
	return cueerrors.Promote(err, "")
}

// pair matches the base's environments with the head's. Two directories of
// one environment each are the same environment whatever their names (a
// user types "check -base v10 v11"); otherwise names must match. It
// returns why they cannot be paired, or "": rules 6 to 9 are never skipped
// quietly.
func pair(base, head *release.Release) string {
	if len(base.Envs) == 1 && len(head.Envs) == 1 {
		base.Envs[0].Name = head.Envs[0].Name
		return ""
	}
	var missing []string
	for _, e := range head.Envs {
		if base.Env(e.Name) == nil {
			missing = append(missing, e.Name+" (no base)")
		}
	}
	for _, e := range base.Envs {
		if head.Env(e.Name) == nil {
			missing = append(missing, e.Name+" (only in the base)")
		}
	}
	if len(missing) == 0 {
		return ""
	}
	return "cannot pair the base's environments with DIR's: " + strings.Join(missing, ", ") + "; give both in the same layout, or -no-base"
}

// jsonPolicy holds the flags that say what published JSON does not carry:
// the policy CUE declares, for checking a directory of published files.
type jsonPolicy struct {
	waiting, expiry, buffer durationFlag
	clients, fronts         listFlag
}

// register adds the flags to fs; arg names the argument they apply to.
func (p *jsonPolicy) register(fs *flag.FlagSet, arg string) {
	fs.Var(&p.waiting, "waiting-period", arg+" only: waiting period for every signing config (e.g. 90d)")
	fs.Var(&p.expiry, "tuf-timestamp-expiry", arg+" only: TUF timestamp expiry (e.g. 7d)")
	fs.Var(&p.buffer, "buffer", arg+" only: buffer added to the TUF timestamp expiry")
	fs.Var(&p.clients, "client", arg+" only: a client the environment serves (repeatable)")
	fs.Var(&p.fronts, "front", arg+" only: `URL=SHARD[,SHARD]` a signing URL fronting the logs at these base URLs (repeatable)")
}

// sigstoreTUFTimestampExpiry is Sigstore's TUF timestamp expiry (7 days,
// root-signing's timestamp role): the policy a directory of published JSON
// is checked against when no flag says otherwise, so that the waiting
// period is never silently off.
const sigstoreTUFTimestampExpiry = 7 * 24 * time.Hour

// options returns the load options for published files in dir, and the
// policy they amount to, stated for the user.
func (p *jsonPolicy) options(dir string) (load.JSONOptions, string, error) {
	o := load.JSONOptions{Dir: dir, WaitingPeriod: p.waiting.d, TUFTimestampExpiry: p.expiry.d, Buffer: p.buffer.d, Clients: p.clients, Fronts: map[string][]string{}}
	for _, f := range p.fronts {
		u, shards, ok := strings.Cut(f, "=")
		if !ok {
			return o, "", fmt.Errorf("-front %q: want URL=SHARD[,SHARD]", f)
		}
		o.Fronts[u] = strings.Split(shards, ",")
	}
	origin := "from flags"
	if !p.expiry.set {
		o.TUFTimestampExpiry = sigstoreTUFTimestampExpiry
		origin = "tufTimestampExpiry is Sigstore's; set -tuf-timestamp-expiry, -buffer, -waiting-period to change the policy"
	}
	stated := fmt.Sprintf("tufTimestampExpiry %s, buffer %s, waitingPeriod %s (%s)",
		dayString(o.TUFTimestampExpiry), dayString(o.Buffer), dayString(o.WaitingPeriod), origin)
	return o, stated, nil
}

// dayString writes a duration as the flags take it: "7d", else Go's form.
func dayString(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	return d.String()
}

// inDir names dir in an error reading safefile.DirFS(dir), which reports
// paths as os.DirFS does. A file-system error there has a path relative to
// dir, and "open .: permission denied" names no directory at all: its path
// is made dir's. Any other error gets dir as a prefix.
func inDir(dir string, err error) error {
	var pe *iofs.PathError
	if errors.As(err, &pe) {
		if !filepath.IsAbs(pe.Path) {
			pe.Path = filepath.Join(dir, filepath.FromSlash(pe.Path))
		}
		return err
	}
	return fmt.Errorf("%s: %w", dir, err)
}

func baseName(name, dir string) string {
	if name != "" {
		return name
	}
	return filepath.Base(dir)
}

package cli

import (
	"flag"
	"fmt"
	"io"
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

// nowFlag is a release time: RFC 3339, or empty for the clock.
type nowFlag struct{ t time.Time }

func (n *nowFlag) String() string {
	if n.t.IsZero() {
		return ""
	}
	return n.t.Format(time.RFC3339)
}

func (n *nowFlag) Set(s string) error {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("want an RFC 3339 time like 2026-01-01T00:00:00Z")
	}
	n.t = t.UTC()
	return nil
}

// value is the flag's time, or the clock: the one place trustc reads it.
func (n *nowFlag) value() time.Time {
	if n.t.IsZero() {
		return time.Now().UTC().Truncate(time.Second)
	}
	return n.t
}

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error { *l = append(*l, s); return nil }

type durationFlag struct{ d time.Duration }

func (d *durationFlag) String() string { return d.d.String() }
func (d *durationFlag) Set(s string) error {
	v, err := load.ParseDuration(s)
	d.d = v
	return err
}

func runCheck(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("check", "[flags] [DIR]", stderr)
	root := fs.String("C", ".", "repository `dir`ectory holding environments/ (when no DIR is given)")
	var now nowFlag
	fs.Var(&now, "now", "release `time` (RFC 3339) for time-dependent rules; default the clock")
	baseDir := fs.String("base", "", "previous release: a `dir`ectory of published JSON or a golden/ tree")
	baseRef := fs.String("base-ref", "", "previous release: golden/ at this git `ref` (default: the merge base of HEAD and main, for CUE environments)")
	noBase := fs.Bool("no-base", false, "skip the rules across releases (6 to 9)")
	format := fs.String("format", "text", "output `format`: text, json or github")
	envName := fs.String("env", "", "environment `name` for a DIR holding one environment's files (default: DIR's base name)")
	var policy jsonPolicy
	policy.register(fs, "DIR")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if fs.NArg() > 1 || (*format != "text" && *format != "json" && *format != "github") {
		fs.Usage()
		return exitUsage
	}
	absRoot, err := filepath.Abs(*root)
	if err != nil {
		fmt.Fprintf(stderr, "trustc check: %v\n", err)
		return exitFail
	}
	opts := compiler.Options{Now: now.value()}

	// The base release, for rules 6 to 9.
	var readBase func() (map[string]*model.Environment, error)
	switch {
	case *noBase:
	case *baseDir != "":
		abs, _ := filepath.Abs(*baseDir)
		readBase = func() (map[string]*model.Environment, error) {
			return baseModels(safefile.DirFS(abs, safefile.MaxJSON), baseName(*envName, abs), abs)
		}
	case fs.NArg() == 0:
		ref := *baseRef
		if ref == "" {
			if ref, err = mergeBase(absRoot); err != nil {
				fmt.Fprintf(stderr, "trustc check: no base release to check rules 6 to 9 against (%v); pass -base, -base-ref or -no-base\n", err)
				return exitFail
			}
		}
		readBase = func() (map[string]*model.Environment, error) {
			tree, err := gitTree(absRoot, ref, "golden")
			if err != nil {
				return nil, fmt.Errorf("read base release: %w", err)
			}
			return baseModels(tree, "", filepath.Join(absRoot, "golden"))
		}
	case *baseRef != "":
		fmt.Fprintln(stderr, "trustc check: -base-ref applies to CUE environments; for a DIR use -base")
		return exitUsage
	}

	if fs.NArg() == 0 {
		// The base is read and derived while the CUE loads. A base that
		// cannot be read is the one problem reported, as if it had been
		// read first.
		var baseErr error
		if readBase != nil {
			wait := inBackground(readBase)
			opts.AwaitBase = func() map[string]*model.Environment {
				var base map[string]*model.Environment
				base, baseErr = wait()
				return base
			}
		}
		_, err := compiler.CompileWith(absRoot, opts)
		if baseErr != nil {
			fmt.Fprintf(stderr, "trustc check: %v\n", baseErr)
			return exitFail
		}
		if err != nil {
			report(stderr, *format, "trustc check", err, absRoot)
			return exitFail
		}
		return exitOK
	}

	if readBase != nil {
		if opts.Base, err = readBase(); err != nil {
			fmt.Fprintf(stderr, "trustc check: %v\n", err)
			return exitFail
		}
	}
	dir, _ := filepath.Abs(fs.Arg(0))
	rel, err := release.Read(safefile.DirFS(dir, safefile.MaxJSON), baseName(*envName, dir))
	if err != nil {
		fmt.Fprintf(stderr, "trustc check: %v\n", err)
		return exitFail
	}
	jopts, err := policy.options(dir)
	if err != nil {
		fmt.Fprintf(stderr, "trustc check: %v\n", err)
		return exitUsage
	}
	cwd, _ := os.Getwd()
	envs, err := compiler.Models(rel, jopts)
	if err == nil {
		err = compiler.CheckModels(envs, opts)
	}
	if err != nil {
		report(stderr, *format, "trustc check", err, cwd)
		return exitFail
	}
	return exitOK
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

// options returns the load options for published files in dir.
func (p *jsonPolicy) options(dir string) (load.JSONOptions, error) {
	o := load.JSONOptions{Dir: dir, WaitingPeriod: p.waiting.d, TUFTimestampExpiry: p.expiry.d, Buffer: p.buffer.d, Clients: p.clients, Fronts: map[string][]string{}}
	for _, f := range p.fronts {
		u, shards, ok := strings.Cut(f, "=")
		if !ok {
			return o, fmt.Errorf("-front %q: want URL=SHARD[,SHARD]", f)
		}
		o.Fronts[u] = strings.Split(shards, ",")
	}
	return o, nil
}

func baseName(name, dir string) string {
	if name != "" {
		return name
	}
	return filepath.Base(dir)
}

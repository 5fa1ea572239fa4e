package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/trustc-dev/trustc/compiler/load"
	"github.com/trustc-dev/trustc/internal/text"
)

// subcmd is a subcommand's flag set, with what every subcommand does the
// same way: usage errors reported alike, -C resolved to the repository,
// stray arguments refused, messages prefixed "trustc NAME: ". Each
// subcommand states only its own flags and checks.
type subcmd struct {
	*flag.FlagSet
	name   string
	stderr io.Writer
	root   *string
}

// newSubcmd returns the flag set of subcommand name, whose usage line is
// synopsis.
func newSubcmd(name, synopsis string, stderr io.Writer) *subcmd {
	fs := flag.NewFlagSet("trustc "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: trustc %s %s\n", name, synopsis)
		fs.PrintDefaults()
	}
	return &subcmd{FlagSet: fs, name: name, stderr: stderr}
}

// parse parses flags, which may come before or after the positional
// arguments (std flag stops at the first positional one; people write
// "trustc check DIR -base OLD"). After parse, c.Args() holds the
// positional arguments. ok is false with the exit code when trustc must
// stop.
func (c *subcmd) parse(args []string) (code int, ok bool) {
	fs := c.FlagSet
	var positional []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return exitOK, false
			}
			return exitUsage, false
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if rest[0] == "--" {
			positional = append(positional, rest[1:]...)
			break
		}
		positional = append(positional, rest[0])
		args = rest[1:]
	}
	// Re-parse an empty list after a "--" so fs.Args() is the positionals.
	_ = fs.Parse(append([]string{"--"}, positional...))
	return 0, true
}

// repoFlag adds -C, the repository directory, holding what the command
// reads there ("" to say nothing).
func (c *subcmd) repoFlag(holding string) *string {
	usage := "repository `dir`ectory"
	if holding != "" {
		usage += " holding " + holding
	}
	c.root = c.String("C", ".", usage)
	return c.root
}

// timeFlag adds a time flag (RFC 3339; unset means the clock, see
// nowFlag.value).
func (c *subcmd) timeFlag(name, usage string) *nowFlag {
	t := &nowFlag{}
	c.Var(t, name, usage)
	return t
}

// usage prints the usage and returns its exit code.
func (c *subcmd) usage() int {
	c.Usage()
	return exitUsage
}

// noArgs refuses positional arguments; ok is false with the exit code
// when there are some.
func (c *subcmd) noArgs() (code int, ok bool) {
	if c.NArg() > 0 {
		return c.usagef("unexpected arguments %q", c.Args()), false
	}
	return 0, true
}

// repo is -C as an absolute path.
func (c *subcmd) repo() (dir string, code int, ok bool) {
	dir, err := filepath.Abs(*c.root)
	if err != nil {
		return "", c.failf("%v", err), false
	}
	return dir, 0, true
}

// inRepo resolves a directory flag whose relative paths are relative to
// -C (-out, -golden).
func inRepo(root, dir string) string {
	if filepath.IsAbs(dir) {
		return dir
	}
	return filepath.Join(root, dir)
}

// failf prints "trustc NAME: " and the message, and returns exitFail.
func (c *subcmd) failf(format string, args ...any) int {
	fmt.Fprintf(c.stderr, "trustc "+c.name+": "+format+"\n", args...)
	return exitFail
}

// usagef is failf for a usage error: it returns exitUsage.
func (c *subcmd) usagef(format string, args ...any) int {
	c.failf(format, args...)
	return exitUsage
}

// listFlag collects the values of a repeatable flag (-key a -key b), in
// order. Every repeatable flag names a file, a spec, a URL or a client, so
// an empty value is a mistake (an unset shell variable) and a usage error.
type listFlag []string

var _ flag.Value = (*listFlag)(nil)

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	if s == "" {
		return errors.New("empty value")
	}
	*l = append(*l, s)
	return nil
}

// nowFlag is a release time: RFC 3339, or empty for the clock.
type nowFlag struct{ t time.Time }

func (n *nowFlag) String() string {
	if n.t.IsZero() {
		return ""
	}
	return n.t.Format(time.RFC3339)
}

func (n *nowFlag) Set(s string) error {
	t, err := text.ParseTime(s)
	if err != nil {
		return fmt.Errorf("want an RFC 3339 time like 2026-01-01T00:00:00Z")
	}
	if err := checkEpoch(t); err != nil {
		return err
	}
	n.t = t.UTC()
	return nil
}

// earliest is the earliest time a -now flag takes. Zero time is how the
// compiler is told to skip the time-dependent rules, and the flags once
// read "0001-01-01T00:00:00Z" as no time at all; nothing trustc checks
// (certificates, TUF metadata, Sigstore's logs) predates Unix time.
var earliest = time.Unix(0, 0).UTC()

func checkEpoch(t time.Time) error {
	if t.Before(earliest) {
		return fmt.Errorf("%s is before %s, earlier than anything trustc checks", t.UTC().Format(time.RFC3339Nano), earliest.Format(time.RFC3339))
	}
	return nil
}

// value is the flag's time, or the clock: the one place trustc reads it.
func (n *nowFlag) value() time.Time {
	if n.t.IsZero() {
		return time.Now().UTC().Truncate(time.Second)
	}
	return n.t
}

type durationFlag struct {
	d   time.Duration
	set bool
}

func (d *durationFlag) String() string { return d.d.String() }
func (d *durationFlag) Set(s string) error {
	v, err := load.ParseDuration(s)
	d.d, d.set = v, true
	return err
}

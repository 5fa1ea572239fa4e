package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/trustc-dev/trustc/clients"
	"github.com/trustc-dev/trustc/internal/safefile"
	"github.com/trustc-dev/trustc/internal/text"
	"github.com/trustc-dev/trustc/release"
)

// runAt prints what Sigstore clients sign with and verify at one instant.
// Where clients disagree it says so on stderr as well as in the report, so
// a script that keeps only stdout still cannot miss it; the exit status is
// 0 either way, since the published files are what they are.
func runAt(args []string, stdout, stderr io.Writer) int {
	c := newSubcmd("at", "[flags] TIME", stderr)
	root := c.repoFlag("golden/")
	dir := c.String("dir", "", "read published JSON from this `dir`ectory instead of golden/: one environment's files, or one subdirectory per environment")
	envName := c.String("env", "", "only the environment with this `name`; for a -dir holding one environment's files, its name (default: the directory's base name)")
	format := c.String("format", "text", "output `format`: "+strings.Join(clients.Formats, ", ")+" (json: an array, one snapshot per environment)")
	if code, ok := c.parse(args); !ok {
		return code
	}
	if c.NArg() != 1 || !slices.Contains(clients.Formats, *format) {
		return c.usage()
	}
	t, err := parseInstant(c.Arg(0))
	if err != nil {
		return c.usagef("%v", err)
	}
	from := *dir
	if from == "" {
		from = filepath.Join(*root, "golden")
	}
	abs, err := filepath.Abs(from)
	if err != nil {
		return c.failf("%v", err)
	}
	rel, err := release.Read(safefile.DirFS(abs, safefile.MaxJSON), baseName(*envName, abs))
	if err != nil {
		return c.failf("read %s: %v", from, err)
	}
	envs := rel.Envs
	if *envName != "" {
		e := rel.Env(*envName)
		if e == nil {
			var names []string
			for _, e := range rel.Envs {
				names = append(names, e.Name)
			}
			return c.failf("%s has no environment %q (it has %s)", from, *envName, strings.Join(names, ", "))
		}
		envs = []*release.Env{e}
	}

	var snaps []clients.Snapshot
	for _, e := range envs {
		snaps = append(snaps, clients.At(e, t))
	}
	var out bytes.Buffer
	if *format == "json" {
		b, err := json.MarshalIndent(snaps, "", "  ")
		if err != nil {
			return c.failf("%v", err)
		}
		out.Write(append(b, '\n'))
	} else {
		for i, s := range snaps {
			if i > 0 {
				out.WriteString("\n")
			}
			b, _ := s.Render(*format) // the format was checked above
			out.Write(b)
		}
	}
	if _, err := stdout.Write(out.Bytes()); err != nil {
		return c.failf("%v", err)
	}
	for _, s := range snaps {
		if d := s.Divergences(); len(d) > 0 {
			fmt.Fprintf(stderr, "trustc at: CLIENTS DIVERGE in %s at %s:\n", s.Env, s.Time.Format(time.RFC3339Nano))
			for _, l := range d {
				fmt.Fprintf(stderr, "  %s\n", l)
			}
		}
	}
	return exitOK
}

// parseInstant reads TIME: RFC 3339, a date (midnight UTC), or "now" (the
// clock, read here and nowhere else below the command line).
func parseInstant(s string) (time.Time, error) {
	if s == "now" {
		return time.Now().UTC(), nil
	}
	if t, err := text.ParseTime(s); err == nil {
		return t, checkEpoch(t)
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, checkEpoch(t)
	}
	return time.Time{}, fmt.Errorf("TIME %q: want RFC 3339 (2026-01-01T00:00:00Z), a date (2026-01-01, midnight UTC) or now", s)
}

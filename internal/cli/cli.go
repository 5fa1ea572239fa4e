// Package cli implements the trustc command line. Main reads the process
// environment; Run takes everything as arguments, so tests run the real
// command in-process and in parallel.
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/trustc-dev/trustc/internal/startheap"
)

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1 // bad input, policy violation, drift
	exitUsage = 2
	exitDue   = 3 // generate -check: a planned release is due, nothing is wrong
)

// Main runs trustc with the process's arguments and standard streams.
func Main() int {
	// A run compiling the real environments allocates 5-6 MiB and
	// lasts tens of milliseconds; let it do so without collecting. Main,
	// not Run: the setting is process-wide, and tests call Run in parallel.
	startheap.Raise(startHeap)
	return Run(os.Args[1:], os.Stdout, os.Stderr)
}

// startHeap is the heap trustc grows to before its first collection.
const startHeap = 32 << 20

type command struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

func commands() map[string]command {
	return map[string]command{
		"generate":         {"compile every environment into golden/", runGenerate},
		"check":            {"check environments, or a directory of published JSON, against every rule", runCheck},
		"diff":             {"review a trust change: what it does to which clients, and when", runDiff},
		"at":               {"what Sigstore clients sign with and verify at one instant", runAt},
		"plan":             {"the release calendar: each date the published files must change, and why", runPlan},
		"probe":            {"check the live services of a compiled release against it (network)", runProbe},
		"tuf":              {"tuf build: sign a TUF repository serving an environment's release", runTUF},
		"verify-published": {"compare a published TUF repository with golden/<env>", runVerifyPublished},
		"import":           {"write an environment from published trust files", runImport},
		"init":             {"write an environment for a new private instance", runInit},
	}
}

// Run runs trustc with args (without the program name).
func Run(args []string, stdout, stderr io.Writer) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr, cmds)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "trustc: unknown command %q\n", args[0])
		usage(stderr, cmds)
		return exitUsage
	}
	return cmd.run(args[1:], stdout, stderr)
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "usage: trustc <command> [flags]")
	fmt.Fprintln(w)
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-17s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'trustc <command> -h' for a command's flags.")
}

// newFlags returns a FlagSet that reports usage errors the same way for
// every subcommand.
func newFlags(name, synopsis string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("trustc "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: trustc %s %s\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags, which may come before or after the positional
// arguments (std flag stops at the first positional one; people write
// "trustc check DIR -base OLD"). After parse, fs.Args() holds the
// positional arguments. ok is false with the exit code when trustc must
// stop.
func parse(fs *flag.FlagSet, args []string) (code int, ok bool) {
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

// Package cli implements the trustc command line. Main reads the process
// environment; Run takes everything as arguments, so tests run the real
// command in-process and in parallel.
package cli

import (
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

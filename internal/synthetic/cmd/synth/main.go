// Command synth writes a synthetic trustc repository (cue.mod, schema and
// environments) for measuring trustc at scale:
//
//	go run ./internal/synthetic/cmd/synth -out DIR -envs N -services M [-ending] [-newest-first] [-exact]
//	trustc generate -C DIR
//
// Run it from the trustc module's root (or pass -src): the schema it copies
// is that module's, so the repository compiles with the trustc built from
// it. The flags select the rotation patterns of synthetic.Options.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/trustc-dev/trustc/internal/synthetic"
)

func main() { os.Exit(run(os.Args[1:], os.Stderr)) }

func run(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("synth", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "write the repository into this new or empty `dir`ectory")
	src := fs.String("src", ".", "the trustc module `dir`ectory whose cue.mod and schema to copy")
	envs := fs.Int("envs", 1, "number of environments")
	services := fs.Int("services", 10, "services per environment")
	var opts synthetic.Options
	fs.BoolVar(&opts.Ending, "ending", false, "rotate keys: every service's windows end where the next of its kind starts signing")
	fs.BoolVar(&opts.NewestFirst, "newest-first", false, "declare services newest first")
	fs.BoolVar(&opts.Exact, "exact", false, "EXACT 1 selectors for Rekor and TSA instead of ANY")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *out == "" || fs.NArg() > 0 || *envs < 0 || *services < 0 {
		fmt.Fprintf(stderr, "usage: synth -out DIR [-envs N] [-services M] [-ending] [-newest-first] [-exact] [-src DIR]\n")
		return 2
	}
	for _, dir := range []string{"cue.mod", "schema"} {
		if _, err := os.Stat(filepath.Join(*src, dir)); err != nil {
			fmt.Fprintf(stderr, "synth: %s has no %s/; run from the trustc module root or pass -src\n", *src, dir)
			return 1
		}
	}
	// Writing into a repository that already has environments would mix
	// two sizes into one measurement.
	if entries, err := os.ReadDir(*out); err == nil && len(entries) > 0 {
		fmt.Fprintf(stderr, "synth: %s is not empty\n", *out)
		return 1
	}
	if err := synthetic.Write(*out, *src, *envs, *services, opts); err != nil {
		fmt.Fprintf(stderr, "synth: %v\n", err)
		return 1
	}
	return 0
}

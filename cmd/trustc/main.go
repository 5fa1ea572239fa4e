// Command trustc compiles Sigstore trust configuration from CUE.
package main

import (
	"os"

	"github.com/trustc-dev/trustc/internal/cli"
)

func main() { os.Exit(cli.Main()) }

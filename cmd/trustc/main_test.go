package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/trustc-dev/trustc/internal/cli"
	"github.com/trustc-dev/trustc/internal/fixture"
	"github.com/trustc-dev/trustc/internal/refdata"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"trustc": func() { os.Exit(cli.Main()) },
	})
}

// TestScript runs the CLI scripts in testdata/script. Each script's work
// directory is a repository: the frozen fixture (internal/fixture: the
// current schema, a cue.mod and environments/production as published at
// TUF targets version 14) under whatever files the script itself holds, so
// that no script depends on the checkout's live environments;
// $SIGSTORE is the Sigstore reference data, testdata/sigstore.
// TRUSTC_UPDATE=1 rewrites the scripts' expected output.
func TestScript(t *testing.T) {
	sigstore := refdata.Dir(t)
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		UpdateScripts:       os.Getenv("TRUSTC_UPDATE") != "",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("CUE_CACHE_DIR", filepath.Join(env.WorkDir, ".cache", "cue"))
			env.Setenv("SIGSTORE", sigstore)
			return fixture.Write(env.WorkDir)
		},
	})
}

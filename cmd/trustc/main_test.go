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

// raceExit is GORACE for every trustc process a test starts. A race-enabled
// binary (this test binary under go test -race) sleeps a
// second at exit by default (atexit_sleep_ms=1000), for reports still in
// flight; over the scripts' hundred-odd trustc runs that sleep was most of
// make test's wall time. A race found while trustc runs is still reported,
// and still makes it exit 66.
const raceExit = "atexit_sleep_ms=0"

func TestMain(m *testing.M) {
	if os.Getenv("GORACE") == "" {
		// For the trustc processes tests start themselves (the determinism
		// test); testscript gives each script its own environment, below.
		os.Setenv("GORACE", raceExit)
	}
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
			env.Setenv("GORACE", os.Getenv("GORACE"))
			env.Setenv("SIGSTORE", sigstore)
			return fixture.Write(env.WorkDir)
		},
	})
}

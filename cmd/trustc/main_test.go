package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/trustc-dev/trustc/internal/cli"
	"github.com/trustc-dev/trustc/internal/refdata"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"trustc": func() { os.Exit(cli.Main()) },
	})
}

// TestScript runs the CLI scripts in testdata/script. Each script's work
// directory is a repository: the module's cue.mod and schema and the real
// production environment, under whatever files the script itself holds;
// $SIGSTORE is the Sigstore reference data, testdata/sigstore.
// TRUSTC_UPDATE=1 rewrites the scripts' expected output.
func TestScript(t *testing.T) {
	root := refdata.ModuleRoot(t)
	sigstore := refdata.Dir(t)
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		UpdateScripts:       os.Getenv("TRUSTC_UPDATE") != "",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup: func(env *testscript.Env) error {
			env.Setenv("CUE_CACHE_DIR", filepath.Join(env.WorkDir, ".cache", "cue"))
			env.Setenv("SIGSTORE", sigstore)
			for _, dir := range []string{"cue.mod", "schema", "environments/production"} {
				if err := copyMissing(filepath.Join(root, dir), filepath.Join(env.WorkDir, dir)); err != nil {
					return err
				}
			}
			return nil
		},
	})
}

// copyMissing copies src into dst, keeping files the script already wrote.
func copyMissing(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if _, err := os.Stat(target); err == nil {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
}

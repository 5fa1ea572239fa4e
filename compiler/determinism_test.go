package compiler_test

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"cuelang.org/go/cue/errors"
	"github.com/google/go-cmp/cmp"

	"github.com/trustc-dev/trustc/compiler"
	"github.com/trustc-dev/trustc/internal/synthetic"
	"github.com/trustc-dev/trustc/internal/synthetic/synthtest"
)

// TestDeterministicAcrossGOMAXPROCS compiles a repository of several
// environments, good and then broken in some of them, with one CPU and with
// eight: environments are evaluated concurrently, and neither the files
// nor the error report may depend on how that was scheduled.
func TestDeterministicAcrossGOMAXPROCS(t *testing.T) {
	root := synthtest.Repo(t, 5, 5)
	compile := func(procs int) (map[string][]byte, string) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		res, err := compiler.Compile(compiler.Dir(root), compiler.Options{})
		if err != nil {
			return nil, errors.Details(err, &errors.Config{Cwd: root, ToSlash: true})
		}
		files := map[string][]byte{}
		for _, env := range res.Release.Envs {
			for _, f := range env.Files() {
				files[env.Name+"/"+f.Name] = f.Bytes
			}
		}
		return files, ""
	}
	check := func(t *testing.T) {
		wantFiles, wantErr := compile(1)
		for run := range 2 {
			gotFiles, gotErr := compile(8)
			if diff := cmp.Diff(wantErr, gotErr); diff != "" {
				t.Errorf("run %d: errors with GOMAXPROCS=8 differ from GOMAXPROCS=1 (-1 +8):\n%s", run, diff)
			}
			if diff := cmp.Diff(wantFiles, gotFiles); diff != "" {
				t.Errorf("run %d: files with GOMAXPROCS=8 differ from GOMAXPROCS=1 (-1 +8):\n%s", run, diff)
			}
		}
	}
	t.Run("good", func(t *testing.T) {
		check(t)
	})
	t.Run("broken", func(t *testing.T) {
		// A problem in each of three environments, one of them in two places.
		for _, bad := range []struct{ env, file, data string }{
			{synthetic.EnvName(1), "rekor0.pub", "not a key\n"},
			{synthetic.EnvName(3), "ct1.pub", "not a key\n"},
			{synthetic.EnvName(3), "ca2.crt.pem", "not a certificate\n"},
			{synthetic.EnvName(4), "extra.cue", "package " + synthetic.EnvName(4) + "\n\nrekor: rekor0: shard: 1\n"},
		} {
			if err := os.WriteFile(filepath.Join(root, "environments", bad.env, bad.file), []byte(bad.data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want := `rekor.rekor0.shard: field not allowed:
    ./environments/env0004/extra.cue:3:16
rekor.rekor0.key: rekor0.pub holds no PEM block:
    ./environments/env0001/services.cue:5:7
ct.ct1.key: ct1.pub holds no PEM block:
    ./environments/env0003/services.cue:13:7
ca.ca2.chains.c.certs.0: ca2.crt.pem holds no PEM block:
    ./environments/env0003/services.cue:21:11
`
		if _, got := compile(1); got != want {
			t.Fatalf("errors (-want +got):\n%s", cmp.Diff(want, got))
		}
		check(t)
	})
}

// Package synthtest writes synthetic repositories (package synthetic)
// into a test's or benchmark's temporary directory. It holds the part of
// synthetic that needs package testing, so that synthetic, which
// cmd/synth builds into a program, does not depend on it.
package synthtest

import (
	"testing"

	"github.com/trustc-dev/trustc/internal/refdata"
	"github.com/trustc-dev/trustc/internal/synthetic"
)

// Repo writes a repository with envs environments of services services each
// into a new temporary directory and returns its root. Environments are
// named env0000, env0001, …; see synthetic.EnvironmentWith for what each holds.
func Repo(tb testing.TB, envs, services int) string {
	tb.Helper()
	return RepoWith(tb, envs, services, synthetic.Options{})
}

// RepoWith is Repo with rotation patterns.
func RepoWith(tb testing.TB, envs, services int, opts synthetic.Options) string {
	tb.Helper()
	root := tb.TempDir()
	if err := synthetic.Write(root, refdata.ModuleRoot(tb), envs, services, opts); err != nil {
		tb.Fatal(err)
	}
	return root
}

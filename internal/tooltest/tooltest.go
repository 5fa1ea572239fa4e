// Package tooltest runs tests that need a program outside Go (Chromium,
// Node.js and npm) only where it is installed.
//
// A missing program skips the test with a message that says what to
// install, so 'make test' works on a machine with Go and nothing else. CI
// installs the programs (.ci/run) and sets TRUSTC_REQUIRE_TOOLS, which
// turns that skip into a failure: a CI run that meant to render with
// Chromium must not pass by quietly not rendering. A program that is
// present and fails always fails the test.
package tooltest

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// RequireEnv names the environment variable that lists, comma-separated,
// the tools whose absence fails instead of skipping; "all" names every
// tool.
const RequireEnv = "TRUSTC_REQUIRE_TOOLS"

// Look returns the path of the first of names in PATH. When none is
// there, the test is skipped (or fails, when tool is required) with a
// message naming tool and how to install it.
func Look(tb testing.TB, tool, install string, names ...string) string {
	tb.Helper()
	for _, n := range names {
		if p, err := exec.LookPath(n); err == nil {
			return p
		}
	}
	Missing(tb, tool, "none of %s is in PATH; %s", strings.Join(names, ", "), install)
	return ""
}

// Missing skips the test because a prerequisite of tool is missing, or
// fails it when tool is required.
func Missing(tb testing.TB, tool, format string, args ...any) {
	tb.Helper()
	if Required(tool) {
		tb.Fatalf(tool+" is required here ("+RequireEnv+"="+os.Getenv(RequireEnv)+"), but "+format, args...)
		return
	}
	tb.Skipf("skipped, "+tool+" missing: "+format, args...)
}

// Required reports whether RequireEnv names tool.
func Required(tool string) bool {
	list := strings.Split(os.Getenv(RequireEnv), ",")
	for i := range list {
		list[i] = strings.TrimSpace(list[i])
	}
	return slices.Contains(list, tool) || slices.Contains(list, "all")
}

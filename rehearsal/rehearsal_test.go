package rehearsal

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// requireEnv is trustc's TRUSTC_REQUIRE_TOOLS (internal/tooltest): a
// comma-separated list of tools whose absence fails a test instead of
// skipping it. CI lists "rehearsal" and "node".
const requireEnv = "TRUSTC_REQUIRE_TOOLS"

func required(tool string) bool {
	list := strings.Split(os.Getenv(requireEnv), ",")
	for i := range list {
		list[i] = strings.TrimSpace(list[i])
	}
	return slices.Contains(list, tool) || slices.Contains(list, "all")
}

// missing skips, or fails where tool is required.
func missing(t *testing.T, tool, format string, args ...any) {
	t.Helper()
	if required(tool) {
		t.Fatalf(tool+" is required here ("+requireEnv+"="+os.Getenv(requireEnv)+"), but "+format, args...)
	}
	t.Skipf("skipped, "+tool+" missing: "+format, args...)
}

// TestRehearsal runs the whole rehearsal (make rehearse). It builds the
// pinned servers into TRUSTC_REHEARSAL_CACHE (default: the user cache
// directory) on first use, and writes report.md and every server's log to
// TRUSTC_REHEARSAL_OUT (default: a temporary directory). Without Node and
// js/node_modules it leaves sigstore-js out; TRUSTC_REHEARSAL_COSIGN=off
// leaves cosign out (its first build is the longest).
func TestRehearsal(t *testing.T) {
	if testing.Short() {
		t.Skip("the rehearsal builds and starts real servers; not in -short")
	}
	// The Rekor logs are served on 127.0.0.1:443 (see FrontAddr).
	ln, err := net.Listen("tcp", FrontAddr)
	if err != nil {
		missing(t, "rehearsal", "cannot listen on %s: %v (run as root, or grant CAP_NET_BIND_SERVICE)", FrontAddr, err)
		return
	}
	ln.Close()
	repo, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	out := os.Getenv("TRUSTC_REHEARSAL_OUT")
	if out == "" {
		out = t.TempDir()
	} else if err := clearOut(out); err != nil {
		t.Fatal(err)
	}
	cache := os.Getenv("TRUSTC_REHEARSAL_CACHE")
	if cache == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			t.Fatal(err)
		}
		cache = filepath.Join(dir, "trustc-rehearsal")
	}
	cfg := Config{
		Repo:   repo,
		Work:   out,
		Cache:  cache,
		JSDir:  filepath.Join(repo, "rehearsal", "js"),
		Cosign: os.Getenv("TRUSTC_REHEARSAL_COSIGN") != "off",
		// CI may list cosign to insist on it; otherwise a cosign that
		// does not build is left out and the report says so.
		CosignRequired: required("cosign"),
		Env:            os.Environ(),
		Logf:           t.Logf,
	}
	if !cfg.Cosign {
		cfg.Missing = append(cfg.Missing, "cosign (TRUSTC_REHEARSAL_COSIGN=off)")
	}
	if node, err := exec.LookPath("node"); err != nil {
		cfg.Missing = append(cfg.Missing, "sigstore-js (no node in PATH)")
	} else if _, err := os.Stat(filepath.Join(cfg.JSDir, "node_modules", "@sigstore", "verify")); err != nil {
		cfg.Missing = append(cfg.Missing, "sigstore-js (run npm ci in rehearsal/js)")
	} else {
		cfg.Node = node
	}
	if cfg.Node == "" && required("node") {
		t.Fatalf("node is required here (%s=%s), but sigstore-js cannot run: %v", requireEnv, os.Getenv(requireEnv), cfg.Missing)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 75*time.Minute)
	defer cancel()
	rep, err := Run(ctx, cfg)
	if rep != nil {
		path := filepath.Join(out, "report.md")
		if werr := os.WriteFile(path, []byte(rep.Markdown()), 0o644); werr != nil {
			t.Error(werr)
		}
		t.Logf("report: %s", path)
		for _, p := range rep.Problems {
			t.Errorf("not as expected: %s", p)
		}
		t.Log(rep.Summary())
	}
	if err != nil {
		t.Fatalf("rehearsal: %v (server logs in %s)", err, filepath.Join(out, "logs"))
	}
}

// clearOut empties out for a new run, but only if it is missing, empty, or
// what an earlier rehearsal left (it has report.md or logs/): a mistyped
// TRUSTC_REHEARSAL_OUT must not delete anything else.
func clearOut(out string) error {
	entries, err := os.ReadDir(out)
	if os.IsNotExist(err) || (err == nil && len(entries) == 0) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, marker := range []string{"report.md", "logs"} {
		if _, err := os.Stat(filepath.Join(out, marker)); err == nil {
			return os.RemoveAll(out)
		}
	}
	return fmt.Errorf("TRUSTC_REHEARSAL_OUT=%s holds files that no rehearsal wrote; choose an empty or new directory", out)
}

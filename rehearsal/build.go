package rehearsal

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Tool is a program the rehearsal builds from the Go module proxy at a
// pinned version. The versions are the newest that build with Go 1.26
// (later rekor-tiles and timestamp-authority releases need Go 1.27).
type Tool struct {
	Name    string
	Package string
	Version string
}

// Binary is the name go install gives the program.
func (t Tool) Binary() string { return filepath.Base(t.Package) }

// The pinned servers and cosign.
var (
	RekorTool  = Tool{"rekor-tiles (POSIX)", "github.com/sigstore/rekor-tiles/v2/cmd/rekor-server/posix", "v2.2.0"}
	TSATool    = Tool{"timestamp-authority", "github.com/sigstore/timestamp-authority/cmd/timestamp-server", "v1.2.9"}
	FulcioTool = Tool{"fulcio", "github.com/sigstore/fulcio", "v1.8.8"}
	CosignTool = Tool{"cosign", "github.com/sigstore/cosign/v3/cmd/cosign", "v3.1.3"}
)

// Build is how one program was obtained.
type Build struct {
	Tool     Tool
	Path     string
	Cached   bool
	Duration time.Duration
}

// buildTimeout bounds one go install: a cold fulcio or cosign build on two
// busy cores takes several minutes.
const buildTimeout = 30 * time.Minute

// install returns the program from cache, building it there first when it
// is missing. Each version has its own directory, so a new pin never runs
// an old binary.
func install(ctx context.Context, env []string, cache string, t Tool) (Build, error) {
	dir := filepath.Join(cache, t.Binary()+"@"+t.Version)
	path := filepath.Join(dir, t.Binary())
	if _, err := os.Stat(path); err == nil {
		return Build{Tool: t, Path: path, Cached: true}, nil
	}
	start := time.Now()
	env = append(env, "GOBIN="+dir, "GOFLAGS=-buildvcs=false")
	_, stderr, code, err := run(ctx, env, cache, buildTimeout, "nice", "go", "install", t.Package+"@"+t.Version)
	if err == nil && code != 0 {
		err = fmt.Errorf("go install %s@%s: exit %d: %s", t.Package, t.Version, code, stderr)
	}
	if err != nil {
		return Build{}, err
	}
	return Build{Tool: t, Path: path, Duration: time.Since(start)}, nil
}

// buildLocal builds a main package of a local module into out.
func buildLocal(ctx context.Context, env []string, moduleDir, pkg, out string) (Build, error) {
	start := time.Now()
	_, stderr, code, err := run(ctx, env, moduleDir, buildTimeout, "nice", "go", "build", "-o", out, pkg)
	if err == nil && code != 0 {
		err = fmt.Errorf("go build %s: exit %d: %s", pkg, code, stderr)
	}
	if err != nil {
		return Build{}, err
	}
	return Build{Tool: Tool{Name: filepath.Base(out), Package: pkg, Version: "local"}, Path: out, Duration: time.Since(start)}, nil
}

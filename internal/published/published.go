// Package published reads Sigstore's published releases from the reference
// data in the repository (testdata/sigstore, see internal/refdata) into
// release.Release values, one per published TUF targets version, so that
// tests of policy, review, clients and timeline run on real history rather
// than on invented files.
//
// Which files make a release, and when it was published, comes from the
// reference data's manifest: history/<env>/vNN holds the signed targets
// metadata of version NN and every file it lists, byte for byte.
package published

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/trustc-dev/trustc/internal/refdata"
	"github.com/trustc-dev/trustc/release"
)

// Version is one published targets version of an environment.
type Version struct {
	Env     string
	Version int
	// Published is when the release landed on the TUF repository's main
	// branch (the commit whose snapshot first names this version).
	Published  time.Time
	Repository string
	Commit     string
	// Dir is the absolute path of the release's files: its targets.json
	// and every target it lists.
	Dir string
}

// Releases returns every published release of env ("production" or
// "staging") that holds trust files, oldest first. Versions that were
// signed but never published are absent, so consecutive entries are the
// transitions clients actually saw.
func Releases(tb refdata.TB, env string) []Version {
	tb.Helper()
	dir := refdata.Dir(tb)
	var out []Version
	for _, r := range refdata.ReadManifest(tb).Releases {
		if r.Env != env {
			continue
		}
		out = append(out, Version{
			Env:        r.Env,
			Version:    r.Version,
			Published:  r.Published,
			Repository: r.Repository,
			Commit:     r.Commit,
			Dir:        filepath.Join(dir, filepath.FromSlash(r.Dir)),
		})
	}
	if len(out) == 0 {
		tb.Fatalf("published: no releases of %q in the reference data", env)
	}
	slices.SortFunc(out, func(a, b Version) int { return a.Version - b.Version })
	return out
}

// Lookup returns version v of env.
func Lookup(tb refdata.TB, env string, v int) Version {
	tb.Helper()
	for _, r := range Releases(tb, env) {
		if r.Version == v {
			return r
		}
	}
	tb.Fatalf("published: no %s version %d", env, v)
	return Version{}
}

// Read reads the version's trust files as one environment named after its
// Env. TUF metadata and legacy key targets in its directory are ignored, as
// release.ReadEnv ignores them. It fails where trustc cannot read what was
// published: staging v10's signing_config.json has no mediaType, and
// staging v19's trusted root an invalid timestamp.
func (v Version) Read() (*release.Release, error) {
	rel, err := release.Read(os.DirFS(v.Dir), v.Env)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", v, err)
	}
	return rel, nil
}

// Release is Read for tests: an error fails tb.
func (v Version) Release(tb refdata.TB) *release.Release {
	tb.Helper()
	rel, err := v.Read()
	if err != nil {
		tb.Fatalf("published: %v", err)
	}
	return rel
}

// String names the version as the history's directories do: production/v06.
func (v Version) String() string { return fmt.Sprintf("%s/v%02d", v.Env, v.Version) }

// ProductionVersions are the production targets versions the review and
// timeline tests compare, oldest first: the ones since the GitHub TSA
// (v10). Releases lists the whole history.
var ProductionVersions = []int{10, 11, 12, 13, 14}

// published is the day each production version was first taken as its
// publication by the review and timeline goldens: the commit that signed
// its targets metadata (v13: the commit that changed its trusted root).
// The manifest's dates are the later moments the snapshot on main first
// named each version; the goldens keep these until someone regenerates
// them on purpose.
var published = map[int]time.Time{
	10: date(2024, 9, 2),
	11: date(2025, 1, 30),
	12: date(2025, 7, 11),
	13: date(2025, 9, 22),
	14: date(2026, 5, 16),
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// ProductionPublished returns the day production version v was signed, as
// the review and timeline goldens use it.
func ProductionPublished(v int) time.Time {
	t, ok := published[v]
	if !ok {
		panic(fmt.Sprintf("published: no production version %d", v))
	}
	return t
}

// Production returns production as published in targets version v, as one
// environment named "production".
func Production(tb refdata.TB, v int) *release.Release {
	tb.Helper()
	return Lookup(tb, "production", v).Release(tb)
}

// Staging returns the latest staging release, including the legacy v0.1
// signing config.
func Staging(tb refdata.TB) *release.Release {
	tb.Helper()
	rs := Releases(tb, "staging")
	return rs[len(rs)-1].Release(tb)
}

// Merge returns one release holding the environments of all rels, sorted by
// name as release.Read sorts them.
func Merge(rels ...*release.Release) *release.Release {
	out := &release.Release{}
	for _, r := range rels {
		out.Envs = append(out.Envs, r.Envs...)
	}
	slices.SortFunc(out.Envs, func(a, b *release.Env) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Package published assembles Sigstore's published trust files from the
// shared reference data (../shared/sigstore) into release.Release values, one
// per published TUF targets version, so that tests of review, clients and
// timeline run on real history rather than on invented files.
//
// Which file belongs to which version comes from the signed targets.json
// metadata kept beside the files (see the reference data's README): a
// version lists exactly the files below, byte for byte.
package published

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/trustc-dev/trustc/internal/sharedtest"
	"github.com/trustc-dev/trustc/release"
)

// ProductionVersions are the production targets versions Production knows,
// oldest first. v13 is not in the reference data as metadata; its files are
// inferred from the README: v13's trusted root is byte-identical to v14's and
// v14 only added signing_config_rekor_v2.v0.2.json.
var ProductionVersions = []int{10, 11, 12, 13, 14}

// published is the date of the commit that signed each production version
// (v13: the commit that changed its trusted root), as the README records it.
var published = map[int]time.Time{
	10: date(2024, 9, 2),
	11: date(2025, 1, 30),
	12: date(2025, 7, 11),
	13: date(2025, 9, 22),
	14: date(2026, 5, 16),
}

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// ProductionPublished returns the day production version v was published.
func ProductionPublished(v int) time.Time {
	t, ok := published[v]
	if !ok {
		panic(fmt.Sprintf("published: no production version %d", v))
	}
	return t
}

// Production returns production as published in targets version v, as one
// environment named "production".
func Production(tb testing.TB, v int) *release.Release {
	tb.Helper()
	files := map[string][]string{}
	switch v {
	case 10, 11, 12:
		files[release.TrustedRootName] = []string{"production", "history", fmt.Sprintf("targets-v%d.trusted_root.json", v)}
	case 13, 14:
		files[release.TrustedRootName] = []string{"production", release.TrustedRootName}
	default:
		tb.Fatalf("published: no production version %d", v)
	}
	if v >= 11 {
		files[release.LegacySigningConfigName] = []string{"production", "targets", release.LegacySigningConfigName}
	}
	if v >= 12 {
		files["signing_config.v0.2.json"] = []string{"production", "signing_config.v0.2.json"}
	}
	if v >= 14 {
		files["signing_config_rekor_v2.v0.2.json"] = []string{"production", "signing_config_rekor_v2.v0.2.json"}
	}
	return read(tb, "production", files)
}

// Staging returns the current staging files, including the legacy v0.1
// signing config that lives under targets/.
func Staging(tb testing.TB) *release.Release {
	tb.Helper()
	return read(tb, "staging", map[string][]string{
		release.TrustedRootName:             {"staging", release.TrustedRootName},
		release.LegacySigningConfigName:     {"staging", "targets", release.LegacySigningConfigName},
		"signing_config.v0.2.json":          {"staging", "signing_config.v0.2.json"},
		"signing_config_rekor_v2.v0.2.json": {"staging", "signing_config_rekor_v2.v0.2.json"},
	})
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

func read(tb testing.TB, env string, files map[string][]string) *release.Release {
	tb.Helper()
	fsys := fstest.MapFS{}
	for name, elem := range files {
		fsys[env+"/"+name] = &fstest.MapFile{Data: sharedtest.ReadFile(tb, elem...)}
	}
	rel, err := release.Read(fsys, env)
	if err != nil {
		tb.Fatal(err)
	}
	return rel
}

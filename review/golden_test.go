package review

import (
	"fmt"
	"testing"
	"time"

	prototrustroot "github.com/sigstore/protobuf-specs/gen/pb-go/trustroot/v1"
	"github.com/trustc-dev/trustc/internal/goldenfile"
	"github.com/trustc-dev/trustc/internal/published"
	"github.com/trustc-dev/trustc/internal/timetest"
	"github.com/trustc-dev/trustc/release"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// snapshotDay is the day the reference data was copied.
var snapshotDay = time.Date(2026, 8, 21, 0, 0, 0, 0, time.UTC)

// transition is a pair of releases reviewed as of a time.
type transition struct {
	name     string // the golden file's name without its extension
	old, new *release.Release
	now      time.Time
	formats  []string // of the golden files; markdown when nil
}

// history lists the real transitions the golden reviews show: each
// production transition since v10 as of the day the newer version was
// published, v12 to current as one step, read the day log2025-1 entered
// the trusted root (before its signing window opens), and the first
// staging release.
//
// It ends with the releases that fixed how an entry was published, each as
// of its publication: production v6 → v7 put Fulcio's chain leaf first,
// staging v16 → v17 corrected a log's id (same key, same URL; v2 → v3 did
// too, before the history has trust files), staging v23 → v24 withdrew a
// verification end not yet reached. Each must read as a correction or an
// extension, not as an entry removed and another added.
func history(t *testing.T) []transition {
	prod := func(v int) *release.Release { return published.Production(t, v) }
	correction := func(env string, old, new int) transition {
		nv := published.Lookup(t, env, new)
		return transition{fmt.Sprintf("%s-v%02d-v%02d", env, old, new), published.Lookup(t, env, old).Release(t), nv.Release(t), nv.Published, nil}
	}
	return []transition{
		{"production-v10-v11", prod(10), prod(11), published.ProductionPublished(11), nil},
		{"production-v11-v12", prod(11), prod(12), published.ProductionPublished(12), nil},
		{"production-v12-v13", prod(12), prod(13), published.ProductionPublished(13), nil},
		{"production-v13-v14", prod(13), prod(14), published.ProductionPublished(14), nil},
		{"production-v12-v14", prod(12), prod(14), published.ProductionPublished(13), Formats},
		{"staging-initial", nil, published.Staging(t), snapshotDay, nil},
		correction("production", 6, 7),
		correction("staging", 16, 17),
		correction("staging", 23, 24),
	}
}

// TestGoldenHistory reviews each transition of history. The goldens are
// written by this test (-update) and read by people.
func TestGoldenHistory(t *testing.T) {
	ext := map[string]string{"markdown": ".md", "text": ".txt", "json": ".json"}
	for _, tc := range history(t) {
		formats := tc.formats
		if formats == nil {
			formats = []string{"markdown"}
		}
		for _, format := range formats {
			file := tc.name + ext[format]
			t.Run(file, func(t *testing.T) {
				got, err := Diff(tc.old, tc.new, Options{Now: tc.now}).Render(format)
				if err != nil {
					t.Fatal(err)
				}
				goldenfile.Testdata(t, file, got)
			})
		}
	}
}

// TestGoldenEdits reviews edits the real history lacks: a signing window
// moved in a file both releases have, and a log whose trust ends in the
// past.
func TestGoldenEdits(t *testing.T) {
	base := published.Production(t, 14)
	moved := proto.Clone(base.Envs[0].SigningConfig("signing_config_rekor_v2.v0.2.json").Msg).(*prototrustroot.SigningConfig)
	moved.RekorTlogUrls[0].ValidFor.Start = timestamppb.New(timetest.Parse("2026-03-01T00:00:00Z"))
	ended := proto.Clone(base.Envs[0].TrustedRoot.Msg).(*prototrustroot.TrustedRoot)
	ended.Tlogs[0].PublicKey.ValidFor.End = timestamppb.New(timetest.Parse("2026-01-01T00:00:00Z"))
	for _, tc := range []struct {
		file string
		new  *release.Release
		now  time.Time
	}{
		{"edit-move-log2025-1-signing-start.md", withSigningConfig(t, base, "signing_config_rekor_v2.v0.2.json", moved), timetest.Parse("2025-12-01T00:00:00Z")},
		{"edit-end-rekor-v1-trust-in-the-past.md", withTrustedRoot(t, base, ended), snapshotDay},
	} {
		t.Run(tc.file, func(t *testing.T) {
			goldenfile.Testdata(t, tc.file, Diff(base, tc.new, Options{Now: tc.now}).Markdown())
		})
	}
}

// withSigningConfig returns rel with its first environment's signing
// config name replaced by m.
func withSigningConfig(t testing.TB, rel *release.Release, name string, m *prototrustroot.SigningConfig) *release.Release {
	t.Helper()
	b, err := protojson.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	e := *rel.Envs[0]
	e.SigningConfigs = nil
	for _, f := range rel.Envs[0].SigningConfigs {
		if f.Name == name {
			f = &release.SigningConfigFile{Name: name, Bytes: b, Msg: m}
		}
		e.SigningConfigs = append(e.SigningConfigs, f)
	}
	return &release.Release{Envs: []*release.Env{&e}}
}

package published

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trustc-dev/trustc/internal/refdata"
	"github.com/trustc-dev/trustc/release"
)

// TestReleases checks the history as the manifest lists it: every
// published version with trust files, in order, each readable as a release.
// Staging v14, v22 and v26 were signed but never named by a snapshot on
// main, so clients never saw them. Staging v10 published a v0.1
// signing_config.json without mediaType (v11 added it), which
// release.ReadEnv refuses, and staging v19's trusted root holds the
// timestamp "2025-09-04:00:00Z" (v20 fixed it 21 minutes later).
func TestReleases(t *testing.T) {
	for _, tc := range []struct {
		env      string
		versions []int
		readErr  map[int]string
	}{
		{"production", []int{6, 7, 8, 9, 10, 11, 12, 13, 14}, nil},
		{"staging", []int{4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17, 18, 19, 20, 21, 23, 24, 25, 27, 28}, map[int]string{
			10: `read staging/v10: staging: parse signing_config.json: mediaType "" is not application/vnd.dev.sigstore.signingconfig.v0.1+json`,
			19: `read staging/v19: staging: parse trusted_root.json: proto: (line 26:18): invalid google.protobuf.Timestamp value "2025-09-04:00:00Z"`,
		}},
	} {
		t.Run(tc.env, func(t *testing.T) {
			rels := Releases(t, tc.env)
			var got []int
			for i, r := range rels {
				got = append(got, r.Version)
				if i > 0 && r.Published.Before(rels[i-1].Published) {
					t.Errorf("%s published %s, before %s (%s)", r, r.Published, rels[i-1], rels[i-1].Published)
				}
				if len(r.Commit) != 40 || r.Env != tc.env {
					t.Errorf("%s: commit %q env %q", r, r.Commit, r.Env)
				}
				rel, err := r.Read()
				gotErr := ""
				if err != nil {
					// protojson picks a space or U+00A0 at random in its
					// messages so that no one depends on them; we only
					// need to know it is the same problem.
					gotErr = strings.ReplaceAll(err.Error(), "\u00a0", " ")
				}
				if gotErr != tc.readErr[r.Version] {
					t.Errorf("%s: read error %q, want %q", r, gotErr, tc.readErr[r.Version])
				}
				if err != nil {
					continue
				}
				env := rel.Env(tc.env)
				if env == nil || env.TrustedRoot == nil {
					t.Fatalf("%s: no %s environment with a trusted root", r, tc.env)
				}
				want, err := os.ReadFile(filepath.Join(r.Dir, release.TrustedRootName))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(env.TrustedRoot.Bytes, want) {
					t.Errorf("%s: trusted root is not the file's bytes", r)
				}
			}
			if diff := cmp.Diff(tc.versions, got); diff != "" {
				t.Errorf("versions (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLatest checks that the newest release of each environment is the
// current published one the other tests compare with, file for file.
func TestLatest(t *testing.T) {
	for _, tc := range []struct {
		env  string
		rel  *release.Release
		want map[string][]string
	}{
		{"production", Production(t, 14), map[string][]string{
			release.TrustedRootName:             {"production", release.TrustedRootName},
			release.LegacySigningConfigName:     {"production", "targets", release.LegacySigningConfigName},
			"signing_config.v0.2.json":          {"production", "signing_config.v0.2.json"},
			"signing_config_rekor_v2.v0.2.json": {"production", "signing_config_rekor_v2.v0.2.json"},
		}},
		{"staging", Staging(t), map[string][]string{
			release.TrustedRootName:             {"staging", release.TrustedRootName},
			release.LegacySigningConfigName:     {"staging", "targets", release.LegacySigningConfigName},
			"signing_config.v0.2.json":          {"staging", "signing_config.v0.2.json"},
			"signing_config_rekor_v2.v0.2.json": {"staging", "signing_config_rekor_v2.v0.2.json"},
		}},
	} {
		t.Run(tc.env, func(t *testing.T) {
			got := map[string][]byte{}
			for _, f := range tc.rel.Env(tc.env).Files() {
				got[f.Name] = f.Bytes
			}
			want := map[string][]byte{}
			for name, elem := range tc.want {
				want[name] = refdata.ReadFile(t, elem...)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
		})
	}
}

// TestProductionHistoryCopies checks that the older production/history
// copies are the history's own files for v10 to v12.
func TestProductionHistoryCopies(t *testing.T) {
	for _, v := range []int{10, 11, 12} {
		r := Lookup(t, "production", v)
		for _, name := range []string{"targets.json", release.TrustedRootName} {
			old := refdata.ReadFile(t, "production", "history", fmt.Sprintf("targets-v%d.%s", v, name))
			cur, err := os.ReadFile(filepath.Join(r.Dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(old, cur) {
				t.Errorf("production/history/targets-v%d.%s differs from %s/%s", v, name, r, name)
			}
		}
	}
}

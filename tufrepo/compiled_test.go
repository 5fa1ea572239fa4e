package tufrepo_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trustc-dev/trustc/compiler"
	"github.com/trustc-dev/trustc/internal/checkout"
	"github.com/trustc-dev/trustc/internal/refdata"
	"github.com/trustc-dev/trustc/tufrepo"
)

// TestCompiledTargetsMatchPublished compiles the real environments and
// checks every target entry trustc would publish against Sigstore's signed
// targets.json: the same names, the same custom metadata for every target,
// and the same length and sha256 wherever our bytes are the published
// bytes. The files whose bytes differ are exactly those docs/published-differences.md lists
// as canonicalised (field order, .000Z timestamps, staging whitespace).
func TestCompiledTargetsMatchPublished(t *testing.T) {
	root := refdata.ModuleRoot(t)
	res, err := compiler.Compile(compiler.Dir(root), compiler.Options{})
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	wantRewritten := map[string][]string{
		"production": {"signing_config.v0.2.json", "signing_config_rekor_v2.v0.2.json"},
		"staging":    {"signing_config.v0.2.json", "signing_config_rekor_v2.v0.2.json", "trusted_root.json"},
	}
	for _, envName := range checkout.Environments(t, root, "production", "staging") {
		t.Run(envName, func(t *testing.T) {
			md, published := publishedTargets(t, envName)
			env := res.Release.Env(envName)
			if env == nil {
				t.Fatalf("no compiled environment %s", envName)
			}
			got := tufrepo.TargetsFromEnv(env)

			var gotNames, wantNames []string
			for _, tgt := range got {
				gotNames = append(gotNames, tgt.Name)
			}
			for _, tgt := range published {
				wantNames = append(wantNames, tgt.Name)
			}
			if diff := cmp.Diff(wantNames, gotNames); diff != "" {
				t.Fatalf("target names (-published +compiled):\n%s", diff)
			}

			var rewritten []string
			for i, tgt := range got {
				t.Run(tgt.Name, func(t *testing.T) {
					gotEntry, err := tufrepo.TargetFile(tgt)
					if err != nil {
						t.Fatal(err)
					}
					g, w := toEntry(t, gotEntry), toEntry(t, md.Signed.Targets[tgt.Name])
					if diff := cmp.Diff(w.Custom, g.Custom); diff != "" {
						t.Errorf("custom (-published +compiled):\n%s", diff)
					}
					if !bytes.Equal(tgt.Data, published[i].Data) {
						rewritten = append(rewritten, tgt.Name)
						return
					}
					if diff := cmp.Diff(w, g); diff != "" {
						t.Errorf("entry (-published +compiled):\n%s", diff)
					}
				})
			}
			slices.Sort(rewritten)
			if diff := cmp.Diff(wantRewritten[envName], rewritten); diff != "" {
				t.Errorf("targets whose bytes differ from the published ones (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLegacyTargetsAreMaterial checks that each legacy target is the
// environment's material file itself, byte for byte.
func TestLegacyTargetsAreMaterial(t *testing.T) {
	root := refdata.ModuleRoot(t)
	res, err := compiler.Compile(compiler.Dir(root), compiler.Options{})
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	// Sigstore's environments publish 7 legacy targets each; a fork's
	// environments are checked file by file only.
	want := map[string]int{"production": 7, "staging": 7}
	for _, env := range res.Release.Envs {
		n := 0
		for _, tgt := range env.Targets {
			b, err := os.ReadFile(filepath.Join(root, "environments", env.Name, tgt.Name))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b, tgt.Bytes) {
				t.Errorf("%s/%s: target bytes differ from the material file", env.Name, tgt.Name)
			}
			n++
		}
		if w, ok := want[env.Name]; ok && n != w {
			t.Errorf("%s: %d legacy targets, want %d", env.Name, n, w)
		}
	}
}

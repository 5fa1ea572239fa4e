package compiler_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	"cuelang.org/go/cue/errors"
	"github.com/google/go-cmp/cmp"

	"github.com/trustc-dev/trustc/compiler"
	"github.com/trustc-dev/trustc/compiler/check"
	"github.com/trustc-dev/trustc/compiler/derive"
	"github.com/trustc-dev/trustc/compiler/load"
	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/internal/published"
	"github.com/trustc-dev/trustc/internal/refdata"
	"github.com/trustc-dev/trustc/release"
)

// models derives a published release, its positions under dir.
func models(t *testing.T, rel *release.Release, dir string) map[string]*model.Environment {
	t.Helper()
	res, err := compiler.Compile(compiler.Published(rel, load.JSONOptions{Dir: dir}), compiler.Options{NoRules: true})
	if err != nil {
		t.Fatal(err)
	}
	return byName(res.Envs)
}

func byName(envs []*model.Environment) map[string]*model.Environment {
	out := map[string]*model.Environment{}
	for _, e := range envs {
		out[e.Name] = e
	}
	return out
}

// TestHistory checks each published production release (its trusted root
// and signing configs, from the reference data's history) as a transition
// from its predecessor, at the moment the snapshot on main first named it,
// with no policy beyond the rules themselves (no waiting period): what is
// left is the one flaw no policy excuses, explained in docs/policy.md, and
// advice. internal/cli's TestHistoryVerdicts checks staging too, with
// Sigstore's policy, as a user runs trustc check.
func TestHistory(t *testing.T) {
	want := map[int]string{
		// The root-first Fulcio chain put leaf first: a correction.
		7: `certificateAuthorities[1]: note: immutable: ca "fulcio.sigstore.dev" chain "certificateAuthorities[1]": chain reordered leaf first (the same certificates; a correction):
    next/trusted_root.json:38:5
`,
		// Advice: clients check the certificate's validity themselves.
		10: `timestampAuthorities[0].validFor: warning: material: tsa "GitHub, Inc. Internal Services Root" chain "timestampAuthorities[0]": certificate 0 (CN=TSA Timestamping,O=GitHub\, Inc.) expired 2024-04-13T00:00:00Z but the window is still open; end the window at 2024-04-13T00:00:00Z:
    next/trusted_root.json:109:19
`,
		11: `tsa: nothing-disappears: tsa "GitHub, Inc. Internal Services Root" chain "timestampAuthorities[0]" (verification from 2023-04-14T00:00:00Z on) was in the previous trusted root and is gone; signatures made with it would stop verifying; restore it, or retire it under retired with its material and a reason once its window has ended:
    next/trusted_root.json:1:1
`,
	}
	rels := published.Releases(t, "production")
	for i, next := range rels[1:] {
		prev := rels[i]
		t.Run(fmt.Sprintf("v%d-v%d", prev.Version, next.Version), func(t *testing.T) {
			// The base is read leniently, as trustc check reads one: its
			// own flaws are history, not the transition's (targets v6
			// published its Fulcio chain root first, which derive reports).
			base := compiler.Published(prev.Release(t), load.JSONOptions{Dir: "base"})
			err := compiler.Report(compiler.Compile(compiler.Published(next.Release(t), load.JSONOptions{Dir: "next"}), compiler.Options{Now: next.Published, Base: &base}))
			got := ""
			if err != nil {
				got = errors.Details(err, &errors.Config{ToSlash: true})
			}
			if diff := cmp.Diff(want[next.Version], got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPublishedAsJSON checks the published environments as plain JSON,
// with the policy the CUE environments declare where JSON cannot say it.
// Both pass. Staging's front has no trusted-root entry: until -front names
// its shards, the loader takes the ones trustc import would choose, and
// says so in a note.
func TestPublishedAsJSON(t *testing.T) {
	now := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		env    string
		fronts map[string][]string
		notes  int
	}{
		{"production", nil, 0},
		{"staging", nil, 1},
		{"staging", map[string][]string{"https://global.rekor.sigstage.dev": {"https://log2026-1.us-east4.rekor.sigstage.dev"}}, 0},
	} {
		rel, err := release.Read(os.DirFS(refdata.Path(t, tc.env)), tc.env)
		if err != nil {
			t.Fatal(err)
		}
		// Only the loader's notes: the rules find nothing.
		res, err := compiler.Compile(compiler.Published(rel, load.JSONOptions{Dir: tc.env, Fronts: tc.fronts}), compiler.Options{Now: now})
		if err != nil {
			t.Fatal(err)
		}
		if got := len(errors.Errors(res.Advice)); got != tc.notes {
			t.Errorf("%s with fronts %v: %d notes, want %d:\n%s", tc.env, tc.fronts, got, tc.notes, errors.Details(res.Advice, nil))
		}
	}
}

// FuzzFromRelease feeds arbitrary bytes as a trusted root and a signing
// config through loading, derivation and every rule: errors, never
// panics. The seeds are the published files.
func FuzzFromRelease(f *testing.F) {
	for _, env := range []string{"production", "staging"} {
		tr, _ := os.ReadFile(refdata.Path(f, env, "trusted_root.json"))
		sc, _ := os.ReadFile(refdata.Path(f, env, "signing_config.v0.2.json"))
		f.Add(tr, sc)
	}
	f.Add([]byte(`{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1","tlogs":[{"publicKey":{"rawBytes":"AAAA"}}]}`), []byte(`{}`))
	now := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, trBytes, scBytes []byte) {
		tr, err := release.ParseTrustedRoot(release.TrustedRootName, trBytes)
		if err != nil {
			return
		}
		env := &release.Env{Name: "fuzz", TrustedRoot: tr}
		if sc, err := release.ParseSigningConfig("signing_config.v0.2.json", scBytes); err == nil {
			env.SigningConfigs = append(env.SigningConfigs, sc)
		}
		m, err := load.FromRelease(env, load.JSONOptions{Dir: "fuzz", TUFTimestampExpiry: 7 * 24 * time.Hour})
		if m == nil {
			return
		}
		if derive.Environment(m) != nil {
			// The policy must cope with material that did not derive.
			if check.Structure(m) == nil {
				_ = check.Policy(m, check.Options{Now: now})
			}
			return
		}
		// A release is its own base: rules 6 to 9 must find nothing.
		src := compiler.Published(&release.Release{Envs: []*release.Env{env}}, load.JSONOptions{Dir: "fuzz", TUFTimestampExpiry: 7 * 24 * time.Hour})
		_, err = compiler.Compile(src, compiler.Options{Now: now, Base: &src})
		for _, e := range errors.Errors(err) {
			if v, ok := e.(*check.Violation); ok && (v.Rule == check.RuleImmutable || v.Rule == check.RuleNothingDisappears) {
				t.Fatalf("a release differs from itself: %v", e)
			}
		}
	})
}

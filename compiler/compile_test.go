package compiler_test

import (
	"maps"
	"slices"
	"testing"
	"testing/fstest"

	"cuelang.org/go/cue/errors"

	"github.com/trustc-dev/trustc/compiler"
	"github.com/trustc-dev/trustc/compiler/check"
	"github.com/trustc-dev/trustc/compiler/load"
	"github.com/trustc-dev/trustc/compiler/model"
)

// TestCompileOptions checks what each option makes Compile return for a
// repository whose policy is broken (a Rekor log trusted after signing
// to it starts): generate's pass refuses it, a review emits beside the
// finding, a base reader sees no rules at all.
func TestCompileOptions(t *testing.T) {
	t.Parallel()
	root := fixture(t)
	edit(t, root, "services.cue", `sign: rekorV2: start: "2026-01-01T00:00:00Z"`, `sign: rekorV2: start: "2025-10-01T00:00:00Z"`)
	for _, tc := range []struct {
		name        string
		opts        compiler.Options
		wantErr     []string // rules of the error's problems
		wantAdvice  []string // rules of Result.Advice
		wantRelease bool
	}{
		{"generate", compiler.Options{}, []string{check.RuleWaitingPeriod}, nil, false},
		{"review", compiler.Options{Review: true}, nil, []string{check.RuleWaitingPeriod}, true},
		{"no rules", compiler.Options{NoRules: true}, nil, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := compiler.Compile(compiler.Dir(root), tc.opts)
			if res == nil {
				t.Fatalf("no result: %v", err)
			}
			if got := rules(err); !slices.Equal(got, tc.wantErr) {
				t.Errorf("error's rules %v, want %v:\n%s", got, tc.wantErr, errors.Details(err, nil))
			}
			if got := rules(res.Advice); !slices.Equal(got, tc.wantAdvice) {
				t.Errorf("advice's rules %v, want %v", got, tc.wantAdvice)
			}
			if got := rules(res.EnvAdvice[0]); !slices.Equal(got, tc.wantAdvice) {
				t.Errorf("the environment's advice %v, want %v", got, tc.wantAdvice)
			}
			if (res.Release != nil) != tc.wantRelease {
				t.Errorf("release %v, want one: %v", res.Release != nil, tc.wantRelease)
			}
			if len(res.Envs) != 1 || res.Envs[0].Rekor[0].PublicKey == nil {
				t.Errorf("the environment is not derived")
			}
			if got := rules(compiler.Report(res, err)); !slices.Equal(got, append(tc.wantErr, tc.wantAdvice...)) {
				t.Errorf("Report's rules %v, want every problem", got)
			}
		})
	}
}

// TestCompileLoadFails checks what comes back for CUE that loads with a
// problem: generate's pass derives and checks what loaded, so that one run
// reports everything; a review returns no result, as nothing is left to
// review.
func TestCompileLoadFails(t *testing.T) {
	t.Parallel()
	root := fixture(t)
	edit(t, root, "services.cue", `sign: rekorV2: start: "2026-01-01T00:00:00Z"`, `sign: rekorV2: start: "yesterday"`)
	res, err := compiler.Compile(compiler.Dir(root), compiler.Options{})
	if res == nil || res.Release != nil || err == nil {
		t.Errorf("generate: result %v, error %v; want models, no release and an error", res != nil, err)
	}
	res, err = compiler.Compile(compiler.Dir(root), compiler.Options{Review: true})
	if res != nil || err == nil {
		t.Errorf("review: result %v, error %v; want none and an error", res != nil, err)
	}
}

// TestCompilePublished compiles a compiled release as published JSON: the
// same rules pass, and the release returned is the one given.
func TestCompilePublished(t *testing.T) {
	t.Parallel()
	res, err := compiler.Compile(compiler.Dir(fixture(t)), compiler.Options{})
	if err != nil {
		t.Fatal(err)
	}
	again, err := compiler.Compile(compiler.Published(res.Release, load.JSONOptions{Dir: "golden"}), compiler.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Release != res.Release {
		t.Errorf("a published source came back as another release")
	}
	if len(again.Envs) != 1 || again.Envs[0].Name != "test" {
		t.Errorf("models %v, want the one environment test", len(again.Envs))
	}
}

// TestCompileBase checks that Compile reads and derives Options.Base
// itself: rules 6 to 9 run against it, a base that cannot be read skips
// them and says why, and a head that does not load still returns what the
// base came to, for the caller to report first.
func TestCompileBase(t *testing.T) {
	t.Parallel()
	// The base ended a verification window the head withdraws: immutable.
	baseRoot := fixture(t)
	edit(t, baseRoot, "services.cue", `verify: start: "2025-09-23T00:00:00Z"`, `verify: {start: "2025-09-23T00:00:00Z", end: "2026-06-01T00:00:00Z"}`)
	edit(t, baseRoot, "services.cue", `sign: rekorV2: start: "2026-01-01T00:00:00Z"`, `sign: rekorV2: {start: "2026-01-01T00:00:00Z", end: "2026-03-01T00:00:00Z"}`)
	compiled, err := compiler.Compile(compiler.Dir(baseRoot), compiler.Options{})
	if err != nil {
		t.Fatal(err)
	}
	golden := fstest.MapFS{}
	for _, f := range compiled.Release.Envs[0].Files() {
		golden["test/"+f.Name] = &fstest.MapFile{Data: f.Bytes}
	}
	broken := maps.Clone(golden)
	broken["test/trusted_root.json"] = &fstest.MapFile{Data: []byte("{}")}
	good, bad := fixture(t), fixture(t)
	edit(t, bad, "services.cue", `sign: rekorV2: start: "2026-01-01T00:00:00Z"`, `sign: rekorV2: start: "2026-01-01T00:00:00Z" }`)
	for _, tc := range []struct {
		name       string
		head       string
		base       fstest.MapFS
		wantRules  []string // rules of the head's problems
		wantBase   bool     // Result.Base holds the environment
		wantErr    bool     // Result.BaseErr is set
		wantLoaded bool     // the head loaded
	}{
		{"read", good, golden, []string{check.RuleImmutable}, true, false, true},
		{"unreadable", good, broken, nil, false, true, true},
		{"head does not load", bad, golden, []string{model.RuleInput}, true, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := compiler.PublishedFS(tc.base, "", load.JSONOptions{Dir: "golden"})
			res, err := compiler.Compile(compiler.Dir(tc.head), compiler.Options{Now: corpusNow, Base: &base})
			if res == nil {
				t.Fatalf("no result: %v", err)
			}
			var got []string
			for _, r := range rules(compiler.Report(res, err)) {
				if !slices.Contains(got, r) {
					got = append(got, r)
				}
			}
			if !slices.Equal(got, tc.wantRules) {
				t.Errorf("rules %v, want %v:\n%s", got, tc.wantRules, errors.Details(compiler.Report(res, err), nil))
			}
			if (res.Base["test"] != nil) != tc.wantBase {
				t.Errorf("base derived %v, want %v", res.Base["test"] != nil, tc.wantBase)
			}
			if (res.BaseErr != nil) != tc.wantErr {
				t.Errorf("base error %v, want one: %v", res.BaseErr, tc.wantErr)
			}
			if (res.Envs != nil) != tc.wantLoaded {
				t.Errorf("head loaded %v, want %v", res.Envs != nil, tc.wantLoaded)
			}
			if res.BaseProblems != nil {
				t.Errorf("base problems: %v", res.BaseProblems)
			}
		})
	}
}

func rules(err error) []string {
	var out []string
	for _, p := range model.Problems(err) {
		out = append(out, p.Rule)
	}
	return out
}

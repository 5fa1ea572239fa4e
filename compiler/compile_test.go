package compiler_test

import (
	"slices"
	"testing"

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

func rules(err error) []string {
	var out []string
	for _, p := range model.Problems(err) {
		out = append(out, p.Rule)
	}
	return out
}

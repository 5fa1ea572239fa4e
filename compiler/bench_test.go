package compiler_test

// Benchmarks for issue 7, "fast at one environment and at a thousand".
// Run them with 'make bench' (benchstat-ready output); nothing here asserts
// on time, since a timed test fails on a busy machine, not on slow code.
// The bars are read from the output: see docs/performance.md.

import (
	"fmt"
	"testing"
	"time"

	"github.com/trustc-dev/trustc/compiler"
	"github.com/trustc-dev/trustc/compiler/derive"
	"github.com/trustc-dev/trustc/compiler/emit"
	"github.com/trustc-dev/trustc/compiler/load"
	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/internal/cputime"
	"github.com/trustc-dev/trustc/internal/refdata"
	"github.com/trustc-dev/trustc/internal/synthetic"
	"github.com/trustc-dev/trustc/internal/synthetic/synthtest"
)

// realEnvs are the environments of the repository, benchmarked one by one.
var realEnvs = []string{"production", "staging"}

// benchNow is the release time the benchmarks check at, so that the
// time-dependent rules run too. Fixed, so every run checks the same thing.
var benchNow = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

// loadReal loads and derives one real environment for the stages after load.
func loadReal(b *testing.B, name string) *model.Environment {
	b.Helper()
	res, err := compiler.Compile(compiler.Dir(refdata.ModuleRoot(b), name), compiler.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return res.Envs[0]
}

// BenchmarkLoad loads and evaluates each real environment: cue/load,
// evaluation against schema.#Environment and decoding into the model.
func BenchmarkLoad(b *testing.B) {
	root := refdata.ModuleRoot(b)
	for _, name := range realEnvs {
		b.Run(name, func(b *testing.B) {
			measure(b, func() error {
				_, err := load.Environments(root, name)
				return err
			})
		})
	}
}

// BenchmarkDerive derives key details, log ids and subjects from each real
// environment's material.
func BenchmarkDerive(b *testing.B) {
	for _, name := range realEnvs {
		b.Run(name, func(b *testing.B) {
			env := loadReal(b, name)
			measure(b, func() error { return derive.Environment(env) })
		})
	}
}

// BenchmarkCheck runs compiler.CheckEnv, Compile's step that runs every
// rule within an environment as generate does (the structure rules and
// the policy, at benchNow), so rules added to compiler/check are measured
// as soon as they are wired in. Check derives before its rules;
// BenchmarkDerive's figure is that share. The rules across releases are
// BenchmarkCheckBase's, in internal/cli.
func BenchmarkCheck(b *testing.B) {
	for _, name := range realEnvs {
		b.Run(name, func(b *testing.B) {
			env := loadReal(b, name)
			measure(b, func() error { return compiler.CheckEnv(env, compiler.Options{Now: benchNow}) })
		})
	}
}

// BenchmarkEmit builds and serialises every file of each real environment.
func BenchmarkEmit(b *testing.B) {
	for _, name := range realEnvs {
		b.Run(name, func(b *testing.B) {
			env := loadReal(b, name)
			measure(b, func() error {
				_, err := emit.Environment(env)
				return err
			})
		})
	}
}

// BenchmarkCompile compiles both real environments, as 'trustc generate'
// does before it writes: load, derive, check, emit.
func BenchmarkCompile(b *testing.B) {
	benchCompile(b, refdata.ModuleRoot(b))
}

// BenchmarkScaleEnvironments compiles synthetic repositories of 1, 10 and
// 100 environments of 10 services each. Issue 7's bar: 100 environments
// cost at most 12 times what 10 do.
func BenchmarkScaleEnvironments(b *testing.B) {
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("envs=%d", n), func(b *testing.B) {
			benchCompile(b, synthtest.Repo(b, n, 10))
		})
	}
}

// BenchmarkScaleServices compiles a synthetic repository of one environment
// with 10, 100 and 1000 services. Issue 7's bar: 1000 services cost at most
// 12 times what 100 do.
func BenchmarkScaleServices(b *testing.B) {
	for _, n := range []int{10, 100, 1000} {
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			benchCompile(b, synthtest.Repo(b, 1, n))
		})
	}
}

func benchCompile(b *testing.B, root string) {
	b.Helper()
	measure(b, func() error {
		_, err := compiler.Compile(compiler.Dir(root), compiler.Options{})
		return err
	})
}

// measure runs op in the benchmark loop and reports its CPU time beside the
// wall time: on a shared machine the wall time measures the neighbours too.
func measure(b *testing.B, op func() error) {
	b.Helper()
	cputime.Report(b, func() {
		for b.Loop() {
			if err := op(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestSyntheticRepo keeps the benchmarks' input honest: a synthetic
// repository compiles, and publishes every service it declares.
func TestSyntheticRepo(t *testing.T) {
	t.Parallel()
	const envs, services = 2, 12
	res, err := compiler.Compile(compiler.Dir(synthtest.Repo(t, envs, services)), compiler.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Release.Envs) != envs {
		t.Fatalf("compiled %d environments, want %d", len(res.Release.Envs), envs)
	}
	for i, env := range res.Release.Envs {
		if want := synthetic.EnvName(i); env.Name != want {
			t.Errorf("environment %d is %s, want %s", i, env.Name, want)
		}
		tr := env.TrustedRoot.Msg
		got := map[string]int{
			"rekor": len(tr.GetTlogs()),
			"ct":    len(tr.GetCtlogs()),
			"ca":    len(tr.GetCertificateAuthorities()),
			"tsa":   len(tr.GetTimestampAuthorities()),
		}
		sc := env.SigningConfigs[0].Msg
		got["oidc"] = len(sc.GetOidcUrls())
		for i, kind := range synthetic.Kinds {
			want := services / len(synthetic.Kinds)
			if i < services%len(synthetic.Kinds) {
				want++
			}
			if got[kind] != want {
				t.Errorf("%s publishes %d %s services, want %d", env.Name, got[kind], kind, want)
			}
		}
		if n := len(sc.GetRekorTlogUrls()) + len(sc.GetCaUrls()) + len(sc.GetTsaUrls()); n != got["rekor"]+got["ca"]+got["tsa"] {
			t.Errorf("%s signing config lists %d rekor, ca and tsa urls, want %d", env.Name, n, got["rekor"]+got["ca"]+got["tsa"])
		}
	}
}

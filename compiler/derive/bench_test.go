package derive

import (
	"testing"

	"github.com/trustc-dev/trustc/compiler/load"
	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/internal/cputime"
	"github.com/trustc-dev/trustc/internal/refdata"
)

// BenchmarkChainSignatures derives every CA and TSA chain of the real
// environments with no verdict kept from an earlier iteration: what one
// trustc process pays for their signatures (ECDSA P-384, each checked
// once). compiler's BenchmarkDerive pays it on its first iteration only,
// since the verdicts are kept for the life of the process.
func BenchmarkChainSignatures(b *testing.B) {
	envs, err := load.Environments(refdata.ModuleRoot(b))
	if err != nil {
		b.Fatal(err)
	}
	type kinded struct {
		c    *model.Chain
		kind string
	}
	var all []kinded
	for _, env := range envs {
		for _, a := range env.CAs {
			for _, c := range a.Chains {
				all = append(all, kinded{c, "ca"})
			}
		}
		for _, a := range env.TSAs {
			for _, c := range a.Chains {
				all = append(all, kinded{c, "tsa"})
			}
		}
	}
	cputime.Report(b, func() {
		for b.Loop() {
			signatures.clear()
			chains.clear()
			for _, k := range all {
				if err := chain(k.c, k.kind); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	prototrustroot "github.com/sigstore/protobuf-specs/gen/pb-go/trustroot/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/trustc-dev/trustc/internal/checkout"
	"github.com/trustc-dev/trustc/internal/refdata"
	"github.com/trustc-dev/trustc/release"
)

// golden reads trustc's compiled trusted root for env from golden/.
func golden(t *testing.T, env string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(refdata.ModuleRoot(t), "golden", env, release.TrustedRootName))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestGolden runs every bundle against trustc's compiled trusted roots of
// the Sigstore environments the checkout keeps: each environment's own
// bundles verify, the other's fail, and each own bundle fails once what it
// depends on is taken out.
func TestGolden(t *testing.T) {
	for _, env := range checkout.Environments(t, refdata.ModuleRoot(t), "production", "staging") {
		t.Run(env, func(t *testing.T) {
			CheckEnv(t, env, golden(t, env))
		})
	}
}

// productionHistory lists the production trusted roots by the targets
// version that listed them, oldest first: Sigstore's published history,
// then trustc's compiled root, which stands for the current one (targets
// v13 and v14 list the same file, and golden reproduces it byte for byte).
var productionHistory = []struct {
	name    string
	version int
	read    func(t *testing.T) []byte
}{
	{"targets-v10", 10, func(t *testing.T) []byte {
		return refdata.ReadFile(t, "production", "history", "targets-v10.trusted_root.json")
	}},
	{"targets-v11", 11, func(t *testing.T) []byte {
		return refdata.ReadFile(t, "production", "history", "targets-v11.trusted_root.json")
	}},
	{"targets-v12", 12, func(t *testing.T) []byte {
		return refdata.ReadFile(t, "production", "history", "targets-v12.trusted_root.json")
	}},
	{"golden", 14, func(t *testing.T) []byte { return golden(t, "production") }},
}

// TestProductionHistory replays every production bundle against every
// production trusted root: from the root that first trusted what the
// bundle needs, each must verify it; before, none may.
func TestProductionHistory(t *testing.T) {
	for _, c := range Cases {
		if c.Env != "production" {
			continue
		}
		for _, h := range productionHistory {
			if h.name == "golden" && !checkout.Has(t, refdata.ModuleRoot(t), "production") {
				continue
			}
			want := h.version >= c.Since
			verdict := map[bool]string{true: "verifies", false: "fails"}[want]
			t.Run(fmt.Sprintf("%s/%s/%s", c.Name, h.name, verdict), func(t *testing.T) {
				t.Parallel()
				err := VerifyBundle(t, h.read(t), c)
				switch {
				case want && err != nil:
					t.Errorf("does not verify: %v", err)
				case !want && err == nil:
					t.Errorf("verifies against a trusted root published before it could")
				}
			})
		}
	}
}

// TestMutationsNeeded pins what Mutations reads from each bundle as its
// dependencies, so a change in how they are derived shows up here by name.
// It runs on Sigstore's published trusted roots: it is about Mutations,
// not about the checkout's environments.
func TestMutationsNeeded(t *testing.T) {
	want := map[string][]string{
		"rekor1-hashedrekord":           {"rekor", "ca-2022-04-13"},
		"rekor1-v0.2-rfc8785-0.1.2-whl": {"rekor", "ca-2022-04-13"},
		"rekor2-log2025-1-tsa":          {"log2025-1", "ca-2022-04-13", "tsa-2025-07-04"},
		"rekor2-alpha1-tsa":             {"log2025-alpha1", "ca-2022-04-14", "tsa-2025-04-09"},
		"rekor2-alpha3-dsse-tsa":        {"log2025-alpha3", "ca-2022-04-14", "tsa-2025-04-09"},
	}
	for _, c := range Cases {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, m := range Mutations(t, refdata.ReadFile(t, c.Env, release.TrustedRootName), c) {
				if m.Needed {
					got = append(got, m.Removed)
				}
			}
			if diff := cmp.Diff(want[c.Name], got); diff != "" {
				t.Errorf("needed entries (-want +got):\n%s", diff)
			}
		})
	}
}

// TestMutationsOverlappingTSAs lists the TSA twice: either copy alone
// verifies the bundle, so Mutations must remove both at once, and that root
// must then fail.
func TestMutationsOverlappingTSAs(t *testing.T) {
	trf, err := release.ParseTrustedRoot(release.TrustedRootName, refdata.ReadFile(t, "production", release.TrustedRootName))
	if err != nil {
		t.Fatal(err)
	}
	tr := trf.Msg
	tr.TimestampAuthorities = append(tr.TimestampAuthorities, proto.Clone(tr.TimestampAuthorities[0]).(*prototrustroot.CertificateAuthority))
	doubled, err := protojson.Marshal(tr)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(Cases, func(c Case) bool { return c.Name == "rekor2-log2025-1-tsa" })
	if i < 0 {
		t.Fatal("no case rekor2-log2025-1-tsa")
	}
	c := Cases[i]
	var got []string
	for _, m := range Mutations(t, doubled, c) {
		got = append(got, m.Name)
		if err := VerifyBundle(t, m.TrustedRoot, c); (err != nil) != m.Needed {
			t.Errorf("%s: verify error %v", m.Name, err)
		}
	}
	want := []string{
		"without-rekor/verifies",
		"without-log2025-1/fails",
		"without-ca-2021-03-07/verifies",
		"without-ca-2022-04-13/fails",
		"without-tsa-2025-07-04+tsa-2025-07-04/fails",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("mutations (-want +got):\n%s", diff)
	}
}

package clients

import (
	"slices"
	"testing"

	prototrustroot "github.com/sigstore/protobuf-specs/gen/pb-go/trustroot/v1"
	"google.golang.org/protobuf/proto"

	"github.com/trustc-dev/trustc/internal/clientfacts"
	"github.com/trustc-dev/trustc/internal/published"
	"github.com/trustc-dev/trustc/internal/timetest"
)

// TestModelsAgreeWithFacts checks the facts check's client-traps rule
// reads against the models: a client picks a service that has not
// started exactly when clientfacts says it does, and a client the model
// shows refusing the v0.2 trusted root is one clientfacts says rejects it
// (the facts may be stricter: they list as rejecting what is not shown
// safe).
func TestModelsAgreeWithFacts(t *testing.T) {
	sc := signingConfig(nil, nil)
	sc.CaUrls = []*prototrustroot.Service{
		svc("https://ca-future", 1, "2030-01-01T00:00:00Z", "", "a"),
		svc("https://ca", 1, "2020-01-01T00:00:00Z", "", "a"),
	}
	tr := proto.Clone(published.Production(t, 14).Envs[0].TrustedRoot.Msg).(*prototrustroot.TrustedRoot)
	tr.MediaType = "application/vnd.dev.sigstore.trustedroot.v0.2+json"
	_, refusals := Verify(tr, timetest.Parse("2025-01-01T00:00:00Z"))

	for _, impl := range []Impl{SigstoreGo, SigstorePython, SigstoreJS} {
		t.Run(string(impl), func(t *testing.T) {
			facts, ok := clientfacts.Lookup(string(impl))
			if !ok {
				t.Fatalf("clientfacts has no %s", impl)
			}
			for _, c := range Signers() {
				if c.Impl != impl {
					continue
				}
				ca := Sign(c, sc, timetest.Parse("2025-01-01T00:00:00Z")).CA
				picks := slices.ContainsFunc(ca.Services, func(s Service) bool { return s.URL == "https://ca-future" })
				if picks != facts.PicksFutureServices {
					t.Errorf("%s signs with CA %s; clientfacts PicksFutureServices = %v", c.Name(), ca, facts.PicksFutureServices)
				}
			}
			refuses := slices.ContainsFunc(refusals, func(r Refusal) bool { return r.Client.Impl == impl })
			if refuses && !facts.RejectsTrustedRootV02 {
				t.Errorf("%s refuses the v0.2 trusted root; clientfacts RejectsTrustedRootV02 = false", impl)
			}
		})
	}
}

package tufrepo_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/sigstore/sigstore-go/pkg/root"

	"github.com/trustc-dev/trustc/e2e"
	"github.com/trustc-dev/trustc/internal/refdata"
)

// TestRealClients serves a repository of Sigstore's production files on
// 127.0.0.1 and fetches the trusted root and signing config with go-tuf's
// updater and with sigstore-go's TUF client, as a Sigstore client would,
// then verifies a real Rekor v2 bundle against what came out.
func TestRealClients(t *testing.T) {
	dir, trustAnchor := buildPublished(t, "production")
	srv := e2e.Serve(t, dir)

	names := []string{"trusted_root.json", "signing_config.v0.2.json"}
	for _, client := range e2e.Clients {
		t.Run(client.Name, func(t *testing.T) {
			// Both clients must walk the layout Build writes and get the
			// published bytes.
			want := map[string][]byte{}
			for _, name := range names {
				want[name] = refdata.ReadFile(t, "production", name)
			}
			got := client.FetchChecked(t, srv, trustAnchor, 14, names, want)
			trustedRoot, err := root.NewTrustedRootFromJSON(got[0])
			if err != nil {
				t.Fatal(err)
			}
			sc, err := root.NewSigningConfigFromJSON(got[1])
			if err != nil {
				t.Fatal(err)
			}
			// What the signing config sends a signer to must be what the
			// trusted root lets a verifier trust.
			fulcio, err := root.SelectService(sc.FulcioCertificateAuthorityURLs(), []uint32{1}, refTime)
			if err != nil {
				t.Fatal(err)
			}
			rekor, err := root.SelectService(sc.RekorLogURLs(), []uint32{1}, refTime)
			if err != nil {
				t.Fatal(err)
			}
			var logs []string
			for _, l := range trustedRoot.RekorLogs() {
				logs = append(logs, l.BaseURL)
			}
			if fulcio.URL != "https://fulcio.sigstore.dev" || !slices.Contains(logs, rekor.URL) {
				t.Errorf("signing config selects Fulcio %s and Rekor %s; trusted root logs are %s",
					fulcio.URL, rekor.URL, strings.Join(logs, ", "))
			}

			c := caseNamed(t, "rekor2-log2025-1-tsa")
			if err := e2e.VerifyBundle(t, got[0], c); err != nil {
				t.Errorf("bundle %s against the trusted root fetched by %s: %v", c.Name, client.Name, err)
			}
		})
	}
}

func caseNamed(t *testing.T, name string) e2e.Case {
	t.Helper()
	for _, c := range e2e.Cases {
		if c.Name == name {
			return c
		}
	}
	t.Fatalf("no e2e case %s", name)
	return e2e.Case{}
}

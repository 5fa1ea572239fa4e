package tufrepo_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/sigstore/sigstore-go/pkg/root"
	sigstoretuf "github.com/sigstore/sigstore-go/pkg/tuf"
	"github.com/theupdateframework/go-tuf/v2/metadata/config"
	"github.com/theupdateframework/go-tuf/v2/metadata/fetcher"
	"github.com/theupdateframework/go-tuf/v2/metadata/updater"

	"github.com/trustc-dev/trustc/e2e"
	"github.com/trustc-dev/trustc/internal/sharedtest"
)

// localOnly is an HTTP transport that serves one test server and refuses
// every other host, so a client that strays towards the network fails the
// test instead of reaching Sigstore. It records the paths asked for.
type localOnly struct {
	host string
	mu   sync.Mutex
	log  []string
}

func (l *localOnly) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != l.host {
		return nil, fmt.Errorf("test client asked for %s: only %s is allowed", req.URL, l.host)
	}
	l.mu.Lock()
	l.log = append(l.log, req.URL.Path)
	l.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func (l *localOnly) requests() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.log)
}

// TestRealClients serves a repository of Sigstore's production files on
// 127.0.0.1 and fetches the trusted root and signing config with go-tuf's
// updater and with sigstore-go's TUF client, as a Sigstore client would,
// then verifies a real Rekor v2 bundle against what came out.
func TestRealClients(t *testing.T) {
	dir, trustAnchor := buildPublished(t, "production")
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if u.Hostname() != "127.0.0.1" {
		t.Fatalf("test server on %s, want 127.0.0.1", u.Hostname())
	}

	names := []string{"trusted_root.json", "signing_config.v0.2.json"}
	for _, tc := range []struct {
		name string
		// fetch returns each named target as the client gets it.
		fetch func(t *testing.T, client *http.Client) [][]byte
	}{
		{"go-tuf updater", func(t *testing.T, client *http.Client) [][]byte {
			cfg, err := config.New(srv.URL, trustAnchor)
			if err != nil {
				t.Fatal(err)
			}
			cfg.LocalMetadataDir = t.TempDir()
			cfg.LocalTargetsDir = t.TempDir()
			f := fetcher.NewDefaultFetcher()
			f.SetHTTPClient(client)
			cfg.Fetcher = f
			up, err := updater.New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if err := up.Refresh(); err != nil {
				t.Fatal(err)
			}
			var out [][]byte
			for _, name := range names {
				ti, err := up.GetTargetInfo(name)
				if err != nil {
					t.Fatal(err)
				}
				_, b, err := up.DownloadTarget(ti, "", "")
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, b)
			}
			return out
		}},
		{"sigstore-go pkg/tuf", func(t *testing.T, client *http.Client) [][]byte {
			f := fetcher.NewDefaultFetcher()
			f.SetHTTPClient(client)
			// Root replaces the embedded public-good root; CachePath is
			// fresh, so nothing from $HOME/.sigstore is read; the base URL
			// is the local server. CacheValidity and ForceCache stay off
			// so the client does a full TUF refresh.
			c, err := sigstoretuf.New(&sigstoretuf.Options{
				Root:              trustAnchor,
				CachePath:         t.TempDir(),
				RepositoryBaseURL: srv.URL,
				Fetcher:           f,
			})
			if err != nil {
				t.Fatal(err)
			}
			var out [][]byte
			for _, name := range names {
				b, err := c.GetTarget(name)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, b)
			}
			return out
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			transport := &localOnly{host: u.Host}
			got := tc.fetch(t, &http.Client{Transport: transport})

			// Both clients must walk the layout Build writes: look for a
			// newer root, then timestamp, the versioned snapshot and
			// targets, and hash-prefixed targets.
			wantRequests := []string{"/2.root.json", "/timestamp.json", "/1.snapshot.json", "/14.targets.json"}
			for _, name := range names {
				wantRequests = append(wantRequests, "/targets/"+sum(t, "production", name)+"."+name)
			}
			if diff := cmp.Diff(wantRequests, transport.requests()); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}

			for i, name := range names {
				if want := sharedtest.ReadFile(t, "production", name); string(got[i]) != string(want) {
					t.Errorf("%s: client got other bytes than published", name)
				}
			}
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
				t.Errorf("bundle %s against the trusted root fetched by %s: %v", c.Name, tc.name, err)
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

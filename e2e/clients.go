package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	sigstoretuf "github.com/sigstore/sigstore-go/pkg/tuf"
	"github.com/theupdateframework/go-tuf/v2/metadata/config"
	"github.com/theupdateframework/go-tuf/v2/metadata/fetcher"
	"github.com/theupdateframework/go-tuf/v2/metadata/updater"
)

// Server is a TUF repository directory served over HTTP on 127.0.0.1.
type Server struct {
	// URL is the repository base URL, http://127.0.0.1:<port>.
	URL string
	// Host is URL's host:port, the only one LocalOnly lets through.
	Host string
}

// Serve serves dir on 127.0.0.1 until the test ends.
func Serve(tb testing.TB, dir string) Server {
	tb.Helper()
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	tb.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	if err != nil {
		tb.Fatal(err)
	}
	if u.Hostname() != "127.0.0.1" {
		tb.Fatalf("test server on %s, want 127.0.0.1", u.Hostname())
	}
	return Server{URL: srv.URL, Host: u.Host}
}

// LocalOnly is an HTTP transport that serves one host and refuses every
// other, so a client that strays towards the network fails the test
// instead of reaching Sigstore. It records the paths asked for.
type LocalOnly struct {
	Host string
	mu   sync.Mutex
	log  []string
}

// RoundTrip implements http.RoundTripper.
func (l *LocalOnly) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != l.Host {
		return nil, fmt.Errorf("test client asked for %s: only %s is allowed", req.URL, l.Host)
	}
	l.mu.Lock()
	l.log = append(l.log, req.URL.Path)
	l.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

// Requests returns the paths asked for, in order.
func (l *LocalOnly) Requests() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.log)
}

// Client is a TUF client as Sigstore clients run one.
type Client struct {
	Name string
	// Fetch refreshes the metadata of the repository at baseURL, starting
	// from trustAnchor (a root.json), through client, and downloads each
	// named target, checked against the signed metadata. It fails the test
	// on any error.
	Fetch func(tb testing.TB, baseURL string, trustAnchor []byte, client *http.Client, names []string) [][]byte
}

// Clients are the TUF clients Sigstore's Go clients use: go-tuf's updater
// and sigstore-go's pkg/tuf, which wraps it with its own cache layout and
// options.
var Clients = []Client{
	{"go-tuf updater", fetchGoTUF},
	{"sigstore-go pkg/tuf", fetchSigstoreGo},
}

// FetchChecked fetches names with c from srv, starting from trustAnchor,
// over a transport that lets only srv through. It fails tb unless the
// client walked the layout tufrepo.Build writes (a newer root looked for,
// then the timestamp, snapshot version 1, targets version targets, and
// each target under its SHA-256) and got want's bytes for every name.
func (c Client) FetchChecked(tb testing.TB, srv Server, trustAnchor []byte, targets int, names []string, want map[string][]byte) [][]byte {
	tb.Helper()
	transport := &LocalOnly{Host: srv.Host}
	got := c.Fetch(tb, srv.URL, trustAnchor, &http.Client{Transport: transport}, names)
	wantRequests := []string{"/2.root.json", "/timestamp.json", "/1.snapshot.json", fmt.Sprintf("/%d.targets.json", targets)}
	for i, name := range names {
		sum := sha256.Sum256(want[name])
		wantRequests = append(wantRequests, "/targets/"+hex.EncodeToString(sum[:])+"."+name)
		if !bytes.Equal(got[i], want[name]) {
			tb.Errorf("%s: %s got other bytes than the repository was built with", name, c.Name)
		}
	}
	if diff := cmp.Diff(wantRequests, transport.Requests()); diff != "" {
		tb.Errorf("%s requests (-want +got):\n%s", c.Name, diff)
	}
	return got
}

func fetchGoTUF(tb testing.TB, baseURL string, trustAnchor []byte, client *http.Client, names []string) [][]byte {
	tb.Helper()
	cfg, err := config.New(baseURL, trustAnchor)
	if err != nil {
		tb.Fatal(err)
	}
	cfg.LocalMetadataDir = tb.TempDir()
	cfg.LocalTargetsDir = tb.TempDir()
	f := fetcher.NewDefaultFetcher()
	f.SetHTTPClient(client)
	cfg.Fetcher = f
	up, err := updater.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	if err := up.Refresh(); err != nil {
		tb.Fatal(err)
	}
	return fetchEach(tb, names, func(name string) ([]byte, error) {
		ti, err := up.GetTargetInfo(name)
		if err != nil {
			return nil, err
		}
		_, b, err := up.DownloadTarget(ti, "", "")
		return b, err
	})
}

func fetchSigstoreGo(tb testing.TB, baseURL string, trustAnchor []byte, client *http.Client, names []string) [][]byte {
	tb.Helper()
	f := fetcher.NewDefaultFetcher()
	f.SetHTTPClient(client)
	// Root replaces the embedded public-good root; CachePath is fresh, so
	// nothing from $HOME/.sigstore is read; the base URL is the local
	// server. CacheValidity and ForceCache stay off so the client does a
	// full TUF refresh.
	c, err := sigstoretuf.New(&sigstoretuf.Options{
		Root:              trustAnchor,
		CachePath:         tb.TempDir(),
		RepositoryBaseURL: baseURL,
		Fetcher:           f,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return fetchEach(tb, names, c.GetTarget)
}

// fetchEach fetches every target of names, in order, with the client's
// get; an error fails tb.
func fetchEach(tb testing.TB, names []string, get func(name string) ([]byte, error)) [][]byte {
	tb.Helper()
	var out [][]byte
	for _, name := range names {
		b, err := get(name)
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

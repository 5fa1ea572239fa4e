package tufrepo_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trustc-dev/trustc/internal/refdata"
	"github.com/trustc-dev/trustc/tufrepo"
)

func TestOpenLocations(t *testing.T) {
	dir, root := buildPublished(t, "production")
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	wantTargets := []string{
		"artifact.pub", "ctfe.pub", "ctfe_2022.pub", "fulcio.crt.pem", "fulcio_intermediate_v1.crt.pem",
		"fulcio_v1.crt.pem", "rekor.pub", "signing_config.json", "signing_config.v0.2.json",
		"signing_config_rekor_v2.v0.2.json", "trusted_root.json",
	}
	for _, tc := range []struct{ name, location string }{
		{"directory", dir},
		{"file URL", "file://" + filepath.ToSlash(dir)},
		{"http", srv.URL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			repo, err := tufrepo.Open(ctx, tufrepo.Source{Location: tc.location, Root: root, Time: refTime})
			if err != nil {
				t.Fatal(err)
			}
			defer repo.Close()
			if got := [2]int64{repo.RootVersion(), repo.TargetsVersion()}; got != [2]int64{1, 14} {
				t.Errorf("root, targets versions = %v, want [1 14]", got)
			}
			if diff := cmp.Diff(wantTargets, repo.Targets()); diff != "" {
				t.Errorf("targets (-want +got):\n%s", diff)
			}
			for _, name := range []string{"trusted_root.json", "signing_config.v0.2.json"} {
				got, err := repo.Fetch(ctx, name)
				if err != nil {
					t.Fatal(err)
				}
				if want := refdata.ReadFile(t, "production", name); string(got) != string(want) {
					t.Errorf("Fetch(%s) returned other bytes than published", name)
				}
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	dir, root := buildRepo(t, []tufrepo.Target{{Name: "trusted_root.json", Data: []byte("{}")}})
	_, otherRoot := buildRepo(t, nil)
	for _, tc := range []struct {
		name string
		src  tufrepo.Source
		want string
	}{
		{"no time", tufrepo.Source{Location: dir, Root: root},
			"open repository: no reference time"},
		{"no root", tufrepo.Source{Location: dir, Time: refTime},
			"open repository: no trusted root"},
		{"expired", tufrepo.Source{Location: dir, Root: root, Time: expires.Add(time.Second)},
			"open repository " + dir + ": refresh metadata: expired metadata error: final root.json is expired"},
		{"other root", tufrepo.Source{Location: dir, Root: otherRoot, Time: refTime},
			"open repository " + dir + ": refresh metadata: unsigned metadata error: Verifying timestamp failed, not enough signatures, got 0, want 1"},
		{"file URL with host", tufrepo.Source{Location: "file://repo", Root: root, Time: refTime},
			`open repository file://repo: parse location: file URL with host "repo"; want file:///absolute/path`},
		{"no such directory", tufrepo.Source{Location: dir + "-missing", Root: root, Time: refTime},
			"open repository " + dir + "-missing: open " + dir + "-missing: no such file or directory"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := tufrepo.Open(context.Background(), tc.src)
			if err == nil {
				r.Close()
			}
			got := fmt.Sprint(err) // "<nil>" for none
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFetchTampered serves a target whose bytes no longer match its signed
// entry: the client must refuse it.
func TestFetchTampered(t *testing.T) {
	dir, root := buildRepo(t, []tufrepo.Target{{Name: "trusted_root.json", Data: []byte("{}")}})
	files, err := filepath.Glob(filepath.Join(dir, "targets", "*.trusted_root.json"))
	if err != nil || len(files) != 1 {
		t.Fatalf("glob served trusted root: %v %v", files, err)
	}
	if err := os.WriteFile(files[0], []byte("[]"), 0o644); err != nil {
		t.Fatal(err)
	}
	repo, err := tufrepo.Open(context.Background(), tufrepo.Source{Location: dir, Root: root, Time: refTime})
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	_, err = repo.Fetch(context.Background(), "trusted_root.json")
	want := "fetch trusted_root.json: length/hash verification error: hash verification failed - mismatch for algorithm sha256"
	if err == nil || err.Error() != want {
		t.Errorf("Fetch of a tampered target: error %v, want %s", err, want)
	}
}

// hostile serves dir as a repository, except that requests for path are
// answered by bad. Handlers that stall wait for the request to end (the
// client giving up) or for the test to finish, so a client without bounds
// fails the test instead of hanging it.
func hostile(t *testing.T, dir, path string, bad func(w http.ResponseWriter, r *http.Request, done <-chan struct{})) *httptest.Server {
	t.Helper()
	done := make(chan struct{})
	files := http.FileServer(http.Dir(dir))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == path {
			bad(w, r, done)
			return
		}
		files.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		close(done)
		srv.Close()
	})
	return srv
}

// stall is a server that never answers: it holds the request until the
// client gives up or the test ends.
func stall(_ http.ResponseWriter, r *http.Request, done <-chan struct{}) {
	select {
	case <-r.Context().Done():
	case <-done:
	case <-time.After(time.Minute):
	}
}

// announce is a server that sends the headers, with a Content-Length of
// length, and the start of a body, then stalls.
func announce(length, start string) func(http.ResponseWriter, *http.Request, <-chan struct{}) {
	return func(w http.ResponseWriter, r *http.Request, done <-chan struct{}) {
		w.Header().Set("Content-Length", length)
		w.WriteHeader(http.StatusOK)
		w.Write([]byte(start))
		w.(http.Flusher).Flush()
		stall(w, r, done)
	}
}

func TestOpenHostileServers(t *testing.T) {
	dir, root := buildRepo(t, []tufrepo.Target{{Name: "trusted_root.json", Data: []byte("{}")}})
	other := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer other.Close()
	const timeout = 100 * time.Millisecond
	for _, tc := range []struct {
		name string
		path string
		bad  func(w http.ResponseWriter, r *http.Request, done <-chan struct{})
		want string // with %[1]s for the server's URL, %[2]s for it with https
	}{{
		name: "redirect to another host",
		path: "/timestamp.json",
		bad: func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
			http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
		},
		want: `open repository %[1]s: refresh metadata: Get "` + other.URL + `/timestamp.json": refuse redirect from %[1]s/timestamp.json to ` + other.URL + `/timestamp.json: another host; name the repository at its own location`,
	}, {
		name: "redirect from http to https on the same host",
		path: "/timestamp.json",
		bad: func(w http.ResponseWriter, r *http.Request, _ <-chan struct{}) {
			http.Redirect(w, r, "https://"+r.Host+r.URL.Path, http.StatusFound)
		},
		want: `open repository %[1]s: refresh metadata: Get "%[2]s/timestamp.json": refuse redirect from %[1]s/timestamp.json to %[2]s/timestamp.json: another scheme; name the repository at its own location`,
	}, {
		name: "Content-Length that is never sent",
		path: "/timestamp.json",
		bad:  announce("1000", `{"signed":`),
		want: "open repository %[1]s: refresh metadata: read %[1]s/timestamp.json: not complete after 100ms; the server is stalling",
	}, {
		name: "headers that never come",
		path: "/timestamp.json",
		bad:  stall,
		want: "open repository %[1]s: refresh metadata: read %[1]s/timestamp.json: not complete after 100ms; the server is stalling",
	}, {
		name: "Content-Length over the limit",
		path: "/timestamp.json",
		bad:  announce("1073741824", ""),
		want: "open repository %[1]s: refresh metadata: download length mismatch error: %[1]s/timestamp.json announces 1073741824 bytes, more than the 16384 expected",
	}, {
		name: "endless body",
		path: "/timestamp.json",
		bad: func(w http.ResponseWriter, r *http.Request, done <-chan struct{}) {
			chunk := bytes.Repeat([]byte(" "), 4096)
			for {
				if _, err := w.Write(chunk); err != nil {
					return
				}
				select {
				case <-done:
					return
				default:
				}
			}
		},
		want: "open repository %[1]s: refresh metadata: download length mismatch error: %[1]s/timestamp.json is longer than the 16384 bytes expected",
	}, {
		name: "root walk stalled",
		path: "/2.root.json",
		bad:  stall,
		want: "open repository %[1]s: refresh metadata: read %[1]s/2.root.json: not complete after 100ms; the server is stalling",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			srv := hostile(t, dir, tc.path, tc.bad)
			r, err := tufrepo.Open(context.Background(), tufrepo.Source{Location: srv.URL, Root: root, Time: refTime, FileTimeout: timeout})
			if err == nil {
				r.Close()
			}
			got := fmt.Sprint(err) // "<nil>" for none
			if diff := cmp.Diff(fmt.Sprintf(tc.want, srv.URL, "https"+strings.TrimPrefix(srv.URL, "http")), got); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

// TestOpenSameHostRedirect follows a redirect that stays on the host, as a
// CDN moving its files would send.
func TestOpenSameHostRedirect(t *testing.T) {
	dir, root := buildRepo(t, []tufrepo.Target{{Name: "trusted_root.json", Data: []byte("{}")}})
	files := http.StripPrefix("/moved", http.FileServer(http.Dir(dir)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/moved/") {
			files.ServeHTTP(w, r)
			return
		}
		http.Redirect(w, r, "/moved"+r.URL.Path, http.StatusMovedPermanently)
	}))
	defer srv.Close()
	repo, err := tufrepo.Open(context.Background(), tufrepo.Source{Location: srv.URL, Root: root, Time: refTime})
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	if got, err := repo.Fetch(context.Background(), "trusted_root.json"); err != nil || string(got) != "{}" {
		t.Errorf("Fetch through a same-host redirect = %q, %v; want {}", got, err)
	}
}

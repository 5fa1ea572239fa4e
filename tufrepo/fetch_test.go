package tufrepo_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
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
			got := "<nil>"
			if err != nil {
				got = err.Error()
			} else {
				r.Close()
			}
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

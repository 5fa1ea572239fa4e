package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/trustc-dev/trustc/e2e"
	"github.com/trustc-dev/trustc/internal/cli"
	"github.com/trustc-dev/trustc/internal/refdata"
	"github.com/trustc-dev/trustc/tufrepo"
)

// refTime is the day the reference data was snapshotted.
var refTime = time.Date(2026, 8, 21, 0, 0, 0, 0, time.UTC)

// run runs trustc in-process and fails the test unless it exits with want.
func run(t *testing.T, want int, args ...string) (stdout string) {
	t.Helper()
	var out, errOut bytes.Buffer
	if code := cli.Run(args, &out, &errOut); code != want {
		t.Fatalf("trustc %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, want, out.String(), errOut.String())
	}
	return out.String()
}

// TestTUFBuildToRealClients follows a release all the way to a client:
// trustc tuf build signs production's golden files and legacy targets into
// a repository with freshly generated keys, 127.0.0.1 serves it, go-tuf's
// updater and sigstore-go's TUF client fetch the trust files from it,
// sigstore-go loads them and verifies real bundles, the signed custom
// metadata matches Sigstore's targets.json, and verify-published over HTTP
// finds no drift, and refuses a golden/ that changed without review.
func TestTUFBuildToRealClients(t *testing.T) {
	mod := refdata.ModuleRoot(t)
	work := t.TempDir()
	repo := filepath.Join(work, "repo")
	// Ten years on, so that sigstore-go, which reads the clock, accepts it.
	expiry := "3650d"
	run(t, 0, "tuf", "build", "-C", mod, "-env", "production", "-out", repo,
		"-generate-keys", filepath.Join(work, "keys"), "-now", refTime.Format(time.RFC3339),
		"-root-expires", expiry, "-targets-expires", expiry, "-snapshot-expires", expiry, "-timestamp-expires", expiry)
	for _, r := range []string{"root", "targets", "snapshot", "timestamp"} {
		if _, err := tufrepo.LoadSigner(filepath.Join(work, "keys", r+".pem")); err != nil {
			t.Errorf("generated %s key: %v", r, err)
		}
	}
	anchorPath := filepath.Join(repo, "1.root.json")
	anchor, err := os.ReadFile(anchorPath)
	if err != nil {
		t.Fatal(err)
	}
	srv := e2e.Serve(t, repo)

	goldenDir := filepath.Join(mod, "golden", "production")
	want := map[string][]byte{}
	names := []string{"trusted_root.json", "signing_config.v0.2.json", "signing_config_rekor_v2.v0.2.json", "signing_config.json", "rekor.pub"}
	for _, name := range names {
		dir := goldenDir
		if name == "rekor.pub" {
			dir = filepath.Join(mod, "environments", "production")
		}
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		want[name] = b
	}

	for _, client := range e2e.Clients {
		t.Run(client.Name, func(t *testing.T) {
			got := client.FetchChecked(t, srv, anchor, 1, names, want)

			trustedRoot, err := root.NewTrustedRootFromJSON(got[0])
			if err != nil {
				t.Fatal(err)
			}
			var logs []string
			for _, l := range trustedRoot.RekorLogs() {
				logs = append(logs, l.BaseURL)
			}
			slices.Sort(logs)
			// Each v0.2 signing config must send a signer to a Fulcio and a
			// Rekor the trusted root lets a verifier trust: the main file to
			// Rekor v1, the opt-in file to log2025-1 once it has started.
			for i, wantRekor := range []string{1: "https://rekor.sigstore.dev", 2: "https://log2025-1.rekor.sigstore.dev"} {
				if wantRekor == "" {
					continue
				}
				sc, err := root.NewSigningConfigFromJSON(got[i])
				if err != nil {
					t.Fatalf("%s: %v", names[i], err)
				}
				fulcio, err := root.SelectService(sc.FulcioCertificateAuthorityURLs(), []uint32{1}, refTime)
				if err != nil {
					t.Fatalf("%s: %v", names[i], err)
				}
				rekor, err := root.SelectService(sc.RekorLogURLs(), []uint32{1, 2}, refTime)
				if err != nil {
					t.Fatalf("%s: %v", names[i], err)
				}
				if fulcio.URL != "https://fulcio.sigstore.dev" || rekor.URL != wantRekor || !slices.Contains(logs, rekor.URL) {
					t.Errorf("%s selects Fulcio %s and Rekor %s, want %s; trusted root logs are %s",
						names[i], fulcio.URL, rekor.URL, wantRekor, strings.Join(logs, ", "))
				}
			}
			for _, c := range e2e.Cases {
				if c.Env != "production" {
					continue
				}
				if err := e2e.VerifyBundle(t, got[0], c); err != nil {
					t.Errorf("bundle %s against the trusted root fetched by %s: %v", c.Name, client.Name, err)
				}
			}
		})
	}

	t.Run("targets metadata matches targets.json", func(t *testing.T) {
		published, err := metadata.Targets().FromBytes(refdata.ReadFile(t, "production", "targets.json"))
		if err != nil {
			t.Fatal(err)
		}
		r, err := tufrepo.Open(context.Background(), tufrepo.Source{Location: srv.URL, Root: anchor, Time: refTime})
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		var publishedNames []string
		for name := range published.Signed.Targets {
			publishedNames = append(publishedNames, name)
		}
		slices.Sort(publishedNames)
		if diff := cmp.Diff(publishedNames, r.Targets()); diff != "" {
			t.Fatalf("targets (-published +served):\n%s", diff)
		}
		sameBytes := 0
		for _, name := range r.Targets() {
			pub, got := published.Signed.Targets[name], r.Target(name)
			if diff := cmp.Diff(customOf(t, pub), customOf(t, got)); diff != "" {
				t.Errorf("%s custom (-published +served):\n%s", name, diff)
			}
			if pub.Length == got.Length && bytes.Equal(pub.Hashes["sha256"], got.Hashes["sha256"]) {
				sameBytes++
			}
		}
		// Everything but the two canonicalised v0.2 signing configs is
		// served byte for byte as Sigstore publishes it.
		if want := len(publishedNames) - 2; sameBytes != want {
			t.Errorf("%d targets with published length and sha256, want %d", sameBytes, want)
		}
	})

	t.Run("verify-published over HTTP", func(t *testing.T) {
		now := refTime.Add(24 * time.Hour).Format(time.RFC3339)
		got := run(t, 0, "verify-published", "-C", mod, "-env", "production", "-repo", srv.URL, "-root", anchorPath, "-now", now)
		if diff := cmp.Diff(srv.URL+" (root v1, targets v1): no drift, 11 targets as expected\n", got); diff != "" {
			t.Errorf("stdout (-want +got):\n%s", diff)
		}

		// A golden/ whose legacy signing config has changed since the
		// repository was built is not what the CUE compiles to: nothing
		// unreviewed is compared, as tuf build signs nothing unreviewed.
		changed := filepath.Join(work, "golden")
		if err := os.CopyFS(filepath.Join(changed, "production"), os.DirFS(goldenDir)); err != nil {
			t.Fatal(err)
		}
		legacy := filepath.Join(changed, "production", "signing_config.json")
		edited := bytes.Replace(want["signing_config.json"], []byte("https://rekor.sigstore.dev"), []byte("https://rekor.example.dev"), 1)
		if err := os.WriteFile(legacy, edited, 0o644); err != nil {
			t.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		code := cli.Run([]string{"verify-published", "-C", mod, "-golden", changed, "-env", "production", "-repo", srv.URL, "-root", anchorPath, "-now", now}, &stdout, &stderr)
		wantErr := "trustc verify-published: " + filepath.ToSlash(filepath.Join(changed, "production")) + " is stale; run 'make generate' and commit the result:\n" +
			"  signing_config.json: differs from what the CUE compiles to\n"
		if code != 1 || stdout.Len() > 0 || stderr.String() != wantErr {
			t.Errorf("verify-published against a stale golden/: exit %d, stdout %q, stderr:\n%s\nwant exit 1, no stdout, stderr:\n%s", code, stdout.String(), stderr.String(), wantErr)
		}
	})
}

// customOf parses a target's custom metadata, nil if it has none.
func customOf(t *testing.T, tf *metadata.TargetFiles) any {
	t.Helper()
	if tf.Custom == nil {
		return nil
	}
	var v any
	if err := json.Unmarshal(*tf.Custom, &v); err != nil {
		t.Fatalf("parse custom of %s: %v", tf.Path, err)
	}
	return v
}

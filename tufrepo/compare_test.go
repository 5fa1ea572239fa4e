package tufrepo_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trustc-dev/trustc/internal/refdata"
	"github.com/trustc-dev/trustc/tufrepo"
)

// goldenFiles are the production files a trustc release holds, laid out as
// golden/production: the legacy signing_config.json sits at the top, not in
// targets/ as root-signing keeps it.
var goldenFiles = map[string][]string{
	"trusted_root.json":                 {"production", "trusted_root.json"},
	"signing_config.v0.2.json":          {"production", "signing_config.v0.2.json"},
	"signing_config_rekor_v2.v0.2.json": {"production", "signing_config_rekor_v2.v0.2.json"},
	"signing_config.json":               {"production", "targets", "signing_config.json"},
}

func writeGolden(t *testing.T, edit func(dir string)) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range goldenFiles {
		if err := os.WriteFile(filepath.Join(dir, name), refdata.ReadFile(t, src...), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	edit(dir)
	return dir
}

func sum(t *testing.T, elem ...string) string {
	t.Helper()
	s := sha256.Sum256(refdata.ReadFile(t, elem...))
	return hex.EncodeToString(s[:])
}

func TestCompare(t *testing.T) {
	repo, root := buildPublished(t, "production")
	src := tufrepo.Source{Location: repo, Root: root, Time: refTime}
	ignored := "not compared (not trust files): artifact.pub, ctfe.pub, ctfe_2022.pub, fulcio.crt.pem, fulcio_intermediate_v1.crt.pem, fulcio_v1.crt.pem, rekor.pub\n"
	trSum := sum(t, "production", "trusted_root.json")
	legacySum := sum(t, "production", "targets", "signing_config.json")

	// A one-byte change inside a URL keeps the file valid JSON, so the
	// golden directory still reads as a release.
	changed := bytes.Replace(refdata.ReadFile(t, "production", "trusted_root.json"),
		[]byte("https://rekor.sigstore.dev"), []byte("https://rekor.sigstore.dew"), 1)
	changedSum := sha256.Sum256(changed)

	for _, tc := range []struct {
		name string
		edit func(dir string)
		want string
	}{
		{"identical", func(string) {}, repo + " (root v1, targets v14): no drift, 4 files as expected\n" + ignored},
		{"byte changed", func(dir string) {
			if err := os.WriteFile(filepath.Join(dir, "trusted_root.json"), changed, 0o644); err != nil {
				t.Fatal(err)
			}
		}, repo + " (root v1, targets v14): 1 difference, 3 files as expected\n" +
			"differs trusted_root.json\n" +
			"  published sha256:" + trSum + " 6787 bytes\n" +
			"  expected  sha256:" + hex.EncodeToString(changedSum[:]) + " 6787 bytes\n" + ignored},
		{"not expected", func(dir string) {
			if err := os.Remove(filepath.Join(dir, "signing_config.json")); err != nil {
				t.Fatal(err)
			}
		}, repo + " (root v1, targets v14): 1 difference, 3 files as expected\n" +
			"extra signing_config.json\n" +
			"  published sha256:" + legacySum + " 219 bytes\n" + ignored},
		{"not published", func(dir string) {
			if err := os.WriteFile(filepath.Join(dir, "signing_config_next.v0.2.json"),
				refdata.ReadFile(t, "production", "signing_config.v0.2.json"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, repo + " (root v1, targets v14): 1 difference, 4 files as expected\n" +
			"missing signing_config_next.v0.2.json\n" +
			"  expected  sha256:" + sum(t, "production", "signing_config.v0.2.json") + " 1034 bytes\n" + ignored},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := tufrepo.Compare(context.Background(), src, writeGolden(t, tc.edit))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, rep.Text()); diff != "" {
				t.Errorf("report (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCompareFindings checks the structured result, here for a repository
// serving a corrupted target, a case Text only summarises.
func TestCompareFindings(t *testing.T) {
	repo, root := buildPublished(t, "production")
	served := filepath.Join(repo, "targets", sum(t, "production", "signing_config.v0.2.json")+".signing_config.v0.2.json")
	b, err := os.ReadFile(served)
	if err != nil {
		t.Fatal(err)
	}
	b[0] = ' '
	if err := os.WriteFile(served, b, 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := tufrepo.Compare(context.Background(), tufrepo.Source{Location: repo, Root: root, Time: refTime}, writeGolden(t, func(string) {}))
	if err != nil {
		t.Fatal(err)
	}
	want := []tufrepo.Finding{{
		Kind:      tufrepo.Unavailable,
		Name:      "signing_config.v0.2.json",
		Published: &tufrepo.File{Length: 1034, SHA256: sum(t, "production", "signing_config.v0.2.json")},
		Expected:  &tufrepo.File{Length: 1034, SHA256: sum(t, "production", "signing_config.v0.2.json")},
		Err:       "fetch signing_config.v0.2.json: length/hash verification error: hash verification failed - mismatch for algorithm sha256",
	}}
	if diff := cmp.Diff(want, rep.Findings); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"signing_config.json", "signing_config_rekor_v2.v0.2.json", "trusted_root.json"}, rep.Matched); diff != "" {
		t.Errorf("matched (-want +got):\n%s", diff)
	}
	wantText := repo + " (root v1, targets v14): 1 difference, 3 files as expected\n" +
		"unavailable signing_config.v0.2.json\n" +
		"  published " + want[0].Published.String() + "\n" +
		"  expected  " + want[0].Expected.String() + "\n" +
		"  error     " + want[0].Err + "\n" +
		"not compared (not trust files): artifact.pub, ctfe.pub, ctfe_2022.pub, fulcio.crt.pem, fulcio_intermediate_v1.crt.pem, fulcio_v1.crt.pem, rekor.pub\n"
	if diff := cmp.Diff(wantText, rep.Text()); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
}

func TestCompareUnreadableGolden(t *testing.T) {
	repo, root := buildPublished(t, "production")
	empty := t.TempDir()
	_, err := tufrepo.Compare(context.Background(), tufrepo.Source{Location: repo, Root: root, Time: refTime}, empty)
	want := "compare: read expected files: " + empty + ": no trusted_root.json"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
}

func TestIsTrustFile(t *testing.T) {
	for _, tc := range []struct {
		name string
		want bool
	}{
		{"trusted_root.json", true},
		{"signing_config.json", true},
		{"signing_config.v0.2.json", true},
		{"signing_config_rekor_v2.v0.2.json", true},
		{"rekor.pub", false},
		{"registry.npmjs.org/keys.json", false},
	} {
		if got := tufrepo.IsTrustFile(tc.name); got != tc.want {
			t.Errorf("IsTrustFile(%s) = %v, want %v", tc.name, got, tc.want)
		}
	}
}

package tufrepo_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trustc-dev/trustc/internal/refdata"
	"github.com/trustc-dev/trustc/tufrepo"
)

func sum(t *testing.T, elem ...string) string {
	t.Helper()
	s := sha256.Sum256(refdata.ReadFile(t, elem...))
	return hex.EncodeToString(s[:])
}

func sumOf(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// expectedWith is production's published targets as a release expects
// them, after edit.
func expectedWith(t *testing.T, edit func([]tufrepo.Target) []tufrepo.Target) []tufrepo.Target {
	t.Helper()
	_, targets := publishedTargets(t, "production")
	return edit(targets)
}

func index(targets []tufrepo.Target, name string) int {
	return slices.IndexFunc(targets, func(t tufrepo.Target) bool { return t.Name == name })
}

func TestCompare(t *testing.T) {
	repo, root := buildPublished(t, "production")
	src := tufrepo.Source{Location: repo, Root: root, Time: refTime}
	head := repo + " (root v1, targets v14): "
	trSum := sum(t, "production", "trusted_root.json")
	legacySum := sum(t, "production", "targets", "signing_config.json")
	rekorSum := sum(t, "production", "targets", "rekor.pub")

	changed := bytes.Replace(refdata.ReadFile(t, "production", "trusted_root.json"),
		[]byte("https://rekor.sigstore.dev"), []byte("https://rekor.sigstore.dew"), 1)

	for _, tc := range []struct {
		name string
		edit func([]tufrepo.Target) []tufrepo.Target
		want string
	}{
		{"identical", func(ts []tufrepo.Target) []tufrepo.Target { return ts }, head + "no drift, 11 targets as expected\n"},
		{"byte changed", func(ts []tufrepo.Target) []tufrepo.Target {
			ts[index(ts, "trusted_root.json")].Data = changed
			return ts
		}, head + "1 difference, 10 targets as expected\n" +
			"differs trusted_root.json\n" +
			"  published sha256:" + trSum + " 6787 bytes\n" +
			"  expected  sha256:" + sumOf(changed) + " 6787 bytes\n"},
		{"not expected", func(ts []tufrepo.Target) []tufrepo.Target {
			return slices.Delete(ts, index(ts, "signing_config.json"), index(ts, "signing_config.json")+1)
		}, head + "1 difference, 10 targets as expected\n" +
			"extra signing_config.json\n" +
			"  published sha256:" + legacySum + " 219 bytes\n"},
		// A legacy key target is compared like a trust file: cosign
		// still downloads rekor.pub.
		{"legacy key not expected", func(ts []tufrepo.Target) []tufrepo.Target {
			return slices.Delete(ts, index(ts, "rekor.pub"), index(ts, "rekor.pub")+1)
		}, head + "1 difference, 10 targets as expected\n" +
			"extra rekor.pub\n" +
			"  published sha256:" + rekorSum + " 178 bytes\n"},
		{"legacy key changed", func(ts []tufrepo.Target) []tufrepo.Target {
			ts[index(ts, "rekor.pub")].Data = []byte("other\n")
			return ts
		}, head + "1 difference, 10 targets as expected\n" +
			"differs rekor.pub\n" +
			"  published sha256:" + rekorSum + " 178 bytes\n" +
			"  expected  sha256:" + sumOf([]byte("other\n")) + " 6 bytes\n"},
		{"custom metadata changed", func(ts []tufrepo.Target) []tufrepo.Target {
			i := index(ts, "rekor.pub")
			ts[i].Custom = bytes.Replace(ts[i].Custom, []byte(`"Active"`), []byte(`"Expired"`), 1)
			return ts
		}, head + "1 difference, 10 targets as expected\n" +
			"custom rekor.pub\n" +
			`  published custom {"sigstore":{"status":"Active","uri":"https://rekor.sigstore.dev","usage":"Rekor"}}` + "\n" +
			`  expected  custom {"sigstore":{"status":"Expired","uri":"https://rekor.sigstore.dev","usage":"Rekor"}}` + "\n"},
		{"custom metadata in another key order", func(ts []tufrepo.Target) []tufrepo.Target {
			ts[index(ts, "rekor.pub")].Custom = []byte(`{"sigstore": {"usage": "Rekor", "uri": "https://rekor.sigstore.dev", "status": "Active"}}`)
			return ts
		}, head + "no drift, 11 targets as expected\n"},
		{"custom metadata dropped", func(ts []tufrepo.Target) []tufrepo.Target {
			ts[index(ts, "rekor.pub")].Custom = nil
			return ts
		}, head + "1 difference, 10 targets as expected\n" +
			"custom rekor.pub\n" +
			`  published custom {"sigstore":{"status":"Active","uri":"https://rekor.sigstore.dev","usage":"Rekor"}}` + "\n" +
			"  expected  custom (none)\n"},
		{"not published", func(ts []tufrepo.Target) []tufrepo.Target {
			return append(ts, tufrepo.Target{Name: "signing_config_next.v0.2.json", Data: refdata.ReadFile(t, "production", "signing_config.v0.2.json")})
		}, head + "1 difference, 11 targets as expected\n" +
			"missing signing_config_next.v0.2.json\n" +
			"  expected  sha256:" + sum(t, "production", "signing_config.v0.2.json") + " 1034 bytes\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := tufrepo.Compare(context.Background(), src, expectedWith(t, tc.edit))
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
	expected := expectedWith(t, func(ts []tufrepo.Target) []tufrepo.Target { return ts })
	rep, err := tufrepo.Compare(context.Background(), tufrepo.Source{Location: repo, Root: root, Time: refTime}, expected)
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
	if diff := cmp.Diff(tufrepo.Versions{Root: 1, Timestamp: 1, Snapshot: 1, Targets: 14}, rep.Versions); diff != "" {
		t.Errorf("versions (-want +got):\n%s", diff)
	}
	var wantMatched []string
	for _, tgt := range expected {
		if tgt.Name != "signing_config.v0.2.json" {
			wantMatched = append(wantMatched, tgt.Name)
		}
	}
	if diff := cmp.Diff(wantMatched, rep.Matched); diff != "" {
		t.Errorf("matched (-want +got):\n%s", diff)
	}
	wantText := repo + " (root v1, targets v14): 1 difference, 10 targets as expected\n" +
		"unavailable signing_config.v0.2.json\n" +
		"  published " + want[0].Published.String() + "\n" +
		"  expected  " + want[0].Expected.String() + "\n" +
		"  error     " + want[0].Err + "\n"
	if diff := cmp.Diff(wantText, rep.Text()); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
}

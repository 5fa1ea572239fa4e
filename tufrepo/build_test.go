package tufrepo

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/trustc-dev/trustc/internal/refdata"
	"github.com/trustc-dev/trustc/internal/treetest"
)

// refTime is the day the reference data was snapshotted.
var refTime = time.Date(2026, 8, 21, 0, 0, 0, 0, time.UTC)

// seededKey is an Ed25519 key fixed by a name, for builds that must repeat.
func seededKey(name string) crypto.Signer {
	seed := sha256.Sum256([]byte("trustc tufrepo test key " + name))
	return ed25519.NewKeyFromSeed(seed[:])
}

// testOptions signs root with two keys (Ed25519 and ECDSA P-256) and the
// other roles with one each.
func testOptions(t testing.TB) Options {
	t.Helper()
	exp := refTime.AddDate(10, 0, 0)
	return Options{
		ReferenceTime: refTime,
		Signers: Signers{
			Root:      []crypto.Signer{seededKey("root"), loadSigner(t, "ecdsa-p256.pem")},
			Targets:   []crypto.Signer{seededKey("targets")},
			Snapshot:  []crypto.Signer{seededKey("online")},
			Timestamp: []crypto.Signer{seededKey("online")},
		},
		Root:      Role{Expires: exp},
		Targets:   Role{Expires: exp},
		Snapshot:  Role{Expires: exp},
		Timestamp: Role{Expires: exp},
	}
}

var testTargets = []Target{
	{Name: "trusted_root.json", Data: []byte("{}\n")},
	{Name: "rekor.pub", Data: []byte("key\n"), Custom: []byte(`{"sigstore":{"status":"Active","usage":"Rekor"}}`)},
	{Name: "registry.example/keys.json", Data: []byte("[]")},
}

func names(files map[string]string) []string {
	var out []string
	for n := range files {
		out = append(out, n)
	}
	return sortedStrings(out)
}

func sortedStrings(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

func TestBuildLayout(t *testing.T) {
	opts := testOptions(t)
	opts.Root.Version = 3
	opts.Targets.Version = 14
	opts.Snapshot.Version = 7
	opts.Timestamp.Version = 9
	dir := filepath.Join(t.TempDir(), "repo")
	if err := Build(dir, testTargets, opts); err != nil {
		t.Fatal(err)
	}
	files := treetest.Read(t, dir)
	sum := func(s string) string { h := sha256.Sum256([]byte(s)); return metadata.HexBytes(h[:]).String() }
	want := []string{
		"14.targets.json",
		"3.root.json",
		"7.snapshot.json",
		"targets/" + sum("key\n") + ".rekor.pub",
		"targets/" + sum("{}\n") + ".trusted_root.json",
		"targets/registry.example/" + sum("[]") + ".keys.json",
		"timestamp.json",
	}
	if diff := cmp.Diff(sortedStrings(want), names(files)); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}

	root, err := metadata.Root().FromBytes([]byte(files["3.root.json"]))
	if err != nil {
		t.Fatal(err)
	}
	snap, err := metadata.Snapshot().FromBytes([]byte(files["7.snapshot.json"]))
	if err != nil {
		t.Fatal(err)
	}
	ts, err := metadata.Timestamp().FromBytes([]byte(files["timestamp.json"]))
	if err != nil {
		t.Fatal(err)
	}
	type summary struct {
		Consistent             bool
		RootThreshold, RootKey int
		SnapshotMeta           map[string]int64
		TimestampMeta          map[string]int64
		Expires                string
	}
	got := summary{
		Consistent:    root.Signed.ConsistentSnapshot,
		RootThreshold: root.Signed.Roles[metadata.ROOT].Threshold,
		RootKey:       len(root.Signed.Roles[metadata.ROOT].KeyIDs),
		SnapshotMeta:  map[string]int64{},
		TimestampMeta: map[string]int64{},
		Expires:       root.Signed.Expires.Format(time.RFC3339Nano),
	}
	for n, m := range snap.Signed.Meta {
		got.SnapshotMeta[n] = m.Version
	}
	for n, m := range ts.Signed.Meta {
		got.TimestampMeta[n] = m.Version
	}
	want2 := summary{true, 2, 2, map[string]int64{"targets.json": 14}, map[string]int64{"snapshot.json": 7}, "2036-08-21T00:00:00Z"}
	if diff := cmp.Diff(want2, got); diff != "" {
		t.Errorf("metadata (-want +got):\n%s", diff)
	}
	// Sigstore's serialisation: one-space indent, no trailing newline.
	if ts := files["timestamp.json"]; !strings.HasPrefix(ts, "{\n \"signatures\": [\n  {\n   \"keyid\": ") || strings.HasSuffix(ts, "\n") {
		t.Errorf("timestamp.json is not serialised as Sigstore's metadata:\n%s", ts)
	}
}

// TestBuildDeterministic builds twice with the same keys and options: every
// byte must repeat, ECDSA signatures included.
func TestBuildDeterministic(t *testing.T) {
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b")
	for _, dir := range []string{a, b} {
		if err := Build(dir, testTargets, testOptions(t)); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff(treetest.Read(t, a), treetest.Read(t, b)); diff != "" {
		t.Errorf("second build differs (-first +second):\n%s", diff)
	}
}

// TestBuildSubSecondExpiry checks expiry is written as TUF wants it,
// whole seconds in UTC, whatever the caller's time carries.
func TestBuildSubSecondExpiry(t *testing.T) {
	opts := testOptions(t)
	opts.Timestamp.Expires = time.Date(2030, 1, 2, 3, 4, 5, 999, time.FixedZone("x", 3600))
	dir := filepath.Join(t.TempDir(), "repo")
	if err := Build(dir, testTargets, opts); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "timestamp.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`"expires": "2030-01-02T02:04:05Z"`)) {
		t.Errorf("timestamp.json expiry not normalised:\n%s", b)
	}
}

// TestMarshalMatchesPublished re-serialises Sigstore's signed targets.json
// files: byte-identical output shows Build writes metadata the way
// root-signing does.
func TestMarshalMatchesPublished(t *testing.T) {
	for _, p := range [][]string{
		{"production", "targets.json"},
		{"staging", "targets.json"},
		{"production", "history", "targets-v10.targets.json"},
		{"production", "history", "targets-v11.targets.json"},
		{"production", "history", "targets-v12.targets.json"},
	} {
		t.Run(strings.Join(p, "/"), func(t *testing.T) {
			want := refdata.ReadFile(t, p...)
			md, err := metadata.Targets().FromBytes(want)
			if err != nil {
				t.Fatal(err)
			}
			got, err := marshal(md)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("re-serialised (-published +got):\n%s", diff)
			}
		})
	}
}

func TestBuildErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		edit    func(*Options)
		targets []Target
		want    string
	}{
		{"no reference time", func(o *Options) { o.ReferenceTime = time.Time{} }, nil,
			"build repository: no reference time"},
		{"no signers", func(o *Options) { o.Signers.Snapshot = nil }, nil,
			"build repository: snapshot: no signers"},
		{"threshold too high", func(o *Options) { o.Root.Threshold = 3 }, nil,
			"build repository: root: threshold 3 with 2 signers: want 1 to 2"},
		{"negative version", func(o *Options) { o.Targets.Version = -1 }, nil,
			"build repository: targets: version -1: want 1 or more"},
		{"no expiry", func(o *Options) { o.Timestamp.Expires = time.Time{} }, nil,
			"build repository: timestamp: no expiry"},
		{"expired", func(o *Options) { o.Timestamp.Expires = refTime }, nil,
			"build repository: timestamp: expires 2026-08-21T00:00:00Z, not after the reference time 2026-08-21T00:00:00Z; clients would reject it"},
		{"duplicate key", func(o *Options) { o.Signers.Targets = append(o.Signers.Targets, o.Signers.Targets[0]) }, nil,
			"build repository: targets: key " + keyID(seededKey("targets")) + " listed twice"},
		{"rsa key", func(o *Options) { o.Signers.Targets = []crypto.Signer{loadRSA(t)} }, nil,
			"build repository: targets: RSA 2048-bit key: want Ed25519 or ECDSA P-256"},
		{"duplicate target", func(*Options) {}, []Target{{Name: "a"}, {Name: "a"}},
			"build repository: target a listed twice"},
		{"bad target name", func(*Options) {}, []Target{{Name: "../a"}},
			`build repository: target name "../a": want a relative slash-separated path without . or .. elements`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := testOptions(t)
			tc.edit(&opts)
			dir := filepath.Join(t.TempDir(), "repo")
			err := Build(dir, tc.targets, opts)
			got := fmt.Sprint(err) // "<nil>" for none
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Errorf("failed Build left %s behind (stat: %v)", dir, err)
			}
			if des, _ := os.ReadDir(filepath.Dir(dir)); len(des) != 0 {
				t.Errorf("failed Build left %d entries beside the repository", len(des))
			}
		})
	}
}

func keyID(s crypto.Signer) string {
	_, id, err := keyOf(s)
	if err != nil {
		panic(err)
	}
	return id
}

// loadRSA reads the RSA test key past ParseSigner's type check, to show
// Build checks signers it did not load itself.
func loadRSA(t *testing.T) crypto.Signer {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "rsa.pem"))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(b)
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(crypto.Signer)
}

func TestBuildReplace(t *testing.T) {
	parent := t.TempDir()
	repo := filepath.Join(parent, "repo")
	if err := Build(repo, testTargets, testOptions(t)); err != nil {
		t.Fatal(err)
	}
	first := treetest.Read(t, repo)

	// A failed rebuild leaves the old repository untouched.
	bad := testOptions(t)
	bad.Signers.Root = nil
	if err := Build(repo, testTargets, bad); err == nil {
		t.Fatal("Build with no root signers succeeded")
	}
	if diff := cmp.Diff(first, treetest.Read(t, repo)); diff != "" {
		t.Errorf("failed Build changed the repository (-before +after):\n%s", diff)
	}

	// A root version is signed once: a rebuild that would sign other root
	// bytes under the same version is refused and changes nothing.
	later := testOptions(t)
	later.Root.Expires = later.Root.Expires.AddDate(1, 0, 0)
	err := Build(repo, testTargets, later)
	want := "write repository: " + repo + " already holds a different 1.root.json; a root version is signed once, so give the new root a higher version"
	if err == nil || err.Error() != want {
		t.Errorf("Build rewriting 1.root.json: error %v, want %s", err, want)
	}
	if diff := cmp.Diff(first, treetest.Read(t, repo)); diff != "" {
		t.Errorf("refused Build changed the repository (-before +after):\n%s", diff)
	}

	// Nor may a rebuild lower any role's version: clients that saw the
	// higher one would take the rebuilt repository for a rollback.
	higher := testOptions(t)
	higher.Targets.Version, higher.Timestamp.Version = 5, 3
	if err := Build(repo, testTargets, higher); err != nil {
		t.Fatal(err)
	}
	atV5 := treetest.Read(t, repo)
	lower := testOptions(t)
	lower.Targets.Version, lower.Timestamp.Version = 4, 3
	err = Build(repo, testTargets, lower)
	want = "write repository: " + repo + " holds targets v5; writing v4 over it would roll back every client that saw v5, so give targets version 5 or more"
	if err == nil || err.Error() != want {
		t.Errorf("Build lowering the targets version: error %v, want %s", err, want)
	}
	lower.Targets.Version, lower.Timestamp.Version = 5, 2
	err = Build(repo, testTargets, lower)
	want = "write repository: " + repo + " holds timestamp v3; writing v2 over it would roll back every client that saw v3, so give timestamp version 3 or more"
	if err == nil || err.Error() != want {
		t.Errorf("Build lowering the timestamp version: error %v, want %s", err, want)
	}
	if diff := cmp.Diff(atV5, treetest.Read(t, repo)); diff != "" {
		t.Errorf("refused Build changed the repository (-before +after):\n%s", diff)
	}

	// A good rebuild replaces it whole: the old target does not linger.
	if err := Build(repo, testTargets[:1], higher); err != nil {
		t.Fatal(err)
	}
	for n := range treetest.Read(t, repo) {
		if strings.HasSuffix(n, ".rekor.pub") {
			t.Errorf("old target %s survived the rebuild", n)
		}
	}
	des, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	if len(des) != 1 {
		t.Errorf("%d entries beside the repository after rebuild, want only it", len(des))
	}

	// Anything that is not a repository is refused.
	other := filepath.Join(parent, "other")
	if err := os.MkdirAll(other, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(other, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	err = Build(other, testTargets, testOptions(t))
	want = "write repository: refuse to replace " + other + ": not empty and holds no timestamp.json"
	if err == nil || err.Error() != want {
		t.Errorf("Build over a non-repository: error %v, want %s", err, want)
	}
	if b, _ := os.ReadFile(filepath.Join(other, "notes.txt")); string(b) != "mine" {
		t.Errorf("Build touched a non-repository directory")
	}
}

// BenchmarkBuild builds a repository the size of Sigstore's production one
// (eleven targets, 16 KB) with the test keys, ECDSA root key included.
func BenchmarkBuild(b *testing.B) {
	var targets []Target
	for _, name := range []string{"trusted_root.json", "signing_config.v0.2.json", "signing_config_rekor_v2.v0.2.json"} {
		targets = append(targets, Target{Name: name, Data: refdata.ReadFile(b, "production", name)})
	}
	des, err := os.ReadDir(refdata.Path(b, "production", "targets"))
	if err != nil {
		b.Fatal(err)
	}
	for _, de := range des {
		targets = append(targets, Target{Name: de.Name(), Data: refdata.ReadFile(b, "production", "targets", de.Name())})
	}
	opts := testOptions(b)
	parent := b.TempDir()
	for b.Loop() {
		if err := Build(filepath.Join(parent, "repo"), targets, opts); err != nil {
			b.Fatal(err)
		}
	}
}

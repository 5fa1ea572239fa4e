package importer_test

import (
	"io/fs"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/trustc-dev/trustc/compiler"
	"github.com/trustc-dev/trustc/importer"
	"github.com/trustc-dev/trustc/internal/fixture"
	"github.com/trustc-dev/trustc/internal/refdata"
	"github.com/trustc-dev/trustc/release"
)

// TestRoundTripEdited covers what Sigstore has not published: a v0.2
// trusted root (operators and checkpoint key ids on every entry), an
// EXACT selector, services run by someone other than the environment's
// operator, and key details that are not the key's default. The files are
// made by compiling the hand-written production environment with those
// edits; importing them must give them back, stating exactly the edited
// values.
func TestRoundTripEdited(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edits [][3]string // file, old, new
	}{{
		name: "v0.2",
		edits: [][3]string{
			{"environment.cue", "trustedRoot: {}", `trustedRoot: mediaType: "application/vnd.dev.sigstore.trustedroot.v0.2+json"`},
			// Every declared client rejects a v0.2 trusted root (rule 4b).
			{"environment.cue", `clients: ["sigstore-go", "cosign", "sigstore-js", "sigstore-python", "sigstore-java"]`, "clients: []"},
			{"environment.cue", `rekorTlogConfig: selector: "ANY"`, `rekorTlogConfig: {selector: "EXACT", count: 1}`},
			{"services.cue", `key:    "rekor.pub"`, `key: "rekor.pub", keyDetails: "PKIX_ECDSA_P256_HMAC_SHA_256", operator: "rekor.example"`},
			{"services.cue", `key: "ctfe_2022.pub"`, `key: "ctfe_2022.pub", operator: "ct.example"`},
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			roundTripEdited(t, strings.ReplaceAll(tc.name, " ", "-"), tc.edits)
		})
	}
}

func roundTripEdited(t *testing.T, golden string, edits [][3]string) {
	// The frozen production (internal/fixture): the edits below name its
	// lines, which a real change to environments/production must not move.
	files := map[string][]byte{}
	entries, err := fs.ReadDir(fixture.Production, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := fs.ReadFile(fixture.Production, e.Name())
		if err != nil {
			t.Fatal(err)
		}
		files[e.Name()] = b
	}
	for _, e := range edits {
		s := string(files[e[0]])
		if !strings.Contains(s, e[1]) {
			t.Fatalf("%s has no %q", e[0], e[1])
		}
		files[e[0]] = []byte(strings.Replace(s, e[1], e[2], 1))
	}

	out, err := compiler.Compile(compiler.Dir(repo(t, "production", files), "production"), compiler.Options{})
	if err != nil {
		t.Fatalf("compile the edited production: %v", err)
	}
	var in []importer.Input
	for _, f := range out.Release.Env("production").Files() {
		in = append(in, importer.Input{Name: f.Name, Data: f.Bytes})
	}
	res, err := importer.Import(refdata.ModuleRoot(t), in, importer.Options{Env: "imported", Policy: importer.Policy{Clients: []string{}}})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	checkGolden(t, "edited-"+golden, res.Files)
	again, err := compiler.Compile(compiler.Dir(repo(t, "imported", res.Files), "imported"), compiler.Options{})
	if err != nil {
		t.Fatalf("compile the import: %v", err)
	}
	for _, f := range in {
		var want, got any = parse(t, f.Name, f.Data), nil
		env := again.Release.Env("imported")
		switch f.Name {
		case release.TrustedRootName:
			got = env.TrustedRoot.Msg
		case release.LegacySigningConfigName:
			got = env.Legacy.Msg
		default:
			got = env.SigningConfig(f.Name).Msg
		}
		if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
			t.Errorf("%s (-compiled from edits +compiled from import):\n%s", f.Name, diff)
		}
	}
}

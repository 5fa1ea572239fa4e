package release

import (
	"os"
	"testing"
	"testing/fstest"

	"github.com/trustc-dev/trustc/internal/refdata"
)

func TestReadPublished(t *testing.T) {
	for _, tc := range []struct {
		name       string
		wantConfig []string
		wantTlogs  int
	}{
		{"production", []string{"signing_config.v0.2.json", "signing_config_rekor_v2.v0.2.json"}, 2},
		{"staging", []string{"signing_config.v0.2.json", "signing_config_rekor_v2.v0.2.json"}, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rel, err := Read(os.DirFS(refdata.Path(t, tc.name)), tc.name)
			if err != nil {
				t.Fatal(err)
			}
			env := rel.Env(tc.name)
			if env == nil {
				t.Fatalf("no env %s", tc.name)
			}
			var got []string
			for _, f := range env.SigningConfigs {
				got = append(got, f.Name)
			}
			if len(got) != len(tc.wantConfig) || got[0] != tc.wantConfig[0] || got[1] != tc.wantConfig[1] {
				t.Errorf("signing configs = %v, want %v", got, tc.wantConfig)
			}
			if n := len(env.TrustedRoot.Msg.GetTlogs()); n != tc.wantTlogs {
				t.Errorf("tlogs = %d, want %d", n, tc.wantTlogs)
			}
			if env.Legacy != nil {
				t.Errorf("legacy signing config read from the top level; it lives in targets/")
			}
		})
	}
}

func TestReadErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		fs   fstest.MapFS
		want string
	}{
		{"empty", fstest.MapFS{}, "no trusted_root.json in the directory or its subdirectories"},
		{"bad json", fstest.MapFS{"trusted_root.json": {Data: []byte("{")}}, "x: parse trusted_root.json: "},
		{"wrong media type", fstest.MapFS{"trusted_root.json": {Data: []byte(`{"mediaType":"nope"}`)}},
			`x: parse trusted_root.json: mediaType "nope" is not a trusted root media type`},
		{"unknown field", fstest.MapFS{
			"trusted_root.json":        {Data: []byte(`{"mediaType":"application/vnd.dev.sigstore.trustedroot.v0.2+json"}`)},
			"signing_config.v0.2.json": {Data: []byte(`{"mediaType":"application/vnd.dev.sigstore.signingconfig.v0.2+json","surprise":1}`)},
		}, "x: parse signing_config.v0.2.json: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(tc.fs, "x")
			if err == nil {
				t.Fatal("no error")
			}
			if got := err.Error(); len(got) < len(tc.want) || got[:len(tc.want)] != tc.want {
				t.Errorf("error = %q, want prefix %q", got, tc.want)
			}
		})
	}
}

func TestReadLegacy(t *testing.T) {
	dir := refdata.Path(t, "staging", "targets")
	b, err := os.ReadFile(dir + "/signing_config.json")
	if err != nil {
		t.Fatal(err)
	}
	f, err := ParseLegacySigningConfig("signing_config.json", b)
	if err != nil {
		t.Fatal(err)
	}
	if f.Msg.OIDCURL != "https://oauth2.sigstage.dev/auth/" || len(f.Msg.TlogURLs) != 1 {
		t.Errorf("got %+v", f.Msg)
	}
}

package load_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trustc-dev/trustc/compiler/load"
	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/internal/refdata"
)

// FuzzReadJSON feeds the reader of published JSON bytes it has never seen.
// Whatever they are, it returns one decoded file or problems, each at a
// position in the file it read, and FromJSON reads the file into the
// model; neither panics. go test runs the seeds,
// published files of every kind. To explore, run
//
//	go test ./compiler/load -run '^$' -fuzz FuzzReadJSON
func FuzzReadJSON(f *testing.F) {
	for _, seed := range [][]string{
		{"production", "trusted_root.json"},
		{"production", "signing_config.v0.2.json"},
		{"staging", "trusted_root.json"},
		{"production", "targets", "signing_config.json"},
		{"production", "history", "targets-v10.trusted_root.json"},
	} {
		f.Add(refdata.ReadFile(f, seed...))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		jf, err := load.ReadJSON("in.json", "trusted_root.json", data)
		if err != nil {
			ps := model.Problems(err)
			if len(ps) == 0 {
				t.Fatalf("an error that is no problem: %v", err)
			}
			for _, p := range ps {
				if pos := p.Position(); !pos.IsValid() || pos.Filename() != "in.json" || p.Message == "" {
					t.Fatalf("problem without a position in in.json or a message: %#v", p)
				}
			}
			return
		}
		n := 0
		for _, set := range []bool{jf.TrustedRoot != nil, jf.SigningConfig != nil, jf.Legacy != nil} {
			if set {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("decoded as %d kinds of file, want 1", n)
		}
		// What it decoded, FromJSON turns into the model, reporting each
		// problem in the file, never panicking.
		if _, err := load.FromJSON("fuzz", []*load.JSONFile{jf}, load.JSONOptions{}); err != nil {
			for _, p := range model.Problems(err) {
				if pos := p.Position(); !pos.IsValid() || pos.Filename() != "in.json" || p.Message == "" {
					t.Fatalf("FromJSON: problem without a position in in.json or a message: %#v", p)
				}
			}
		}
	})
}

func TestReadJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		data string
		kind string // what decoded: root, config or legacy
		want []string
	}{{
		name: "trusted root",
		data: `{"mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1"}`,
		kind: "root",
	}, {
		name: "signing config",
		data: `{"mediaType": "application/vnd.dev.sigstore.signingconfig.v0.2+json", "caUrls": [{"url": "https://fulcio.example.com"}]}`,
		kind: "config",
	}, {
		name: "legacy signing config",
		data: `{"mediaType": "application/vnd.dev.sigstore.signingconfig.v0.1+json", "caUrl": "https://fulcio.example.com", "tlogUrls": ["https://rekor.example.com"]}`,
		kind: "legacy",
	}, {
		name: "every problem, each at its line and column",
		data: "{\n  \"mediaType\": \"application/vnd.dev.sigstore.signingconfig.v0.2+json\",\n  \"caUrls\": [{\"url\": 1}],\n  \"tsaConfig\": {\"selector\": \"SOME\"}\n}",
		want: []string{
			"in.json:3:22: caUrls[0].url: want a string, got a number",
			`in.json:4:29: tsaConfig.selector: "SOME" is not a ServiceSelector`,
		},
	}, {
		name: "legacy field unknown",
		data: "{\"mediaType\": \"application/vnd.dev.sigstore.signingconfig.v0.1+json\",\n \"rekorUrl\": \"x\"}",
		want: []string{"in.json:2:14: rekorUrl: unknown field (a v0.1 signing config has mediaType, caUrl, oidcUrl, tlogUrls, tsaUrls)"},
	}, {
		name: "no JSON",
		data: "{\n  \"mediaType\": ",
		want: []string{"in.json:2:16: invalid JSON: unexpected end of JSON input"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := load.ReadJSON("in.json", "x.json", []byte(tc.data))
			var got []string
			for _, p := range model.Problems(err) {
				at := p.Position().String() + ": "
				if path := p.Src.String(); path != "" {
					at += path + ": "
				}
				got = append(got, at+p.Message)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Fatalf("problems (-want +got):\n%s", diff)
			}
			if err != nil {
				return
			}
			kind := map[bool]string{f.TrustedRoot != nil: "root", f.SigningConfig != nil: "config", f.Legacy != nil: "legacy"}[true]
			if kind != tc.kind {
				t.Errorf("decoded a %s, want a %s", kind, tc.kind)
			}
			if f.Legacy != nil && (f.Legacy.Msg.CAURL != "https://fulcio.example.com" || len(f.Legacy.Msg.TlogURLs) != 1) {
				t.Errorf("legacy signing config read as %+v", f.Legacy.Msg)
			}
		})
	}
}

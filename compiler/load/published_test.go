package load_test

import (
	"testing"

	"github.com/trustc-dev/trustc/compiler/load"
	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/internal/refdata"
)

// FuzzReadJSON feeds the reader of published JSON bytes it has never seen.
// Whatever they are, it returns one decoded file or problems, each at a
// position in the file it read; it never panics. go test runs the seeds,
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
	})
}

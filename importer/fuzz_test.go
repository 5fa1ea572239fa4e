package importer

import (
	"errors"
	"testing"

	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/internal/refdata"
)

// FuzzImport feeds the importer a trusted root and a signing config it has
// never seen. Whatever the bytes, it must return an InputError (each problem at
// its file:line:col) or a plan that renders to CUE that parses; it must never panic.
// go test runs the seeds, the published files. To explore, run
//
//	go test ./importer -run '^$' -fuzz FuzzImport -fuzzminimizetime 10x
//
// The seeds are trusted roots of up to 12 KB, and minimizing every new
// input for the default minute leaves almost no time for fuzzing.
//
// The scratch compile that Import ends with is left out: it runs the
// compiler, which has its own fuzz targets, and would slow each run a
// hundredfold.
func FuzzImport(f *testing.F) {
	for _, seed := range [][2]string{
		{"production/trusted_root.json", "production/signing_config.v0.2.json"},
		{"production/trusted_root.json", "production/signing_config_rekor_v2.v0.2.json"},
		{"staging/trusted_root.json", "staging/signing_config.v0.2.json"},
		{"staging/trusted_root.json", "staging/signing_config_rekor_v2.v0.2.json"},
		{"production/history/targets-v10.trusted_root.json", "production/targets/signing_config.json"},
		{"production/history/targets-v11.trusted_root.json", "staging/targets/signing_config.json"},
		{"production/history/targets-v12.trusted_root.json", "production/signing_config.v0.2.json"},
	} {
		f.Add(refdata.ReadFile(f, split(seed[0])...), refdata.ReadFile(f, split(seed[1])...))
	}
	f.Fuzz(func(t *testing.T, root, config []byte) {
		files := []Input{{Name: "trusted_root.json", Data: root}, {Name: "signing_config.v0.2.json", Data: config}}
		e := newErrs()
		in := parseInputs(e, files)
		if err := e.err(); err != nil {
			checkErrors(t, err)
			return
		}
		p, err := buildPlan(e, in, Options{Env: "fuzz"})
		if err != nil {
			checkErrors(t, err)
			return
		}
		r := &renderer{p: p, pkg: "fuzz", schemaImport: "example.com/schema"}
		if _, err := r.render(); err != nil {
			t.Fatalf("a plan that does not render: %v", err)
		}
	})
}

func split(p string) []string {
	var out []string
	start := 0
	for i := range len(p) {
		if p[i] == '/' {
			out = append(out, p[start:i])
			start = i + 1
		}
	}
	return append(out, p[start:])
}

func checkErrors(t *testing.T, err error) {
	t.Helper()
	var list *InputError
	if !errors.As(err, &list) || list.Problems == nil {
		t.Fatalf("error %v (%T) is not a list of input problems", err, err)
	}
	for _, p := range model.Problems(list.Problems) {
		if p.Message == "" {
			t.Fatalf("problem without a message: %#v", p)
		}
		// Only a problem of all files at once (no trusted root among
		// them) has no position.
		if pos := p.Position(); pos.IsValid() && pos.Filename() != "trusted_root.json" && pos.Filename() != "signing_config.v0.2.json" {
			t.Fatalf("problem positioned in %s, no input: %#v", pos.Filename(), p)
		}
	}
}

package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/format"
	"cuelang.org/go/cue/parser"
	"github.com/google/go-cmp/cmp"

	"github.com/trustc-dev/trustc/compiler"
	"github.com/trustc-dev/trustc/compiler/check"
	"github.com/trustc-dev/trustc/internal/fixture"
	"github.com/trustc-dev/trustc/internal/refdata"
	"github.com/trustc-dev/trustc/release"
)

// TestCompiledWithout compiles production (the frozen copy of
// internal/fixture, as published at TUF targets v14) with one service or
// chain deleted from its CUE and runs the production bundles against the
// result: those that depend on what is gone fail, the others still
// verify. Unlike Mutations, which edit a trusted root, this goes through
// the whole compiler, so a log or chain left out of the CUE is left out
// of what clients trust. The subtest names carry the reason.
func TestCompiledWithout(t *testing.T) {
	for _, tc := range []struct {
		name string
		// file and path locate the deleted CUE field in the fixture's production.
		file string
		path []string
		// fewer is the trusted-root list that loses one entry.
		fewer string
		// fails lists the cases that depend on the deleted field.
		fails []string
	}{
		{
			name: "without-log2025-1", file: "services.cue", path: []string{"rekor", "log2025-1"},
			fewer: "tlogs", fails: []string{"rekor2-log2025-1-tsa"},
		},
		{
			name: "without-fulcio-chain-v1", file: "services.cue", path: []string{"ca", "fulcio", "chains", "v1"},
			fewer: "certificateAuthorities",
			fails: []string{"rekor1-hashedrekord", "rekor1-v0.2-rfc8785-0.1.2-whl", "rekor2-log2025-1-tsa"},
		},
		{
			name: "without-tsa-chain-2025", file: "services.cue", path: []string{"tsa", "sigstore", "chains", "2025"},
			fewer: "timestampAuthorities", fails: []string{"rekor2-log2025-1-tsa"},
		},
	} {
		t.Run("production-"+tc.name, func(t *testing.T) {
			t.Parallel()
			trustedRoot := compileWithout(t, "production", tc.file, tc.path...)
			// The deletion took out one entry and nothing else, so a
			// bundle that fails here fails for want of that entry.
			want := counts(t, refdata.ReadFile(t, "production", release.TrustedRootName))
			want[tc.fewer]--
			if diff := cmp.Diff(want, counts(t, trustedRoot)); diff != "" {
				t.Fatalf("trusted-root entries (-want +got):\n%s", diff)
			}
			for _, c := range Cases {
				if c.Env != "production" {
					continue
				}
				fails := slices.Contains(tc.fails, c.Name)
				verdict := map[bool]string{true: "fails", false: "verifies"}[fails]
				t.Run(c.Name+"/"+verdict, func(t *testing.T) {
					err := VerifyBundle(t, trustedRoot, c)
					switch {
					case fails && err == nil:
						t.Errorf("verifies against production compiled %s", tc.name)
					case !fails && err != nil:
						t.Errorf("fails against production compiled %s, which it does not use: %v", tc.name, err)
					}
				})
			}
		})
	}
}

// counts returns the number of entries in each list of a trusted root.
func counts(t *testing.T, trustedRoot []byte) map[string]int {
	t.Helper()
	trf, err := release.ParseTrustedRoot(release.TrustedRootName, trustedRoot)
	if err != nil {
		t.Fatal(err)
	}
	tr := trf.Msg
	return map[string]int{
		"tlogs":                  len(tr.GetTlogs()),
		"ctlogs":                 len(tr.GetCtlogs()),
		"certificateAuthorities": len(tr.GetCertificateAuthorities()),
		"timestampAuthorities":   len(tr.GetTimestampAuthorities()),
	}
}

// compileWithout writes the frozen fixture (cue.mod, schema,
// environments/<env>) into a temporary repository, deletes the field at
// path from the environment's file, compiles it (without the policy) and
// returns its trusted_root.json.
func compileWithout(t *testing.T, env, file string, path ...string) []byte {
	t.Helper()
	dst := fixture.Repo(t)
	p := filepath.Join(dst, "environments", env, file)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	f, err := parser.ParseFile(p, b, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	if !deleteField(f.Decls, path, func(d []ast.Decl) { f.Decls = d }) {
		t.Fatalf("%s has no field %s", file, strings.Join(path, "."))
	}
	out, err := format.Node(f)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, out, 0o644); err != nil {
		t.Fatal(err)
	}
	// The policy rightly refuses these environments (clients would be sent
	// to a CA or TSA they cannot verify), so this runs the stages up to
	// emit without it: the trusted roots are built broken on purpose.
	res, err := compiler.Compile(compiler.Dir(dst, env), compiler.Options{Review: true})
	if err == nil {
		err = check.Structure(res.Envs[0])
	}
	if err != nil {
		t.Fatalf("compile %s without %s: %v", env, strings.Join(path, "."), err)
	}
	return res.Release.Env(env).TrustedRoot.Bytes
}

// deleteField deletes the field at path from decls, following struct
// literals (including the nested shorthand a: b: {...}), and reports
// whether it found one; set stores the shortened list.
func deleteField(decls []ast.Decl, path []string, set func([]ast.Decl)) bool {
	for i, d := range decls {
		field, ok := d.(*ast.Field)
		if !ok {
			continue
		}
		name, _, err := ast.LabelName(field.Label)
		if err != nil || name != path[0] {
			continue
		}
		if len(path) == 1 {
			set(slices.Delete(slices.Clone(decls), i, i+1))
			return true
		}
		st, ok := field.Value.(*ast.StructLit)
		if !ok {
			return false
		}
		return deleteField(st.Elts, path[1:], func(d []ast.Decl) { st.Elts = d })
	}
	return false
}

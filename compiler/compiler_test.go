package compiler_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/diff"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"

	"github.com/trustc-dev/trustc/compiler"
	"github.com/trustc-dev/trustc/compiler/emit"
	"github.com/trustc-dev/trustc/internal/checkout"
	"github.com/trustc-dev/trustc/internal/refdata"
	"github.com/trustc-dev/trustc/plan"
	"github.com/trustc-dev/trustc/release"
)

var update = flag.Bool("update", false, "rewrite docs/published-differences.md")

// compileReal compiles the repository's real environments.
func compileReal(t testing.TB) (*compiler.Result, string) {
	t.Helper()
	root := refdata.ModuleRoot(t)
	res, err := compiler.Compile(compiler.Dir(root), compiler.Options{})
	if err != nil {
		t.Fatalf("compile: %v", err)
	}
	return res, root
}

// TestGolden checks golden/ byte for byte against what the CUE compiles
// to. 'make generate' (trustc generate) is what rewrites golden/. A plan
// with future signing starts compiles to one release per step (package
// asof) and golden/ holds the one of the day it was generated, which a
// test without a clock cannot name: an environment whose golden/ is a
// release of its plan (plan.Behind) passes, every other must match the
// whole plan.
func TestGolden(t *testing.T) {
	res, root := compileReal(t)
	for i, env := range res.Release.Envs {
		dir := os.DirFS(filepath.Join(root, "golden", env.Name))
		due, err := plan.Behind(res.Envs[i], time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), func(r *release.Env) bool {
			for _, f := range r.Files() {
				if b, err := fs.ReadFile(dir, f.Name); err != nil || !bytes.Equal(b, f.Bytes) {
					return false
				}
			}
			return true
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(due) > 0 {
			t.Logf("golden/%s is the release of its plan before %s", env.Name, due[0].Time.Format(time.RFC3339))
			continue
		}
		for _, f := range env.Files() {
			t.Run(env.Name+"/"+f.Name, func(t *testing.T) {
				got, err := os.ReadFile(filepath.Join(root, "golden", env.Name, f.Name))
				if err != nil {
					t.Fatalf("%v (run make generate)", err)
				}
				if !bytes.Equal(got, f.Bytes) {
					t.Errorf("golden/%s/%s is stale; run make generate:\n%s", env.Name, f.Name,
						diff.Diff("golden", got, "compiled", f.Bytes))
				}
			})
		}
	}
}

// published pairs each compiled file with its published counterpart.
type publishedFile struct {
	env, name, path string // path relative to testdata/sigstore
}

// sigstoreEnvs are the environments Sigstore publishes; the checkout's
// are compared with the published files, and a fork may drop them.
var sigstoreEnvs = []string{"production", "staging"}

// publishedFiles lists them for the Sigstore environments the checkout at
// root keeps.
func publishedFiles(t *testing.T, root string) []publishedFile {
	t.Helper()
	var out []publishedFile
	for _, env := range checkout.Environments(t, root, sigstoreEnvs...) {
		for _, n := range []string{"trusted_root.json", "signing_config.v0.2.json", "signing_config_rekor_v2.v0.2.json"} {
			out = append(out, publishedFile{env, n, env + "/" + n})
		}
		out = append(out, publishedFile{env, "signing_config.json", env + "/targets/signing_config.json"})
	}
	return out
}

// parse reads a published or compiled file into its message.
func parse(t *testing.T, name string, b []byte) any {
	t.Helper()
	var (
		m   any
		err error
	)
	switch {
	case name == release.TrustedRootName:
		var f *release.TrustedRootFile
		f, err = release.ParseTrustedRoot(name, b)
		if f != nil {
			m = f.Msg
		}
	case name == release.LegacySigningConfigName:
		var f *release.LegacySigningConfigFile
		f, err = release.ParseLegacySigningConfig(name, b)
		if f != nil {
			m = f.Msg
		}
	default:
		var f *release.SigningConfigFile
		f, err = release.ParseSigningConfig(name, b)
		if f != nil {
			m = f.Msg
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestReproducesPublished checks that every compiled file equals Sigstore's
// published file as a protobuf message, and byte for byte where the
// published file is already canonical.
func TestReproducesPublished(t *testing.T) {
	res, root := compileReal(t)
	for _, p := range publishedFiles(t, root) {
		t.Run(p.path, func(t *testing.T) {
			env := res.Release.Env(p.env)
			var got []byte
			for _, f := range env.Files() {
				if f.Name == p.name {
					got = f.Bytes
				}
			}
			if got == nil {
				t.Fatalf("%s does not publish %s", p.env, p.name)
			}
			want := refdata.ReadFile(t, strings.Split(p.path, "/")...)
			if diff := cmp.Diff(parse(t, p.name, want), parse(t, p.name, got), protocmp.Transform()); diff != "" {
				t.Errorf("compiled %s/%s differs from the published file as a message (-published +compiled):\n%s", p.env, p.name, diff)
			}
			// Canonicalising the published file must give exactly our bytes:
			// then every byte difference is formatting, and the README's
			// list of differences is complete.
			if m, ok := parse(t, p.name, want).(proto.Message); ok {
				canon, err := emit.Canonical(m)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(canon, got) {
					t.Errorf("canonical form of the published file differs from ours:\n%s", diff.Diff("canonical(published)", canon, "compiled", got))
				}
			}
		})
	}
	t.Run("production trusted root is byte-identical", func(t *testing.T) {
		want := refdata.ReadFile(t, "production", "trusted_root.json")
		got := res.Release.Env("production").TrustedRoot.Bytes
		if !bytes.Equal(want, got) {
			t.Errorf("bytes differ:\n%s", diff.Diff("published", want, "compiled", got))
		}
	})
}

// TestIdempotent re-feeds each golden file through the canonical emitter,
// as gofmt's tests do: parsing and re-emitting must change nothing.
func TestIdempotent(t *testing.T) {
	res, _ := compileReal(t)
	for _, env := range res.Release.Envs {
		for _, f := range env.Files() {
			t.Run(env.Name+"/"+f.Name, func(t *testing.T) {
				m, ok := parse(t, f.Name, f.Bytes).(proto.Message)
				if !ok {
					return // the legacy v0.1 file is covered by TestReproducesPublished
				}
				again, err := emit.Canonical(m)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(again, f.Bytes) {
					t.Errorf("re-emitting changes the bytes:\n%s", diff.Diff("golden", f.Bytes, "again", again))
				}
			})
		}
	}
}

// differencesHeader opens docs/published-differences.md, which this test
// writes whole: a page of its own, so that make generate never touches docs.
const differencesHeader = `# Differences from the published files

Generated by ` + "`go test ./compiler -run TestPublishedDifferencesDocumented -update`" + `; do not edit.
Every compiled file equals its published counterpart as a protobuf message;
these are the byte differences, each published file against trustc's
canonical form ([canonical-form.md](canonical-form.md)).

`

// TestPublishedDifferencesDocumented keeps docs/published-differences.md, the list of byte
// differences between each published file and our canonical form equal to
// the real differences, computed here.
func TestPublishedDifferencesDocumented(t *testing.T) {
	res, root := compileReal(t)
	var b strings.Builder
	var entries []string
	files := publishedFiles(t, root)
	for _, p := range files {
		start := b.Len()
		want := refdata.ReadFile(t, strings.Split(p.path, "/")...)
		var got []byte
		for _, f := range res.Release.Env(p.env).Files() {
			if f.Name == p.name {
				got = f.Bytes
			}
		}
		d := diff.Diff("published/"+p.path, want, "golden/"+p.env+"/"+p.name, got)
		if d == nil {
			b.WriteString("- `" + p.path + "`: byte-identical.\n")
			entries = append(entries, b.String()[start:])
			continue
		}
		b.WriteString("- `" + p.path + "`: " + summarize(t, want, got) + "\n\n  ```diff\n")
		for _, line := range strings.SplitAfter(string(d), "\n") {
			if line != "" {
				b.WriteString("  " + line)
			}
		}
		b.WriteString("  ```\n")
		entries = append(entries, b.String()[start:])
	}
	page := differencesHeader + b.String()

	path := filepath.Join(root, "docs", "published-differences.md")
	if *update {
		if err := os.WriteFile(path, []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	cur, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(checkout.Environments(t, root, sigstoreEnvs...)) < len(sigstoreEnvs) {
		// A fork without one of Sigstore's environments: the page still
		// describes both; what it says of the kept ones must hold.
		for _, e := range entries {
			if !strings.Contains(string(cur), e) {
				t.Errorf("docs/published-differences.md lacks, or has a stale form of:\n%s", e)
			}
		}
		return
	}
	if string(cur) != page {
		t.Errorf("docs/published-differences.md is stale; run go test ./compiler -run TestPublishedDifferencesDocumented -update:\n%s",
			diff.Diff("docs/published-differences.md", cur, "computed", []byte(page)))
	}
}

// summarize names the kinds of difference between a published file and
// our canonical bytes, so that a reader need not decode the diff.
func summarize(t *testing.T, published, golden []byte) string {
	t.Helper()
	var kinds []string
	if n := len(zeroFraction.FindAll(published, -1)); n > 0 {
		kinds = append(kinds, fmt.Sprintf("%d timestamp(s) written with `.000Z`, canonical `Z`", n))
	}
	var reindented bytes.Buffer
	if err := json.Indent(&reindented, compactJSON(t, published), "", "  "); err != nil {
		t.Fatal(err)
	}
	reindented.WriteByte('\n')
	if !bytes.Equal(reindented.Bytes(), published) {
		kinds = append(kinds, "whitespace differs from two-space `\"key\": value` layout")
	}
	if pk, gk := topKeys(t, published), topKeys(t, golden); !slices.Equal(pk, gk) {
		kinds = append(kinds, fmt.Sprintf("top-level field order %v, canonical (proto declaration) order %v", pk, gk))
	}
	return strings.Join(kinds, "; ")
}

var zeroFraction = regexp.MustCompile(`\.0+Z"`)

func compactJSON(t *testing.T, b []byte) []byte {
	t.Helper()
	var c bytes.Buffer
	if err := json.Compact(&c, b); err != nil {
		t.Fatal(err)
	}
	return c.Bytes()
}

// topKeys lists an object's top-level keys in document order.
func topKeys(t *testing.T, b []byte) []string {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	var keys []string
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch v := tok.(type) {
		case json.Delim:
			if v == '{' || v == '[' {
				depth++
			} else {
				depth--
			}
		case string:
			if depth == 1 {
				keys = append(keys, v)
				// Skip the value.
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	return keys
}

// TestLogIDsDerived compares every published log id with the one derived
// from the key material: all of them (4 production, 10 staging), none
// typed in the CUE.
func TestLogIDsDerived(t *testing.T) {
	res, root := compileReal(t)
	compared, want := 0, 0
	envs := checkout.Environments(t, root, sigstoreEnvs...)
	for _, env := range envs {
		want += map[string]int{"production": 4, "staging": 10}[env]
		pub, err := release.ParseTrustedRoot(release.TrustedRootName, refdata.ReadFile(t, env, "trusted_root.json"))
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		tr := res.Release.Env(env).TrustedRoot.Msg
		for _, l := range append(tr.GetTlogs(), tr.GetCtlogs()...) {
			got[l.GetBaseUrl()] = fmt.Sprintf("%x", l.GetLogId().GetKeyId())
		}
		for _, l := range append(pub.Msg.GetTlogs(), pub.Msg.GetCtlogs()...) {
			want := fmt.Sprintf("%x", l.GetLogId().GetKeyId())
			if got[l.GetBaseUrl()] != want {
				t.Errorf("%s %s: derived log id %s, published %s", env, l.GetBaseUrl(), got[l.GetBaseUrl()], want)
			}
			compared++
		}
	}
	if compared != want {
		t.Errorf("compared %d published log ids, want %d", compared, want)
	}
	for _, dir := range envs {
		b, err := os.ReadFile(filepath.Join(root, "environments", dir, "services.cue"))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("logId")) {
			t.Errorf("environments/%s types a logId; it must be derived", dir)
		}
	}
}

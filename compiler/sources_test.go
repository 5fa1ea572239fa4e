package compiler_test

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trustc-dev/trustc/compiler"
	"github.com/trustc-dev/trustc/compiler/emit"
)

// TestSourcesExist checks that every place Sources names exists in the
// emitted file, for the fixture and every environment of the checkout: a
// finding placed by it points at a real field.
func TestSourcesExist(t *testing.T) {
	real, _ := compileReal(t)
	for _, res := range []*compiler.Result{compileFixture(t), real} {
		sourcesExist(t, res)
	}
}

func sourcesExist(t *testing.T, res *compiler.Result) {
	t.Helper()
	for i, env := range res.Envs {
		files := map[string]any{}
		for _, f := range res.Release.Envs[i].Files() {
			var v any
			if err := json.Unmarshal(f.Bytes, &v); err != nil {
				t.Fatal(err)
			}
			files[f.Name] = v
		}
		m := emit.Sources(env)
		// The fixture (environment "test") has every kind of service; an
		// environment of a fork may be small.
		if env.Name == "test" && len(m) < 50 {
			t.Errorf("%s: only %d sources", env.Name, len(m))
		}
		for _, s := range m {
			doc, ok := files[s.File]
			if !ok {
				t.Errorf("%s: %v maps to %s, which is not emitted", env.Name, s.Src, s.File)
				continue
			}
			if _, ok := jsonAt(doc, s.Path); !ok {
				t.Errorf("%s: %v maps to %s %q, which the file lacks", env.Name, s.Src, s.File, s.Path)
			}
		}
	}
}

// TestSourcesLookup places values of the fixture (a frozen production).
func TestSourcesLookup(t *testing.T) {
	res := compileFixture(t)
	m := emit.Sources(res.Envs[0])
	for _, tc := range []struct {
		path     string
		file     string
		jsonPath string
	}{
		// Exact fields.
		{`rekor."log2025-1".verify.start`, "trusted_root.json", "tlogs[1].publicKey.validFor.start"},
		{`rekor."log2025-1".sign.rekorV2.start`, "signing_config_rekor_v2.v0.2.json", "rekorTlogUrls[0].validFor.start"},
		{`rekor.rekor.sign.rekorV2`, "signing_config_rekor_v2.v0.2.json", "rekorTlogUrls[1]"},
		{`rekor."log2025-1".key`, "trusted_root.json", "tlogs[1].publicKey.rawBytes"},
		{`rekor."log2025-1"`, "trusted_root.json", "tlogs[1]"},
		{`ca.fulcio.chains.v0.verify.end`, "trusted_root.json", "certificateAuthorities[0].validFor.end"},
		{`ca.fulcio.chains.v1.certs.1`, "trusted_root.json", "certificateAuthorities[1].certChain.certificates[1]"},
		{`ca.fulcio.url`, "trusted_root.json", "certificateAuthorities[0].uri"},
		{`ca.fulcio`, "trusted_root.json", "certificateAuthorities[0]"},
		{`ct."2022".verify`, "trusted_root.json", "ctlogs[1].publicKey.validFor"},
		{`tsa.sigstore.sign.main.start`, "signing_config.v0.2.json", "tsaUrls[0].validFor.start"},
		{`oidc.sigstore`, "signing_config.v0.2.json", "oidcUrls[0]"},
		{`signingConfigs.rekorV2.rekorTlogConfig.selector`, "signing_config_rekor_v2.v0.2.json", "rekorTlogConfig.selector"},
		{`legacySigningConfig.tlogUrls.0`, "signing_config.json", "tlogUrls[0]"},
		// Unpublished fields land on what encloses them.
		{`signingConfigs.main.waitingPeriod`, "signing_config.v0.2.json", ""},
		{`rekor.rekor.waitingPeriodExempt`, "trusted_root.json", "tlogs[0]"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			got, ok := m.Lookup(splitPath(tc.path))
			if !ok {
				t.Fatalf("no source")
			}
			if diff := cmp.Diff(tc.file+" "+tc.jsonPath, got.File+" "+got.Path); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
	for _, p := range []string{`policy.clients.0`, `policy.tufTimestampExpiry`} {
		if got, ok := m.Lookup(splitPath(p)); ok {
			t.Errorf("%s maps to %s %q; policy is published nowhere", p, got.File, got.Path)
		}
	}
}

// compileFixture compiles the frozen fixture (one environment, "test").
func compileFixture(t *testing.T) *compiler.Result {
	t.Helper()
	res, err := compiler.Compile(compiler.Dir(fixture(t)), compiler.Options{})
	if err != nil {
		t.Fatalf("compile fixture: %v", err)
	}
	return res
}

// splitPath splits a CUE path as rules report it; the test paths quote
// only labels without dots.
func splitPath(p string) []string { return strings.Split(p, ".") }

var jsonStep = regexp.MustCompile(`^([A-Za-z]+)((?:\[\d+\])*)$`)

// jsonAt follows a JSON path such as "tlogs[1].publicKey" in a decoded
// document.
func jsonAt(v any, path string) (any, bool) {
	if path == "" {
		return v, true
	}
	for _, step := range strings.Split(path, ".") {
		m := jsonStep.FindStringSubmatch(step)
		if m == nil {
			return nil, false
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = obj[m[1]]; !ok {
			return nil, false
		}
		for _, idx := range regexp.MustCompile(`\d+`).FindAllString(m[2], -1) {
			n, _ := strconv.Atoi(idx)
			l, ok := v.([]any)
			if !ok || n >= len(l) {
				return nil, false
			}
			v = l[n]
		}
	}
	return v, true
}

package clients

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	prototrustroot "github.com/sigstore/protobuf-specs/gen/pb-go/trustroot/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/trustc-dev/trustc/internal/refdata"
	"github.com/trustc-dev/trustc/internal/text"
	"github.com/trustc-dev/trustc/internal/tooltest"
	"github.com/trustc-dev/trustc/release"
)

// TestJSModelAgreesWithSigstoreJS runs the real @sigstore/sign (the
// version the model names, pinned in testdata/js/package-lock.json) on
// golden/'s signing configs and on configs built for the model's edge
// cases, at every window boundary (and a millisecond either side: JS
// dates have no finer grain) and every week in between, and checks that
// the model in js.go picks the same CA, Rekor log and TSA, or fails the
// same way.
//
// It needs Node.js and the pinned package in testdata/js/node_modules:
// .ci/run installs it with 'npm ci --ignore-scripts'; elsewhere the test
// skips, naming that command, and never reaches for the registry.
func TestJSModelAgreesWithSigstoreJS(t *testing.T) {
	if testing.Short() {
		t.Skip("runs Node.js; skipped with -short")
	}
	node := tooltest.Look(t, "node", "install Node.js and npm (Debian: apt-get install nodejs npm)", "node", "nodejs")
	dir := jsPackage(t)
	if dir == "" {
		return
	}

	configs := map[string]*prototrustroot.SigningConfig{}
	golden, err := release.Read(os.DirFS(filepath.Join(refdata.ModuleRoot(t), "golden")), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range golden.Envs {
		for _, f := range e.SigningConfigs {
			configs[e.Name+"/"+f.Name] = f.Msg
		}
	}
	for name, sc := range jsEdgeCases() {
		configs["edge/"+name] = sc
	}

	// The instants: every boundary and a millisecond either side, and
	// every seventh day from before the first to after the last.
	var bounds []time.Time
	for _, sc := range configs {
		for _, l := range [][]*prototrustroot.Service{sc.GetCaUrls(), sc.GetRekorTlogUrls(), sc.GetTsaUrls()} {
			for _, s := range servicesFromProto(l) {
				for _, b := range []time.Time{s.Start, s.End} {
					if !b.IsZero() {
						bounds = append(bounds, b)
					}
				}
			}
		}
	}
	slices.SortFunc(bounds, time.Time.Compare)
	var at []time.Time
	for d := bounds[0].Truncate(24*time.Hour).AddDate(0, 0, -7); !d.After(bounds[len(bounds)-1].AddDate(0, 0, 7)); d = d.AddDate(0, 0, 7) {
		at = append(at, d)
	}
	for _, b := range bounds {
		b = b.Truncate(time.Millisecond)
		at = append(at, b.Add(-time.Millisecond), b, b.Add(time.Millisecond))
	}
	slices.SortFunc(at, time.Time.Compare)
	at = slices.CompactFunc(at, time.Time.Equal)

	got := runSelect(t, node, dir, configs, at)

	js := client(SigstoreJS, 1, 2)
	names := make([]string, 0, len(configs))
	for n := range configs {
		names = append(names, n)
	}
	slices.Sort(names)
	compared, mismatches := 0, 0
	for _, name := range names {
		real := got[name]
		if len(real) != len(at) {
			t.Fatalf("%s: %d answers for %d instants", name, len(real), len(at))
		}
		for i, x := range at {
			model := Sign(js, configs[name], x)
			for _, r := range []struct {
				role  Role
				model Choice
				real  *jsAnswer
			}{{RoleCA, model.CA, real[i].CA}, {RoleRekor, model.Rekor, real[i].Rekor}, {RoleTSA, model.TSA, real[i].TSA}} {
				compared++
				if m, g := modelAnswer(r.model), r.real.String(); m != g {
					mismatches++
					if mismatches <= 20 {
						t.Errorf("%s at %s, %s: model %s, @sigstore/sign %s", name, text.Time(x), r.role, m, g)
					}
				}
			}
		}
	}
	if mismatches > 20 {
		t.Errorf("... %d mismatches in all", mismatches)
	}
	t.Logf("%d configs at %d instants: %d answers compared, %d differ", len(configs), len(at), compared, mismatches)
}

// jsAnswer is what select.js reports for one role: a service, a refusal,
// or (nil) no service used.
type jsAnswer struct {
	URL     string `json:"url"`
	Version uint32 `json:"version"`
	Error   string `json:"error"`
}

func (a *jsAnswer) String() string {
	switch {
	case a == nil:
		return "none"
	case a.Error != "":
		return "fails: " + a.Error
	}
	return fmt.Sprintf("%s v%d", a.URL, a.Version)
}

// modelAnswer puts a model choice in the same words. A client that uses
// no service (no rekorTlogConfig) answers none, whatever its note says.
func modelAnswer(c Choice) string {
	switch {
	case c.Error != "":
		return "fails: " + c.Error
	case len(c.Services) == 0:
		return "none"
	case len(c.Services) > 1 || c.Uses != 1:
		return fmt.Sprintf("%d services, %d used (sigstore-js uses exactly one)", len(c.Services), c.Uses)
	}
	return fmt.Sprintf("%s v%d", c.Services[0].URL, c.Services[0].MajorAPIVersion)
}

type jsRoles struct {
	CA    *jsAnswer `json:"ca"`
	Rekor *jsAnswer `json:"rekor"`
	TSA   *jsAnswer `json:"tsa"`
}

// runSelect runs testdata/js/select.js (copied into dir beside its
// node_modules) on configs at every instant.
func runSelect(t *testing.T, node, dir string, configs map[string]*prototrustroot.SigningConfig, at []time.Time) map[string][]jsRoles {
	t.Helper()
	in := struct {
		Configs  map[string]json.RawMessage `json:"configs"`
		Instants []int64                    `json:"instants"`
	}{Configs: map[string]json.RawMessage{}}
	for n, sc := range configs {
		b, err := protojson.Marshal(sc)
		if err != nil {
			t.Fatal(err)
		}
		in.Configs[n] = b
	}
	for _, x := range at {
		in.Instants = append(in.Instants, x.UnixMilli())
	}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	input := filepath.Join(t.TempDir(), "input.json")
	if err := os.WriteFile(input, b, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join(dir, "select.js"), input)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node select.js: %v\n%s", err, stderr.Bytes())
	}
	var got map[string][]jsRoles
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("read select.js output: %v", err)
	}
	return got
}

// jsPackage returns a directory holding select.js and a node_modules with
// the pinned @sigstore/sign, checking that it is the version the model
// describes.
func jsPackage(t *testing.T) string {
	t.Helper()
	src, err := filepath.Abs(filepath.Join("testdata", "js"))
	if err != nil {
		t.Fatal(err)
	}
	dir := src
	// make test needs no network, so the test never installs the package
	// itself: CI (.ci/run) does, and lists node in TRUSTC_REQUIRE_TOOLS.
	if _, err := os.Stat(filepath.Join(src, "node_modules", "@sigstore", "sign", "package.json")); err != nil {
		tooltest.Missing(t, "node", "the pinned @sigstore/sign is not installed; run 'cd clients/testdata/js && npm ci --ignore-scripts' (what .ci/run does)")
		return ""
	}
	b, err := os.ReadFile(filepath.Join(dir, "node_modules", "@sigstore", "sign", "package.json"))
	if err != nil {
		t.Fatal(err)
	}
	var pkg struct{ Version string }
	if err := json.Unmarshal(b, &pkg); err != nil {
		t.Fatal(err)
	}
	if want := strings.TrimPrefix(jsSignVersion, "@sigstore/sign "); pkg.Version != want {
		t.Fatalf("@sigstore/sign %s is installed in %s, but the model describes %s; run 'npm ci --ignore-scripts' there", pkg.Version, dir, want)
	}
	return dir
}

// jsEdgeCases are signing configs for the behaviours the model's comments
// claim: a future start wins, equal starts keep file order, an end is
// inclusive, API versions above the maximum are dropped, a missing start
// sorts as the epoch, a missing configuration message means no witness,
// a selector other than ANY is refused, an empty list is refused.
func jsEdgeCases() map[string]*prototrustroot.SigningConfig {
	ca := []*prototrustroot.Service{svc("https://ca", 1, "2020-01-01T00:00:00Z", "", "a")}
	tsa := []*prototrustroot.Service{svc("https://tsa", 1, "2020-01-01T00:00:00Z", "", "a")}
	cfg := func(ca, rekor, tsa []*prototrustroot.Service, rc, tc *prototrustroot.ServiceConfiguration) *prototrustroot.SigningConfig {
		return &prototrustroot.SigningConfig{MediaType: release.SigningConfigMediaType02, CaUrls: ca, RekorTlogUrls: rekor, TsaUrls: tsa, RekorTlogConfig: rc, TsaConfig: tc}
	}
	noStart := svc("https://rekor-no-start", 1, "", "", "a")
	noStart.ValidFor = nil
	return map[string]*prototrustroot.SigningConfig{
		"future-start-wins": cfg(ca, []*prototrustroot.Service{
			svc("https://rekor-v1", 1, "2020-01-01T00:00:00Z", "", "a"),
			svc("https://rekor-v2-later", 2, "2030-01-01T00:00:00Z", "", "a"),
		}, tsa, any1, any1),
		"equal-starts-keep-file-order": cfg([]*prototrustroot.Service{
			svc("https://ca-first", 1, "2022-01-01T00:00:00Z", "", "a"),
			svc("https://ca-second", 1, "2022-01-01T00:00:00Z", "", "b"),
		}, []*prototrustroot.Service{
			svc("https://rekor-b", 1, "2021-06-01T00:00:00Z", "", "b"),
			svc("https://rekor-a", 1, "2021-06-01T00:00:00Z", "", "a"),
		}, tsa, any1, any1),
		"ends-are-inclusive": cfg([]*prototrustroot.Service{
			svc("https://ca-new", 1, "2024-01-01T00:00:00Z", "2024-06-30T23:59:59.999Z", "a"),
			svc("https://ca-old", 1, "2020-01-01T00:00:00Z", "2025-01-01T00:00:00Z", "a"),
		}, []*prototrustroot.Service{
			svc("https://rekor-ends", 1, "2023-01-01T00:00:00Z", "2024-01-01T00:00:00Z", "a"),
		}, []*prototrustroot.Service{
			svc("https://tsa-ends", 1, "2021-01-01T00:00:00Z", "2023-01-01T00:00:00.5Z", "a"),
		}, any1, any1),
		"versions-above-the-maximum": cfg([]*prototrustroot.Service{
			svc("https://ca-v2", 2, "2023-01-01T00:00:00Z", "", "a"),
			svc("https://ca-v1", 1, "2020-01-01T00:00:00Z", "", "a"),
		}, []*prototrustroot.Service{
			svc("https://rekor-v3", 3, "2023-01-01T00:00:00Z", "", "a"),
			svc("https://rekor-v2", 2, "2022-01-01T00:00:00Z", "", "a"),
		}, []*prototrustroot.Service{
			svc("https://tsa-v2", 2, "2023-01-01T00:00:00Z", "", "a"),
		}, any1, any1),
		"missing-start": cfg(ca, []*prototrustroot.Service{
			noStart,
			svc("https://rekor-dated", 1, "2021-01-01T00:00:00Z", "2022-01-01T00:00:00Z", "a"),
		}, tsa, any1, any1),
		"no-configuration-messages": cfg(ca, []*prototrustroot.Service{
			svc("https://rekor", 1, "2020-01-01T00:00:00Z", "", "a"),
		}, tsa, nil, nil),
		"selectors-other-than-any": cfg(ca, []*prototrustroot.Service{
			svc("https://rekor", 1, "2020-01-01T00:00:00Z", "", "a"),
		}, tsa, all, &prototrustroot.ServiceConfiguration{Selector: prototrustroot.ServiceSelector_EXACT, Count: 1}),
		"empty-lists": cfg(nil, nil, nil, any1, any1),
	}
}

package load

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"
	"github.com/google/go-cmp/cmp"

	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/internal/fixture"
	"github.com/trustc-dev/trustc/internal/treetest"
)

// baseCUE is a small environment that loads without problems. Cases add a
// file of their own to its package (case.cue), as a person adds to an
// environment, so that positions in the case are easy to read.
const baseCUE = `package test

import "github.com/trustc-dev/trustc/schema"

schema.#Environment

operator: "example.dev"
trustedRoot: {}
policy: tufTimestampExpiry: "7d"
signingConfigs: main: {
	file:          "signing_config.v0.2.json"
	waitingPeriod: "90d"
	rekorTlogConfig: {}
	tsaConfig: {}
}
rekor: log: {
	url: "https://log.example.dev"
	api: 1
	key: "log.pub"
	verify: start: "2025-01-01T00:00:00Z"
	sign: main: start: "2025-04-01T00:00:00Z"
}
`

// loadCase writes the module with environments/test holding baseCUE, the
// case's CUE (if any) as case.cue and files, and loads it.
func loadCase(t *testing.T, caseCUE string, files map[string]string) (*model.Environment, string, error) {
	t.Helper()
	root := t.TempDir()
	if err := fixture.WriteModule(root); err != nil {
		t.Fatal(err)
	}
	all := map[string]string{"env.cue": baseCUE, "log.pub": "public\n"}
	if caseCUE != "" {
		all["case.cue"] = "package test\n\n" + caseCUE
	}
	for name, b := range files {
		all[name] = b
	}
	treetest.Write(t, filepath.Join(root, EnvironmentsDir, "test"), all)
	envs, err := Environments(root, "test")
	var env *model.Environment
	if len(envs) == 1 {
		env = envs[0]
	}
	return env, root, err
}

// where renders a Src as people read it: file:line:col relative to root,
// then the path.
func where(root string, s model.Src) string {
	return at(root, s.Pos) + ": " + s.String()
}

func at(root string, pos token.Pos) string {
	if !pos.IsValid() {
		return "-"
	}
	p := pos.Position()
	rel, err := filepath.Rel(root, p.Filename)
	if err != nil {
		rel = p.Filename
	}
	return fmt.Sprintf("%s:%d:%d", filepath.ToSlash(rel), p.Line, p.Column)
}

// report renders each problem in err as "positions: path: rule: text",
// the rule after "warning" or "note" for what does not block. A
// CUE evaluation error (a conflict, a field not allowed) may have no
// position of its own, only the input positions that conflict, as CUE
// prints them.
func report(root string, err error) []string {
	var out []string
	for _, e := range errors.Errors(err) {
		var pos []string
		for _, p := range append([]token.Pos{e.Position()}, e.InputPositions()...) {
			if p.IsValid() && !slices.Contains(pos, at(root, p)) {
				pos = append(pos, at(root, p))
			}
		}
		rule, text := model.RuleInput, ""
		if p, ok := e.(*model.Problem); ok {
			rule, text = p.Rule, p.Text()
			if p.Severity != model.Error {
				rule = p.Severity.String() + " " + rule
			}
		} else {
			format, args := e.Msg()
			text = fmt.Sprintf(format, args...)
		}
		out = append(out, fmt.Sprintf("%s: %s: %s: %s", strings.Join(pos, ","), strings.Join(e.Path(), "."), rule, text))
	}
	return out
}

// TestDecode loads each kind of field into the model, with its defaults
// and the position and path it was declared at.
func TestDecode(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cue   string
		files map[string]string
		get   func(env *model.Environment) any
		want  any
	}{
		{
			name: "string",
			get:  func(env *model.Environment) any { return env.Operator.V },
			want: "example.dev",
		},
		{
			name: "a string's position and path",
			get:  func(env *model.Environment) any { return env.Rekor[0].URL.Src },
			want: "environments/test/env.cue:17:7: rekor.log.url",
		},
		{
			name: "a field set in another file of the package",
			cue:  `rekor: log: logId: "abc"`,
			get:  func(env *model.Environment) any { return env.Rekor[0].LogID.Src },
			want: "environments/test/case.cue:3:20: rekor.log.logId",
		},
		{
			name: "a quoted label",
			cue:  `ca: "fulcio-2025": {api: 1, chains: c: {certs: ["log.pub"], verify: start: "2025-01-01T00:00:00Z"}, sign: {}}`,
			get:  func(env *model.Environment) any { return env.CAs[0].Chains[0].Certs[0].File.Src },
			want: `environments/test/case.cue:3:49: ca."fulcio-2025".chains.c.certs.0`,
		},
		{
			name: "default file and media type",
			get: func(env *model.Environment) any {
				return []string{env.TrustedRoot.File.V, env.TrustedRoot.MediaType.V}
			},
			want: []string{"trusted_root.json", "application/vnd.dev.sigstore.trustedroot+json;version=0.1"},
		},
		{
			name: "a service's operator defaults to the environment's",
			get:  func(env *model.Environment) any { return env.Rekor[0].Operator.V },
			want: "example.dev",
		},
		{
			name: "a service's own operator",
			cue:  `rekor: log: operator: "other.dev"`,
			get:  func(env *model.Environment) any { return env.Rekor[0].Operator.V },
			want: "other.dev",
		},
		{
			name: "int",
			get:  func(env *model.Environment) any { return env.Rekor[0].API.V },
			want: 1,
		},
		{
			name: "bool default",
			get:  func(env *model.Environment) any { return env.SigningConfigs[0].OptIn.V },
			want: false,
		},
		{
			name: "bool",
			cue:  `signingConfigs: main: optIn: true`,
			get:  func(env *model.Environment) any { return env.SigningConfigs[0].OptIn.V },
			want: true,
		},
		{
			name: "duration in days",
			get:  func(env *model.Environment) any { return env.SigningConfigs[0].WaitingPeriod.V },
			want: 90 * 24 * time.Hour,
		},
		{
			name: "duration in Go syntax",
			cue:  `policy: buffer: "36h"`,
			get:  func(env *model.Environment) any { return env.Policy.Buffer.V },
			want: 36 * time.Hour,
		},
		{
			name: "default buffer",
			get:  func(env *model.Environment) any { return env.Policy.Buffer.V },
			want: 7 * 24 * time.Hour,
		},
		{
			name: "timestamp",
			get:  func(env *model.Environment) any { return env.Rekor[0].Verify.Start.V },
			want: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		},
		{
			name: "an open window",
			get: func(env *model.Environment) any {
				return []bool{env.Rekor[0].Verify.HasEnd(), env.Rekor[0].Verify.End.Set()}
			},
			want: []bool{false, false},
		},
		{
			name: "a window's end, to the nanosecond",
			cue:  `rekor: log: verify: end: "2026-01-01T00:00:00.123456789Z"`,
			get:  func(env *model.Environment) any { return env.Rekor[0].Verify.End.V },
			want: time.Date(2026, 1, 1, 0, 0, 0, 123456789, time.UTC),
		},
		{
			name: "a signing window by config",
			get: func(env *model.Environment) any {
				w, ok := env.Rekor[0].SignWindow("main")
				return []any{ok, w.Start.V}
			},
			want: []any{true, time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC)},
		},
		{
			name: "an optional string left out",
			get:  func(env *model.Environment) any { return env.Rekor[0].WaitingPeriodExempt.Set() },
			want: false,
		},
		{
			name: "default selector, no count",
			get: func(env *model.Environment) any {
				sel := env.SigningConfigs[0].Rekor
				return []any{sel.Selector.V, sel.Count.Set()}
			},
			want: []any{"ANY", false},
		},
		{
			name: "EXACT with a count",
			cue:  `signingConfigs: main: rekorTlogConfig: {selector: "EXACT", count: 2}`,
			get: func(env *model.Environment) any {
				sel := env.SigningConfigs[0].Rekor
				return []any{sel.Selector.V, sel.Count.V}
			},
			want: []any{"EXACT", 2},
		},
		{
			name: "a list of strings in order",
			cue:  `policy: clients: ["sigstore-js", "cosign"]`,
			get: func(env *model.Environment) any {
				var out []string
				for _, c := range env.Policy.Clients {
					out = append(out, c.V)
				}
				return out
			},
			want: []string{"sigstore-js", "cosign"},
		},
		{
			name: "material bytes",
			get:  func(env *model.Environment) any { return string(env.Rekor[0].Key.Bytes) },
			want: "public\n",
		},
		{
			name: "services in declaration order, files in name order",
			cue:  `rekor: b: {url: "https://b.example.dev", api: 2, key: "log.pub", verify: start: "2025-01-01T00:00:00Z", sign: {}}` + "\n" + `rekor: a: {url: "https://a.example.dev", api: 2, key: "log.pub", verify: start: "2025-01-01T00:00:00Z", sign: {}}`,
			get: func(env *model.Environment) any {
				var out []string
				for _, l := range env.Rekor {
					out = append(out, l.Name)
				}
				return out
			},
			want: []string{"b", "a", "log"},
		},
		{
			name: "legacy signing config",
			cue:  `legacySigningConfig: {caUrl: "https://ca.example.dev", oidcUrl: "https://oidc.example.dev", tlogUrls: [rekor.log.url]}`,
			get: func(env *model.Environment) any {
				l := env.Legacy
				return []string{l.File.V, l.CAURL.V, l.OIDCURL.V, l.TlogURLs[0].V, fmt.Sprint(len(l.TSAURLs))}
			},
			want: []string{"signing_config.json", "https://ca.example.dev", "https://oidc.example.dev", "https://log.example.dev", "0"},
		},
		{
			name: "subject override",
			cue:  `ca: fulcio: {api: 1, chains: c: {certs: ["log.pub"], verify: start: "2025-01-01T00:00:00Z", subjectOverride: {commonName: "sigstore", reason: "published so"}}, sign: {}}`,
			get: func(env *model.Environment) any {
				o := env.CAs[0].Chains[0].SubjectOverride
				return []any{o.Organization.Set(), o.CommonName.V, o.Reason.V}
			},
			want: []any{false, "sigstore", "published so"},
		},
		{
			name: "a retirement",
			cue:  `retired: old: {kind: "rekor", key: "log.pub", reason: "shut down"}`,
			get: func(env *model.Environment) any {
				r := env.Retired[0]
				return []string{r.Name, r.Kind.V, string(r.Key.Bytes), r.Reason.V}
			},
			want: []string{"old", "rekor", "public\n", "shut down"},
		},
		{
			name:  "TUF targets: a file, an empty file, a missing one",
			cue:   `tufTargets: {"log.pub": {}, "empty.pub": {}, "missing.pub": {}}`,
			files: map[string]string{"empty.pub": ""},
			get: func(env *model.Environment) any {
				var out []string
				for _, tt := range env.TUFTargets {
					out = append(out, fmt.Sprintf("%s %s %q nil=%v", tt.File.V, tt.Status.V, tt.Bytes, tt.Bytes == nil))
				}
				return out
			},
			want: []string{`log.pub Active "public\n" nil=false`, `empty.pub Active "" nil=false`, `missing.pub Active "" nil=true`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env, root, err := loadCase(t, tc.cue, tc.files)
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			got := tc.get(env)
			if s, ok := got.(model.Src); ok {
				got = where(root, s)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// ctLog is a CT log whose key field is key (CUE).
func ctLog(key string) string {
	return `ct: c: {url: "https://ct.example.dev", key: ` + key + `, verify: start: "2025-01-01T00:00:00Z"}`
}

// TestDecodeErrors: every problem load finds is reported at the field, with
// file:line:col and path, and all of them at once.
func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cue   string
		files map[string]string
		want  []string
	}{
		{
			name: "material file missing", cue: ctLog(`"gone.pub"`),
			want: []string{
				"environments/test/case.cue:3:45: ct.c.key: input: material file \"gone.pub\" does not exist beside the environment's CUE files",
			},
		},
		{
			name: "material path outside the environment", cue: ctLog(`"../log.pub"`),
			want: []string{
				"environments/test/case.cue:3:45: ct.c.key: input: material file \"../log.pub\" must be a slash-separated path inside the environment directory",
			},
		},
		{
			name: "material that is no string", cue: ctLog(`"log.pub" | "other.pub"`),
			want: []string{
				"environments/test/case.cue:3:14: ct.c.key: input: incomplete value \"log.pub\" | \"other.pub\": the environment must set key",
			},
		},
		{
			name: "invalid timestamp", cue: `rekor: log: verify: end: "2026-13-01T00:00:00Z"`,
			want: []string{
				"environments/test/case.cue:3:26: rekor.log.verify.end: input: invalid timestamp \"2026-13-01T00:00:00Z\": want RFC 3339 in UTC, like 2025-09-23T00:00:00Z",
			},
		},
		{
			name: "timestamp not in UTC", cue: `rekor: log: verify: end: "2026-01-01T01:00:00+01:00"`,
			want: []string{
				"environments/test/case.cue:3:26: rekor.log.verify.end: input: timestamp \"2026-01-01T01:00:00+01:00\" is not in UTC: write it as 2026-01-01T00:00:00Z",
			},
		},
		{
			name: "timestamp with ten fractional digits", cue: `rekor: log: verify: end: "2026-01-01T00:00:00.1234567891Z"`,
			want: []string{
				"environments/test/case.cue:3:26: rekor.log.verify.end: input: timestamp \"2026-01-01T00:00:00.1234567891Z\" has 10 fractional digits; timestamps hold nanoseconds, at most 9 digits",
			},
		},
		{
			name: "timestamp before 1970", cue: `rekor: log: verify: end: "1969-12-31T23:59:59Z"`,
			want: []string{
				"environments/test/case.cue:3:26: rekor.log.verify.end: input: timestamp \"1969-12-31T23:59:59Z\" is before 1970-01-01T00:00:00Z; nothing trustc publishes is that old",
			},
		},
		{
			name: "empty timestamp", cue: `rekor: log: verify: end: ""`,
			want: []string{
				"environments/test/case.cue:3:26: rekor.log.verify.end: input: empty timestamp: want RFC 3339 in UTC, like 2025-09-23T00:00:00Z (leave an end out for an open window)",
			},
		},
		{
			name: "invalid duration", cue: `policy: buffer: "7 days"`,
			want: []string{
				"environments/test/case.cue:3:17: policy.buffer: input: invalid duration \"7 days\": want whole days like \"90d\" or a Go duration like \"36h\"",
			},
		},
		{
			name: "duration too long", cue: `policy: buffer: "213505d"`,
			want: []string{
				"environments/test/case.cue:3:17: policy.buffer: input: duration \"213505d\" is longer than 106751 days, the most trustc can count; write a shorter one",
			},
		},
		{
			name: "empty url", cue: `oidc: o: {url: "", api: 1, sign: {}}`,
			want: []string{
				"environments/test/case.cue:3:16: oidc.o.url: input: empty url; give the service's https URL",
			},
		},
		{
			name: "url with whitespace around it", cue: `oidc: o: {url: "https://o.example.dev ", api: 1, sign: {}}`,
			want: []string{
				"environments/test/case.cue:3:16: oidc.o.url: input: url \"https://o.example.dev \" has whitespace around it; write \"https://o.example.dev\"",
			},
		},
		{
			name: "url with a control character", cue: `oidc: o: {url: "https://o.example.dev/\t/x", api: 1, sign: {}}`,
			want: []string{
				"environments/test/case.cue:3:16: oidc.o.url: input: url \"https://o.example.dev/\\t/x\" holds whitespace or control characters; percent-encode them or fix the URL",
			},
		},
		{
			name: "bytes that are not UTF-8", cue: "rekor: log: logId: \"abc\xff\"",
			want: []string{
				"environments/test/case.cue:3:20: rekor.log.logId: input: \"abc\\ufffd\" holds bytes that are not UTF-8 (read as U+FFFD); save the file as UTF-8",
			},
		},
		{
			name: "unknown field", cue: `rekor: log: urls: "https://log.example.dev"`,
			want: []string{
				"environments/test/case.cue:3:13: rekor.log.urls: input: field not allowed",
			},
		},
		{
			name: "wrong type", cue: `oidc: o: {url: "https://o.example.dev", api: "1", sign: {}}`,
			want: []string{
				"environments/test/case.cue:3:46,schema/environment.cue:121:14,schema/environment.cue:256:12,schema/environment.cue:56:23: oidc.o.api: input: conflicting values \"1\" and int (mismatched types string and int)",
			},
		},
		{
			name: "a value the schema does not allow", cue: `trustedRoot: mediaType: "application/json"`,
			want: []string{
				": trustedRoot.mediaType: input: 2 errors in empty disjunction:",
				"schema/environment.cue:130:14,environments/test/case.cue:3:25,schema/environment.cue:25:15: trustedRoot.mediaType: input: conflicting values \"application/vnd.dev.sigstore.trustedroot+json;version=0.1\" and \"application/json\"",
				"schema/environment.cue:130:76,environments/test/case.cue:3:25,schema/environment.cue:25:15: trustedRoot.mediaType: input: conflicting values \"application/vnd.dev.sigstore.trustedroot.v0.2+json\" and \"application/json\"",
			},
		},
		{
			name: "a conflict with the other file", cue: `rekor: log: api: 2`,
			want: []string{
				"environments/test/env.cue:18:7,environments/test/case.cue:3:18: rekor.log.api: input: conflicting values 1 and 2",
			},
		},
		{
			name: "missing field", cue: `oidc: o: {api: 1, sign: {}}`,
			want: []string{
				"environments/test/case.cue:3:16: oidc.o.url: input: incomplete value string: the environment must set url",
			},
		},
		{
			name: "missing struct", cue: `ct: c: {url: "https://ct.example.dev", key: "log.pub"}`,
			want: []string{
				"environments/test/case.cue:3:14: ct.c.verify.start: input: incomplete value string: the environment must set verify.start",
			},
		},
		{
			name: "several problems at once", cue: ctLog(`"gone.pub"`) + "\n" + `policy: buffer: "soon"`,
			want: []string{
				"environments/test/case.cue:3:45: ct.c.key: input: material file \"gone.pub\" does not exist beside the environment's CUE files",
				"environments/test/case.cue:4:17: policy.buffer: input: invalid duration \"soon\": want whole days like \"90d\" or a Go duration like \"36h\"",
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, root, err := loadCase(t, tc.cue, tc.files)
			got := report(root, err)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

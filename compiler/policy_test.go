package compiler_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/diff"

	"github.com/trustc-dev/trustc/compiler"
	"github.com/trustc-dev/trustc/compiler/check"
	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/internal/report"
)

// corpusNow is the release time of every corpus case.
var corpusNow = time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)

type step func(t *testing.T, root string)

// oidcSign is the OIDC provider's sign field in the fixture.
const oidcSign = "api: 1\n\tsign: {main: fulcioSince, rekorV2: fulcioSince}\n}\n"

func ed(file, old, new string) step {
	return func(t *testing.T, root string) { edit(t, root, file, old, new) }
}

// extra adds a CUE file of the fixture's package.
func extra(cue string) step {
	return func(t *testing.T, root string) {
		write(t, root, "extra.cue", []byte("package fixture\n\n"+cue+"\n"))
	}
}

func copyMaterial(from, to string) step {
	return func(t *testing.T, root string) {
		b, err := os.ReadFile(filepath.Join(root, "environments/test", from))
		if err != nil {
			t.Fatal(err)
		}
		write(t, root, to, b)
	}
}

// corpus lists unsafe changes, each with the rules it must break, and
// near misses (want empty) that must pass. Cases with transition set are
// checked against the unmodified fixture as the previous release. The
// full messages and positions are in testdata/policy.golden.
type corpusCase struct {
	name       string
	steps      []step
	transition bool
	want       []string
}

var corpus = []corpusCase{
	// Rule 1: verify before sign.
	{"verify ends before signing does", []step{ed("services.cue", `verify: start: "2025-09-23T00:00:00Z"`, `verify: {start: "2025-09-23T00:00:00Z", end: "2026-06-01T00:00:00Z"}`)}, false, []string{check.RuleVerifyBeforeSign}},
	{"tsa chain ends while signing goes on", []step{ed("services.cue", "verify: tsaSince", `verify: {start: "2025-07-04T00:00:00Z", end: "2026-01-01T00:00:00Z"}`)}, false, []string{check.RuleVerifyBeforeSign}},
	{"front signs before its shard is trusted", []step{extra(`rekorFronts: global: {url: "https://global.rekor.sigstore.dev", api: 2, shards: ["log2025-1"], sign: rekorV2: start: "2025-09-01T00:00:00Z"}`)}, false, []string{check.RuleVerifyBeforeSign, check.RuleWaitingPeriod}},
	{"near miss: signing ends exactly when verification does", []step{
		ed("services.cue", `verify: start: "2025-09-23T00:00:00Z"`, `verify: {start: "2025-09-23T00:00:00Z", end: "2027-01-01T00:00:00Z"}`),
		ed("services.cue", `sign: rekorV2: start: "2026-01-01T00:00:00Z"`, `sign: rekorV2: {start: "2026-01-01T00:00:00Z", end: "2027-01-01T00:00:00Z"}`)}, false, nil},
	{"near miss: front behind a trusted shard", []step{extra(`rekorFronts: global: {url: "https://global.rekor.sigstore.dev", api: 2, shards: ["log2025-1"], sign: rekorV2: start: "2026-01-01T00:00:00Z"}`)}, false, nil},

	// Rule 2: waiting period.
	{"signing 8 days after trust", []step{ed("services.cue", `sign: rekorV2: start: "2026-01-01T00:00:00Z"`, `sign: rekorV2: start: "2025-10-01T00:00:00Z"`)}, false, []string{check.RuleWaitingPeriod}},
	{"near miss: signing exactly 90 days after trust", []step{ed("services.cue", `sign: rekorV2: start: "2026-01-01T00:00:00Z"`, `sign: rekorV2: start: "2025-12-22T00:00:00Z"`)}, false, nil},
	{"exemption removed", []step{ed("services.cue", `	waitingPeriodExempt: "published in the same release as signing_config.v0.2.json itself (root-signing aa440a9, 2025-07-07), with signing and trust both from 2025-07-04; kept as published"`, "")}, false, []string{check.RuleWaitingPeriod}},
	{"exemption without a reason", []step{ed("services.cue", `waitingPeriodExempt: "published in the same release as signing_config.v0.2.json itself (root-signing aa440a9, 2025-07-07), with signing and trust both from 2025-07-04; kept as published"`, `waitingPeriodExempt: " "`)}, false, []string{check.RuleWaitingPeriod}},
	{"file waiting period below the TUF floor", []step{
		ed("environment.cue", "file:          \"signing_config_rekor_v2.v0.2.json\"\n\t\toptIn:         true\n\t\twaitingPeriod: \"90d\"", "file:          \"signing_config_rekor_v2.v0.2.json\"\n\t\toptIn:         true\n\t\twaitingPeriod: \"5d\""),
		ed("services.cue", `sign: rekorV2: start: "2026-01-01T00:00:00Z"`, `sign: rekorV2: start: "2025-10-01T00:00:00Z"`)}, false, []string{check.RuleWaitingPeriod}},
	{"near miss: short wait with a short TUF expiry", []step{
		ed("environment.cue", "file:          \"signing_config_rekor_v2.v0.2.json\"\n\t\toptIn:         true\n\t\twaitingPeriod: \"90d\"", "file:          \"signing_config_rekor_v2.v0.2.json\"\n\t\toptIn:         true\n\t\twaitingPeriod: \"5d\""),
		ed("environment.cue", `tufTimestampExpiry: "7d"`, "tufTimestampExpiry: \"1d\"\n\tbuffer:             \"1d\""),
		ed("services.cue", `sign: rekorV2: start: "2026-01-01T00:00:00Z"`, `sign: rekorV2: start: "2025-10-01T00:00:00Z"`)}, false, nil},

	// Rule 3: no gaps.
	{"main loses its OIDC provider", []step{ed("services.cue", oidcSign, "api: 1\n\tsign: {main: {start: \"2022-04-13T20:06:15Z\", end: \"2024-01-01T00:00:00Z\"}, rekorV2: fulcioSince}\n}\n")}, false, []string{check.RuleNoGaps}},
	{"main loses every Rekor log", []step{ed("services.cue", "sign: {main: rekorSince, rekorV2: rekorSince}", `sign: {main: {start: "2021-01-12T11:53:27Z", end: "2026-06-01T00:00:00Z"}, rekorV2: rekorSince}`)}, false, []string{check.RuleNoGaps}},
	{"main drops Rekor v1 without a retirement date", []step{
		ed("services.cue", "sign: {main: rekorSince, rekorV2: rekorSince}", `sign: {main: {start: "2021-01-12T11:53:27Z", end: "2026-06-01T00:00:00Z"}, rekorV2: rekorSince}`),
		ed("services.cue", `sign: rekorV2: start: "2026-01-01T00:00:00Z"`, `sign: {rekorV2: start: "2026-01-01T00:00:00Z", main: start: "2026-01-01T00:00:00Z"}`)}, false, []string{check.RuleNoGaps}},
	{"near miss: main drops Rekor v1 at its declared retirement", []step{
		ed("services.cue", "sign: {main: rekorSince, rekorV2: rekorSince}", `sign: {main: {start: "2021-01-12T11:53:27Z", end: "2026-06-01T00:00:00Z"}, rekorV2: rekorSince}`),
		ed("services.cue", `sign: rekorV2: start: "2026-01-01T00:00:00Z"`, `sign: {rekorV2: start: "2026-01-01T00:00:00Z", main: start: "2026-01-01T00:00:00Z"}`),
		ed("environment.cue", "waitingPeriod: \"90d\"\n\t\trekorTlogConfig: selector: \"ANY\"\n\t\ttsaConfig: selector:       \"ANY\"\n\t}\n\t// rekorV2", "waitingPeriod: \"90d\"\n\t\trekorV1RetiresAt: \"2026-06-01T00:00:00Z\"\n\t\trekorTlogConfig: selector: \"ANY\"\n\t\ttsaConfig: selector:       \"ANY\"\n\t}\n\t// rekorV2")}, false, nil},
	{"near miss: opt-in file drops Rekor v1", []step{ed("services.cue", "sign: {main: rekorSince, rekorV2: rekorSince}", `sign: {main: rekorSince, rekorV2: {start: "2021-01-12T11:53:27Z", end: "2026-06-01T00:00:00Z"}}`)}, false, nil},
	{"EXACT 2 with one operator", []step{ed("environment.cue", "optIn:         true\n\t\twaitingPeriod: \"90d\"\n\t\trekorTlogConfig: selector: \"ANY\"", "optIn:         true\n\t\twaitingPeriod: \"90d\"\n\t\trekorTlogConfig: {selector: \"EXACT\", count: 2}")}, false, []string{check.RuleNoGaps}},
	{"near miss: EXACT 1", []step{ed("environment.cue", "optIn:         true\n\t\twaitingPeriod: \"90d\"\n\t\trekorTlogConfig: selector: \"ANY\"", "optIn:         true\n\t\twaitingPeriod: \"90d\"\n\t\trekorTlogConfig: {selector: \"EXACT\", count: 1}")}, false, nil},
	{"main stops offering a TSA", []step{ed("services.cue", "sign: {main: tsaSince, rekorV2: tsaSince}", `sign: {main: {start: "2025-07-04T00:00:00Z", end: "2026-01-01T00:00:00Z"}, rekorV2: tsaSince}`)}, false, []string{check.RuleNoGaps}},
	{"a file with only a Rekor log", []step{
		ed("environment.cue", "signingConfigs: {\n", "signingConfigs: {\n\tbare: {file: \"bare.json\", waitingPeriod: \"0d\", optIn: true, rekorTlogConfig: selector: \"ANY\", tsaConfig: selector: \"ANY\"}\n"),
		extra(`rekor: rekor: sign: bare: start: "2021-01-12T11:53:27Z"`)}, false, []string{check.RuleNoGaps}},

	// Rule 4: well-formed.
	{"verification ends before it starts", []step{ed("services.cue", `end: "2022-10-31T23:59:59.999Z"`, `end: "2020-10-31T23:59:59.999Z"`)}, false, []string{check.RuleWellFormed}},
	{"signing window in an undeclared file", []step{extra(`oidc: sigstore: sign: staging: start: "2024-01-01T00:00:00Z"`)}, false, []string{check.RuleWellFormed}},
	{"front names an unknown shard", []step{extra(`rekorFronts: global: {url: "https://global.rekor.sigstore.dev", api: 2, shards: ["log2099"], sign: rekorV2: start: "2026-01-01T00:00:00Z"}`)}, false, []string{check.RuleWellFormed}},
	{"two CT logs with one URL", []step{ed("services.cue", `url: "https://ctfe.sigstore.dev/2022"`, `url: "https://ctfe.sigstore.dev/test"`)}, false, []string{check.RuleWellFormed}},
	{"two CT logs with one key", []step{copyMaterial("ctfe.pub", "ctfe-copy.pub"), ed("services.cue", `key: "ctfe_2022.pub"`, `key: "ctfe-copy.pub"`)}, false, []string{check.RuleWellFormed}},
	{"unknown client", []step{ed("environment.cue", `"sigstore-java"]`, `"sigstore-java", "sigstore-rs"]`)}, false, []string{check.RuleWellFormed}},
	{"two files with one name", []step{ed("environment.cue", `file:          "signing_config_rekor_v2.v0.2.json"`, `file:          "signing_config.v0.2.json"`)}, false, []string{check.RuleWellFormed}},
	{"two OIDC providers with one URL", []step{extra(`oidc: other: {url: "https://oauth2.sigstore.dev/auth", api: 1, sign: main: start: "2022-04-13T20:06:15Z"}`)}, false, []string{check.RuleWellFormed}},
	{"near miss: CT logs on one host, different paths", nil, false, nil},

	// Rule 4b: client traps.
	{"v0.2 trusted root for clients that reject it", []step{ed("environment.cue", "trustedRoot: {}", `trustedRoot: mediaType: "application/vnd.dev.sigstore.trustedroot.v0.2+json"`)}, false, []string{check.RuleClientTraps}},
	{"near miss: v0.2 trusted root for no declared client", []step{
		ed("environment.cue", "trustedRoot: {}", `trustedRoot: mediaType: "application/vnd.dev.sigstore.trustedroot.v0.2+json"`),
		ed("environment.cue", `clients: ["sigstore-go", "cosign", "sigstore-js", "sigstore-python", "sigstore-java"]`, "clients: []")}, false, nil},
	// A future start is withheld from the release until its start
	// (package asof), so sigstore-js never sees it early; the release it
	// enters is judged at its own time.
	{"near miss: future start with sigstore-js, withheld until its release", []step{ed("services.cue", `sign: rekorV2: start: "2026-01-01T00:00:00Z"`, `sign: rekorV2: start: "2027-01-01T00:00:00Z"`)}, false, nil},
	{"later release signs before the waiting period ends", []step{
		ed("services.cue", `verify: start: "2025-09-23T00:00:00Z"`, `verify: start: "2026-12-01T00:00:00Z"`),
		ed("services.cue", `sign: rekorV2: start: "2026-01-01T00:00:00Z"`, `sign: rekorV2: start: "2027-01-01T00:00:00Z"`)}, false, []string{check.RuleWaitingPeriod}},
	{"near miss: later release signs once the waiting period ends", []step{
		ed("services.cue", `verify: start: "2025-09-23T00:00:00Z"`, `verify: start: "2026-12-01T00:00:00Z"`),
		ed("services.cue", `sign: rekorV2: start: "2026-01-01T00:00:00Z"`, `sign: rekorV2: start: "2027-03-01T00:00:00Z"`)}, false, nil},
	// A handover planned ahead: a new OIDC provider enters main on
	// 2027-01-01 (withheld until then), the old one's signing ends. A
	// client keeps the release before for up to tufTimestampExpiry +
	// buffer (14 days) after the next one, so the old entry must last
	// that long; past that the next release covers it.
	{"near miss: planned handover overlapping the time clients keep the release before", []step{
		ed("services.cue", oidcSign, "api: 1\n\tsign: {main: {start: \"2022-04-13T20:06:15Z\", end: \"2027-01-15T00:00:00Z\"}, rekorV2: fulcioSince}\n}\n"),
		extra(`oidc: next: {url: "https://oauth2-next.sigstore.dev/auth", api: 1, sign: main: start: "2027-01-01T00:00:00Z"}`)}, false, nil},
	{"planned handover shorter than the time clients keep the release before", []step{
		ed("services.cue", oidcSign, "api: 1\n\tsign: {main: {start: \"2022-04-13T20:06:15Z\", end: \"2027-01-05T00:00:00Z\"}, rekorV2: fulcioSince}\n}\n"),
		extra(`oidc: next: {url: "https://oauth2-next.sigstore.dev/auth", api: 1, sign: main: start: "2027-01-01T00:00:00Z"}`)}, false, []string{check.RuleNoGaps}},
	{"withheld signing window names no signing config", []step{
		extra(`oidc: sigstore: sign: mian: start: "2027-01-01T00:00:00Z"`)}, false, []string{check.RuleWellFormed}},
	{"withheld signing window ends before it starts", []step{
		extra(`oidc: sigstore: sign: main: {start: "2022-04-13T20:06:15Z", end: "2027-03-01T00:00:00Z"}
oidc: later: {url: "https://oauth2-later.sigstore.dev/auth", api: 1, sign: main: {start: "2027-02-01T00:00:00Z", end: "2027-01-01T00:00:00Z"}}`)}, false, []string{check.RuleWellFormed}},
	{"near miss: future start without sigstore-js", []step{
		ed("services.cue", `sign: rekorV2: start: "2026-01-01T00:00:00Z"`, `sign: rekorV2: start: "2027-01-01T00:00:00Z"`),
		ed("environment.cue", `"sigstore-js", `, "")}, false, nil},

	// Rule 5: material.
	{"OIDC over plain http", []step{ed("services.cue", `url: "https://oauth2.sigstore.dev/auth"`, `url: "http://oauth2.sigstore.dev/auth"`)}, false, []string{check.RuleMaterial}},
	{"private key as a log key", []step{func(t *testing.T, r string) { write(t, r, "log2025-1.rekor.pub", privateKeyPEM(t)) }}, false, []string{check.RuleMaterial}},
	{"TSA chain without time-stamping usage", []step{copyMaterial("fulcio_intermediate_v1.crt.pem", "not-a-tsa.crt.pem"), copyMaterial("fulcio_v1.crt.pem", "not-a-tsa-root.crt.pem"), ed("services.cue", `certs: ["tsa-2025.chain.pem"]`, `certs: ["not-a-tsa.crt.pem", "not-a-tsa-root.crt.pem"]`)}, false, []string{check.RuleMaterial}},
	{"chain trusted before its certificate is valid", []step{ed("services.cue", "verify: fulcioSince", `verify: start: "2022-01-01T00:00:00Z"`)}, false, []string{check.RuleMaterial}},
	{"chain trusted after its root expires", []step{ed("services.cue", `end: "2022-12-31T23:59:59.999Z"`, `end: "2032-01-01T00:00:00Z"`)}, false, []string{check.RuleMaterial}},
	{"chain in the wrong order", []step{ed("services.cue", `certs: ["fulcio_intermediate_v1.crt.pem", "fulcio_v1.crt.pem"]`, `certs: ["fulcio_v1.crt.pem", "fulcio_intermediate_v1.crt.pem"]`)}, false, []string{check.RuleMaterial}},
	{"legacy signing config over plain http", []step{ed("environment.cue", "oidcUrl: oidc.sigstore.url", `oidcUrl: "http://oauth2.sigstore.dev/auth"`)}, false, []string{check.RuleMaterial}},
	{"1024-bit RSA CT key", []step{func(t *testing.T, r string) { write(t, r, "ctfe_2022.pub", rsaPublicKeyPEM(t, 1024)) }}, false, []string{check.RuleMaterial}},
	{"near miss: chain trusted from its certificate's first second", []step{ed("services.cue", "verify: tsaSince", `verify: start: "2025-04-08T06:59:43Z"`)}, false, nil},

	// Rule 6: published material is immutable.
	{"verification start moved", []step{ed("services.cue", `verify: start: "2025-09-23T00:00:00Z"`, `verify: start: "2025-09-01T00:00:00Z"`)}, true, []string{check.RuleImmutable}},
	{"published end moved", []step{ed("services.cue", `end: "2022-10-31T23:59:59.999Z"`, `end: "2022-11-30T23:59:59.999Z"`)}, true, []string{check.RuleImmutable}},
	{"published end removed", []step{ed("services.cue", `verify: {start: "2021-03-14T00:00:00Z", end: "2022-10-31T23:59:59.999Z"}`, `verify: start: "2021-03-14T00:00:00Z"`)}, true, []string{check.RuleImmutable}},

	// Rule 7: no retroactive end.
	{"trust ended in the past", []step{ed("services.cue", `verify: start: "2025-09-23T00:00:00Z"`, `verify: {start: "2025-09-23T00:00:00Z", end: "2026-01-02T00:00:00Z"}`)}, true, []string{check.RuleNoRetroactiveEnd, check.RuleVerifyBeforeSign}},
	{"trust ends while clients still sign", []step{ed("services.cue", `verify: start: "2025-09-23T00:00:00Z"`, `verify: {start: "2025-09-23T00:00:00Z", end: "2027-06-01T00:00:00Z"}`)}, true, []string{check.RuleNoRetroactiveEnd, check.RuleVerifyBeforeSign}},
	{"near miss: trust ends after signing does", []step{
		ed("services.cue", `verify: start: "2025-09-23T00:00:00Z"`, `verify: {start: "2025-09-23T00:00:00Z", end: "2027-06-01T00:00:00Z"}`),
		ed("services.cue", `sign: rekorV2: start: "2026-01-01T00:00:00Z"`, `sign: rekorV2: {start: "2026-01-01T00:00:00Z", end: "2027-01-01T00:00:00Z"}`)}, true, nil},

	// Rule 8: nothing disappears.
	{"CT log removed", []step{ed("services.cue", "\t\"2022\": {\n\t\turl: \"https://ctfe.sigstore.dev/2022\"\n\t\tkey: \"ctfe_2022.pub\"\n\t\tverify: start: \"2022-10-20T00:00:00Z\"\n\t}\n", "")}, true, []string{check.RuleNothingDisappears}},
	{"TSA chain removed", []step{
		ed("services.cue", "chains: \"2025\": {\n\t\tcerts: [\"tsa-2025.chain.pem\"]\n\t\tverify: tsaSince\n\t}", "chains: \"2026\": {\n\t\tcerts: [\"tsa-2025.chain.pem\"]\n\t\tverify: tsaSince\n\t}"),
		copyMaterial("fulcio_intermediate_v1.crt.pem", "not-a-tsa.crt.pem"), copyMaterial("fulcio_v1.crt.pem", "not-a-tsa-root.crt.pem"),
		ed("services.cue", `certs: ["tsa-2025.chain.pem"]`, `certs: ["not-a-tsa.crt.pem", "not-a-tsa-root.crt.pem"]`)}, true, []string{check.RuleNothingDisappears, check.RuleMaterial}},
	{"log retired while still trusted", []step{
		ed("services.cue", "\t\"log2025-1\": {\n\t\turl: \"https://log2025-1.rekor.sigstore.dev\"\n\t\tapi: 2\n\t\tkey: \"log2025-1.rekor.pub\"\n\t\tverify: start: \"2025-09-23T00:00:00Z\"\n\t\t// Opt-in first; the main file follows once clients have caught up.\n\t\tsign: rekorV2: start: \"2026-01-01T00:00:00Z\"\n\t}\n", ""),
		extra(`retired: "log2025-1": {kind: "rekor", key: "log2025-1.rekor.pub", reason: "moved to log2026-1"}`)}, true, []string{check.RuleNothingDisappears}},
	{"near miss: ended CT log retired with a reason", []step{
		ed("services.cue", "\ttest: {\n\t\turl: \"https://ctfe.sigstore.dev/test\"\n\t\tkey: \"ctfe.pub\"\n\t\tverify: {start: \"2021-03-14T00:00:00Z\", end: \"2022-10-31T23:59:59.999Z\"}\n\t}\n", ""),
		extra(`retired: "ctfe-test": {kind: "ct", key: "ctfe.pub", reason: "ended 2022-10-31; no SCT from it is younger than every certificate it logged"}`)}, true, nil},

	// Rule 9: started signing windows keep their start.
	{"signing start moved", []step{ed("services.cue", "sign: {main: fulcioSince, rekorV2: fulcioSince}\n}\n\ntsa", "sign: {main: {start: \"2022-05-01T00:00:00Z\"}, rekorV2: fulcioSince}\n}\n\ntsa")}, true, []string{check.RuleSigningStartFixed}},
	{"signing start moved earlier", []step{ed("services.cue", "sign: {main: tsaSince, rekorV2: tsaSince}", `sign: {main: {start: "2025-08-01T00:00:00Z"}, rekorV2: tsaSince}`)}, true, []string{check.RuleSigningStartFixed}},
	{"near miss: TSA removed from main (a rollback)", []step{ed("services.cue", "sign: {main: tsaSince, rekorV2: tsaSince}", "sign: rekorV2: tsaSince")}, true, nil},
	// Ending a signing window in the past only stops new signing; no-gaps
	// says whether clients are left without a service.
	{"signing ended in the past leaves a gap", []step{ed("services.cue", oidcSign, "api: 1\n\tsign: {main: {start: \"2022-04-13T20:06:15Z\", end: \"2026-01-01T00:00:00Z\"}, rekorV2: fulcioSince}\n}\n")}, true, []string{check.RuleNoGaps}},
	{"near miss: signing ended in the past, another log takes over", []step{ed("services.cue", "sign: {main: rekorSince, rekorV2: rekorSince}", `sign: {main: rekorSince, rekorV2: {start: "2021-01-12T11:53:27Z", end: "2026-06-01T00:00:00Z"}}`)}, true, nil},
	{"near miss: signing entry removed, another log takes over", []step{ed("services.cue", "sign: {main: rekorSince, rekorV2: rekorSince}", `sign: main: rekorSince`)}, true, nil},

	{"near miss: signing end added in the future", []step{ed("services.cue", `sign: rekorV2: start: "2026-01-01T00:00:00Z"`, `sign: rekorV2: {start: "2026-01-01T00:00:00Z", end: "2027-06-01T00:00:00Z"}`)}, true, nil},

	// One finding per mistake: what follows from a reported cause is not
	// reported again (a start that did not load is no move; a key that did
	// not derive is no removal).
	{"bad date: one finding", []step{ed("services.cue", `verify: start: "2025-09-23T00:00:00Z"`, `verify: start: "2025-09-23"`)}, true, []string{"input"}},
	{"missing key file: one finding", []step{ed("services.cue", `key: "log2025-1.rekor.pub"`, `key: "log2025-9.rekor.pub"`)}, true, []string{"input"}},

	// Issue 11: judged as a root-signing maintainer would.
	{"new log trusted and signed to in one release, both backdated", []step{extra(newLog2026(`sign: rekorV2: start: "2026-10-01T00:00:00Z"`))}, true, []string{check.RuleWaitingPeriod}},
	{"near miss: new log signed to a waiting period after its publication", []step{
		extra(newLog2026(`sign: rekorV2: start: "2027-02-22T00:00:00Z"`)),
		ed("environment.cue", `"sigstore-js", `, "")}, true, nil},
	{"near miss: verification end withdrawn before it is reached", nil, true, nil},
	{"ended verification window withdrawn", nil, true, []string{check.RuleImmutable}},
	{"near miss: chain reordered leaf first", nil, true, nil},
	{"near miss: log id corrected", nil, true, nil},
	{"near miss: flawed base, fixed head", nil, true, nil},
}

// newLog2026 declares a Rekor v2 log new in the head, trusted from
// 2026-01-01 (before corpusNow: backdated) with the given signing windows.
// Its key is log2025-1's: a v2 log's id is over its URL, so it is another
// log.
func newLog2026(sign string) string {
	return `rekor: "log2026-1": {
	url: "https://log2026-1.rekor.sigstore.dev"
	api: 2
	key: "log2025-1.rekor.pub"
	verify: start: "2026-01-01T00:00:00Z"
	` + sign + `
}`
}

// baseSteps edit the fixture before it is compiled as the previous
// release of a transition case; baseEdits change the derived base model
// (for what CUE cannot declare, such as a published log id). A base that
// does not compile is read leniently, as trustc check reads it.
var baseSteps = map[string][]step{
	"near miss: verification end withdrawn before it is reached": {
		ed("services.cue", `verify: start: "2025-09-23T00:00:00Z"`, `verify: {start: "2025-09-23T00:00:00Z", end: "2027-06-01T00:00:00Z"}`),
		ed("services.cue", `sign: rekorV2: start: "2026-01-01T00:00:00Z"`, `sign: rekorV2: {start: "2026-01-01T00:00:00Z", end: "2027-01-01T00:00:00Z"}`)},
	"ended verification window withdrawn": {
		ed("services.cue", `verify: start: "2025-09-23T00:00:00Z"`, `verify: {start: "2025-09-23T00:00:00Z", end: "2026-06-01T00:00:00Z"}`),
		ed("services.cue", `sign: rekorV2: start: "2026-01-01T00:00:00Z"`, `sign: rekorV2: {start: "2026-01-01T00:00:00Z", end: "2026-03-01T00:00:00Z"}`)},
	// production v6 → v7 put the root-first Fulcio chain leaf first.
	"near miss: chain reordered leaf first": {ed("services.cue", `certs: ["fulcio_intermediate_v1.crt.pem", "fulcio_v1.crt.pem"]`, `certs: ["fulcio_v1.crt.pem", "fulcio_intermediate_v1.crt.pem"]`)},
	"near miss: flawed base, fixed head":    {ed("services.cue", `url: "https://oauth2.sigstore.dev/auth"`, `url: "http://oauth2.sigstore.dev/auth"`)},
}

var baseEdits = map[string]func(*model.Environment){
	// staging v2 → v3 and v16 → v17 corrected a log's published id.
	"near miss: log id corrected": func(env *model.Environment) {
		for _, l := range env.Rekor {
			if l.URL.V == "https://log2025-1.rekor.sigstore.dev" {
				l.PublicKey.LogID = []byte("an id published by mistake")
			}
		}
	},
}

// nearMisses says which rule each near miss comes close to breaking: every
// rule must have one, so that a rule that fires too eagerly fails here.
var nearMisses = map[string][]string{
	"near miss: signing ends exactly when verification does":                           {check.RuleVerifyBeforeSign},
	"near miss: front behind a trusted shard":                                          {check.RuleVerifyBeforeSign},
	"near miss: signing exactly 90 days after trust":                                   {check.RuleWaitingPeriod},
	"near miss: short wait with a short TUF expiry":                                    {check.RuleWaitingPeriod},
	"near miss: new log signed to a waiting period after its publication":              {check.RuleWaitingPeriod},
	"near miss: main drops Rekor v1 at its declared retirement":                        {check.RuleNoGaps},
	"near miss: opt-in file drops Rekor v1":                                            {check.RuleNoGaps},
	"near miss: EXACT 1":                                                               {check.RuleNoGaps},
	"near miss: signing ended in the past, another log takes over":                     {check.RuleNoGaps, check.RuleSigningStartFixed},
	"near miss: signing entry removed, another log takes over":                         {check.RuleNoGaps, check.RuleSigningStartFixed},
	"near miss: TSA removed from main (a rollback)":                                    {check.RuleSigningStartFixed, check.RuleNoGaps},
	"near miss: CT logs on one host, different paths":                                  {check.RuleWellFormed},
	"near miss: v0.2 trusted root for no declared client":                              {check.RuleClientTraps},
	"near miss: future start without sigstore-js":                                      {check.RuleClientTraps},
	"near miss: chain trusted from its certificate's first second":                     {check.RuleMaterial},
	"near miss: verification end withdrawn before it is reached":                       {check.RuleImmutable},
	"near miss: chain reordered leaf first":                                            {check.RuleImmutable, check.RuleNothingDisappears},
	"near miss: log id corrected":                                                      {check.RuleImmutable, check.RuleNothingDisappears},
	"near miss: flawed base, fixed head":                                               {check.RuleMaterial},
	"near miss: trust ends after signing does":                                         {check.RuleNoRetroactiveEnd},
	"near miss: ended CT log retired with a reason":                                    {check.RuleNothingDisappears},
	"near miss: signing end added in the future":                                       {check.RuleSigningStartFixed},
	"near miss: future start with sigstore-js, withheld until its release":             {check.RuleClientTraps},
	"near miss: later release signs once the waiting period ends":                      {check.RuleWaitingPeriod},
	"near miss: planned handover overlapping the time clients keep the release before": {check.RuleNoGaps},
}

// TestPolicyCorpus runs every unsafe change and near miss. Each unsafe
// change must break exactly its rules; each near miss must pass. The full
// messages and positions are compared with testdata/policy.golden.
func TestPolicyCorpus(t *testing.T) {
	var golden strings.Builder
	for _, tc := range corpus {
		t.Run(tc.name, func(t *testing.T) { runCorpusCase(t, tc.name, tc.steps, tc.transition, tc.want, &golden) })
	}
	unsafe := 0
	for _, tc := range corpus {
		if len(tc.want) > 0 {
			unsafe++
		}
	}
	if unsafe < 40 {
		t.Errorf("corpus has %d unsafe changes, want at least 40", unsafe)
	}
	// Every rule has a case that breaks it and a near miss of its own.
	for _, r := range check.Rules {
		fails := slices.ContainsFunc(corpus, func(tc corpusCase) bool { return slices.Contains(tc.want, r) })
		passes := false
		for name, rules := range nearMisses {
			passes = passes || slices.Contains(rules, r) && slices.ContainsFunc(corpus, func(tc corpusCase) bool { return tc.name == name && len(tc.want) == 0 })
		}
		if !fails {
			t.Errorf("rule %s has no failing case", r)
		}
		if !passes {
			t.Errorf("rule %s has no near miss", r)
		}
	}
	for _, tc := range corpus {
		_, tagged := nearMisses[tc.name]
		if len(tc.want) == 0 && !tagged {
			t.Errorf("near miss %q does not say which rule it comes close to (nearMisses)", tc.name)
		}
	}
	for name := range nearMisses {
		if !slices.ContainsFunc(corpus, func(tc corpusCase) bool { return tc.name == name && len(tc.want) == 0 }) {
			t.Errorf("nearMisses names %q, which is no near miss of the corpus", name)
		}
	}
	for _, m := range []map[string][]step{baseSteps} {
		for name := range m {
			if !slices.ContainsFunc(corpus, func(tc corpusCase) bool { return tc.name == name && tc.transition }) {
				t.Errorf("baseSteps names %q, which is no transition case", name)
			}
		}
	}
	path := filepath.Join("testdata", "policy.golden")
	if *update {
		if err := os.WriteFile(path, []byte(golden.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./compiler -run TestPolicyCorpus -update)", err)
	}
	if string(want) != golden.String() {
		t.Errorf("policy messages differ from %s (-want +got):\n%s", path, diff.Diff("want", want, "got", []byte(golden.String())))
	}
}

func runCorpusCase(t *testing.T, name string, steps []step, transition bool, wantRules []string, golden *strings.Builder) {
	root := fixture(t)
	opts := compiler.Options{Now: corpusNow}
	if transition {
		for _, s := range baseSteps[name] {
			s(t, root)
		}
		base := lenientBase(t, root)
		if edit := baseEdits[name]; edit != nil {
			edit(base["test"])
		}
		opts = compiler.WithDerivedBase(opts, base)
		// The head starts from the fixture itself.
		fresh := fixture(t)
		if err := os.RemoveAll(filepath.Join(root, "environments")); err != nil {
			t.Fatal(err)
		}
		if err := os.CopyFS(filepath.Join(root, "environments"), os.DirFS(filepath.Join(fresh, "environments"))); err != nil {
			t.Fatal(err)
		}
	}
	for _, s := range steps {
		s(t, root)
	}
	err := compiler.Report(compiler.Compile(compiler.Dir(root), opts))
	// Errors and warnings are what a case breaks; notes (corrections)
	// break nothing, and show in the golden file.
	var got []string
	for _, p := range model.Problems(err) {
		if p.Severity == model.Note {
			continue
		}
		got = append(got, p.Rule)
	}
	slices.Sort(got)
	got = slices.Compact(got)
	want := slices.Clone(wantRules)
	slices.Sort(want)
	var b strings.Builder
	report.Lines(&b, "", err, root)
	details := b.String()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rules broken (-want +got):\n%s\n%s", diff, details)
	}
	golden.WriteString("== " + name + "\n")
	if err != nil {
		golden.WriteString(details)
	} else {
		golden.WriteString("ok\n")
	}
}

// lenientBase compiles the repository at root as a previous release. A
// base whose CUE breaks a rule is still history: it is loaded and derived
// without the policy, as trustc check reads a flawed base.
func lenientBase(t *testing.T, root string) map[string]*model.Environment {
	t.Helper()
	if base, err := compiler.Compile(compiler.Dir(root), compiler.Options{}); err == nil {
		return models(t, base.Release, "base")
	}
	// Its flaws are the base's.
	res, err := compiler.Compile(compiler.Dir(root), compiler.Options{NoRules: true})
	if res == nil {
		t.Fatalf("load base: %v", err)
	}
	return byName(res.Envs)
}

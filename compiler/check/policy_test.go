package check

import (
	"crypto/x509"
	"testing"
	"time"

	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/release"
)

// TestPolicy breaks each of rules 1 to 5 on an in-memory environment, and
// shows a near miss of each that passes.
func TestPolicy(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts Options
		edit edit
		want []finding
	}{
		// verify-before-sign
		{
			name: "verify-before-sign: log stops verifying while clients sign",
			want: []finding{
				{"verify-before-sign", "error", "rekor.log.sign.main.start", "rekor \"log\": signing window in signing_config.v0.2.json (from 2025-01-31T00:00:00Z on) is not covered by its verification window (2025-01-01T00:00:00Z to 2025-02-20T00:00:00Z); clients would sign entries they cannot verify; narrow the signing window or widen verification"},
			},
			edit: func(_ *testing.T, env *model.Environment) {
				env.Rekor[0].Verify = window(env.Rekor[0].Verify.Src, day(0), day(50))
			},
		},
		{
			name: "verify-before-sign: chains that meet within a second cover signing",
			edit: func(_ *testing.T, env *model.Environment) {
				ca := env.CAs[0]
				ca.Chains[0].Verify = window(ca.Chains[0].Verify.Src, day(0), day(40).Add(-time.Millisecond))
				d := authority("ca", "fulcio", day(40).Add(time.Second-time.Millisecond)).Chains[0]
				d.Name = "d"
				ca.Chains = append(ca.Chains, d)
			},
		},
		{
			name: "verify-before-sign: chains with a gap between them",
			want: []finding{
				{"verify-before-sign", "error", "ca.fulcio.sign.main.start", "ca \"fulcio\": signing window in signing_config.v0.2.json (from 2025-01-31T00:00:00Z on) is not covered by its chains' verification windows (2025-01-01T00:00:00Z to 2025-02-10T00:00:00Z; from 2025-02-11T00:00:00Z on); clients would sign entries they cannot verify; narrow the signing window or widen verification"},
			},
			edit: func(_ *testing.T, env *model.Environment) {
				ca := env.CAs[0]
				ca.Chains[0].Verify = window(ca.Chains[0].Verify.Src, day(0), day(40))
				ca.Chains = append(ca.Chains, authority("ca", "fulcio", day(41)).Chains[0])
			},
		},
		{
			name: "verify-before-sign: front without shards",
			want: []finding{
				{"verify-before-sign", "error", "rekorFronts.front.sign.main", "rekor front \"front\" is in signing_config.v0.2.json but has no verification material in the trusted root; clients could not verify what they sign; add its key or chain, or (for a front) its shards"},
			},
			edit: func(_ *testing.T, env *model.Environment) {
				f := &model.RekorFront{Service: service("rekorFronts", "front", "https://front.example.dev", 1)}
				signIn(&f.Service, "main", day(30))
				env.RekorFronts = append(env.RekorFronts, f)
			},
		},
		// waiting-period
		{
			name: "waiting-period: signing 5 days after verification starts",
			want: []finding{logSignsEarly},
			edit: logVerifiedFrom(25),
		},
		{
			name: "waiting-period: signing exactly the policy's 10 days after",
			edit: logVerifiedFrom(20),
		},
		{
			name: "waiting-period: the file's own waiting period is longer",
			want: []finding{
				{"waiting-period", "error", "ca.fulcio.sign.main.start", "ca \"fulcio\": signing in signing_config.v0.2.json starts 2025-01-31T00:00:00Z, 30 days after verification starts 2025-01-01T00:00:00Z; signing_config.v0.2.json needs 40 days (the larger of its waitingPeriod and policy.tufTimestampExpiry + policy.buffer); start signing at 2025-02-10T00:00:00Z or later"},
				{"waiting-period", "error", "rekor.log.sign.main.start", "rekor \"log\": signing in signing_config.v0.2.json starts 2025-01-31T00:00:00Z, 30 days after verification starts 2025-01-01T00:00:00Z; signing_config.v0.2.json needs 40 days (the larger of its waitingPeriod and policy.tufTimestampExpiry + policy.buffer); start signing at 2025-02-10T00:00:00Z or later"},
			},
			edit: func(_ *testing.T, env *model.Environment) {
				sc := env.SigningConfigs[0]
				sc.WaitingPeriod = model.Value[time.Duration]{V: 40 * 24 * time.Hour, Src: sc.Src.Child("waitingPeriod")}
			},
		},
		{
			name: "waiting-period: exemption without a reason",
			want: []finding{
				{"waiting-period", "error", "rekor.log.waitingPeriodExempt", "waitingPeriodExempt needs a reason"},
			},
			edit: logExempt(" "),
		},
		{
			name: "waiting-period: an exemption with a reason excuses history",
			edit: all(logVerifiedFrom(25), logExempt("signed to before the rule")),
		},
		{
			name: "waiting-period: no exemption for a log this release adds",
			want: []finding{
				{"waiting-period", "error", "rekor.log.sign.main.start", "rekor \"log\": signing in signing_config.v0.2.json starts 2025-01-31T00:00:00Z, 5 days after clients first get its verification material (in this release) 2025-01-26T00:00:00Z; signing_config.v0.2.json needs 10 days (the larger of its waitingPeriod and policy.tufTimestampExpiry + policy.buffer); start signing at 2025-02-05T00:00:00Z or later"},
			},
			opts: Options{Now: day(25), Base: baseWithout(func(env *model.Environment) { env.Rekor = nil })},
			edit: logExempt("imported"),
		},
		{
			name: "waiting-period: a plan step is not history, whatever its exemption",
			want: []finding{logSignsEarly},
			opts: Options{Planned: day(20)},
			edit: all(logVerifiedFrom(25), logExempt("signed to before the rule")),
		},
		{
			name: "waiting-period: published JSON, signing within a waiting period of the release",
			want: []finding{logSignsEarly},
			opts: Options{Published: true, Now: day(39)},
			edit: logVerifiedFrom(25),
		},
		{
			name: "waiting-period: published JSON, signing a waiting period before the release is history",
			opts: Options{Published: true, Now: day(40)},
			edit: logVerifiedFrom(25),
		},
		// no-gaps
		{
			name: "no-gaps: no OIDC provider",
			want: []finding{
				{"no-gaps", "error", "signingConfigs.main", "signing_config.v0.2.json never offers an OIDC provider; clients cannot sign with it"},
			},
			edit: func(_ *testing.T, env *model.Environment) { env.OIDC = nil },
		},
		{
			name: "no-gaps: the CA stops signing",
			want: []finding{
				{"no-gaps", "error", "ca.fulcio.sign.main.end", "signing_config.v0.2.json offers no valid CA at 2025-03-02T00:00:01Z; clients signing then would fail; extend a window or add a service"},
			},
			edit: caSignsUntil(day(60)),
		},
		{
			name: "no-gaps: a second CA takes over within a second",
			edit: all(caSignsUntil(day(60).Add(-time.Millisecond)), func(_ *testing.T, env *model.Environment) {
				next := authority("ca", "fulcio2", day(0))
				signIn(&next.Service, "main", day(60))
				env.CAs = append(env.CAs, next)
			}),
		},
		{
			name: "no-gaps: a gap while clients may still keep a staged release",
			want: []finding{
				{"no-gaps", "error", "ca.fulcio.sign.main.end", "signing_config.v0.2.json offers no valid CA at 2025-03-02T00:00:01Z (the next release is due 2025-02-21T00:00:00Z, but a client may keep this one until 2025-03-03T00:00:00Z, policy.tufTimestampExpiry + policy.buffer later); clients signing then would fail; extend a window or add a service"},
			},
			opts: Options{Next: day(51)},
			edit: caSignsUntil(day(60)),
		},
		{
			name: "no-gaps: a gap after clients have the next staged release",
			opts: Options{Next: day(50)},
			edit: caSignsUntil(day(60)),
		},
		{
			name: "no-gaps: a main file without a Rekor v1 log",
			want: []finding{
				{"no-gaps", "error", "signingConfigs.main", "signing_config.v0.2.json is a main file but offers no Rekor API v1 log; clients without Rekor v2 support could not sign; add one, set optIn, or declare rekorV1RetiresAt"},
			},
			edit: func(_ *testing.T, env *model.Environment) { env.Rekor[0].API.V = 2 },
		},
		{
			name: "no-gaps: an opt-in file needs no Rekor v1 log",
			edit: func(_ *testing.T, env *model.Environment) {
				env.Rekor[0].API.V = 2
				env.SigningConfigs[0].OptIn.V = true
			},
		},
		{
			name: "no-gaps: EXACT 2 logs from one operator",
			want: []finding{
				{"no-gaps", "error", "signingConfigs.main.rekorTlogConfig.count", "signing_config.v0.2.json asks clients for EXACT 2 Rekor logs, but at 2025-01-31T00:00:00Z only 1 operator(s) run a valid one; lower the count or add services"},
			},
			edit: func(_ *testing.T, env *model.Environment) { exactRekor(env, 2) },
		},
		{
			name: "no-gaps: EXACT 1 log",
			edit: func(_ *testing.T, env *model.Environment) { exactRekor(env, 1) },
		},
		// well-formed
		{
			name: "well-formed: unknown client",
			want: []finding{
				{"well-formed", "error", "policy.clients", "unknown client \"sigstore-rs\"; known clients: cosign, sigstore-go, sigstore-java, sigstore-js, sigstore-python"},
			},
			edit: func(_ *testing.T, env *model.Environment) { addClient(env, "sigstore-rs") },
		},
		{
			name: "well-formed: a known client",
			edit: func(_ *testing.T, env *model.Environment) { addClient(env, "sigstore-go") },
		},
		{
			name: "well-formed: two CAs at one URL but for a slash",
			want: []finding{
				{"well-formed", "error", "ca.twin.url", "ca \"twin\" has the same url as \"fulcio\" (https://fulcio.example.dev/); each must be unique"},
			},
			edit: func(_ *testing.T, env *model.Environment) {
				twin := authority("ca", "twin", day(0))
				twin.URL.V = env.CAs[0].URL.V + "/"
				env.CAs = append(env.CAs, twin)
			},
		},
		{
			name: "well-formed: two logs with one key",
			want: []finding{
				{"well-formed", "error", "rekor.twin.key", "rekor \"twin\" has the same log id as \"log\" (836ff184e7b41b1e13cb5fd89fa1de98dbbab99e9d2918913ff43b86a5c7c213); each must be unique"},
			},
			edit: func(_ *testing.T, env *model.Environment) {
				twin := rekorLog("twin", 1, day(0))
				twin.PublicKey = env.Rekor[0].PublicKey
				env.Rekor = append(env.Rekor, twin)
			},
		},
		{
			name: "well-formed: two CT logs with one key",
			want: []finding{
				{"well-formed", "error", "ct.twin.key", "ct \"twin\" has the same log id as \"ctfe\" (75e5e9f991d09b564c8e485444b41bfb604eba7c41bf35840867b059c86ec6e2); each must be unique"},
			},
			edit: func(_ *testing.T, env *model.Environment) {
				twin := ctLog("twin", day(0))
				twin.PublicKey = fakeKey("ctfe")
				env.CTLogs = append(env.CTLogs, ctLog("ctfe", day(0)), twin)
			},
		},
		// client-traps
		{
			name: "client-traps: v0.2 trusted root for sigstore-go",
			want: []finding{
				{"client-traps", "error", "trustedRoot.mediaType", "the v0.2 trusted root (with operator and checkpointKeyId) is rejected by sigstore-go, which policy.clients says this environment serves; keep the v0.1 media type until they accept it"},
			},
			edit: func(_ *testing.T, env *model.Environment) {
				env.TrustedRoot.MediaType.V = release.TrustedRootMediaType02
				addClient(env, "sigstore-go")
			},
		},
		{
			name: "client-traps: v0.2 trusted root for no declared client",
			edit: func(_ *testing.T, env *model.Environment) {
				env.TrustedRoot.MediaType.V = release.TrustedRootMediaType02
			},
		},
		{
			name: "client-traps: sigstore-js and a future service",
			want: []finding{
				{"client-traps", "error", "ca.fulcio.sign.main.start", "ca \"fulcio\" starts in main at 2025-01-31T00:00:00Z, in the future, but sigstore-js picks a listed service at once, before its start; add the entry to main only at its start"},
				{"client-traps", "error", "rekor.log.sign.main.start", "rekor \"log\" starts in main at 2025-01-31T00:00:00Z, in the future, but sigstore-js picks a listed service at once, before its start; add the entry to main only at its start"},
			},
			opts: Options{Now: day(29)},
			edit: func(_ *testing.T, env *model.Environment) { addClient(env, "sigstore-js") },
		},
		{
			name: "client-traps: sigstore-js once the services have started",
			opts: Options{Now: day(30)},
			edit: func(_ *testing.T, env *model.Environment) { addClient(env, "sigstore-js") },
		},
		// material
		{
			name: "material: a log over http",
			want: []finding{
				{"material", "error", "rekor.log.url", "rekor \"log\": url \"http://log.example.dev\" is not an https URL; clients must reach services over TLS"},
			},
			edit: func(_ *testing.T, env *model.Environment) { env.Rekor[0].URL.V = "http://log.example.dev" },
		},
		{
			name: "material: a verify-only TSA whose uri is no URL",
			want: []finding{
				{"material", "warning", "tsa.github.url", "tsa \"github\": uri \"tsa.github.internal\" is not an https URL; protobuf-specs recommends one (clients only verify against this entry and never contact it)"},
			},
			edit: func(_ *testing.T, env *model.Environment) {
				tsa := authority("tsa", "github", day(0))
				tsa.URL.V = "tsa.github.internal"
				env.TSAs = append(env.TSAs, tsa)
			},
		},
		{
			name: "material: a TSA leaf without time stamping",
			want: []finding{
				{"material", "error", "tsa.tsa.chains.c.certs.0", "tsa \"tsa\" chain \"c\": the leaf certificate (CN=tsa) lacks the time-stamping extended key usage; clients reject its timestamps"},
			},
			edit: func(t *testing.T, env *model.Environment) {
				env.TSAs = append(env.TSAs, authority("tsa", "tsa", day(0), cert(t, "tsa", day(-1), day(400))))
			},
		},
		{
			name: "material: a TSA leaf for time stamping",
			edit: func(t *testing.T, env *model.Environment) {
				env.TSAs = append(env.TSAs, authority("tsa", "tsa", day(0), cert(t, "tsa", day(-1), day(400), x509.ExtKeyUsageTimeStamping)))
			},
		},
		{
			name: "material: a certificate expires before its window ends",
			want: []finding{
				{"material", "error", "ca.fulcio.chains.c.verify.end", "ca \"fulcio\" chain \"c\": certificate 0 (CN=fulcio) expires 2025-02-20T00:00:00Z, before the window ends 2025-04-11T00:00:00Z; end the window by 2025-02-20T00:00:00Z"},
				{"verify-before-sign", "error", "ca.fulcio.sign.main.start", "ca \"fulcio\": signing window in signing_config.v0.2.json (from 2025-01-31T00:00:00Z on) is not covered by its chains' verification windows (2025-01-01T00:00:00Z to 2025-04-11T00:00:00Z); clients would sign entries they cannot verify; narrow the signing window or widen verification"},
			},
			edit: func(t *testing.T, env *model.Environment) {
				ch := env.CAs[0].Chains[0]
				ch.Certificates = []*x509.Certificate{cert(t, "fulcio", day(-1), day(50))}
				ch.Verify = window(ch.Verify.Src, day(0), day(100))
			},
		},
		{
			name: "material: a certificate expired in an open window",
			want: []finding{
				{"material", "warning", "ca.fulcio.chains.c.verify", "ca \"fulcio\" chain \"c\": certificate 0 (CN=fulcio) expired 2025-02-20T00:00:00Z but the window is still open; end the window at 2025-02-20T00:00:00Z"},
			},
			opts: Options{Now: day(60)},
			edit: func(t *testing.T, env *model.Environment) {
				env.CAs[0].Chains[0].Certificates = []*x509.Certificate{cert(t, "fulcio", day(-1), day(50))}
			},
		},
		{
			name: "material: a certificate valid for its whole window",
			opts: Options{Now: day(60)},
			edit: func(t *testing.T, env *model.Environment) {
				env.CAs[0].Chains[0].Certificates = []*x509.Certificate{cert(t, "fulcio", day(-1), day(61))}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := testEnv()
			tc.edit(t, env)
			checkFindings(t, tc.want, Policy(env, tc.opts))
		})
	}
}

// baseWithout returns testEnv edited by edit, as the base of a release.
func baseWithout(edit func(*model.Environment)) *model.Environment {
	env := testEnv()
	edit(env)
	return env
}

// exactRekor asks clients of the main signing config for count Rekor logs
// of distinct operators, and adds a second log of the same operator.
func exactRekor(env *model.Environment, count int) {
	sc := env.SigningConfigs[0]
	sel := sc.Src.Child("rekorTlogConfig")
	sc.Rekor = model.Selector{Selector: str(sel, "selector", "EXACT"), Count: model.Value[int]{V: count, Src: sel.Child("count")}}
	l := rekorLog("log2", 1, day(0))
	signIn(&l.Service, "main", day(30))
	env.Rekor = append(env.Rekor, l)
}

func addClient(env *model.Environment, name string) {
	env.Policy.Clients = append(env.Policy.Clients, str(env.Policy.Src, "clients", name))
}

// edit changes testEnv for one case (t for what it must build, such as
// certificates).
type edit func(t *testing.T, env *model.Environment)

// all makes one edit of several, applied in order.
func all(edits ...edit) edit {
	return func(t *testing.T, env *model.Environment) {
		for _, e := range edits {
			e(t, env)
		}
	}
}

// logVerifiedFrom opens the Rekor log's verification window at day n.
func logVerifiedFrom(n int) edit {
	return func(_ *testing.T, env *model.Environment) {
		env.Rekor[0].Verify = window(env.Rekor[0].Verify.Src, day(n))
	}
}

// logExempt exempts the Rekor log from the waiting period for reason.
func logExempt(reason string) edit {
	return func(_ *testing.T, env *model.Environment) {
		env.Rekor[0].WaitingPeriodExempt = str(env.Rekor[0].Src, "waitingPeriodExempt", reason)
	}
}

// caSignsUntil ends the CA's signing window at end.
func caSignsUntil(end time.Time) edit {
	return func(_ *testing.T, env *model.Environment) {
		ca := &env.CAs[0].Service
		ca.Sign[0].Window = window(ca.Sign[0].Src, day(30), end)
	}
}

// logSignsEarly is what waiting-period says of the Rekor log verified from
// day 25 and signed to from day 30, 5 days into its 10.
var logSignsEarly = finding{"waiting-period", "error", "rekor.log.sign.main.start", "rekor \"log\": signing in signing_config.v0.2.json starts 2025-01-31T00:00:00Z, 5 days after verification starts 2025-01-26T00:00:00Z; signing_config.v0.2.json needs 10 days (the larger of its waitingPeriod and policy.tufTimestampExpiry + policy.buffer); start signing at 2025-02-05T00:00:00Z or later"}

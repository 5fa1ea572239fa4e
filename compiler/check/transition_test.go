package check

import (
	"crypto/x509"
	"strings"
	"testing"
	"time"

	"github.com/trustc-dev/trustc/compiler/model"
)

// TestTransition breaks each of rules 6 to 9 between a base release and the
// next, released at day 60, and shows a near miss of each.
func TestTransition(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(t *testing.T, base, next *model.Environment)
		want []finding
	}{
		// immutable
		{
			name: "immutable: a verification start moves",
			want: []finding{
				{"immutable", "error", "rekor.log.verify.start", "rekor \"log\" (https://log.example.dev): verification start moved from 2025-01-01T00:00:00Z to 2025-01-02T00:00:00Z; a published start never moves (signatures made since it rely on it)"},
			},
			edit: func(_ *testing.T, _, next *model.Environment) {
				next.Rekor[0].Verify = window(next.Rekor[0].Verify.Src, day(1))
			},
		},
		{
			name: "immutable: a log id corrected for the same key and URL",
			want: []finding{
				{"immutable", "note", "rekor.log", "rekor \"log\" (https://log.example.dev): log id corrected from g2/xhOe0Gx4Ty1/Yn6HemNu6uZ6dKRiRP/Q7hqXHwhM= to Y29ycmVjdGVk (the same key and URL; a correction)"},
			},
			edit: func(_ *testing.T, _, next *model.Environment) {
				k := *next.Rekor[0].PublicKey
				k.LogID = []byte("corrected")
				next.Rekor[0].PublicKey = &k
			},
		},
		{
			name: "immutable: an end already reached is removed",
			want: []finding{
				{"immutable", "error", "ct.ctfe.verify", "ct \"ctfe\" (https://ctfe.example.dev): the end 2025-02-20T00:00:00Z, already reached, was removed; an ended window stays ended (add a new entry to trust the material again)"},
			},
			edit: func(_ *testing.T, base, _ *model.Environment) {
				endVerify(&base.CTLogs[0].Verify, day(50))
			},
		},
		{
			name: "immutable: an end not reached is removed",
			edit: func(_ *testing.T, base, _ *model.Environment) {
				endVerify(&base.CTLogs[0].Verify, day(70))
			},
		},
		{
			name: "immutable: an end already reached moves",
			want: []finding{
				{"immutable", "error", "ct.ctfe.verify.end", "ct \"ctfe\" (https://ctfe.example.dev): the end 2025-02-20T00:00:00Z, already reached, moved to 2025-02-25T00:00:00Z; an ended window stays as it ended"},
			},
			edit: func(_ *testing.T, base, next *model.Environment) {
				endVerify(&base.CTLogs[0].Verify, day(50))
				endVerify(&next.CTLogs[0].Verify, day(55))
			},
		},
		{
			name: "immutable: a chain reordered leaf first is a correction",
			want: []finding{
				{"immutable", "note", "ca.fulcio.chains.c", "ca \"fulcio\" chain \"c\": chain reordered leaf first (the same certificates; a correction)"},
			},
			edit: chainsAs("root leaf", "leaf root"),
		},
		{
			name: "immutable: a chain reordered away from leaf first",
			want: []finding{
				{"immutable", "warning", "ca.fulcio.chains.c", "ca \"fulcio\" chain \"c\": chain reordered, and no longer leaf first as protobuf-specs asks; publish it leaf first"},
			},
			edit: chainsAs("leaf root", "root leaf"),
		},
		{
			name: "immutable: a chain changed around its leaf",
			want: []finding{
				{"immutable", "error", "ca.fulcio.chains.c", "ca \"fulcio\" chain \"c\": published chain changed around the same leaf; published material never changes, add a new entry instead"},
			},
			edit: chainsAs("leaf root", "leaf root other"),
		},
		{
			name: "immutable: a chain published as before",
			edit: chainsAs("leaf root", "leaf root"),
		},
		// no-retroactive-end
		{
			name: "no-retroactive-end: a new end in the past, before signing ends",
			want: []finding{
				{"no-retroactive-end", "error", "rekor.log.verify.end", "rekor \"log\" (https://log.example.dev): new end 2025-02-20T00:00:00Z is before the end of its signing window in main (with no end); clients would go on signing with it; end signing first"},
				{"no-retroactive-end", "error", "rekor.log.verify.end", "rekor \"log\" (https://log.example.dev): new end 2025-02-20T00:00:00Z is before the release time 2025-03-02T00:00:00Z; ending trust retroactively breaks signatures clients already accepted; end it at 2025-03-02T00:00:00Z or later"},
			},
			edit: func(_ *testing.T, _, next *model.Environment) {
				endVerify(&next.Rekor[0].Verify, day(50))
			},
		},
		{
			name: "no-retroactive-end: a new end after the release and after signing ends",
			edit: func(_ *testing.T, _, next *model.Environment) {
				endVerify(&next.Rekor[0].Verify, day(70))
				s := &next.Rekor[0].Sign[0]
				s.Window = window(s.Src, day(30), day(65))
			},
		},
		// nothing-disappears
		{
			name: "nothing-disappears: a CT log is gone",
			want: []finding{
				{"nothing-disappears", "error", "ct", "ct \"ctfe\" (https://ctfe.example.dev) (verification from 2025-01-01T00:00:00Z on) was in the previous trusted root and is gone; signatures made with it would stop verifying; restore it, or retire it under retired with its material and a reason once its window has ended"},
			},
			edit: func(_ *testing.T, _, next *model.Environment) { next.CTLogs = nil },
		},
		{
			name: "nothing-disappears: a TSA chain is gone",
			want: []finding{
				{"nothing-disappears", "error", "tsa", "tsa \"tsa\" chain \"c\" (verification from 2025-01-01T00:00:00Z on) was in the previous trusted root and is gone; signatures made with it would stop verifying; restore it, or retire it under retired with its material and a reason once its window has ended"},
			},
			edit: func(t *testing.T, base, _ *model.Environment) {
				base.TSAs = append(base.TSAs, authority("tsa", "tsa", day(0), cert(t, "tsa", day(-1), day(400))))
			},
		},
		{
			name: "nothing-disappears: a CT log retired before its window ended",
			want: []finding{
				{"nothing-disappears", "error", "retired.ctfe", "retired \"ctfe\" removes ct \"ctfe\" (https://ctfe.example.dev), whose verification window (from 2025-01-01T00:00:00Z on) has not ended; end the window first and retire it in a later release"},
			},
			edit: func(_ *testing.T, _, next *model.Environment) {
				next.CTLogs = nil
				retire(next, "ct")
			},
		},
		{
			name: "nothing-disappears: a CT log retired after its window ended",
			edit: func(_ *testing.T, base, next *model.Environment) {
				endVerify(&base.CTLogs[0].Verify, day(50))
				next.CTLogs = nil
				retire(next, "ct")
			},
		},
		// signing-start-fixed
		{
			name: "signing-start-fixed: a started signing window moves its start",
			want: []finding{
				{"signing-start-fixed", "error", "ca.fulcio.sign.main.start", "ca \"fulcio\": signing in signing_config.v0.2.json started 2025-01-31T00:00:00Z and cannot move to 2025-02-01T00:00:00Z; clients have signed with it since"},
			},
			edit: func(_ *testing.T, _, next *model.Environment) {
				s := &next.CAs[0].Sign[0]
				s.Window = window(s.Src, day(31))
			},
		},
		{
			name: "signing-start-fixed: a planned signing window moves its start",
			edit: func(_ *testing.T, base, next *model.Environment) {
				s := &base.CAs[0].Sign[0]
				s.Window = window(s.Src, day(61))
				s = &next.CAs[0].Sign[0]
				s.Window = window(s.Src, day(62))
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base, next := transitionEnv(), transitionEnv()
			tc.edit(t, base, next)
			checkFindings(t, tc.want, Transition(base, next, day(60)))
		})
	}
}

// transitionEnv is testEnv with a CT log, which no signing config lists,
// so that its verification window can end without breaking rules 1 to 5.
func transitionEnv() *model.Environment {
	env := testEnv()
	env.CTLogs = []*model.CTLog{ctLog("ctfe", day(0))}
	return env
}

// endVerify ends the verification window w at end.
func endVerify(w *model.Window, end time.Time) { *w = window(w.Src, w.Start.V, end) }

// retire records the CT log "ctfe" as retired in env.
func retire(env *model.Environment, kind string) {
	s := env.Src.Child("retired", "ctfe")
	env.Retired = append(env.Retired, &model.Retirement{
		Name: "ctfe", Src: s, Kind: str(s, "kind", kind), Reason: str(s, "reason", "shut down"),
		PublicKey: fakeKey("ctfe"),
	})
}

// chainsAs publishes the CA's chain in the base and the next release as
// the certificates named, in that order: "leaf", "root" (which issued the
// leaf) and "other" (self-signed, unrelated to both).
func chainsAs(base, next string) func(t *testing.T, base, next *model.Environment) {
	return func(t *testing.T, b, n *model.Environment) {
		root, rootKey := issue(t, "root", nil, nil)
		leaf, _ := issue(t, "leaf", root, rootKey)
		certs := map[string]*x509.Certificate{"leaf": leaf, "root": root, "other": cert(t, "other", day(-1), day(400))}
		for env, order := range map[*model.Environment]string{b: base, n: next} {
			var chain []*x509.Certificate
			for _, name := range strings.Fields(order) {
				chain = append(chain, certs[name])
			}
			env.CAs[0].Chains[0].Certificates = chain
		}
	}
}

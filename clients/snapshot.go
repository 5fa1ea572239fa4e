package clients

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/trustc-dev/trustc/internal/text"
	"github.com/trustc-dev/trustc/release"
)

// Snapshot is what clients of one environment see at one instant.
type Snapshot struct {
	Env  string    `json:"env"`
	Time time.Time `json:"time"`
	// Configs holds one entry per v0.2 signing config, in file-name order.
	Configs []ConfigSnapshot `json:"signingConfigs"`
	// Legacy is the v0.1 signing config, which has no windows.
	Legacy *LegacySnapshot `json:"legacySigningConfig,omitempty"`
	// Trust lists every trusted-root entry with each verifier's verdict on
	// something made at Time and verified then.
	Trust    []TrustEntry `json:"trust"`
	Refusals []Refusal    `json:"refusals,omitempty"`
}

// ConfigSnapshot is what each signer does under one signing config.
type ConfigSnapshot struct {
	File    string    `json:"file"`
	Signers []Signing `json:"signers"`
	// Divergences say where signers that should agree do not.
	Divergences []string `json:"divergences,omitempty"`
	// Unmatched names services a signer uses that no trusted-root entry
	// valid at Time has the URL of.
	Unmatched []string `json:"unmatched,omitempty"`
}

// LegacySnapshot is the v0.1 signing config as clients that read it see it
// at any time.
type LegacySnapshot struct {
	File     string   `json:"file"`
	CAURL    string   `json:"caUrl,omitempty"`
	OIDCURL  string   `json:"oidcUrl,omitempty"`
	TlogURLs []string `json:"tlogUrls,omitempty"`
	TSAURLs  []string `json:"tsaUrls,omitempty"`
}

// At computes what every client sees in env at t.
func At(env *release.Env, t time.Time) Snapshot {
	return NewEnv(env).At(t)
}

// Env is an environment prepared for snapshots at many instants: its
// trusted root is parsed once.
type Env struct {
	env    *release.Env
	trust  *Trust
	fronts Fronts
}

// Fronts maps a signing URL that fronts Rekor log shards (a "global" host
// with no key of its own) to the shards' base URLs. The trusted root
// cannot say it; the CUE's rekorFronts or check's -front flags do.
type Fronts map[string][]string

// NewEnv prepares env for Env.At.
func NewEnv(env *release.Env) *Env { return NewEnvWithFronts(env, nil) }

// NewEnvWithFronts prepares env for Env.At, judging a signer that uses a
// front as trusted when the trusted root trusts one of its shards.
func NewEnvWithFronts(env *release.Env, fronts Fronts) *Env {
	e := &Env{env: env, fronts: fronts}
	if env.TrustedRoot != nil {
		e.trust = NewTrust(env.TrustedRoot.Msg)
	}
	return e
}

// At computes what every client sees at t.
func (e *Env) At(t time.Time) Snapshot {
	env := e.env
	t = t.UTC()
	s := Snapshot{Env: env.Name, Time: t}
	if e.trust != nil {
		s.Trust, s.Refusals = e.trust.At(t)
	}
	for _, f := range env.SigningConfigs {
		cs := ConfigSnapshot{File: f.Name}
		for _, c := range Signers() {
			cs.Signers = append(cs.Signers, Sign(c, f.Msg, t))
		}
		cs.Divergences = Diverge(cs.Signers)
		cs.Unmatched = unmatched(cs.Signers, s.Trust, e.fronts, t)
		s.Configs = append(s.Configs, cs)
	}
	if l := env.Legacy; l != nil {
		s.Legacy = &LegacySnapshot{File: l.Name, CAURL: l.Msg.CAURL, OIDCURL: l.Msg.OIDCURL, TlogURLs: l.Msg.TlogURLs, TSAURLs: l.Msg.TSAURLs}
	}
	return s
}

// Diverges reports whether any signing config or trusted-root entry has
// clients that disagree.
func (s Snapshot) Diverges() bool {
	for _, c := range s.Configs {
		if len(c.Divergences) > 0 {
			return true
		}
	}
	for _, e := range s.Trust {
		if e.Diverges() {
			return true
		}
	}
	return len(s.Refusals) > 0
}

// Divergences says, one line each, where clients disagree: per signing
// config, per trusted-root entry, and verifiers that refuse the trusted
// root. It is empty exactly when Diverges is false.
func (s Snapshot) Divergences() []string {
	var out []string
	for _, c := range s.Configs {
		for _, d := range c.Divergences {
			out = append(out, c.File+": "+d)
		}
	}
	for _, e := range s.Trust {
		if !e.Diverges() {
			continue
		}
		var vs []string
		for _, v := range e.Verdicts {
			vs = append(vs, v.Client.Name()+" "+verdict(v))
		}
		out = append(out, fmt.Sprintf("trusted_root.json %s %s %s: %s", e.Path, e.Kind, e.Name, strings.Join(vs, ", ")))
	}
	for _, r := range s.Refusals {
		out = append(out, fmt.Sprintf("%s refuses the trusted root: %s", r.Client.Name(), r.Error))
	}
	return out
}

// Diverge compares signers that should agree, those with Rekor v2 support
// and those with only v1, role by role, and says where they do not. Two
// clients that both refuse agree; a client that never reads a list is left
// out of that list's comparison.
func Diverge(signings []Signing) []string {
	var out []string
	for _, group := range []struct {
		name string
		v2   bool
	}{{"clients with Rekor v2 support", true}, {"clients with only Rekor v1", false}} {
		for _, r := range Roles {
			var keys []string
			byKey := map[string][]string{}
			for _, s := range signings {
				if s.Client.RekorV2() != group.v2 {
					continue
				}
				ch := s.Choice(r)
				if ch.NotRead {
					continue
				}
				k := behaviour(ch)
				if _, ok := byKey[k]; !ok {
					keys = append(keys, k)
				}
				byKey[k] = append(byKey[k], s.Client.Name())
			}
			if len(keys) < 2 {
				continue
			}
			parts := make([]string, len(keys))
			for i, k := range keys {
				parts[i] = text.And(byKey[k]) + ": " + k
			}
			out = append(out, fmt.Sprintf("%s, %s differ: %s", r, group.name, strings.Join(parts, "; ")))
		}
	}
	return out
}

// behaviour is what a comparison of two choices looks at: refusals are
// alike whatever their message.
func behaviour(c Choice) string {
	if c.Error != "" {
		return "fails"
	}
	return c.String()
}

// unmatched names each service a signer uses that has no trusted-root
// entry of its kind with the same URL and a window holding t, and who uses
// it. Verifiers find logs by log ID, not URL, so this is a warning for a
// reviewer, not proof that entries will fail.
//
// A Rekor URL in fronts stands for its shards: it is matched when a shard
// is.
func unmatched(signings []Signing, trust []TrustEntry, fronts Fronts, t time.Time) []string {
	kinds := map[Role]Kind{RoleCA: KindCA, RoleRekor: KindRekor, RoleTSA: KindTSA}
	type use struct {
		what  string
		users []string
	}
	var uses []*use
	for _, s := range signings {
		for _, r := range []Role{RoleCA, RoleRekor, RoleTSA} {
			for _, svc := range s.Choice(r).Services {
				urls := []string{svc.URL}
				shards := frontShards(fronts, svc.URL)
				if r == RoleRekor && len(shards) > 0 {
					urls = shards
				}
				named, valid := false, false
				for _, e := range trust {
					if e.Kind == kinds[r] && slices.ContainsFunc(urls, func(u string) bool { return sameURL(e.Name, u) }) {
						named = true
						valid = valid || inWindow(e.Start, e.End, t)
					}
				}
				var what string
				switch {
				case r == RoleRekor && len(shards) > 0 && !named:
					what = fmt.Sprintf("%s %s: fronts %s, none of which the trusted root has", r, svc, text.And(shards))
				case r == RoleRekor && len(shards) > 0 && !valid:
					what = fmt.Sprintf("%s %s: fronts %s, but no window of theirs holds %s", r, svc, text.And(shards), instant(t))
				case !named:
					what = fmt.Sprintf("%s %s: no %s in the trusted root has this URL", r, svc, kinds[r])
				case !valid:
					what = fmt.Sprintf("%s %s: the trusted root has this URL, but no window of it holds %s", r, svc, instant(t))
				default:
					continue
				}
				i := slices.IndexFunc(uses, func(u *use) bool { return u.what == what })
				if i < 0 {
					uses = append(uses, &use{what: what})
					i = len(uses) - 1
				}
				if !slices.Contains(uses[i].users, s.Client.Name()) {
					uses[i].users = append(uses[i].users, s.Client.Name())
				}
			}
		}
	}
	var out []string
	for _, u := range uses {
		out = append(out, fmt.Sprintf("%s (used by %s)", u.what, text.And(u.users)))
	}
	return out
}

// frontShards returns the shards behind url, matched as sameURL does.
func frontShards(fronts Fronts, url string) []string {
	u := strings.TrimSuffix(url, "/")
	if s, ok := fronts[u]; ok {
		return s
	}
	return fronts[u+"/"]
}

func sameURL(a, b string) bool { return strings.TrimSuffix(a, "/") == strings.TrimSuffix(b, "/") }

// instant words t, saying "the instant after" for the nanosecond after an
// inclusive window end, where reviews evaluate clients.
func instant(t time.Time) string {
	if end, ok := text.JustAfter(t); ok {
		return "the instant after " + text.Time(end)
	}
	return text.Time(t)
}

package derive

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"cuelang.org/go/cue/errors"

	"github.com/trustc-dev/trustc/compiler/model"
)

// Usages of a TUF target, spelt as Sigstore's targets.json and the legacy
// client that reads them (sigstore/sigstore pkg/tuf UsageKind) spell them.
const (
	UsageRekor   = "Rekor"
	UsageCTFE    = "CTFE"
	UsageFulcio  = "Fulcio"
	UsageTSA     = "TSA"
	UsageUnknown = "Unknown"
)

// use is one place a material file is used.
type use struct {
	usage, uri string
	// by names the user for messages: `rekor "rekor"`.
	by string
}

// tufTargets derives each TUF target's usage and uri from where its file
// is used: a Rekor or CT log's key, a CA's or TSA's chain. Legacy clients
// pick keys by usage alone (cosign takes every "Rekor" target), so a file
// used in two roles cannot be one target. A file used nowhere is published
// as "Unknown", and is checked to hold only public PEM material here, since
// no key or chain parse looks at it and a target is served to everyone.
func tufTargets(env *model.Environment) errors.Error {
	if len(env.TUFTargets) == 0 {
		return nil
	}
	uses := map[string][]use{}
	add := func(m model.Material, u use) {
		name := path.Clean(m.File.V)
		if !slices.ContainsFunc(uses[name], func(v use) bool { return v.usage == u.usage && v.uri == u.uri }) {
			uses[name] = append(uses[name], u)
		}
	}
	for _, l := range env.Rekor {
		add(l.Key, use{UsageRekor, l.URL.V, fmt.Sprintf("rekor %q", l.Name)})
	}
	for _, l := range env.CTLogs {
		add(l.Key, use{UsageCTFE, l.URL.V, fmt.Sprintf("ct %q", l.Name)})
	}
	for _, group := range []struct {
		kind, usage string
		as          []*model.Authority
	}{{"ca", UsageFulcio, env.CAs}, {"tsa", UsageTSA, env.TSAs}} {
		for _, a := range group.as {
			for _, c := range a.Chains {
				for _, m := range c.Certs {
					add(m, use{group.usage, a.URL.V, fmt.Sprintf("%s %q", group.kind, a.Name)})
				}
			}
		}
	}

	var errs errors.Error
	for _, t := range env.TUFTargets {
		us := uses[path.Clean(t.File.V)]
		switch len(us) {
		case 0:
			t.Usage = UsageUnknown
			errs = errors.Append(errs, publicOnly(t.Material))
		case 1:
			t.Usage, t.URI = us[0].usage, us[0].uri
		default:
			var parts []string
			for _, u := range us {
				parts = append(parts, fmt.Sprintf("%s as %s (%s)", u.by, u.usage, u.uri))
			}
			errs = errors.Append(errs, t.Src.Rulef(model.RuleWellFormed, "%s is used by %s; a TUF target has one usage and uri, so publish each use as a file of its own",
				t.File.V, strings.Join(parts, " and ")))
		}
	}
	return errs
}

// publicOnly checks that m holds only PEM public keys and certificates.
func publicOnly(m model.Material) errors.Error {
	blocks, err := pemBlocks(m)
	if err != nil {
		return err
	}
	for _, b := range blocks {
		switch b.Type {
		case "PUBLIC KEY", "RSA PUBLIC KEY", "CERTIFICATE":
		default:
			return m.File.Src.Errorf("%s holds a PEM %q block; a TUF target holds only PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE blocks", m.File.V, b.Type)
		}
	}
	return nil
}

package check

import (
	"fmt"
	"path"
	"slices"
	"strings"
	"time"

	"cuelang.org/go/cue/errors"

	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/internal/errlist"
)

// Rule names, as model defines them (load and derive report under the same
// names); re-exported here because check is where each rule is enforced.
const (
	RuleVerifyBeforeSign  = model.RuleVerifyBeforeSign
	RuleWaitingPeriod     = model.RuleWaitingPeriod
	RuleNoGaps            = model.RuleNoGaps
	RuleWellFormed        = model.RuleWellFormed
	RuleClientTraps       = model.RuleClientTraps
	RuleMaterial          = model.RuleMaterial
	RuleImmutable         = model.RuleImmutable
	RuleNoRetroactiveEnd  = model.RuleNoRetroactiveEnd
	RuleNothingDisappears = model.RuleNothingDisappears
	RuleSigningStartFixed = model.RuleSigningStartFixed
)

// Rules lists every rule name, in the order of docs/policy.md.
var Rules = model.Rules

// Violation is one broken rule at one place: the one problem type.
type Violation = model.Problem

// violation formats a rule violation at src.
func violation(rule string, src model.Src, format string, args ...any) errors.Error {
	return src.Rulef(rule, format, args...)
}

// note formats a fact a reviewer should know that needs no change (a
// correction of how an entry is published).
func note(rule string, src model.Src, format string, args ...any) errors.Error {
	return src.Problemf(rule, model.Note, format, args...)
}

// warning formats SHOULD-level advice at src: reported, never blocking.
func warning(rule string, src model.Src, format string, args ...any) errors.Error {
	return src.Warnf(rule, format, args...)
}

// Structure checks that env is well-formed enough to emit: windows in
// order, every name it uses defined, output names distinct. Policy rules
// (see Policy) build on it.
func Structure(env *model.Environment) error {
	c := &checker{env: env}
	c.windows()
	c.references()
	c.outputs()
	if err := c.err(); err != nil {
		return errors.Sanitize(err)
	}
	return nil
}

type checker struct {
	env *model.Environment
	// errs collects violations; errors.Append is quadratic in their
	// number (see internal/errlist).
	errs errlist.List
	// next is Options.Next, for no-gaps; planned is Options.Planned, for
	// the waiting period.
	next, planned time.Time
}

func (c *checker) add(err errors.Error) { c.errs.Add(err) }

// err is every violation added, nil for none.
func (c *checker) err() errors.Error { return c.errs.Err() }

// eachWindow calls fn for every window the environment declares.
func eachWindow(env *model.Environment, fn func(what string, w model.Window)) {
	svc := func(kind string, s *model.Service) {
		for _, w := range s.Sign {
			fn(fmt.Sprintf("%s %q signing window in %s", kind, s.Name, w.Config), w.Window)
		}
	}
	for _, l := range env.Rekor {
		fn(fmt.Sprintf("rekor %q verification window", l.Name), l.Verify)
		svc("rekor", &l.Service)
	}
	for _, f := range env.RekorFronts {
		svc("rekor front", &f.Service)
	}
	for _, l := range env.CTLogs {
		fn(fmt.Sprintf("ct %q verification window", l.Name), l.Verify)
	}
	for _, group := range env.AuthorityGroups() {
		kind := group.Kind
		for _, a := range group.Authorities {
			for _, ch := range a.Chains {
				fn(fmt.Sprintf("%s %q chain %q verification window", kind, a.Name, ch.Name), ch.Verify)
			}
			svc(kind, &a.Service)
		}
	}
	for _, o := range env.OIDC {
		svc("oidc", &o.Service)
	}
}

func (c *checker) windows() {
	eachWindow(c.env, func(what string, w model.Window) {
		if w.HasEnd() && w.End.V.Before(w.Start.V) {
			c.add(violation(RuleWellFormed, w.End.Src, "%s ends %s, before it starts %s; move the end after the start",
				what, w.End.V.Format(time.RFC3339Nano), w.Start.V.Format(time.RFC3339Nano)))
		}
	})
}

func (c *checker) references() {
	var names []string
	for _, sc := range c.env.SigningConfigs {
		names = append(names, sc.Name)
	}
	services := []*model.Service{}
	for _, l := range c.env.Rekor {
		services = append(services, &l.Service)
	}
	for _, f := range c.env.RekorFronts {
		services = append(services, &f.Service)
		for _, s := range f.Shards {
			if c.env.RekorLog(s.V) == nil {
				c.add(violation(RuleWellFormed, s.Src, "rekor front %q names shard %q, which is no rekor log of this environment", f.Name, s.V))
			}
		}
	}
	for _, a := range slices.Concat(c.env.CAs, c.env.TSAs) {
		services = append(services, &a.Service)
	}
	for _, o := range c.env.OIDC {
		services = append(services, &o.Service)
	}
	for _, s := range services {
		for _, w := range s.Sign {
			if !slices.Contains(names, w.Config) {
				c.add(violation(RuleWellFormed, w.Src, "%q is not a signing config of this environment (signingConfigs has %v); add it there or fix the name", w.Config, names))
			}
		}
		if len(s.Sign) > 0 && s.URL.V == "" {
			c.add(violation(RuleWellFormed, s.Src, "%q is in a signing config but has no url; add its url", s.Name))
		}
	}
	for _, t := range c.env.TUFTargets {
		// A name that is no plain file name is an output-names problem;
		// load did not look for it.
		if name := t.File.V; t.Bytes == nil && plainName(name) {
			c.add(violation(RuleWellFormed, t.Src, "tufTargets names %q, which is no file beside the environment's CUE files; copy the file there or remove the entry", name))
		}
	}
}

// plainName reports whether name is a file name without directories, as
// every published file and TUF target of an environment must be.
func plainName(name string) bool {
	return name != "" && path.Base(name) == name && name != "." && name != ".." && !strings.Contains(name, `\`)
}

func (c *checker) outputs() {
	seen := map[string]bool{}
	add := func(f model.Value[string]) {
		switch {
		case !plainName(f.V):
			c.add(violation(RuleWellFormed, f.Src, "file name %q must be a plain file name", f.V))
		case seen[f.V]:
			c.add(violation(RuleWellFormed, f.Src, "file name %q is published twice", f.V))
		}
		seen[f.V] = true
	}
	add(c.env.TrustedRoot.File)
	for _, sc := range c.env.SigningConfigs {
		add(sc.File)
	}
	if c.env.Legacy != nil {
		add(c.env.Legacy.File)
	}
	// A TUF target is served beside the trust files, under its own name.
	for _, t := range c.env.TUFTargets {
		add(model.Value[string]{V: t.File.V, Src: t.Src})
	}
}

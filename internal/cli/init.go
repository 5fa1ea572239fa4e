package cli

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/trustc-dev/trustc/importer"
	"github.com/trustc-dev/trustc/internal/safefile"
	"github.com/trustc-dev/trustc/internal/text"
)

func runInit(args []string, stdout, stderr io.Writer) int {
	c := newSubcmd("init", "[-C dir] [-module path] -env name -operator uri [-fulcio spec]... [-rekor spec]... [-ctfe spec]... [-tsa spec]... [-oidc spec]... [-rekor-config sel] [-tsa-config sel] [-now time] [-force]", stderr)
	c.repoFlag("environments/ and cue.mod/; without cue.mod/, a whole new repository is written there")
	env := c.String("env", "", "write the environment as environments/`name`")
	operator := c.String("operator", "", "who runs the services, a scheme-less `uri` such as example.com")
	module := c.String("module", "", "CUE module `path` of a new repository (default <operator>/trust@v0); only where -C has no cue.mod/ yet")
	force := c.Bool("force", false, "replace environments/<name> if it exists")
	var fulcio, rekor, ctfe, tsa, oidc listFlag
	c.Var(&fulcio, "fulcio", "a certificate authority and one of its chains, as a `spec` url=URL,certificate-chain=PEM[,start-time=T][,end-time=T][,api-version=N][,operator=URI]; the chain runs from the CA that issues signing certificates to the root; start-time defaults to the root's NotBefore. Without certificate-chain, as cosign signing-config create takes it, the window clients sign with the CA at URL. Repeat for more chains or CAs.")
	c.Var(&rekor, "rekor", "a Rekor log, as a `spec` url=URL,public-key=PEM,start-time=T[,end-time=T][,api-version=1|2][,operator=URI] (cosign's origin= is accepted if it is the URL without its scheme). Without public-key, the window clients sign to the log at URL. Repeat for more.")
	c.Var(&ctfe, "ctfe", "a certificate transparency log, as a `spec` url=URL,public-key=PEM,start-time=T[,end-time=T][,origin=HOST/PATH]. Repeat for more.")
	c.Var(&tsa, "tsa", "a timestamp authority and one of its chains, leaf first, as a `spec` url=URL,certificate-chain=PEM[,start-time=T][,end-time=T][,api-version=N][,operator=URI]; start-time defaults to the leaf's NotBefore. Without certificate-chain, the window clients get timestamps from URL. Repeat for more.")
	c.Var(&oidc, "oidc", "an OpenID Connect provider, as a `url` or url=URL[,start-time=T][,end-time=T][,api-version=N][,operator=URI]; start-time defaults to the first CA's. Repeat for more.")
	c.Var(&oidc, "oidc-provider", "the same as -oidc, by cosign signing-config create's name")
	rekorConfig := c.String("rekor-config", "ANY", "how many Rekor logs a client signs to, as cosign takes it: `ANY`, ALL or EXACT:<count>")
	tsaConfig := c.String("tsa-config", "ANY", "how many TSAs a client gets timestamps from: `ANY`, ALL or EXACT:<count>")
	now := c.timeFlag("now", "release `time` (RFC 3339) the time-dependent rules check the environment at, as trustc generate will; default the clock")
	policy := policyFlags(c.FlagSet)
	v1Retires := c.timeFlag("rekor-v1-retires-at", "`time` (RFC 3339) from which the main signing config may offer no Rekor API v1 log (rekorV1RetiresAt); an instance with only Rekor v2 logs needs it")
	if code, ok := c.parse(args); !ok {
		return code
	}
	if code, ok := c.env(*env); !ok {
		return code
	}
	if c.NArg() > 0 {
		return c.usagef("unexpected arguments %q; every service is a flag", c.Args())
	}
	spec := importer.Spec{Env: *env, Operator: *operator, Policy: policy(), Now: now.value()}
	spec.Policy.RekorV1RetiresAt = v1Retires.String()
	p := &specParser{}
	spec.RekorConfig = p.selector("-rekor-config", *rekorConfig)
	spec.TSAConfig = p.selector("-tsa-config", *tsaConfig)
	// A spec without material is a signing window, as cosign's
	// signing-config create writes it, if another spec of its kind brings
	// the material for its URL; otherwise it lacks its material.
	type raw struct {
		kv    map[string]string
		label string
	}
	read := func(flag, material string, vals []string, keys ...string) (withMaterial, signing []raw) {
		urls := map[string]bool{}
		var all []raw
		for _, v := range vals {
			kv, label := p.kv(flag, v, keys...)
			all = append(all, raw{kv, label})
			if kv[material] != "" {
				urls[kv["url"]] = true
			}
		}
		for _, r := range all {
			if r.kv[material] == "" && urls[r.kv["url"]] {
				signing = append(signing, r)
			} else {
				withMaterial = append(withMaterial, r)
			}
		}
		return withMaterial, signing
	}
	for _, k := range []struct {
		flag, kind string
		vals       listFlag
		out        *[]importer.ChainSpec
	}{{"-fulcio", "fulcio", fulcio, &spec.Fulcio}, {"-tsa", "tsa", tsa, &spec.TSA}} {
		chains, signing := read(k.flag, "certificate-chain", k.vals, "url", "certificate-chain", "start-time", "end-time", "api-version", "operator")
		for _, r := range chains {
			*k.out = append(*k.out, p.chain(r.label, r.kv))
		}
		for _, r := range signing {
			spec.Sign = append(spec.Sign, p.sign(r.label, k.kind, r.kv))
		}
	}
	logs, signing := read("-rekor", "public-key", rekor, "url", "public-key", "start-time", "end-time", "api-version", "origin", "operator")
	for _, r := range logs {
		spec.Rekor = append(spec.Rekor, p.log(r.label, r.kv))
	}
	for _, r := range signing {
		spec.Sign = append(spec.Sign, p.sign(r.label, "rekor", r.kv))
	}
	for _, v := range ctfe {
		kv, label := p.kv("-ctfe", v, "url", "public-key", "start-time", "end-time", "origin")
		spec.CTFE = append(spec.CTFE, p.log(label, kv))
	}
	for _, v := range oidc {
		spec.OIDC = append(spec.OIDC, p.oidc(v))
	}
	if len(p.usage) > 0 {
		printList(stderr, "trustc init: nothing written", p.usage)
		return exitUsage
	}
	if len(p.read) > 0 {
		printList(stderr, "trustc init: nothing written", p.read)
		return exitFail
	}
	absRoot, code, ok := c.repo()
	if !ok {
		return code
	}
	if !isRepository(absRoot) {
		mod := *module
		if mod == "" && *operator != "" {
			mod = *operator + "/trust@v0"
		}
		r, code, ok := startRepo("init", absRoot, mod, *env, stderr)
		if !ok {
			return code
		}
		defer r.close()
		res, err := importer.Init(r.scratch, spec)
		return r.finish("init", res, err, stdout, stderr)
	}
	dir, code, ok := c.target(absRoot, *env, *force)
	if !ok {
		return code
	}
	res, err := importer.Init(absRoot, spec)
	return write(res, err, "init", absRoot, dir, *env, stdout, stderr)
}

// specParser reads cosign-style key=value specs, collecting every
// problem: usage problems (syntax, unknown keys) and unreadable files.
type specParser struct {
	usage, read []string
}

// kv splits "k=v,k=v" and checks the keys. start and end are accepted as
// short forms of cosign's start-time and end-time.
func (p *specParser) kv(flag, spec string, allowed ...string) (map[string]string, string) {
	// Messages name the spec by its URL where it has one.
	label := fmt.Sprintf("%s %q", flag, spec)
	for _, pair := range strings.Split(spec, ",") {
		if k, v, _ := strings.Cut(pair, "="); strings.TrimSpace(k) == "url" && strings.TrimSpace(v) != "" {
			label = flag + " " + strings.TrimSpace(v)
		}
	}
	out := map[string]string{}
	for _, pair := range strings.Split(spec, ",") {
		k, v, ok := strings.Cut(pair, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch k {
		case "start":
			k = "start-time"
		case "end":
			k = "end-time"
		}
		switch {
		case !ok:
			p.usage = append(p.usage, fmt.Sprintf("%s: %q is not key=value", label, pair))
		case !slices.Contains(allowed, k):
			p.usage = append(p.usage, fmt.Sprintf("%s: unknown key %q (want %s)", label, k, strings.Join(allowed, ", ")))
		case out[k] != "":
			p.usage = append(p.usage, fmt.Sprintf("%s: %s given twice", label, k))
		default:
			out[k] = v
		}
	}
	return out, label
}

func (p *specParser) time(label string, kv map[string]string, key string) time.Time {
	s := kv[key]
	if s == "" {
		return time.Time{}
	}
	t, err := text.ParseTime(s)
	if err != nil {
		p.usage = append(p.usage, fmt.Sprintf("%s: %s: %q is not an RFC 3339 time like 2025-09-23T00:00:00Z", label, key, s))
	}
	return t
}

func (p *specParser) api(label string, kv map[string]string) int {
	s := kv["api-version"]
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		p.usage = append(p.usage, fmt.Sprintf("%s: api-version: %q is not a version number of at least 1", label, s))
	}
	return n
}

func (p *specParser) file(label, key string, kv map[string]string) importer.Input {
	name := kv[key]
	if name == "" {
		p.usage = append(p.usage, fmt.Sprintf("%s: %s is required", label, key))
		return importer.Input{}
	}
	b, err := safefile.ReadFile(name, safefile.MaxPEM)
	if err != nil {
		p.read = append(p.read, fmt.Sprintf("%s: %s: read %s: %v", label, key, name, errors.Unwrap(err)))
	}
	return importer.Input{Name: name, Data: b}
}

func (p *specParser) required(label string, kv map[string]string, keys ...string) {
	for _, k := range keys {
		if kv[k] == "" {
			p.usage = append(p.usage, fmt.Sprintf("%s: %s is required", label, k))
		}
	}
}

// chain reads a -fulcio or -tsa spec that brings a chain.
func (p *specParser) chain(label string, kv map[string]string) importer.ChainSpec {
	p.required(label, kv, "url")
	return importer.ChainSpec{
		Flag:     label,
		URL:      kv["url"],
		Chain:    p.file(label, "certificate-chain", kv),
		Start:    p.time(label, kv, "start-time"),
		End:      p.time(label, kv, "end-time"),
		API:      p.api(label, kv),
		Operator: kv["operator"],
	}
}

// sign reads a signing window given apart from the material.
func (p *specParser) sign(label, kind string, kv map[string]string) importer.SignSpec {
	p.required(label, kv, "url", "start-time")
	return importer.SignSpec{
		Flag:     label,
		Kind:     kind,
		URL:      kv["url"],
		Start:    p.time(label, kv, "start-time"),
		End:      p.time(label, kv, "end-time"),
		API:      p.api(label, kv),
		Operator: kv["operator"],
	}
}

func (p *specParser) log(label string, kv map[string]string) importer.LogSpec {
	p.required(label, kv, "url", "start-time")
	return importer.LogSpec{
		Flag:     label,
		URL:      kv["url"],
		Key:      p.file(label, "public-key", kv),
		Start:    p.time(label, kv, "start-time"),
		End:      p.time(label, kv, "end-time"),
		API:      p.api(label, kv),
		Origin:   kv["origin"],
		Operator: kv["operator"],
	}
}

func (p *specParser) oidc(spec string) importer.OIDCSpec {
	if !strings.Contains(spec, "=") {
		return importer.OIDCSpec{Flag: "-oidc " + spec, URL: spec}
	}
	kv, label := p.kv("-oidc", spec, "url", "start-time", "end-time", "api-version", "operator")
	p.required(label, kv, "url")
	return importer.OIDCSpec{Flag: label, URL: kv["url"], Start: p.time(label, kv, "start-time"), End: p.time(label, kv, "end-time"), API: p.api(label, kv), Operator: kv["operator"]}
}

// selector reads cosign's ANY, ALL or EXACT:<count>.
func (p *specParser) selector(flag, s string) importer.Selector {
	name, count, exact := strings.Cut(s, ":")
	sel := importer.Selector{Name: name}
	switch {
	case name == "EXACT" && exact:
		n, err := strconv.Atoi(count)
		if err != nil || n < 1 {
			p.usage = append(p.usage, fmt.Sprintf("%s: %q: the count of EXACT is a number of at least 1", flag, s))
		}
		sel.Count = n
	case (name == "ANY" || name == "ALL") && !exact:
	default:
		p.usage = append(p.usage, fmt.Sprintf("%s: %q is not ANY, ALL or EXACT:<count>", flag, s))
	}
	return sel
}

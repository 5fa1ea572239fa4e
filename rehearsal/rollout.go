package rehearsal

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Config says where the rehearsal runs and with what.
type Config struct {
	// Repo is the trustc repository: trustc is built from it, and its
	// cue.mod and schema are what the environment compiles against.
	Repo string
	// Work is a scratch directory; the report and every log end up there.
	Work string
	// Cache holds the server binaries between runs.
	Cache string
	// Node runs sigstore-js; empty leaves sigstore-js out. JSDir holds
	// client.js and its installed node_modules.
	Node, JSDir string
	// Cosign builds and runs cosign. A cosign that does not build is left
	// out, and said so in the report, unless CosignRequired.
	Cosign, CosignRequired bool
	// Missing says which clients are left out and why, for the report.
	Missing []string
	// Env is the process environment the builds and clients start from.
	Env  []string
	Logf func(format string, args ...any)
}

// Names of the environment, its logs and signing configs.
const (
	envName           = "lab"
	mainSigningConfig = "signing_config.v0.2.json"
	nextSigningConfig = "signing_config_next.v0.2.json"
	logA              = "A"
	logB              = "B"
	logAURL           = "https://localhost"
	logBURL           = "https://127.0.0.1"
)

// floor is the rehearsal's waiting-period floor, tufTimestampExpiry plus
// buffer: seconds, not weeks, so that the rule holds in real time between
// steps that are seconds apart.
const (
	tufTimestampExpiry = "2s"
	policyBuffer       = "1s"
	floor              = 3 * time.Second
)

type rehearsal struct {
	cfg     Config
	ctx     context.Context
	rep     *Report
	env     []string // with the throwaway CA trusted
	pki     *pki
	procs   *procs
	svc     *services
	front   *front
	issuer  *issuer
	trustc  string
	ws      string // the trustc repository the environment lives in
	tufDir  string
	tufURL  string
	tufKeys string
	// rootExpires is fixed at the first step: a root version is signed
	// once (tuf build refuses other bytes under the same version), so every
	// step re-signs 1.root.json with the same expiry and keys, to the same
	// bytes (Ed25519 signatures are deterministic).
	rootExpires string
	names       map[string]string // kind -> name trustc init gave the service
	clients     []client
	bundles     []item
	times       map[int]time.Time
}

// Run rehearses the rollout and returns its report. An error means the
// rehearsal could not be run; a run whose results differ from what is
// expected returns a report whose Problems say how.
func Run(ctx context.Context, cfg Config) (rep *Report, err error) {
	r := &rehearsal{cfg: cfg, ctx: ctx, rep: &Report{Started: time.Now(), Missing: cfg.Missing}, times: map[int]time.Time{}}
	for _, d := range []string{"logs", "bin", "services", "clients", "bundles", "steps"} {
		if err := os.MkdirAll(filepath.Join(cfg.Work, d), 0o755); err != nil {
			return nil, err
		}
	}
	defer r.stop()
	if err := r.build(); err != nil {
		return r.rep, err
	}
	if err := r.startServices(); err != nil {
		return r.rep, err
	}
	if err := r.initEnvironment(); err != nil {
		return r.rep, err
	}
	for n := 1; n <= len(Steps); n++ {
		if err := r.step(n); err != nil {
			return r.rep, fmt.Errorf("step %d: %w", n, err)
		}
	}
	if err := r.rogueProbe(); err != nil {
		return r.rep, err
	}
	if err := r.unsafe(); err != nil {
		return r.rep, fmt.Errorf("unsafe release: %w", err)
	}
	r.rep.Duration = time.Since(r.rep.Started)
	return r.rep, nil
}

func (r *rehearsal) logf(format string, args ...any) {
	if r.cfg.Logf != nil {
		r.cfg.Logf(format, args...)
	}
}

func (r *rehearsal) problem(format string, args ...any) {
	p := fmt.Sprintf(format, args...)
	r.logf("NOT AS EXPECTED: %s", p)
	r.rep.Problems = append(r.rep.Problems, p)
}

func (r *rehearsal) stop() {
	if r.procs != nil {
		r.procs.stop()
	}
	if r.svc != nil {
		r.svc.close()
	}
	if r.front != nil {
		r.front.close()
	}
	if r.issuer != nil {
		r.issuer.close()
	}
}

func (r *rehearsal) build() error {
	bin := filepath.Join(r.cfg.Work, "bin")
	b, err := buildLocal(r.ctx, r.cfg.Env, r.cfg.Repo, "./cmd/trustc", filepath.Join(bin, "trustc"))
	if err != nil {
		return err
	}
	r.trustc = b.Path
	r.rep.Builds = append(r.rep.Builds, b)
	b, err = buildLocal(r.ctx, r.cfg.Env, filepath.Join(r.cfg.Repo, "rehearsal"), "./cmd/sigstore-go-client", filepath.Join(bin, "sigstore-go-client"))
	if err != nil {
		return err
	}
	r.rep.Builds = append(r.rep.Builds, b)
	tools := []Tool{RekorTool, TSATool, FulcioTool}
	if r.cfg.Cosign {
		tools = append(tools, CosignTool)
	}
	if err := os.MkdirAll(r.cfg.Cache, 0o755); err != nil {
		return err
	}
	for _, t := range tools {
		r.logf("build %s %s", t.Package, t.Version)
		b, err := install(r.ctx, r.cfg.Env, r.cfg.Cache, t)
		if err != nil && t == CosignTool && !r.cfg.CosignRequired {
			r.logf("  cosign left out: %v", err)
			r.cfg.Cosign = false
			r.rep.Missing = append(r.rep.Missing, "cosign (did not build: "+lastLines(err.Error(), 3)+")")
			continue
		}
		if err != nil {
			return err
		}
		r.logf("  %s (cached %v, %s)", b.Path, b.Cached, b.Duration.Round(time.Second))
		r.rep.Builds = append(r.rep.Builds, b)
	}
	return nil
}

func (r *rehearsal) tool(t Tool) string {
	for _, b := range r.rep.Builds {
		if b.Tool == t {
			return b.Path
		}
	}
	return ""
}

func (r *rehearsal) startServices() error {
	start := time.Now()
	dir := filepath.Join(r.cfg.Work, "services")
	var err error
	if r.pki, err = newPKI(dir); err != nil {
		return err
	}
	r.env = append(append([]string{}, r.cfg.Env...), "SSL_CERT_FILE="+r.pki.CAFile, "NODE_EXTRA_CA_CERTS="+r.pki.CAFile)
	r.procs = &procs{logDir: filepath.Join(r.cfg.Work, "logs"), env: r.env}
	if r.front, err = startFront(r.pki); err != nil {
		return err
	}
	if r.issuer, err = startIssuer(r.pki); err != nil {
		return err
	}
	r.svc = &services{Logs: map[string]*logBackend{}, LogKeys: map[string]string{}}
	if r.svc.TSAURL, r.svc.TSAChain, err = startTSA(r.ctx, r.procs, r.pki, r.tool(TSATool), dir); err != nil {
		return err
	}
	if r.svc.FulcioURL, r.svc.FulcioChain, err = startFulcio(r.ctx, r.procs, r.svc, r.pki, r.tool(FulcioTool), dir, r.issuer.URL); err != nil {
		return err
	}
	// Log C is the mistake staging made: a log serving under A's name
	// with a key that is not the one the trusted root holds for A.
	for _, l := range []struct{ name, host string }{{logA, "localhost"}, {logB, "127.0.0.1"}, {"C", "localhost"}} {
		b, pub, err := startLog(r.ctx, r.procs, r.pki, r.tool(RekorTool), dir, l.name, l.host)
		if err != nil {
			return err
		}
		r.svc.Logs[l.name], r.svc.LogKeys[l.name] = b, pub
	}
	r.front.route("localhost", r.svc.Logs[logA].handler(r.pki))
	r.front.route("127.0.0.1", r.svc.Logs[logB].handler(r.pki))

	// The TUF mirror: whatever trustc tuf build last wrote.
	r.tufDir = filepath.Join(r.cfg.Work, "tuf")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	r.tufURL = "https://" + ln.Addr().String()
	tufSrv := &http.Server{Handler: http.FileServer(http.Dir(r.tufDir)), TLSConfig: &tls.Config{Certificates: []tls.Certificate{r.pki.Cert}}, ReadHeaderTimeout: 10 * time.Second}
	go tufSrv.ServeTLS(ln, "", "")
	r.svc.proxies = append(r.svc.proxies, tufSrv)
	r.rep.ServicesUp = time.Since(start)
	r.rep.Services = []string{
		"Rekor v2 log A: " + logAURL + " (rekor-tiles " + RekorTool.Version + ", origin localhost)",
		"Rekor v2 log B: " + logBURL + " (rekor-tiles " + RekorTool.Version + ", origin 127.0.0.1)",
		"Rekor v2 log C (wrong key, staged under A's name for one probe): rekor-tiles " + RekorTool.Version,
		"Fulcio " + FulcioTool.Version + ": " + r.svc.FulcioURL + " (ephemeral CA, no CT log)",
		"timestamp authority " + TSATool.Version + ": " + r.svc.TSAURL + " (in-memory signer)",
		"OIDC issuer: " + r.issuer.URL + " (the rehearsal's own, minting tokens for " + Identity + ")",
		"TUF mirror: " + r.tufURL + " (trustc tuf build's output)",
	}
	r.logf("services up in %s", r.rep.ServicesUp.Round(time.Millisecond))
	return nil
}

func (r *rehearsal) trustcRun(args ...string) (stdout, stderr string, code int, err error) {
	return run(r.ctx, r.env, r.ws, 2*time.Minute, r.trustc, args...)
}

// must runs trustc and fails unless it exits 0.
func (r *rehearsal) must(args ...string) (string, error) {
	stdout, stderr, code, err := r.trustcRun(args...)
	if err == nil && code != 0 {
		err = fmt.Errorf("trustc %s: exit %d:\n%s", strings.Join(args, " "), code, stderr)
	}
	return stdout, err
}

// initEnvironment writes the environment with trustc init from the
// services' own keys and chains, in a repository of its own: the
// schema and cue.mod of trustc, and a git history for trustc diff.
func (r *rehearsal) initEnvironment() error {
	r.ws = filepath.Join(r.cfg.Work, "repo")
	for _, d := range []string{"cue.mod", "schema"} {
		if err := os.CopyFS(filepath.Join(r.ws, d), os.DirFS(filepath.Join(r.cfg.Repo, d))); err != nil {
			return fmt.Errorf("copy %s: %w", d, err)
		}
	}
	git := func(args ...string) error {
		_, stderr, code, err := run(r.ctx, r.env, r.ws, time.Minute, "git", append([]string{"-c", "user.name=rehearsal", "-c", "user.email=" + Identity, "-c", "commit.gpgsign=false"}, args...)...)
		if err == nil && code != 0 {
			err = fmt.Errorf("git %s: %s", strings.Join(args, " "), stderr)
		}
		return err
	}
	if err := git("init", "-q", "-b", "main"); err != nil {
		return err
	}
	if err := git("add", "-A"); err != nil {
		return err
	}
	if err := git("commit", "-q", "-m", "before the first release"); err != nil {
		return err
	}
	t0 := time.Now().UTC().Truncate(time.Second)
	r.times[0] = t0
	stamp := t0.Format(time.RFC3339)
	args := []string{"init", "-env", envName, "-operator", "rehearsal.trustc.test",
		"-fulcio", "url=" + r.svc.FulcioURL + ",certificate-chain=" + r.svc.FulcioChain,
		"-rekor", "url=" + logAURL + ",public-key=" + r.svc.LogKeys[logA] + ",start-time=" + stamp + ",api-version=2",
		"-tsa", "url=" + r.svc.TSAURL + ",certificate-chain=" + r.svc.TSAChain,
		"-oidc", r.issuer.URL,
		"-tuf-timestamp-expiry", tufTimestampExpiry, "-buffer", policyBuffer, "-waiting-period", "0s",
		"-rekor-v1-retires-at", stamp,
	}
	r.rep.InitCommand = "trustc " + strings.Join(args, " ")
	if _, err := r.must(args...); err != nil {
		return err
	}
	b, err := os.ReadFile(filepath.Join(r.ws, "environments", envName, "services.cue"))
	if err != nil {
		return err
	}
	r.rep.InitServices = string(b)
	// The names init chose, for the later steps' CUE to refer to.
	r.names = map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^(rekor|ca|tsa|oidc): ("[^"]+"|[A-Za-z0-9_]+): \{`).FindAllStringSubmatch(string(b), -1) {
		r.names[m[1]] = m[2]
	}
	for _, k := range []string{"rekor", "ca", "tsa", "oidc"} {
		if r.names[k] == "" {
			return fmt.Errorf("no %s service in the services.cue trustc init wrote", k)
		}
	}
	pub, err := os.ReadFile(r.svc.LogKeys[logB])
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(r.ws, "environments", envName, "logB.rekor.pub"), pub, 0o644)
}

// Step is one release of the rollout.
type Step struct {
	Title string
	// SigningConfig is the file clients sign with.
	SigningConfig string
	// Want is the log every client must sign to.
	Want string
}

// Steps is the rollout: a new log B is trusted, tried through an opt-in
// file, made the main log, and rolled back.
var Steps = []Step{
	{"log A trusted and signed to", mainSigningConfig, logA},
	{"log B trusted only (A still signed to)", mainSigningConfig, logA},
	{"B in the opt-in signing config", nextSigningConfig, logB},
	{"B in the main signing config, A kept", mainSigningConfig, logB},
	{"rollback: B's signing windows end, B stays trusted", mainSigningConfig, logA},
}

// rollout is the CUE a step adds to what trustc init wrote (step 1 adds
// nothing); withB false drops log B entirely, as the unsafe release does.
func (r *rehearsal) rollout(n int, withB bool) string {
	t := func(k int) string { return strconv.Quote(r.times[k].Format(time.RFC3339)) }
	var b strings.Builder
	b.WriteString("package " + envName + "\n\n// Written by the rehearsal for step " + strconv.Itoa(n) + ".\n")
	if n >= 2 && withB {
		fmt.Fprintf(&b, "\nrekor: logB: {\n\turl: %q\n\tapi: 2\n\tkey: \"logB.rekor.pub\"\n\tverify: start: %s\n", logBURL, t(2))
		end := ""
		if n >= 5 {
			end = ", end: " + t(5)
		}
		if n >= 3 {
			fmt.Fprintf(&b, "\tsign: next: {start: %s%s}\n", t(3), end)
		}
		if n >= 4 {
			fmt.Fprintf(&b, "\tsign: main: {start: %s%s}\n", t(4), end)
		}
		b.WriteString("}\n")
	}
	if n >= 3 {
		fmt.Fprintf(&b, "\nsigningConfigs: next: {\n\tfile: %q\n\toptIn: true\n\twaitingPeriod: \"0s\"\n\trekorTlogConfig: selector: \"ANY\"\n\ttsaConfig: selector: \"ANY\"\n}\n", nextSigningConfig)
		for _, k := range []string{"ca", "tsa", "oidc"} {
			fmt.Fprintf(&b, "%s: %s: sign: next: start: %s\n", k, r.names[k], t(3))
		}
	}
	if n >= 5 {
		// The opt-in file needs a log once B's window ends: A again.
		fmt.Fprintf(&b, "rekor: %s: sign: next: start: %s\n", r.names["rekor"], t(5))
	}
	return b.String()
}

// releaseTime picks the step's release time: now, at least the waiting
// period floor after the previous step, so that every window the step
// opens satisfies the policy in real time.
func (r *rehearsal) releaseTime(n int) time.Time {
	earliest := r.times[n-1].Add(floor + time.Second)
	if d := time.Until(earliest); d > 0 {
		time.Sleep(d)
	}
	t := time.Now().UTC().Truncate(time.Second)
	r.times[n] = t
	return t
}

func (r *rehearsal) writeRollout(n int, withB bool) error {
	return os.WriteFile(filepath.Join(r.ws, "environments", envName, "rollout.cue"), []byte(r.rollout(n, withB)), 0o644)
}

// review is trustc diff of the compiled environment against the previous
// step's release (the git history's main, before the first).
func (r *rehearsal) review(n int, now string) string {
	args := []string{"diff", "-format", "markdown", "-now", now, "-env", envName}
	if n == 1 {
		args = append(args, "-base-ref", "main")
	} else {
		args = append(args, "-base", filepath.Join(r.cfg.Work, "steps", strconv.Itoa(n-1), "golden"))
	}
	stdout, stderr, code, err := r.trustcRun(args...)
	if err != nil || code != 0 {
		r.problem("step %d: trustc diff exit %d: %v %s", n, code, err, stderr)
	}
	return stdout
}

// publish builds the step's TUF repository, version n of every role but
// root, and keeps a copy of the release for the next step's review.
func (r *rehearsal) publish(n int, now string) error {
	args := []string{"tuf", "build", "-env", envName, "-out", r.tufDir, "-now", now,
		"-targets-version", strconv.Itoa(n), "-snapshot-version", strconv.Itoa(n), "-timestamp-version", strconv.Itoa(n)}
	if r.rootExpires == "" {
		t, err := time.Parse(time.RFC3339, now)
		if err != nil {
			return fmt.Errorf("step %d: release time %q: %w", n, now, err)
		}
		r.rootExpires = t.AddDate(1, 0, 0).UTC().Format(time.RFC3339)
	}
	args = append(args, "-root-expires", r.rootExpires)
	if r.tufKeys == "" {
		r.tufKeys = filepath.Join(r.cfg.Work, "tuf-keys")
		args = append(args, "-generate-keys", r.tufKeys)
	} else {
		for _, role := range []string{"root", "targets", "snapshot", "timestamp"} {
			args = append(args, "-"+role+"-key", filepath.Join(r.tufKeys, role+".pem"))
		}
	}
	if _, err := r.must(args...); err != nil {
		return err
	}
	if n == 1 {
		b, err := os.ReadFile(filepath.Join(r.tufDir, "1.root.json"))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(r.cfg.Work, "root.json"), b, 0o644); err != nil {
			return err
		}
	}
	dst := filepath.Join(r.cfg.Work, "steps", strconv.Itoa(n), "golden")
	return os.CopyFS(dst, os.DirFS(filepath.Join(r.ws, "golden", envName)))
}

// probe runs trustc probe against the live services.
func (r *rehearsal) probe(now string) ProbeRun {
	stdout, stderr, code, err := r.trustcRun("probe", "-env", envName, "-now", now, "-format", "markdown")
	if err != nil {
		stderr += err.Error()
	}
	return ProbeRun{Code: code, Stdout: stdout, Stderr: stderr}
}

func (r *rehearsal) setupClients() error {
	base := clientEnv{env: r.env, mirror: r.tufURL, root: filepath.Join(r.cfg.Work, "root.json"), issuer: r.issuer.URL, identity: Identity}
	dir := func(name string) (clientEnv, error) {
		e := base
		e.dir = filepath.Join(r.cfg.Work, "clients", name)
		return e, os.MkdirAll(e.dir, 0o755)
	}
	e, err := dir("sigstore-go")
	if err != nil {
		return err
	}
	r.clients = append(r.clients, &goClient{clientEnv: e, bin: filepath.Join(r.cfg.Work, "bin", "sigstore-go-client")})
	if r.cfg.Node != "" {
		if e, err = dir("sigstore-js"); err != nil {
			return err
		}
		r.clients = append(r.clients, &jsClient{clientEnv: e, node: r.cfg.Node, script: filepath.Join(r.cfg.JSDir, "client.js")})
	}
	if r.cfg.Cosign {
		if e, err = dir("cosign"); err != nil {
			return err
		}
		r.clients = append(r.clients, &cosignClient{clientEnv: e, bin: r.tool(CosignTool), optIn: r.servedTarget})
	}
	for _, c := range r.clients {
		r.rep.Clients = append(r.rep.Clients, c.Name())
	}
	return nil
}

// servedTarget is the file the TUF mirror serves as a target, for cosign,
// which takes an opt-in signing config as a path.
func (r *rehearsal) servedTarget(name string) (string, error) {
	m, err := filepath.Glob(filepath.Join(r.tufDir, "targets", "*."+name))
	if err != nil || len(m) != 1 {
		return "", fmt.Errorf("the mirror serves %d files for target %s", len(m), name)
	}
	return m[0], nil
}

func (r *rehearsal) step(n int) error {
	st := Steps[n-1]
	now := r.releaseTime(n)
	stamp := now.Format(time.RFC3339)
	res := &StepResult{N: n, Title: st.Title, SigningConfig: st.SigningConfig, Want: st.Want, Time: now}
	r.rep.Steps = append(r.rep.Steps, res)
	r.logf("step %d at %s: %s", n, stamp, st.Title)
	if err := r.writeRollout(n, true); err != nil {
		return err
	}
	res.CUE = r.rollout(n, true)
	if _, err := r.must("generate", "-now", stamp); err != nil {
		return err
	}
	res.Review = r.review(n, stamp)
	if err := r.publish(n, stamp); err != nil {
		return err
	}
	res.Probe = r.probe(stamp)
	if res.Probe.Code != 0 {
		r.problem("step %d: trustc probe exit %d: %s", n, res.Probe.Code, res.Probe.Stderr)
	}
	if n == 1 {
		if err := r.setupClients(); err != nil {
			return err
		}
	}
	// Clients sign once the release time is past: a window that ends at
	// the release time (the rollback's) is then over for them.
	time.Sleep(time.Until(now.Add(1100 * time.Millisecond)))
	for _, c := range r.clients {
		cr := ClientRun{Client: c.Name()}
		res.Runs = append(res.Runs, &cr)
		base := fmt.Sprintf("step%d-%s", n, c.Name())
		artifact := filepath.Join(r.cfg.Work, "bundles", base+".txt")
		bundle := filepath.Join(r.cfg.Work, "bundles", base+".sigstore.json")
		if err := os.WriteFile(artifact, []byte(fmt.Sprintf("rehearsal step %d, signed by %s at %s\n", n, c.Name(), time.Now().UTC().Format(time.RFC3339Nano))), 0o644); err != nil {
			return err
		}
		token, err := r.issuer.Token()
		if err != nil {
			return err
		}
		start := time.Now()
		if err := c.Sign(r.ctx, st.SigningConfig, artifact, bundle, token); err != nil {
			cr.SignError = err.Error()
			r.problem("step %d: %s could not sign: %v", n, c.Name(), err)
			continue
		}
		cr.SignTime = time.Since(start)
		cr.SignedTo, err = r.logOf(bundle)
		if err != nil {
			cr.SignError = err.Error()
			r.problem("step %d: %s: %v", n, c.Name(), err)
			continue
		}
		if cr.SignedTo != st.Want {
			r.problem("step %d: %s signed to log %s, want %s", n, c.Name(), cr.SignedTo, st.Want)
		}
		r.bundles = append(r.bundles, item{Bundle: bundle, Artifact: artifact, Client: c.Name(), Step: n, Log: cr.SignedTo})
	}
	// Every client verifies every bundle so far, its own and the others'.
	for i, c := range r.clients {
		r.verifyAll(fmt.Sprintf("step %d", n), c, res.Runs[i], func(item) bool { return true })
	}
	return nil
}

// verifyAll has c verify every bundle; want says which must verify.
func (r *rehearsal) verifyAll(where string, c client, cr *ClientRun, want func(item) bool) {
	start := time.Now()
	outs, err := c.Verify(r.ctx, r.bundles)
	cr.VerifyTime = time.Since(start)
	cr.Total = len(r.bundles)
	if err != nil {
		cr.VerifyError = err.Error()
		r.problem("%s: %s could not verify: %v", where, c.Name(), err)
		return
	}
	if len(outs) != len(r.bundles) {
		r.problem("%s: %s answered for %d of %d bundles", where, c.Name(), len(outs), len(r.bundles))
		return
	}
	for i, o := range outs {
		it := r.bundles[i]
		ok := o.Error == ""
		if ok {
			cr.Verified++
		} else {
			cr.Failed = append(cr.Failed, fmt.Sprintf("%s (step %d, log %s): %s", filepath.Base(it.Bundle), it.Step, it.Log, o.Error))
		}
		if ok != want(it) {
			r.problem("%s: %s verifying %s (step %d, %s, log %s): verified %v, want %v: %s", where, c.Name(), filepath.Base(it.Bundle), it.Step, it.Client, it.Log, ok, want(it), o.Error)
		}
	}
}

// logOf names the log a bundle's entry is in, by its log id in the
// current trusted root.
func (r *rehearsal) logOf(bundle string) (string, error) {
	var b struct {
		VerificationMaterial struct {
			TlogEntries []struct {
				LogID struct {
					KeyID string `json:"keyId"`
				} `json:"logId"`
			} `json:"tlogEntries"`
		} `json:"verificationMaterial"`
	}
	raw, err := os.ReadFile(bundle)
	if err != nil {
		return "", err
	}
	if err := json.Unmarshal(raw, &b); err != nil {
		return "", fmt.Errorf("parse %s: %w", bundle, err)
	}
	if n := len(b.VerificationMaterial.TlogEntries); n != 1 {
		return "", fmt.Errorf("%s has %d tlog entries, want 1", filepath.Base(bundle), n)
	}
	var tr struct {
		Tlogs []struct {
			BaseURL string `json:"baseUrl"`
			LogID   struct {
				KeyID string `json:"keyId"`
			} `json:"logId"`
		} `json:"tlogs"`
	}
	raw, err = os.ReadFile(filepath.Join(r.ws, "golden", envName, "trusted_root.json"))
	if err != nil {
		return "", err
	}
	if err := json.Unmarshal(raw, &tr); err != nil {
		return "", err
	}
	id := b.VerificationMaterial.TlogEntries[0].LogID.KeyID
	for _, l := range tr.Tlogs {
		if l.LogID.KeyID == id {
			switch l.BaseURL {
			case logAURL:
				return logA, nil
			case logBURL:
				return logB, nil
			}
			return l.BaseURL, nil
		}
	}
	raw, _ = base64.StdEncoding.DecodeString(id)
	return "", fmt.Errorf("%s: log id %x is in no log of the trusted root", filepath.Base(bundle), raw)
}

// rogueProbe stages log C, whose key is not A's, under A's name, and
// wants trustc probe to catch it.
func (r *rehearsal) rogueProbe() error {
	r.front.route("localhost", r.svc.Logs["C"].handler(r.pki))
	defer r.front.route("localhost", r.svc.Logs[logA].handler(r.pki))
	p := r.probe(r.times[len(Steps)].Format(time.RFC3339))
	r.rep.RogueProbe = p
	if p.Code != 1 || !strings.Contains(p.Stderr, `rekor "`+strings.Trim(r.names["rekor"], `"`)+`"`) {
		r.problem("trustc probe against a log whose key does not match the trusted root: exit %d, want 1 naming log %s: %s", p.Code, r.names["rekor"], p.Stderr)
	}
	return nil
}

// unsafe drops B from the trusted root: trustc must refuse it; forced
// through (the previous release removed, so no rule compares against it)
// and published, the bundles B holds must stop verifying while A's still
// verify.
func (r *rehearsal) unsafe() error {
	n := len(Steps) + 1
	now := r.releaseTime(n)
	stamp := now.Format(time.RFC3339)
	u := &UnsafeResult{N: n, Time: now}
	r.rep.Unsafe = u
	if err := r.writeRollout(len(Steps), false); err != nil {
		return err
	}
	_, stderr, code, err := r.trustcRun("generate", "-now", stamp)
	if err != nil {
		return err
	}
	u.Refusal, u.RefusalCode = stderr, code
	if code != 1 || !strings.Contains(stderr, "nothing-disappears") {
		r.problem("unsafe release: trustc generate exit %d, want 1 with a nothing-disappears finding: %s", code, stderr)
	}
	golden := filepath.Join(r.ws, "golden")
	if err := os.Rename(golden, golden+".before-force"); err != nil {
		return err
	}
	if _, err := r.must("generate", "-now", stamp); err != nil {
		return fmt.Errorf("forced: %w", err)
	}
	u.Review = r.review(n, stamp)
	if err := r.publish(n, stamp); err != nil {
		return err
	}
	for _, c := range r.clients {
		cr := &ClientRun{Client: c.Name()}
		u.Runs = append(u.Runs, cr)
		r.verifyAll("unsafe release", c, cr, func(it item) bool { return it.Log != logB })
	}
	return nil
}

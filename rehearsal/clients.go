package rehearsal

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// item is one bundle and the artifact it signs.
type item struct {
	Bundle   string `json:"bundle"`
	Artifact string `json:"artifact"`
	// Client, Step and Log are what made it, for the report.
	Client string `json:"-"`
	Step   int    `json:"-"`
	Log    string `json:"-"`
}

// outcome is one bundle's verification by one client.
type outcome struct {
	Bundle string `json:"bundle"`
	Error  string `json:"error,omitempty"`
}

// client is a real Sigstore client driven as a separate process: it
// fetches the trust files from the TUF mirror at each call, as a user's
// would.
type client interface {
	Name() string
	// Sign signs artifact into bundle with the named signing config.
	Sign(ctx context.Context, signingConfig, artifact, bundle, token string) error
	// Verify verifies every item against the trusted root it fetches.
	Verify(ctx context.Context, items []item) ([]outcome, error)
}

// clientEnv is what every client process shares.
type clientEnv struct {
	env      []string // with SSL_CERT_FILE / NODE_EXTRA_CA_CERTS
	mirror   string
	root     string // initial root.json
	dir      string // the client's own directory: TUF cache, inputs
	issuer   string
	identity string
}

// clientOutput is what the sigstore-go and sigstore-js client programs
// print.
type clientOutput struct {
	SignError string    `json:"signError"`
	Verified  []outcome `json:"verified"`
}

const clientTimeout = 3 * time.Minute

func runJSON(ctx context.Context, env []string, dir, bin string, args ...string) (*clientOutput, error) {
	stdout, stderr, code, err := run(ctx, env, dir, clientTimeout, bin, args...)
	if err != nil {
		return nil, err
	}
	if code != 0 {
		return nil, fmt.Errorf("exit %d: %s", code, strings.TrimSpace(stderr))
	}
	var o clientOutput
	if err := json.Unmarshal([]byte(stdout), &o); err != nil {
		return nil, fmt.Errorf("parse output %q: %w", stdout, err)
	}
	return &o, nil
}

// goClient is cmd/sigstore-go-client: sigstore-go's pkg/tuf, pkg/sign and
// pkg/verify.
type goClient struct {
	clientEnv
	bin string
}

func (c *goClient) Name() string { return "sigstore-go" }

func (c *goClient) args() []string {
	return []string{"-mirror", c.mirror, "-root", c.root, "-cache", filepath.Join(c.dir, "tuf"), "-identity", c.identity, "-issuer", c.issuer}
}

func (c *goClient) Sign(ctx context.Context, signingConfig, artifact, bundle, token string) error {
	tokenFile, err := writeToken(c.dir, token)
	if err != nil {
		return err
	}
	return signed(runJSON(ctx, c.env, c.dir, c.bin, append(c.args(), "-signing-config", signingConfig, "-token", tokenFile, "-artifact", artifact, "-bundle", bundle)...))
}

// writeToken writes the OIDC token into the client's directory, for a
// client that reads it from a file (which keeps it out of command lines
// and error messages), and returns the file's path.
func writeToken(dir, token string) (string, error) {
	tokenFile := filepath.Join(dir, "token")
	if err := os.WriteFile(tokenFile, []byte(token), 0o600); err != nil {
		return "", err
	}
	return tokenFile, nil
}

// signed is the outcome of a client's sign step: its failure to run, or
// the signing error it reported.
func signed(o *clientOutput, err error) error {
	if err != nil {
		return err
	}
	if o.SignError != "" {
		return fmt.Errorf("%s", o.SignError)
	}
	return nil
}

func (c *goClient) Verify(ctx context.Context, items []item) ([]outcome, error) {
	in := filepath.Join(c.dir, "verify.json")
	b, _ := json.Marshal(map[string]any{"verify": items})
	if err := os.WriteFile(in, b, 0o644); err != nil {
		return nil, err
	}
	o, err := runJSON(ctx, c.env, c.dir, c.bin, append(c.args(), "-input", in)...)
	if err != nil {
		return nil, err
	}
	return o.Verified, nil
}

// jsClient is js/client.js under Node: @sigstore/tuf, @sigstore/sign and
// @sigstore/verify at the versions js/package-lock.json pins.
type jsClient struct {
	clientEnv
	node, script string
}

func (c *jsClient) Name() string { return "sigstore-js" }

func (c *jsClient) call(ctx context.Context, extra map[string]any) (*clientOutput, error) {
	in := map[string]any{
		"mirror": c.mirror, "root": c.root, "cache": filepath.Join(c.dir, "tuf"),
		"identity": c.identity, "issuer": c.issuer,
	}
	for k, v := range extra {
		in[k] = v
	}
	path := filepath.Join(c.dir, "input.json")
	b, _ := json.Marshal(in)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return nil, err
	}
	return runJSON(ctx, c.env, c.dir, c.node, c.script, path)
}

func (c *jsClient) Sign(ctx context.Context, signingConfig, artifact, bundle, token string) error {
	tokenFile, err := writeToken(c.dir, token)
	if err != nil {
		return err
	}
	return signed(c.call(ctx, map[string]any{"signingConfig": signingConfig, "token": tokenFile, "artifact": artifact, "bundle": bundle}))
}

func (c *jsClient) Verify(ctx context.Context, items []item) ([]outcome, error) {
	if items == nil {
		items = []item{}
	}
	o, err := c.call(ctx, map[string]any{"verify": items})
	if err != nil {
		return nil, err
	}
	return o.Verified, nil
}

// cosignClient is the cosign binary. It keeps its TUF cache under its own
// HOME and TUF_ROOT; 'cosign initialize' at each call makes it fetch the
// newest version, as its documentation says to after a trust change.
type cosignClient struct {
	clientEnv
	bin string
	// optIn resolves a signing config that is not the main one to a file:
	// cosign reads only signing_config.v0.2.json from TUF, so an opt-in
	// file reaches it as a path (--signing-config), as an opting-in user
	// would pass it.
	optIn func(name string) (string, error)
}

func (c *cosignClient) Name() string { return "cosign" }

func (c *cosignClient) cosign(ctx context.Context, args ...string) (string, error) {
	env := append(append([]string{}, c.env...), "HOME="+c.dir, "TUF_ROOT="+filepath.Join(c.dir, "tuf"))
	stdout, stderr, code, err := run(ctx, env, c.dir, clientTimeout, c.bin, args...)
	if err != nil {
		return "", err
	}
	if code != 0 {
		return "", fmt.Errorf("cosign %s: exit %d: %s", args[0], code, lastLines(stderr, 5))
	}
	return stdout, nil
}

func (c *cosignClient) initialize(ctx context.Context) error {
	_, err := c.cosign(ctx, "initialize", "--mirror", c.mirror, "--root", c.root)
	return err
}

func (c *cosignClient) Sign(ctx context.Context, signingConfig, artifact, bundle, token string) error {
	if err := c.initialize(ctx); err != nil {
		return err
	}
	// cosign takes a token or a file holding one; the file keeps the
	// token out of its error messages.
	tokenFile, err := writeToken(c.dir, token)
	if err != nil {
		return err
	}
	args := []string{"sign-blob", "--yes", "--identity-token", tokenFile, "--bundle", bundle}
	if signingConfig != mainSigningConfig {
		path, err := c.optIn(signingConfig)
		if err != nil {
			return err
		}
		args = append(args, "--signing-config", path)
	}
	_, err = c.cosign(ctx, append(args, artifact)...)
	return err
}

func (c *cosignClient) Verify(ctx context.Context, items []item) ([]outcome, error) {
	if err := c.initialize(ctx); err != nil {
		return nil, err
	}
	var out []outcome
	for _, it := range items {
		o := outcome{Bundle: it.Bundle}
		// No CT log in the rehearsal: Fulcio's certificates carry no SCT.
		if _, err := c.cosign(ctx, "verify-blob", "--bundle", it.Bundle, "--certificate-identity", c.identity,
			"--certificate-oidc-issuer", c.issuer, "--insecure-ignore-sct", it.Artifact); err != nil {
			o.Error = err.Error()
		}
		out = append(out, o)
	}
	return out, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	out := strings.Join(lines, " / ")
	if len(out) > 800 {
		out = out[:800] + "…"
	}
	return out
}

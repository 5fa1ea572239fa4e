package probe

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/digitorus/timestamp"
	ct "github.com/google/certificate-transparency-go"
	rekornote "github.com/sigstore/rekor-tiles/v2/pkg/note"
	rekorutil "github.com/sigstore/rekor/pkg/util"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore/pkg/signature"
	"golang.org/x/mod/sumdb/note"

	"github.com/trustc-dev/trustc/compiler/derive"
	"github.com/trustc-dev/trustc/compiler/model"
)

// Statuses of a Result.
const (
	OK      = "ok"
	Fail    = "fail"
	Skipped = "skipped" // outside its verification window at the probe time
)

// Kinds of service, as the trusted root groups them.
const (
	KindRekor = "rekor"
	KindCT    = "ct"
	KindCA    = "ca"
	KindTSA   = "tsa"
)

// Result is what one service answered.
type Result struct {
	Kind   string `json:"kind"`
	Name   string `json:"name"`
	URL    string `json:"url"`
	Check  string `json:"check"`
	Status string `json:"status"`
	// Detail says what was seen: the tree size verified, or what does not
	// match and how.
	Detail string `json:"detail"`
}

// Report is every service of one environment, in trusted-root order
// (Rekor logs, CT logs, CAs, TSAs; each in declaration order).
type Report struct {
	Env     string    `json:"env"`
	Time    time.Time `json:"time"`
	Results []Result  `json:"results"`
}

// OK reports whether no service failed.
func (r *Report) OK() bool {
	return !slices.ContainsFunc(r.Results, func(x Result) bool { return x.Status == Fail })
}

// maxBody bounds what probe reads from a service: a checkpoint, a tree
// head, a trust bundle or a timestamp response is a few kilobytes.
const maxBody = 1 << 20

// Env probes every service of env that is in its verification window at t.
// client does every request; its timeout and TLS roots are the caller's.
func Env(ctx context.Context, env *model.Environment, t time.Time, client *http.Client) *Report {
	p := &prober{ctx: ctx, client: client}
	rep := &Report{Env: env.Name, Time: t}
	add := func(kind, name, u, check string, w []model.Window, run func() (string, error)) {
		r := Result{Kind: kind, Name: name, URL: u, Check: check}
		if !slices.ContainsFunc(w, func(w model.Window) bool { return w.Contains(t) }) {
			r.Status, r.Detail = Skipped, "not in its verification window at "+t.Format(time.RFC3339)
		} else if detail, err := run(); err != nil {
			r.Status, r.Detail = Fail, err.Error()
		} else {
			r.Status, r.Detail = OK, detail
		}
		rep.Results = append(rep.Results, r)
	}
	for _, l := range env.Rekor {
		if l.API.V >= 2 {
			add(KindRekor, l.Name, l.URL.V, "checkpoint", []model.Window{l.Verify}, func() (string, error) { return p.rekorV2(l) })
		} else {
			add(KindRekor, l.Name, l.URL.V, "tree head", []model.Window{l.Verify}, func() (string, error) { return p.rekorV1(l) })
		}
	}
	for _, l := range env.CTLogs {
		add(KindCT, l.Name, l.URL.V, "signed tree head", []model.Window{l.Verify}, func() (string, error) { return p.ct(l) })
	}
	for _, a := range env.CAs {
		add(KindCA, a.Name, a.URL.V, "trust bundle", windows(a), func() (string, error) { return p.fulcio(a, t) })
	}
	for _, a := range env.TSAs {
		add(KindTSA, a.Name, a.URL.V, "timestamp", windows(a), func() (string, error) { return p.tsa(a, t) })
	}
	return rep
}

func windows(a *model.Authority) []model.Window {
	var w []model.Window
	for _, c := range a.Chains {
		w = append(w, c.Verify)
	}
	return w
}

type prober struct {
	ctx    context.Context
	client *http.Client
}

// get fetches u and fails on anything but success.
func (p *prober) get(u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(p.ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	return p.do(req)
}

// getJSON gets u and decodes it into v; what names the document in the
// error when it is no such JSON.
func (p *prober) getJSON(u, what string, v any) error {
	b, err := p.get(u)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("parse %s: %w", what, err)
	}
	return nil
}

func (p *prober) do(req *http.Request) ([]byte, error) {
	resp, err := p.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", req.URL, err)
	}
	// The timestamp authority answers 201 Created.
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s %s: %s", req.Method, req.URL, resp.Status)
	}
	return b, nil
}

func join(base, p string) string { return strings.TrimSuffix(base, "/") + p }

// rekorV2 reads the log's checkpoint (C2SP tlog-tiles: <base>/checkpoint)
// and verifies it as sigstore-go does a bundle's: a signed note whose
// signature by the trusted key is named after the log's origin.
func (p *prober) rekorV2(l *model.RekorLog) (string, error) {
	if l.PublicKey == nil {
		return "", errors.New("no derived public key in the release")
	}
	origin, err := derive.Origin(l.URL.V)
	if err != nil {
		return "", fmt.Errorf("url %q: %w", l.URL.V, err)
	}
	// sigstore-go v1.3.0 names the note verifier after the URL's host
	// name alone (pkg/verify/tlog.go), while the log id the trusted root
	// publishes is derived over host, port and path: a log with a port or
	// a path cannot satisfy both, and sigstore-go rejects its entries.
	if u, err := url.Parse(l.URL.V); err == nil && u.Hostname() != origin {
		return "", fmt.Errorf("url %q has a port or path: its log id is derived under origin %q, but sigstore-go verifies checkpoints under the host name %q alone; serve the log at https://HOST", l.URL.V, origin, u.Hostname())
	}
	b, err := p.get(join(l.URL.V, "/checkpoint"))
	if err != nil {
		return "", err
	}
	v, err := signature.LoadVerifier(l.PublicKey.Key, crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("load trusted key: %w", err)
	}
	nv, err := rekornote.NewNoteVerifier(origin, v)
	if err != nil {
		return "", fmt.Errorf("note verifier for origin %q: %w", origin, err)
	}
	first, _, _ := strings.Cut(string(b), "\n")
	if first != origin {
		return "", fmt.Errorf("checkpoint origin is %q, want %q (the log's URL without its scheme); clients verify the log's entries under %q", first, origin, origin)
	}
	n, err := note.Open(b, note.VerifierList(nv))
	if err != nil {
		var unverified *note.UnverifiedNoteError
		if errors.As(err, &unverified) {
			return "", fmt.Errorf("checkpoint is not signed by the trusted key (note key id %08x under %q); it carries %s: the log's key does not match the trusted root", nv.KeyHash(), origin, sigList(unverified.Note.UnverifiedSigs))
		}
		return "", fmt.Errorf("parse checkpoint: %w", err)
	}
	lines := strings.Split(n.Text, "\n")
	if len(lines) < 3 {
		return "", fmt.Errorf("checkpoint body has %d lines, want origin, size and root hash", len(lines))
	}
	return "checkpoint of " + origin + " at size " + lines[1] + " signed by the trusted key", nil
}

func sigList(sigs []note.Signature) string {
	if len(sigs) == 0 {
		return "no signature"
	}
	var s []string
	for _, sig := range sigs {
		s = append(s, fmt.Sprintf("%q key id %08x", sig.Name, sig.Hash))
	}
	return "signatures by " + strings.Join(s, ", ")
}

// rekorV1 reads <base>/api/v1/log and verifies its signedTreeHead with the
// trusted key, as rekor's own client does.
func (p *prober) rekorV1(l *model.RekorLog) (string, error) {
	if l.PublicKey == nil {
		return "", errors.New("no derived public key in the release")
	}
	var info struct {
		SignedTreeHead string `json:"signedTreeHead"`
		TreeSize       int64  `json:"treeSize"`
	}
	if err := p.getJSON(join(l.URL.V, "/api/v1/log"), "log info", &info); err != nil {
		return "", err
	}
	var sc rekorutil.SignedCheckpoint
	if err := sc.UnmarshalText([]byte(info.SignedTreeHead)); err != nil {
		return "", fmt.Errorf("parse signedTreeHead: %w", err)
	}
	v, err := signature.LoadVerifier(l.PublicKey.Key, crypto.SHA256)
	if err != nil {
		return "", fmt.Errorf("load trusted key: %w", err)
	}
	if !sc.Verify(v) {
		return "", fmt.Errorf("signed tree head of %q is not signed by the trusted key: the log's key does not match the trusted root", sc.Origin)
	}
	return fmt.Sprintf("tree head of %q at size %d signed by the trusted key", sc.Origin, sc.Size), nil
}

// ct reads <base>/ct/v1/get-sth (RFC 6962) and verifies its signature.
func (p *prober) ct(l *model.CTLog) (string, error) {
	if l.PublicKey == nil {
		return "", errors.New("no derived public key in the release")
	}
	var resp ct.GetSTHResponse
	if err := p.getJSON(join(l.URL.V, "/ct/v1/get-sth"), "get-sth", &resp); err != nil {
		return "", err
	}
	sth, err := resp.ToSignedTreeHead()
	if err != nil {
		return "", fmt.Errorf("parse get-sth: %w", err)
	}
	sv, err := ct.NewSignatureVerifier(l.PublicKey.Key)
	if err != nil {
		return "", fmt.Errorf("load trusted key: %w", err)
	}
	if err := sv.VerifySTHSignature(*sth); err != nil {
		return "", fmt.Errorf("signed tree head does not verify with the trusted key: %v", err)
	}
	return fmt.Sprintf("tree head at size %d signed by the trusted key", sth.TreeSize), nil
}

// fulcio reads the CA's trust bundle (<url>/api/v2/trustBundle) and wants
// it to hold exactly the chains the trusted root trusts at t: a chain the
// CA serves but nobody trusts issues certificates that fail to verify, and
// a trusted chain it no longer serves is a CA that moved on without the
// trusted root.
func (p *prober) fulcio(a *model.Authority, t time.Time) (string, error) {
	var bundle struct {
		Chains []struct {
			Certificates []string `json:"certificates"`
		} `json:"chains"`
	}
	if err := p.getJSON(join(a.URL.V, "/api/v2/trustBundle"), "trust bundle", &bundle); err != nil {
		return "", err
	}
	var live [][]byte
	for i, c := range bundle.Chains {
		var der []byte
		for j, s := range c.Certificates {
			blk, _ := pem.Decode([]byte(s))
			if blk == nil {
				return "", fmt.Errorf("trust bundle chain %d certificate %d is not PEM", i, j)
			}
			der = append(der, blk.Bytes...)
		}
		live = append(live, der)
	}
	var trusted [][]byte
	var names []string
	for _, c := range a.Chains {
		if !c.Verify.Contains(t) || len(c.Certificates) == 0 {
			continue
		}
		var der []byte
		for _, cert := range c.Certificates {
			der = append(der, cert.Raw...)
		}
		trusted = append(trusted, der)
		names = append(names, c.Name)
	}
	var missing, extra []string
	for i, c := range trusted {
		if !slices.ContainsFunc(live, func(l []byte) bool { return bytes.Equal(l, c) }) {
			missing = append(missing, fmt.Sprintf("%q", names[i]))
		}
	}
	for i, l := range live {
		if !slices.ContainsFunc(trusted, func(c []byte) bool { return bytes.Equal(l, c) }) {
			extra = append(extra, fmt.Sprintf("%d", i))
		}
	}
	if len(missing) > 0 || len(extra) > 0 {
		var why []string
		if len(missing) > 0 {
			why = append(why, "the CA does not serve trusted chain "+strings.Join(missing, ", "))
		}
		if len(extra) > 0 {
			why = append(why, "the CA serves chain "+strings.Join(extra, ", ")+" of its bundle, which the trusted root does not hold (certificates it issues fail to verify)")
		}
		return "", fmt.Errorf("trust bundle differs from the trusted chains: %s", strings.Join(why, "; "))
	}
	return fmt.Sprintf("trust bundle is the %d trusted chain(s)", len(trusted)), nil
}

// tsa asks for a timestamp over fresh random bytes and verifies the
// response with each chain trusted at t, as sigstore-go verifies a
// bundle's timestamps.
func (p *prober) tsa(a *model.Authority, t time.Time) (string, error) {
	artifact := make([]byte, 32)
	if _, err := rand.Read(artifact); err != nil {
		return "", err
	}
	q, err := timestamp.CreateRequest(bytes.NewReader(artifact), &timestamp.RequestOptions{Hash: crypto.SHA256, Certificates: true})
	if err != nil {
		return "", fmt.Errorf("create timestamp request: %w", err)
	}
	req, err := http.NewRequestWithContext(p.ctx, http.MethodPost, a.URL.V, bytes.NewReader(q))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/timestamp-query")
	resp, err := p.do(req)
	if err != nil {
		return "", err
	}
	var errs []string
	for _, c := range a.Chains {
		if !c.Verify.Contains(t) || len(c.Certificates) == 0 {
			continue
		}
		certs := c.Certificates
		ta := &root.SigstoreTimestampingAuthority{Root: certs[len(certs)-1], URI: a.URL.V}
		if len(certs) > 1 {
			ta.Leaf = certs[0]
			ta.Intermediates = slices.Clone(certs[1 : len(certs)-1])
		}
		ts, err := ta.Verify(resp, artifact)
		if err == nil {
			return fmt.Sprintf("timestamp %s verifies with chain %q", ts.Time.UTC().Format(time.RFC3339), c.Name), nil
		}
		errs = append(errs, fmt.Sprintf("chain %q: %v", c.Name, err))
	}
	return "", fmt.Errorf("timestamp does not verify with the trusted chains: %s", strings.Join(errs, "; "))
}

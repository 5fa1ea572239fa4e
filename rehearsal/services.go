package rehearsal

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// services are the running Sigstore servers and what trustc init needs
// from them.
type services struct {
	FulcioURL   string
	FulcioChain string // PEM file: the chain Fulcio's trust bundle serves
	TSAURL      string
	TSAChain    string // PEM file: the chain the TSA serves, leaf first
	Logs        map[string]*logBackend
	LogKeys     map[string]string // log name -> public key PEM file
	proxies     []*http.Server
}

// tlsProxy serves backend (plain HTTP on 127.0.0.1) over TLS on a port of
// its own, for servers without HTTPS flags of their own (Fulcio's HTTP API).
func (s *services) tlsProxy(p *pki, backend string) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	target, _ := url.Parse(backend)
	srv := &http.Server{
		Handler:           quietProxy(target),
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{p.Cert}},
		ReadHeaderTimeout: 10 * time.Second,
	}
	go srv.ServeTLS(ln, "", "")
	s.proxies = append(s.proxies, srv)
	return "https://" + ln.Addr().String(), nil
}

func (s *services) close() {
	for _, p := range s.proxies {
		p.Close()
	}
}

// startTSA runs the timestamp authority with its in-memory signer over
// HTTPS and writes the chain it serves.
func startTSA(ctx context.Context, ps *procs, p *pki, bin, dir string) (url, chain string, err error) {
	port, err := freePort()
	if err != nil {
		return "", "", err
	}
	plain, err := freePort()
	if err != nil {
		return "", "", err
	}
	if err := ps.start("tsa", bin, "serve", "--timestamp-signer", "memory", "--scheme", "https",
		"--tls-host", "127.0.0.1", "--tls-port", strconv.Itoa(port), "--tls-certificate", p.CertFile, "--tls-key", p.KeyFile,
		"--host", "127.0.0.1", "--port", strconv.Itoa(plain)); err != nil {
		return "", "", err
	}
	base := fmt.Sprintf("https://127.0.0.1:%d", port)
	pem, err := waitFor(ctx, httpClient(p), ps, base+"/api/v1/timestamp/certchain")
	if err != nil {
		return "", "", fmt.Errorf("timestamp authority: %w", err)
	}
	chain = filepath.Join(dir, "tsa.chain.pem")
	return base + "/api/v1/timestamp", chain, os.WriteFile(chain, pem, 0o644)
}

// startFulcio runs Fulcio with an ephemeral CA and no CT log, trusting
// the rehearsal's issuer, and writes the chain its trust bundle serves.
func startFulcio(ctx context.Context, ps *procs, s *services, p *pki, bin, dir, issuerURL string) (url, chain string, err error) {
	var ports [3]int
	for i := range ports {
		if ports[i], err = freePort(); err != nil {
			return "", "", err
		}
	}
	config := filepath.Join(dir, "fulcio.json")
	// Fulcio tries JSON first, with its JSON field names.
	cfg, _ := json.Marshal(map[string]any{"OIDCIssuers": map[string]any{
		issuerURL: map[string]string{"IssuerURL": issuerURL, "ClientID": "sigstore", "Type": "email"},
	}})
	if err := os.WriteFile(config, cfg, 0o644); err != nil {
		return "", "", err
	}
	if err := ps.start("fulcio", bin, "serve", "--ca", "ephemeralca", "--ct-log-url", "", "--config-path", config,
		"--host", "127.0.0.1", "--port", strconv.Itoa(ports[0]), "--grpc-host", "127.0.0.1", "--grpc-port", strconv.Itoa(ports[1]),
		"--metrics-port", strconv.Itoa(ports[2]), "--legacy-unix-domain-socket", filepath.Join(dir, "fulcio-legacy.sock")); err != nil {
		return "", "", err
	}
	base, err := s.tlsProxy(p, fmt.Sprintf("http://127.0.0.1:%d", ports[0]))
	if err != nil {
		return "", "", err
	}
	b, err := waitFor(ctx, httpClient(p), ps, base+"/api/v2/trustBundle")
	if err != nil {
		return "", "", fmt.Errorf("fulcio: %w", err)
	}
	var bundle struct {
		Chains []struct {
			Certificates []string `json:"certificates"`
		} `json:"chains"`
	}
	if err := json.Unmarshal(b, &bundle); err != nil || len(bundle.Chains) != 1 {
		return "", "", fmt.Errorf("fulcio trust bundle: want one chain, got %s", b)
	}
	chain = filepath.Join(dir, "fulcio.chain.pem")
	var pems strings.Builder
	for _, c := range bundle.Chains[0].Certificates {
		pems.WriteString(strings.TrimSpace(c) + "\n")
	}
	return base, chain, os.WriteFile(chain, []byte(pems.String()), 0o644)
}

// startLog runs one rekor-tiles POSIX server over HTTPS, with a fresh key,
// its checkpoint origin hostname and a one-second checkpoint interval (a
// write returns once a checkpoint covers it).
func startLog(ctx context.Context, ps *procs, p *pki, bin, dir, name, hostname string) (*logBackend, string, error) {
	priv, pub, err := logKey(dir, name)
	if err != nil {
		return nil, "", err
	}
	var ports [3]int
	for i := range ports {
		if ports[i], err = freePort(); err != nil {
			return nil, "", err
		}
	}
	storage := filepath.Join(dir, name+"-tiles")
	if err := os.MkdirAll(storage, 0o755); err != nil {
		return nil, "", err
	}
	if err := ps.start("rekor-"+name, bin, "serve", "--storage-dir", storage, "--signer-filepath", priv, "--hostname", hostname,
		"--http-address", "127.0.0.1", "--http-port", strconv.Itoa(ports[0]), "--grpc-address", "127.0.0.1", "--grpc-port", strconv.Itoa(ports[1]),
		"--http-metrics-port", strconv.Itoa(ports[2]), "--checkpoint-interval", "1s",
		"--http-tls-cert-file", p.CertFile, "--http-tls-key-file", p.KeyFile); err != nil {
		return nil, "", err
	}
	b := &logBackend{Name: name, Hostname: hostname, Addr: fmt.Sprintf("127.0.0.1:%d", ports[0]), StorageDir: storage}
	// The server answers its health check once it runs; the checkpoint
	// file appears within one interval.
	if _, err := waitFor(ctx, httpClient(p), ps, "https://"+b.Addr+"/healthz"); err != nil {
		return nil, "", fmt.Errorf("rekor %s: %w", name, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(storage, "checkpoint")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			return nil, "", fmt.Errorf("rekor %s wrote no checkpoint in 30s: %s", name, ps.tail("rekor-"+name))
		}
		time.Sleep(200 * time.Millisecond)
	}
	return b, pub, nil
}

// quietProxy forwards to target; a backend that is not up yet (while
// waitFor polls it) is an answer, not something to log.
func quietProxy(target *url.URL) *httputil.ReverseProxy {
	p := httputil.NewSingleHostReverseProxy(target)
	p.ErrorLog = log.New(io.Discard, "", 0)
	return p
}

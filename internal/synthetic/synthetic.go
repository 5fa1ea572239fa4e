// Package synthetic writes made-up repositories of any size for benchmarks:
// the module's own cue.mod and schema, and as many environments and
// services as asked, each service with fresh key or certificate material.
// Issue 7 asks that trustc's cost grow linearly with both; the real
// environments are too small to show it.
//
// Nothing it writes is committed: benchmarks generate every repository in
// a temporary directory (package synthtest), and cmd/synth writes one
// wherever someone measuring at scale asks, so the material is new in
// every run and never mistaken for anything real.
package synthetic

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Kinds are the service kinds a repository cycles through, one per service
// in turn, so that every stage sees each kind in equal measure.
var Kinds = []string{"rekor", "ct", "ca", "tsa", "oidc"}

// Options select the rotation patterns that make the policy rules work
// harder than a repository of services that all stay open. Issue 17 found
// rule 3 (no-gaps) quadratic under each of them; the zero value is the
// plain repository.
type Options struct {
	// Ending rotates every kind: each service's verification and signing
	// windows end where the next service of its kind starts signing (key
	// rotation), and only the newest of each kind stays open.
	Ending bool
	// NewestFirst declares services newest first, as an environment that
	// adds each new log at the top does, so the valid service is at the
	// end of its list.
	NewestFirst bool
	// Exact makes the signing config's Rekor and TSA selectors EXACT 1
	// instead of ANY.
	Exact bool
}

// Write writes a repository into root: cue.mod and schema copied from the
// module at src, and envs environments of services services each. root
// must not hold environments already; it may exist.
func Write(root, src string, envs, services int, opts Options) error {
	for _, dir := range []string{"cue.mod", "schema"} {
		if err := os.CopyFS(filepath.Join(root, dir), os.DirFS(filepath.Join(src, dir))); err != nil {
			return fmt.Errorf("copy %s: %w", dir, err)
		}
	}
	for i := range envs {
		files, err := EnvironmentWith(EnvName(i), services, opts)
		if err != nil {
			return err
		}
		dir := filepath.Join(root, "environments", EnvName(i))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("write environment: %w", err)
		}
		for name, b := range files {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				return fmt.Errorf("write environment: %w", err)
			}
		}
	}
	return nil
}

// EnvName names the i'th environment of a repository.
func EnvName(i int) string { return fmt.Sprintf("env%04d", i) }

// epoch is the first service's start; each later service starts an hour
// after the one before, so that emit has something to sort.
var epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// waitingPeriod is the signing config's, above the policy's floor of
// tufTimestampExpiry (1d) plus the default buffer (7d).
const (
	waitingDays   = 14
	waitingPeriod = "14d"
)

// EnvironmentWith returns the files of one environment package named name
// with n services: environment.cue, services.cue and one PEM file per
// service. Service i is of kind Kinds[i%len(Kinds)]: a Rekor v1 log or a CT
// log with a fresh ECDSA P-256 key, a CA or TSA with a fresh self-signed
// ECDSA certificate as its one-certificate chain, or an OIDC provider.
// Every service but the CT logs signs in the environment's one signing
// config, from a waiting period after its verification starts, so that
// every policy rule passes. opts asks for rotation patterns; every rule
// still passes: a rotated service's windows end at the instant the next of its
// kind starts signing (ends are inclusive, so no instant is left without
// one), and EXACT asks for one service, which one operator provides.
func EnvironmentWith(name string, n int, opts Options) (map[string][]byte, error) {
	selector := `selector: "ANY"`
	if opts.Exact {
		selector = `{selector: "EXACT", count: 1}`
	}
	files := map[string][]byte{
		"environment.cue": fmt.Appendf(nil, `package %s

import "github.com/trustc-dev/trustc/schema"

schema.#Environment

operator: "example.dev"

trustedRoot: {}

policy: {
	tufTimestampExpiry: "1d"
	clients: ["sigstore-go"]
}

signingConfigs: main: {
	file:          "signing_config.v0.2.json"
	waitingPeriod: %q
	rekorTlogConfig: %s
	tsaConfig: %s
}
`, name, waitingPeriod, selector, selector),
	}
	blocks := make([]string, n)
	for i := range n {
		kind := Kinds[i%len(Kinds)]
		svc := fmt.Sprintf("%s%d", kind, i)
		t := epoch.Add(time.Duration(i) * time.Hour)
		start := t.Format(time.RFC3339)
		// Signing starts a waiting period after verification, as the
		// policy requires.
		signStart := t.Add(waitingDays * 24 * time.Hour).Format(time.RFC3339)
		// With rotation, the next service of the same kind takes over:
		// this one's windows end as the next one's signing starts (for a
		// CT log, which nobody signs to, as its verification starts; for
		// an OIDC provider, which has no trust window, as it starts).
		verifyEnd, signEnd := "", ""
		if next := i + len(Kinds); opts.Ending && next < n {
			nt := epoch.Add(time.Duration(next) * time.Hour)
			switch kind {
			case "ct":
				verifyEnd = nt.Format(time.RFC3339)
			case "oidc":
				signEnd = nt.Format(time.RFC3339)
			default:
				verifyEnd = nt.Add(waitingDays * 24 * time.Hour).Format(time.RFC3339)
				signEnd = verifyEnd
			}
		}
		window := func(start, end string) string {
			if end == "" {
				return fmt.Sprintf("start: %q", start)
			}
			return fmt.Sprintf("{start: %q, end: %q}", start, end)
		}
		url := fmt.Sprintf("https://%s.%s.example.dev", svc, name)
		var cue strings.Builder
		switch kind {
		case "rekor", "ct":
			pemFile := svc + ".pub"
			b, err := publicKeyPEM()
			if err != nil {
				return nil, err
			}
			files[pemFile] = b
			fmt.Fprintf(&cue, "\n%s: %s: {\n\turl: %q\n\tkey: %q\n\tverify: %s\n", kind, svc, url, pemFile, window(start, verifyEnd))
			if kind == "rekor" {
				fmt.Fprintf(&cue, "\tapi: 1\n\tsign: main: %s\n", window(signStart, signEnd))
			}
		case "ca", "tsa":
			pemFile := svc + ".crt.pem"
			b, err := certificatePEM(svc+"."+name, kind == "tsa")
			if err != nil {
				return nil, err
			}
			files[pemFile] = b
			fmt.Fprintf(&cue, "\n%s: %s: {\n\turl: %q\n\tapi: 1\n\tchains: c: {\n\t\tcerts: [%q]\n\t\tverify: %s\n\t}\n\tsign: main: %s\n",
				kind, svc, url, pemFile, window(start, verifyEnd), window(signStart, signEnd))
		case "oidc":
			fmt.Fprintf(&cue, "\n%s: %s: {\n\turl: %q\n\tapi: 1\n\tsign: main: %s\n", kind, svc, url, window(start, signEnd))
		}
		cue.WriteString("}\n")
		blocks[i] = cue.String()
	}
	if opts.NewestFirst {
		slices.Reverse(blocks)
	}
	files["services.cue"] = []byte(fmt.Sprintf("package %s\n", name) + strings.Join(blocks, ""))
	return files, nil
}

func publicKeyPEM() ([]byte, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKIXPublicKey(k.Public())
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), nil
}

// certificatePEM makes a self-signed CA certificate: a chain of one, whose
// subject derive publishes. A TSA's is its leaf too, so it carries the
// time-stamping extended key usage clients require.
func certificatePEM(cn string, tsa bool) ([]byte, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{Organization: []string{"example.dev"}, CommonName: cn},
		NotBefore:             epoch,
		NotAfter:              epoch.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	if tsa {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, k.Public(), k)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}

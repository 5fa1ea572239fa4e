// Package synthetic writes made-up repositories of any size for benchmarks:
// the module's own cue.mod and schema, and as many environments and
// services as asked, each service with fresh key or certificate material.
// Issue 7 asks that trustc's cost grow linearly with both; the real
// environments are too small to show it.
//
// Nothing it writes is committed: every repository is generated in a test's
// temporary directory, so the material is new in every run and never
// mistaken for anything real.
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
	"strings"
	"testing"
	"time"

	"github.com/trustc-dev/trustc/internal/refdata"
)

// Kinds are the service kinds a repository cycles through, one per service
// in turn, so that every stage sees each kind in equal measure.
var Kinds = []string{"rekor", "ct", "ca", "tsa", "oidc"}

// Repo writes a repository with envs environments of services services each
// into a new temporary directory and returns its root. Environments are
// named env0000, env0001, …; see Environment for what each holds.
func Repo(tb testing.TB, envs, services int) string {
	tb.Helper()
	src := refdata.ModuleRoot(tb)
	root := tb.TempDir()
	for _, dir := range []string{"cue.mod", "schema"} {
		if err := os.CopyFS(filepath.Join(root, dir), os.DirFS(filepath.Join(src, dir))); err != nil {
			tb.Fatal(err)
		}
	}
	for i := range envs {
		files, err := Environment(EnvName(i), services)
		if err != nil {
			tb.Fatal(err)
		}
		dir := filepath.Join(root, "environments", EnvName(i))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			tb.Fatal(err)
		}
		for name, b := range files {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				tb.Fatal(err)
			}
		}
	}
	return root
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

// Environment returns the files of one environment package named name
// with n services: environment.cue, services.cue and one PEM file per
// service. Service i is of kind Kinds[i%len(Kinds)]: a Rekor v1 log or a CT
// log with a fresh ECDSA P-256 key, a CA or TSA with a fresh self-signed
// ECDSA certificate as its one-certificate chain, or an OIDC provider.
// Every service but the CT logs signs in the environment's one signing
// config, from a waiting period after its verification starts, so that
// every policy rule passes.
func Environment(name string, n int) (map[string][]byte, error) {
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
	rekorTlogConfig: selector: "ANY"
	tsaConfig: selector:       "ANY"
}
`, name, waitingPeriod),
	}
	var cue strings.Builder
	fmt.Fprintf(&cue, "package %s\n", name)
	for i := range n {
		kind := Kinds[i%len(Kinds)]
		svc := fmt.Sprintf("%s%d", kind, i)
		t := epoch.Add(time.Duration(i) * time.Hour)
		start := t.Format(time.RFC3339)
		// Signing starts a waiting period after verification, as the
		// policy requires.
		signStart := t.Add(waitingDays * 24 * time.Hour).Format(time.RFC3339)
		url := fmt.Sprintf("https://%s.%s.example.dev", svc, name)
		switch kind {
		case "rekor", "ct":
			pemFile := svc + ".pub"
			b, err := publicKeyPEM()
			if err != nil {
				return nil, err
			}
			files[pemFile] = b
			fmt.Fprintf(&cue, "\n%s: %s: {\n\turl: %q\n\tkey: %q\n\tverify: start: %q\n", kind, svc, url, pemFile, start)
			if kind == "rekor" {
				fmt.Fprintf(&cue, "\tapi: 1\n\tsign: main: start: %q\n", signStart)
			}
		case "ca", "tsa":
			pemFile := svc + ".crt.pem"
			b, err := certificatePEM(svc+"."+name, kind == "tsa")
			if err != nil {
				return nil, err
			}
			files[pemFile] = b
			fmt.Fprintf(&cue, "\n%s: %s: {\n\turl: %q\n\tapi: 1\n\tchains: c: {\n\t\tcerts: [%q]\n\t\tverify: start: %q\n\t}\n\tsign: main: start: %q\n",
				kind, svc, url, pemFile, start, signStart)
		case "oidc":
			fmt.Fprintf(&cue, "\n%s: %s: {\n\turl: %q\n\tapi: 1\n\tsign: main: start: %q\n", kind, svc, url, start)
		}
		cue.WriteString("}\n")
	}
	files["services.cue"] = []byte(cue.String())
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

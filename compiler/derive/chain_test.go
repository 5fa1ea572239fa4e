package derive

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"cuelang.org/go/cue/errors"
	"github.com/google/go-cmp/cmp"

	"github.com/trustc-dev/trustc/compiler/model"
)

// pki issues test certificates; each name has one key, so a certificate
// can be reissued by another issuer (cross-signing).
type pki struct {
	t    *testing.T
	keys map[string]*ecdsa.PrivateKey
}

func (p *pki) key(name string) *ecdsa.PrivateKey {
	if k, ok := p.keys[name]; ok {
		return k
	}
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		p.t.Fatal(err)
	}
	p.keys[name] = k
	return k
}

// cert issues subject's certificate, signed by issuer's key.
func (p *pki) cert(subject, issuer string, ca bool) []byte {
	return p.certSignedBy(subject, issuer, issuer, ca)
}

// certSignedBy issues subject's certificate naming issuer, signed by
// signer's key.
func (p *pki) certSignedBy(subject, issuer, signer string, ca bool) []byte {
	return p.issue(subject, issuer, p.key(subject).Public(), p.key(signer), ca)
}

// issue issues a certificate for pub named subject, naming issuer, signed
// by signer.
func (p *pki) issue(subject, issuer string, pub crypto.PublicKey, signer *ecdsa.PrivateKey, ca bool) []byte {
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(int64(len(p.keys)) + 1),
		Subject:               pkix.Name{CommonName: subject, Organization: []string{"example"}},
		NotBefore:             time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:              time.Date(2035, 1, 1, 0, 0, 0, 0, time.UTC),
		BasicConstraintsValid: true,
		IsCA:                  ca,
	}
	if ca {
		tmpl.KeyUsage = x509.KeyUsageCertSign
	}
	parent := &x509.Certificate{Subject: pkix.Name{CommonName: issuer, Organization: []string{"example"}}}
	if issuer == subject {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, crypto.Signer(signer))
	if err != nil {
		p.t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func TestChainOrder(t *testing.T) {
	p := &pki{t: t, keys: map[string]*ecdsa.PrivateKey{}}
	root := p.cert("root", "root", true)
	inter := p.cert("inter", "root", true)
	leaf := p.cert("leaf", "inter", false)
	// a and b each issued by the other: no path ends in a self-signed root.
	a := p.cert("a", "b", true)
	b := p.cert("b", "a", true)
	// Named as issued by root, signed by another key.
	forged := p.certSignedBy("inter", "root", "other", true)
	// A leaf listed under an intermediate that shares the root's name but
	// not its key, and signed by the root: crypto/x509 finds the path
	// leaf, root, which is not the one listed.
	impostor, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rootNamed := p.issue("root", "root", impostor.Public(), p.key("root"), true)
	byRoot := p.issue("leaf", "root", p.key("leaf").Public(), p.key("root"), false)

	for _, tc := range []struct {
		name  string
		kind  string
		files [][]byte
		want  string
	}{
		{"CA chain", "ca", [][]byte{inter, root}, ""},
		{"root alone", "ca", [][]byte{root}, ""},
		{"TSA chain with its leaf", "tsa", [][]byte{leaf, inter, root}, ""},
		{"two certificates in one file", "ca", [][]byte{append(append([]byte(nil), inter...), root...)}, ""},
		{"CA chain starting with a leaf", "ca", [][]byte{leaf, inter, root},
			`material: chain "c": certificate 0 (CN=leaf,O=example) is not a CA certificate (basic constraints CA:FALSE or absent); a CA chain starts with the CA that issues signing certificates, so remove the leaf`},
		{"cross-signed pair", "ca", [][]byte{a, b},
			`material: chain "c": the trust anchor, certificate 1 (CN=b,O=example), is issued by CN=a,O=example, not self-signed; end the chain with its root certificate`},
		{"duplicate certificate", "ca", [][]byte{inter, inter, root},
			`material: chain "c" lists certificate 0 (CN=inter,O=example) again as certificate 1; list each certificate once`},
		{"duplicate anchor", "ca", [][]byte{root, root}, `material: chain "c" lists certificate 0 (CN=root,O=example) again as certificate 1; list each certificate once`},
		{"anchor first", "ca", [][]byte{root, inter},
			`material: chain "c": certificate 0 (CN=root,O=example) is issued by CN=root,O=example, not by certificate 1 (CN=inter,O=example); list the certificates leaf-most first, each followed by its issuer` + "\n" +
				`material: chain "c": the trust anchor, certificate 1 (CN=inter,O=example), is issued by CN=root,O=example, not self-signed; end the chain with its root certificate`},
		{"issuer's name, another key", "ca", [][]byte{p.cert("x", "root2", true), p.cert("root2", "root2", true)}, ""},
		{"forged signature", "ca", [][]byte{forged, root},
			`material: chain "c": certificate 0 (CN=inter,O=example) does not verify under certificate 1 (CN=root,O=example): x509: ECDSA verification failure`},
		{"another path than listed", "tsa", [][]byte{byRoot, rootNamed, root},
			`material: chain "c": certificate 0 (CN=leaf,O=example) does not verify under certificate 1 (CN=root,O=example): x509: ECDSA verification failure`},
	} {
		// Without a window each link is checked on its own; with one,
		// through crypto/x509's verification at its start (VerifyChain),
		// falling back to each link where that fails: the same findings.
		for _, start := range []time.Time{{}, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)} {
			t.Run(fmt.Sprintf("%s/start=%s", tc.name, start.Format(time.DateOnly)), func(t *testing.T) {
				c := &model.Chain{Name: "c"}
				c.Verify.Start.V = start
				for i, f := range tc.files {
					c.Certs = append(c.Certs, model.Material{File: model.Value[string]{V: string(rune('a'+i)) + ".pem"}, Bytes: f})
				}
				got := ""
				if err := chain(c, tc.kind); err != nil {
					for i, e := range errors.Errors(err) {
						if i > 0 {
							got += "\n"
						}
						got += e.Error()
					}
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("chain errors (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// TestChainSignatureVerdictReused derives chains twice, as generate
// derives the release it replaces and then the one it compiles: the second
// derivation reuses each (certificate, issuer) verdict, failures included,
// and a certificate checked under two issuers gets each issuer's verdict.
func TestChainSignatureVerdictReused(t *testing.T) {
	p := &pki{t: t, keys: map[string]*ecdsa.PrivateKey{}}
	root := p.cert("root", "root", true)
	forged := p.certSignedBy("inter", "root", "other", true)
	// Another "root", with the key that did sign forged.
	p.keys["root"] = p.key("other")
	otherRoot := p.cert("root", "root", true)

	derive := func(files ...[]byte) string {
		c := &model.Chain{Name: "c"}
		for i, f := range files {
			c.Certs = append(c.Certs, model.Material{File: model.Value[string]{V: string(rune('a'+i)) + ".pem"}, Bytes: f})
		}
		var got []string
		for _, e := range errors.Errors(chain(c, "ca")) {
			got = append(got, e.Error())
		}
		return strings.Join(got, "\n")
	}
	const refused = `material: chain "c": certificate 0 (CN=inter,O=example) does not verify under certificate 1 (CN=root,O=example): x509: ECDSA verification failure`
	for _, tc := range []struct {
		name  string
		files [][]byte
		want  string
	}{
		{"forged, first", [][]byte{forged, root}, refused},
		{"forged, again", [][]byte{forged, root}, refused},
		{"under the root that signed it", [][]byte{forged, otherRoot}, ""},
		{"forged, once more", [][]byte{forged, root}, refused},
	} {
		if diff := cmp.Diff(tc.want, derive(tc.files...)); diff != "" {
			t.Errorf("%s: chain errors (-want +got):\n%s", tc.name, diff)
		}
	}
}

// TestVerifyChain asks the same verification with other usages and times
// in between: each answer is its own arguments', whether asked first or
// again.
func TestVerifyChain(t *testing.T) {
	p := &pki{t: t, keys: map[string]*ecdsa.PrivateKey{}}
	parse := func(der []byte) *x509.Certificate {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	b, _ := pem.Decode(p.cert("root", "root", true))
	root := parse(b.Bytes)
	// A code-signing leaf: a CA chain's, never a TSA's.
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(9),
		Subject:      pkix.Name{CommonName: "leaf"},
		NotBefore:    root.NotBefore,
		NotAfter:     root.NotAfter,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, root, p.key("leaf").Public(), p.key("root"))
	if err != nil {
		t.Fatal(err)
	}
	certs := []*x509.Certificate{parse(der), root}
	in2026 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	in2024 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	const (
		usage   = "x509: certificate specifies an incompatible key usage"
		expired = "x509: certificate has expired or is not yet valid: current time 2024-01-01T00:00:00Z is before 2025-01-01T00:00:00Z"
	)
	for _, tc := range []struct {
		kind   string
		at     time.Time
		want   string
		listed bool
	}{
		{"ca", in2026, "", true},
		{"tsa", in2026, usage, false},
		{"ca", in2024, expired, false},
		{"ca", in2026, "", true},
		{"tsa", in2026, usage, false},
		{"ca", in2026.In(time.FixedZone("east", 3600)), "", true},
	} {
		listed, err := VerifyChain(tc.kind, certs, tc.at)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.want || listed != tc.listed {
			t.Errorf("VerifyChain(%s, %s) = %v, %q; want %v, %q", tc.kind, tc.at, listed, got, tc.listed, tc.want)
		}
	}
}

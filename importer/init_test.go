package importer_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trustc-dev/trustc/compiler"
	"github.com/trustc-dev/trustc/importer"
	"github.com/trustc-dev/trustc/internal/certtest"
	"github.com/trustc-dev/trustc/internal/refdata"
)

// material is a private instance's keys and certificates, made fresh for
// each test: nothing the tests pin depends on their bytes.
type material struct {
	fulcioChain, tsaChain, rootFirst []byte
	rekor, rekorV2, ctfe, private    []byte
}

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func newMaterial(t *testing.T) material {
	t.Helper()
	key := func() *ecdsa.PrivateKey {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	serial := int64(0)
	cert := func(cn string, isCA bool, pub crypto.PublicKey, parent *x509.Certificate, signer crypto.Signer) *x509.Certificate {
		serial++
		tmpl := &x509.Certificate{
			SerialNumber:          big.NewInt(serial),
			Subject:               pkix.Name{Organization: []string{"example.com"}, CommonName: cn},
			NotBefore:             day("2025-01-01"),
			NotAfter:              day("2035-01-01"),
			IsCA:                  isCA,
			BasicConstraintsValid: true,
		}
		if isCA {
			tmpl.KeyUsage = x509.KeyUsageCertSign
		} else {
			tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping}
		}
		return certtest.Issue(t, tmpl, parent, pub, signer)
	}
	chain := func(certs ...*x509.Certificate) []byte {
		var b []byte
		for _, c := range certs {
			b = append(b, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
		}
		return b
	}
	pub := func(k crypto.PublicKey) []byte {
		der, err := x509.MarshalPKIXPublicKey(k)
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	}

	rootKey, interKey, tsaRootKey, tsaKey := key(), key(), key(), key()
	root := cert("example-root", true, rootKey.Public(), nil, rootKey)
	inter := cert("example-intermediate", true, interKey.Public(), root, rootKey)
	tsaRoot := cert("example-tsa-root", true, tsaRootKey.Public(), nil, tsaRootKey)
	tsaLeaf := cert("example-tsa", false, tsaKey.Public(), tsaRoot, tsaRootKey)
	edPub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := x509.MarshalPKCS8PrivateKey(key())
	if err != nil {
		t.Fatal(err)
	}
	return material{
		fulcioChain: chain(inter, root),
		rootFirst:   chain(root, inter),
		tsaChain:    chain(tsaLeaf, tsaRoot),
		rekor:       pub(key().Public()),
		rekorV2:     pub(edPub),
		ctfe:        pub(key().Public()),
		private:     pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: priv}),
	}
}

func privateSpec(m material) importer.Spec {
	return importer.Spec{
		Env:      "private",
		Operator: "example.com",
		Fulcio: []importer.ChainSpec{{
			Flag: "-fulcio https://fulcio.example.com", URL: "https://fulcio.example.com",
			Chain: importer.Input{Name: "fulcio.pem", Data: m.fulcioChain},
		}},
		TSA: []importer.ChainSpec{{
			Flag: "-tsa https://tsa.example.com/api/v1/timestamp", URL: "https://tsa.example.com/api/v1/timestamp",
			Chain: importer.Input{Name: "tsa.pem", Data: m.tsaChain}, Start: day("2025-03-01"),
		}},
		Rekor: []importer.LogSpec{{
			Flag: "-rekor https://rekor.example.com", URL: "https://rekor.example.com",
			Key: importer.Input{Name: "rekor.pub", Data: m.rekor}, Start: day("2025-01-01"),
		}, {
			Flag: "-rekor https://log2025-1.rekor.example.com", URL: "https://log2025-1.rekor.example.com",
			Key: importer.Input{Name: "log2025-1.pub", Data: m.rekorV2}, Start: day("2025-06-01"), API: 2,
		}},
		CTFE: []importer.LogSpec{{
			Flag: "-ctfe https://ctfe.example.com/2025", URL: "https://ctfe.example.com/2025",
			Key: importer.Input{Name: "ctfe.pub", Data: m.ctfe}, Start: day("2025-01-01"),
		}},
		OIDC: []importer.OIDCSpec{{Flag: "-oidc https://oauth2.example.com/auth", URL: "https://oauth2.example.com/auth"}},
	}
}

// TestInit creates a private instance from keys and certificates and
// checks what it writes (testdata/init.txtar) and what that compiles to.
func TestInit(t *testing.T) {
	m := newMaterial(t)
	res, err := importer.Init(refdata.ModuleRoot(t), privateSpec(m))
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "init", res.Files)
	out, err := compiler.Compile(compiler.Dir(repo(t, "private", res.Files), "private"), compiler.Options{})
	if err != nil {
		t.Fatal(err)
	}
	env := out.Release.Env("private")
	var got []string
	for _, l := range env.TrustedRoot.Msg.GetTlogs() {
		got = append(got, "tlog "+l.GetBaseUrl()+" "+l.GetPublicKey().GetKeyDetails().String())
	}
	for _, l := range env.TrustedRoot.Msg.GetCtlogs() {
		got = append(got, "ctlog "+l.GetBaseUrl())
	}
	for _, a := range env.TrustedRoot.Msg.GetCertificateAuthorities() {
		got = append(got, "ca "+a.GetUri()+" "+a.GetSubject().GetCommonName())
	}
	for _, a := range env.TrustedRoot.Msg.GetTimestampAuthorities() {
		got = append(got, "tsa "+a.GetUri()+" "+a.GetSubject().GetCommonName())
	}
	sc := env.SigningConfig("signing_config.v0.2.json").Msg
	for _, s := range sc.GetRekorTlogUrls() {
		got = append(got, "sign rekor "+s.GetUrl()+" "+s.GetValidFor().GetStart().AsTime().Format(time.DateOnly))
	}
	for _, s := range append(append(sc.GetCaUrls(), sc.GetOidcUrls()...), sc.GetTsaUrls()...) {
		got = append(got, "sign "+s.GetUrl()+" "+s.GetValidFor().GetStart().AsTime().Format(time.DateOnly)+" "+s.GetOperator())
	}
	want := []string{
		"tlog https://rekor.example.com PKIX_ECDSA_P256_SHA_256",
		"tlog https://log2025-1.rekor.example.com PKIX_ED25519",
		"ctlog https://ctfe.example.com/2025",
		"ca https://fulcio.example.com example-root",
		"tsa https://tsa.example.com/api/v1/timestamp example-tsa-root",
		// Newest first, as protobuf-specs asks.
		"sign rekor https://log2025-1.rekor.example.com 2025-06-01",
		"sign rekor https://rekor.example.com 2025-01-01",
		// The CA starts at its root's NotBefore, the OIDC provider with it.
		"sign https://fulcio.example.com 2025-01-01 example.com",
		"sign https://oauth2.example.com/auth 2025-01-01 example.com",
		"sign https://tsa.example.com/api/v1/timestamp 2025-03-01 example.com",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("compiled (-want +got):\n%s", diff)
	}
}

// TestInitBadSpec checks that each mistake in the flags is named by its
// flag, with every mistake reported at once.
func TestInitBadSpec(t *testing.T) {
	m := newMaterial(t)
	for _, tc := range []struct {
		name string
		edit func(s *importer.Spec)
		want string
	}{{
		name: "no operator, no services",
		edit: func(s *importer.Spec) { *s = importer.Spec{Env: "private"} },
		want: "-operator: missing; name who runs these services, as a scheme-less URI such as example.com\n" +
			"trustc init: no services: give at least one of -fulcio, -rekor, -ctfe and -tsa",
	}, {
		name: "private key",
		edit: func(s *importer.Spec) { s.Rekor[0].Key.Data = m.private },
		want: `-rekor https://rekor.example.com: public-key: material: rekor.pub holds a private key (PEM "PRIVATE KEY"): only public material belongs under environments/; delete it, and rotate the key if it was ever committed`,
	}, {
		name: "chain root first",
		edit: func(s *importer.Spec) { s.Fulcio[0].Chain.Data = m.rootFirst },
		want: "-fulcio https://fulcio.example.com: certificate-chain: fulcio.pem: certificate 1 is not issued by certificate 2 (x509: ECDSA verification failure); list the chain leaf-most first, trust anchor last",
	}, {
		name: "TSA chain without its leaf",
		edit: func(s *importer.Spec) { s.TSA[0].Chain.Data = m.fulcioChain },
		want: "-tsa https://tsa.example.com/api/v1/timestamp: certificate-chain: tsa.pem starts with a CA certificate; a TSA chain starts with the TSA's own (leaf) certificate",
	}, {
		name: "Fulcio chain with a leaf",
		edit: func(s *importer.Spec) { s.Fulcio[0].Chain.Data = m.tsaChain },
		want: "-fulcio https://fulcio.example.com: certificate-chain: fulcio.pem starts with a certificate that is not a CA; a Fulcio chain starts with the CA that issues signing certificates and leaves out any leaf",
	}, {
		name: "window, origin, URL and start",
		edit: func(s *importer.Spec) {
			s.CTFE[0].End = day("2024-01-01")
			s.Rekor[1].Origin = "log2025-1.rekor.example.com/api"
			s.Rekor[0].URL = "rekor.example.com"
			s.Rekor[1].Start = time.Time{}
		},
		want: "-rekor https://rekor.example.com: url: \"rekor.example.com\" is not an absolute URL\n" +
			"-rekor https://log2025-1.rekor.example.com: start-time: missing; say from when clients trust this log's key\n" +
			"-rekor https://log2025-1.rekor.example.com: origin: \"log2025-1.rekor.example.com/api\" differs from \"log2025-1.rekor.example.com\", the origin trustc derives from url (a Rekor v2 log's origin is its URL without the scheme); leave origin out\n" +
			"-ctfe https://ctfe.example.com/2025: end-time: 2024-01-01T00:00:00Z is before start-time 2025-01-01T00:00:00Z",
	}, {
		name: "one URL, two API versions",
		edit: func(s *importer.Spec) {
			s.Fulcio = append(s.Fulcio, s.Fulcio[0])
			s.Fulcio[1].API = 2
		},
		want: "https://fulcio.example.com: api-version: given as 1 and as 2; one service has one API version",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			s := privateSpec(m)
			tc.edit(&s)
			_, err := importer.Init(refdata.ModuleRoot(t), s)
			var list *importer.InputError
			if !errors.As(err, &list) {
				t.Fatalf("got %v, want an importer.InputError", err)
			}
			if diff := cmp.Diff(strings.Split(tc.want, "\n"), strings.Split(err.Error(), "\n")); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

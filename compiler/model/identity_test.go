package model

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"testing"
	"time"

	"github.com/trustc-dev/trustc/internal/certtest"
)

// testChain returns a root, an intermediate it issued and a leaf the
// intermediate issued, in that order.
func testChain(t *testing.T, name string) (root, inter, leaf *x509.Certificate) {
	t.Helper()
	mk := func(cn string, ca bool, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		tmpl := &x509.Certificate{
			SerialNumber:          big.NewInt(1),
			Subject:               pkix.Name{CommonName: name + " " + cn},
			NotBefore:             time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
			NotAfter:              time.Date(2034, 1, 1, 0, 0, 0, 0, time.UTC),
			IsCA:                  ca,
			BasicConstraintsValid: true,
		}
		if parent == nil {
			parentKey = k
		}
		return certtest.Issue(t, tmpl, parent, k.Public(), parentKey), k
	}
	root, rk := mk("root", true, nil, nil)
	inter, ik := mk("intermediate", true, root, rk)
	leaf, _ = mk("leaf", false, inter, ik)
	return root, inter, leaf
}

func TestCompareChains(t *testing.T) {
	root, inter, leaf := testChain(t, "a")
	otherRoot, otherInter, otherLeaf := testChain(t, "b")
	tests := []struct {
		name string
		a, b []*x509.Certificate
		want ChainMatch
	}{
		{"same", []*x509.Certificate{leaf, inter, root}, []*x509.Certificate{leaf, inter, root}, ChainSame},
		// production v6 → v7: the root-first Fulcio chain put leaf first.
		{"reordered root first to leaf first", []*x509.Certificate{root, inter}, []*x509.Certificate{inter, root}, ChainReordered},
		{"reordered middle", []*x509.Certificate{leaf, inter, root}, []*x509.Certificate{leaf, root, inter}, ChainReordered},
		{"root dropped, same leaf", []*x509.Certificate{leaf, inter, root}, []*x509.Certificate{leaf, inter}, ChainChanged},
		{"intermediate added, same leaf listed last", []*x509.Certificate{leaf, root}, []*x509.Certificate{root, inter, leaf}, ChainChanged},
		{"other chain", []*x509.Certificate{leaf, inter, root}, []*x509.Certificate{otherLeaf, otherInter, otherRoot}, ChainDifferent},
		// Near miss: same root, other leaf is another entry.
		{"same root, other leaf", []*x509.Certificate{inter, root}, []*x509.Certificate{leaf, root}, ChainDifferent},
		{"empty", nil, []*x509.Certificate{leaf}, ChainDifferent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CompareChains(tt.a, tt.b); got != tt.want {
				t.Errorf("CompareChains = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestLeafAndOrder(t *testing.T) {
	root, inter, leaf := testChain(t, "a")
	tests := []struct {
		name      string
		certs     []*x509.Certificate
		leaf      *x509.Certificate
		leafFirst bool
	}{
		{"leaf first", []*x509.Certificate{leaf, inter, root}, leaf, true},
		{"root first", []*x509.Certificate{root, inter, leaf}, leaf, false},
		{"shuffled", []*x509.Certificate{inter, leaf, root}, leaf, false},
		{"two, root first", []*x509.Certificate{root, inter}, inter, false},
		{"self-signed alone", []*x509.Certificate{root}, root, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Leaf(tt.certs); got != tt.leaf {
				t.Errorf("Leaf = %s, want %s", got.Subject, tt.leaf.Subject)
			}
			if got := LeafFirst(tt.certs); got != tt.leafFirst {
				t.Errorf("LeafFirst = %v, want %v", got, tt.leafFirst)
			}
		})
	}
}

func TestLogIdentity(t *testing.T) {
	k1, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	k2, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	spki := func(k *ecdsa.PrivateKey) []byte {
		b, err := x509.MarshalPKIXPublicKey(k.Public())
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	base := LogIdentity(spki(k1), "https://rekor.sigstore.dev")
	tests := []struct {
		name string
		id   Identity
		same bool
	}{
		{"same key and url", LogIdentity(spki(k1), "https://rekor.sigstore.dev"), true},
		{"trailing slash and case", LogIdentity(spki(k1), "HTTPS://Rekor.Sigstore.dev/"), true},
		{"other key", LogIdentity(spki(k2), "https://rekor.sigstore.dev"), false},
		{"other url", LogIdentity(spki(k1), "https://log2025-1.rekor.sigstore.dev"), false},
		{"path case matters", LogIdentity(spki(k1), "https://rekor.sigstore.dev/A"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.id == base; got != tt.same {
				t.Errorf("same = %v, want %v", got, tt.same)
			}
		})
	}
}

func TestKeySPKI(t *testing.T) {
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	spki, err := x509.MarshalPKIXPublicKey(&rk.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	pkcs1 := x509.MarshalPKCS1PublicKey(&rk.PublicKey)
	if got := KeySPKI(pkcs1); string(got) != string(spki) {
		t.Error("KeySPKI(PKCS#1) is not the key's SPKI")
	}
	if got := KeySPKI(spki); string(got) != string(spki) {
		t.Error("KeySPKI(SPKI) changed it")
	}
	junk := []byte("not a key")
	if got := KeySPKI(junk); string(got) != string(junk) {
		t.Error("KeySPKI(junk) changed it")
	}
	// A PKCS#1 and an SPKI publication of one key are one log.
	if LogIdentity(KeySPKI(pkcs1), "https://ctfe.sigstage.dev") != LogIdentity(KeySPKI(spki), "https://ctfe.sigstage.dev") {
		t.Error("PKCS#1 and SPKI forms of one key are different logs")
	}
}

func TestChainIdentityIsASet(t *testing.T) {
	root, inter, leaf := testChain(t, "a")
	a := ChainIdentity([][]byte{leaf.Raw, inter.Raw, root.Raw})
	b := ChainIdentity([][]byte{root.Raw, leaf.Raw, inter.Raw})
	if a != b {
		t.Error("reordered chain has another identity")
	}
	if a == ChainIdentity([][]byte{leaf.Raw, inter.Raw}) {
		t.Error("a chain without its root has the same identity")
	}
	c := &Chain{Certificates: []*x509.Certificate{inter, root}}
	if c.Identity() != ChainIdentity([][]byte{root.Raw, inter.Raw}) {
		t.Error("Chain.Identity differs from ChainIdentity")
	}
	if (&Chain{}).Identity() != (Identity{}) {
		t.Error("underived chain has an identity")
	}
}

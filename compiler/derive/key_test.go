package derive

import (
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"testing"

	"github.com/trustc-dev/trustc/compiler/model"
)

func spkiPEM(t *testing.T, k crypto.PublicKey) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func x25519Pub(t *testing.T) crypto.PublicKey {
	t.Helper()
	k, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k.PublicKey()
}

func TestPublicKeyDetails(t *testing.T) {
	ec := func(c elliptic.Curve) crypto.PublicKey {
		k, err := ecdsa.GenerateKey(c, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		return k.Public()
	}
	rsaKey := func(bits int) *rsa.PublicKey {
		k, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			t.Fatal(err)
		}
		return &k.PublicKey
	}
	edPub, _, _ := ed25519.GenerateKey(rand.Reader)
	rsa2048 := rsaKey(2048)
	for _, tc := range []struct {
		name    string
		pem     []byte
		want    string
		wantErr string
	}{
		{"P-256", spkiPEM(t, ec(elliptic.P256())), "PKIX_ECDSA_P256_SHA_256", ""},
		{"P-384", spkiPEM(t, ec(elliptic.P384())), "PKIX_ECDSA_P384_SHA_384", ""},
		{"P-521", spkiPEM(t, ec(elliptic.P521())), "PKIX_ECDSA_P521_SHA_512", ""},
		{"Ed25519", spkiPEM(t, edPub), "PKIX_ED25519", ""},
		{"RSA 2048 SPKI", spkiPEM(t, rsa2048), "PKIX_RSA_PKCS1V15_2048_SHA256", ""},
		{"RSA 2048 PKCS#1", pem.EncodeToMemory(&pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(rsa2048)}), "PKCS1_RSA_PKCS1V5", ""},
		{"RSA 1024", spkiPEM(t, rsaKey(1024)), "", "material: k.pub: 1024-bit RSA key: Sigstore clients support 2048, 3072 and 4096 bits"},
		{"P-224", spkiPEM(t, ec(elliptic.P224())), "", "material: k.pub: ECDSA curve P-224 is not one Sigstore clients support (P-256, P-384, P-521)"},
		// crypto/x509 parses an X25519 SPKI as *ecdh.PublicKey, a Go type
		// name that once reached the message.
		{"X25519", spkiPEM(t, x25519Pub(t)), "", "material: k.pub: an X25519 key is no key Sigstore clients verify with (ECDSA P-256, P-384 or P-521, Ed25519, RSA)"},
		{"two blocks", append(spkiPEM(t, edPub), spkiPEM(t, edPub)...), "", "k.pub holds 2 PEM blocks; want exactly one PUBLIC KEY"},
		{"certificate", []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), "", `k.pub holds a PEM "CERTIFICATE" block; want PUBLIC KEY or RSA PUBLIC KEY`},
		{"trailing garbage", append(spkiPEM(t, edPub), "junk"...), "", "k.pub has data after its last PEM block; a file may hold only PEM blocks"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := model.Material{File: model.Value[string]{V: "k.pub"}, Bytes: tc.pem}
			pk, err := PublicKey(m)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if pk.Details != tc.want {
				t.Errorf("details = %s, want %s", pk.Details, tc.want)
			}
			if _, err := x509.ParsePKIXPublicKey(pk.SPKI); err != nil {
				t.Errorf("SPKI does not parse: %v", err)
			}
		})
	}
}

// FuzzPublicKey feeds arbitrary bytes to the key parser: errors, never
// panics. Seeds are the real published keys.
func FuzzPublicKey(f *testing.F) {
	for _, s := range []string{
		"-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2G2Y+2tabdTV5BcGiBIx0a9fAFwrkBbmLSGtks4L3qX6yYY0zufBnhC8Ur/iy55GhWP/9A/bY2LhC30M9+RYtw==\n-----END PUBLIC KEY-----\n",
		"-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAt8rlp1knGwjfbcXAYPYAkn0XiLz1x8O4t0YkEhie244=\n-----END PUBLIC KEY-----\n",
		"-----BEGIN RSA PUBLIC KEY-----\nMAgCAQMCAwEAAQ==\n-----END RSA PUBLIC KEY-----\n",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m := model.Material{File: model.Value[string]{V: "k.pub"}, Bytes: b}
		pk, err := PublicKey(m)
		if err == nil && pk != nil {
			if err := fillLogID(pk, 2, model.Value[string]{V: "https://log.example"}); err != nil {
				t.Fatal(err)
			}
			if len(pk.LogID) != 32 {
				t.Fatalf("log id has %d bytes", len(pk.LogID))
			}
		}
	})
}

// FuzzChain does the same for certificate chains.
func FuzzChain(f *testing.F) {
	f.Add([]byte("-----BEGIN CERTIFICATE-----\nMIIB+DCCAX6gAwIBAgITNVkDZoCiofPDsy7dfm6geLbuhzAKBggqhkjOPQQDAzAqMRUwEwYDVQQKEwxzaWdzdG9yZS5kZXYxETAPBgNVBAMTCHNpZ3N0b3JlMB4XDTIxMDMwNzAzMjAyOVoXDTMxMDIyMzAzMjAyOVowKjEVMBMGA1UEChMMc2lnc3RvcmUuZGV2MREwDwYDVQQDEwhzaWdzdG9yZTB2MBAGByqGSM49AgEGBSuBBAAiA2IABLSyA7Ii5k+pNO8ZEWY0ylemWDowOkNa3kL+GZE5Z5GWehL9/A9bRNA3RbrsZ5i0JcastaRL7Sp5fp/jD5dxqc/UdTVnlvS16an+2Yfswe/QuLolRUCrcOE2+2iA5+tzd6NmMGQwDgYDVR0PAQH/BAQDAgEGMBIGA1UdEwEB/wQIMAYBAf8CAQEwHQYDVR0OBBYEFMjFHQBBmiQpMlEk6w2uSu1KBtPsMB8GA1UdIwQYMBaAFMjFHQBBmiQpMlEk6w2uSu1KBtPsMAoGCCqGSM49BAMDA2gAMGUCMH8liWJfMui6vXXBhjDgY4MwslmN/TJxVe/83WrFomwmNf056y1X48F9c4m3a3ozXAIxAKjRay5/aj/jsKKGIkmQatjI8uupHr/+CxFvaJWmpYqNkLDGRU+9orzh5hI2RrcuaQ==\n-----END CERTIFICATE-----\n"))
	f.Add([]byte("junk"))
	// A real two-certificate chain, so that the order checks (issuer,
	// signature, self-signed anchor, duplicates) see more than one.
	var two []byte
	for _, name := range []string{"fulcio_intermediate_v1.crt.pem", "fulcio_v1.crt.pem"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "environments", "production", name))
		if err != nil {
			f.Fatal(err)
		}
		two = append(two, b...)
	}
	f.Add(two)
	f.Fuzz(func(t *testing.T, b []byte) {
		c := &model.Chain{Name: "x", Certs: []model.Material{{File: model.Value[string]{V: "c.pem"}, Bytes: b}}}
		if err := chain(c, "ca"); err == nil && len(c.Certificates) == 0 {
			t.Fatal("no error and no certificates")
		}
	})
}

package privkey

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// keys returns DER private keys in each form x509 reads, and a public key.
func keys(t testing.TB) (pkcs8EC, sec1, pkcs1, pkcs8Ed, spki []byte) {
	t.Helper()
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if pkcs8EC, err = x509.MarshalPKCS8PrivateKey(ec); err != nil {
		t.Fatal(err)
	}
	if sec1, err = x509.MarshalECPrivateKey(ec); err != nil {
		t.Fatal(err)
	}
	r, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pkcs1 = x509.MarshalPKCS1PrivateKey(r)
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if pkcs8Ed, err = x509.MarshalPKCS8PrivateKey(ed); err != nil {
		t.Fatal(err)
	}
	if spki, err = x509.MarshalPKIXPublicKey(&ec.PublicKey); err != nil {
		t.Fatal(err)
	}
	return
}

func armour(typ string, der []byte) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}))
}

// body is der as a PEM body: base64 in lines of 64.
func body(der []byte) string {
	s := armour("X", der)
	s = strings.TrimPrefix(s, "-----BEGIN X-----\n")
	return strings.TrimSuffix(s, "-----END X-----\n")
}

func TestFind(t *testing.T) {
	pkcs8EC, sec1, pkcs1, pkcs8Ed, spki := keys(t)
	pub := armour("PUBLIC KEY", spki)
	for _, tc := range []struct {
		name string
		in   string
		want *Finding // nil: none
	}{
		{"public key", pub, nil},
		{"empty", "", nil},
		{"cue", "package x\n\n// Keep the private key elsewhere.\nkey: \"signer.pub\"\n", nil},
		{"public base64 line", "key: \"" + base64.StdEncoding.EncodeToString(spki) + "\"\n", nil},
		{"PKCS#8 PEM", pub + armour("PRIVATE KEY", pkcs8EC), &Finding{len(pub), `a PEM "PRIVATE KEY" block`}},
		{"SEC1 PEM", armour("EC PRIVATE KEY", sec1), &Finding{0, `a PEM "EC PRIVATE KEY" block`}},
		{"encrypted", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n", &Finding{0, `a PEM "ENCRYPTED PRIVATE KEY" block`}},
		{"OpenSSH", "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn\n", &Finding{0, `a PEM "OPENSSH PRIVATE KEY" block`}},
		{"bad dashes", "----BEGIN RSA PRIVATE KEY---\n" + body(pkcs1), &Finding{0, `a PEM "RSA PRIVATE KEY" block`}},
		{"lower case", "x\n-----begin private key-----\n", &Finding{2, `a PEM "private key" block`}},
		{"bad END line then public key",
			strings.Replace(armour("PRIVATE KEY", pkcs8Ed), "-----END PRIVATE KEY-----", "-----END PRIVATE KEY----", 1) + pub,
			&Finding{0, `a PEM "PRIVATE KEY" block`}},
		{"PKCS#8 labelled PUBLIC KEY", pub + armour("PUBLIC KEY", pkcs8EC),
			&Finding{len(pub), `the contents of a PEM "PUBLIC KEY" block`}},
		{"unarmoured body", "comment\n" + body(pkcs8EC), &Finding{8, "base64 text"}},
		{"unarmoured body then public key", body(pkcs1) + pub, &Finding{0, "base64 text"}},
		{"one-line base64 in CUE", "key: \"" + base64.StdEncoding.EncodeToString(sec1) + "\"\n",
			&Finding{0, "base64 text"}},
		{"unpadded base64", base64.RawStdEncoding.EncodeToString(pkcs8Ed) + "\n",
			&Finding{0, "base64 text"}},
		{"DER", string(pkcs8EC), &Finding{0, "DER"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, ok := Find([]byte(tc.in))
			var got *Finding
			if ok {
				got = &f
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Find (-want +got):\n%s", diff)
			}
		})
	}
}

// TestFindNoneInEnvironments finds no private key in the repository's
// real environments, whose certificates and keys are all public.
func TestFindNoneInEnvironments(t *testing.T) {
	files, err := filepath.Glob("../../environments/*/*")
	if err != nil || len(files) == 0 {
		t.Fatalf("no environment files: %v", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if f, ok := Find(b); ok {
			t.Errorf("%s: found %s at offset %d", name, f.What, f.Offset)
		}
	}
}

func FuzzFind(f *testing.F) {
	pkcs8EC, sec1, pkcs1, _, spki := keys(f)
	for _, s := range []string{
		armour("PUBLIC KEY", spki), armour("PRIVATE KEY", pkcs8EC), body(sec1), string(pkcs1),
		"key: \"" + base64.StdEncoding.EncodeToString(sec1) + "\"\n", "-----BEGIN", "\n\n=",
	} {
		f.Add([]byte(s))
	}
	if files, _ := filepath.Glob("../../environments/*/*"); len(files) > 0 {
		for _, name := range files {
			if b, err := os.ReadFile(name); err == nil {
				f.Add(b)
			}
		}
	}
	key := []byte("\n" + armour("PRIVATE KEY", pkcs8EC))
	f.Fuzz(func(t *testing.T, b []byte) {
		fd, ok := Find(b)
		if ok && (fd.Offset < 0 || fd.Offset > len(b) || fd.What == "") {
			t.Errorf("Find = %+v for %d bytes", fd, len(b))
		}
		// Nothing before a key hides it.
		if _, ok := Find(append(b[:len(b):len(b)], key...)); !ok {
			t.Errorf("Find missed a PEM private key after %q", b)
		}
	})
}

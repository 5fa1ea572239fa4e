package tufrepo

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The PEM files in testdata are throwaway keys made with openssl genpkey for
// these tests; they sign nothing outside them.

func TestLoadSigner(t *testing.T) {
	for _, tc := range []struct {
		file    string
		want    string // %T of the public key, or the error
		wantErr bool
	}{
		{file: "ed25519.pem", want: "ed25519.PublicKey"},
		{file: "ecdsa-p256.pem", want: "*ecdsa.PublicKey"},
		{file: "ecdsa-p384.pem", wantErr: true, want: "read signer testdata/ecdsa-p384.pem: parse key: ECDSA curve P-384: only P-256 (ecdsa-sha2-nistp256) is supported"},
		{file: "rsa.pem", wantErr: true, want: "read signer testdata/rsa.pem: parse key: RSA 2048-bit key: want Ed25519 or ECDSA P-256"},
		{file: "ecdsa-p256-sec1.pem", wantErr: true, want: `read signer testdata/ecdsa-p256-sec1.pem: parse key: PEM block is "EC PRIVATE KEY", want "PRIVATE KEY" (PKCS#8)`},
		{file: "missing.pem", wantErr: true, want: "read signer: open testdata/missing.pem: no such file or directory"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			s, err := LoadSigner(filepath.Join("testdata", tc.file))
			var got string
			switch {
			case err != nil:
				got = err.Error()
			default:
				got = typeName(s.Public())
			}
			if (err != nil) != tc.wantErr {
				t.Fatalf("LoadSigner error = %v, want error %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func typeName(pub crypto.PublicKey) string {
	switch pub.(type) {
	case ed25519.PublicKey:
		return "ed25519.PublicKey"
	case *ecdsa.PublicKey:
		return "*ecdsa.PublicKey"
	}
	return "other"
}

func TestParseSignerErrors(t *testing.T) {
	p256, err := os.ReadFile(filepath.Join("testdata", "ecdsa-p256.pem"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"empty", nil, "parse key: no PEM block"},
		{"two blocks", append(append([]byte{}, p256...), p256...), "parse key: more than one PEM block"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseSigner(tc.in)
			got := fmt.Sprint(err) // "<nil>" for none
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestMarshalSignerRoundTrip(t *testing.T) {
	gen, err := GenerateSigners()
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]crypto.Signer{"generated": gen.Root[0], "p256": loadSigner(t, "ecdsa-p256.pem")} {
		t.Run(name, func(t *testing.T) {
			b, err := MarshalSigner(s)
			if err != nil {
				t.Fatal(err)
			}
			back, err := ParseSigner(b)
			if err != nil {
				t.Fatal(err)
			}
			_, wantID, _ := keyOf(s)
			_, gotID, _ := keyOf(back)
			if wantID != gotID {
				t.Errorf("key ID after round trip = %s, want %s", gotID, wantID)
			}
		})
	}
}

func TestGenerateSignersDistinct(t *testing.T) {
	s, err := GenerateSigners()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, role := range [][]crypto.Signer{s.Root, s.Targets, s.Snapshot, s.Timestamp} {
		if len(role) != 1 {
			t.Fatalf("%d signers for a role, want 1", len(role))
		}
		_, id, err := keyOf(role[0])
		if err != nil {
			t.Fatal(err)
		}
		if seen[id] {
			t.Errorf("key %s shared between roles", id)
		}
		seen[id] = true
	}
}

func loadSigner(t testing.TB, file string) crypto.Signer {
	t.Helper()
	s, err := LoadSigner(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// FuzzParseSigner feeds key files to the parser: it must return an error or
// a usable signer, never panic.
func FuzzParseSigner(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.pem"))
	if err != nil {
		f.Fatal(err)
	}
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseSigner(b)
		if err != nil {
			return
		}
		if _, _, err := keyOf(s); err != nil {
			t.Errorf("ParseSigner accepted a key keyOf rejects: %v", err)
		}
	})
}

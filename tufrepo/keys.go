package tufrepo

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"

	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/trustc-dev/trustc/internal/keykind"
	"github.com/trustc-dev/trustc/internal/safefile"
)

// Signers holds the keys that sign each top-level role. Every key of a
// role signs it and is listed in root.json for it.
type Signers struct {
	Root, Targets, Snapshot, Timestamp []crypto.Signer
}

// GenerateSigners returns a fresh Ed25519 key for each role, for test rigs
// and local mirrors whose root nobody else has to trust.
func GenerateSigners() (Signers, error) {
	var s Signers
	for _, role := range []*[]crypto.Signer{&s.Root, &s.Targets, &s.Snapshot, &s.Timestamp} {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return Signers{}, fmt.Errorf("generate ed25519 key: %w", err)
		}
		*role = []crypto.Signer{priv}
	}
	return s, nil
}

// LoadSigner reads an unencrypted PKCS#8 "PRIVATE KEY" PEM file holding an
// Ed25519 or ECDSA P-256 key.
func LoadSigner(path string) (crypto.Signer, error) {
	b, err := safefile.ReadFile(path, safefile.MaxPEM)
	if err != nil {
		return nil, fmt.Errorf("read signer: %w", err)
	}
	s, err := ParseSigner(b)
	if err != nil {
		return nil, fmt.Errorf("read signer %s: %w", path, err)
	}
	return s, nil
}

// ParseSigner parses what LoadSigner reads.
func ParseSigner(pemBytes []byte) (crypto.Signer, error) {
	block, rest := pem.Decode(pemBytes)
	if block == nil {
		return nil, fmt.Errorf("parse key: no PEM block")
	}
	if block.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("parse key: PEM block is %q, want \"PRIVATE KEY\" (PKCS#8)", block.Type)
	}
	if b, _ := pem.Decode(rest); b != nil {
		return nil, fmt.Errorf("parse key: more than one PEM block")
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("parse key: %w", err)
	}
	s, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("parse key: an %s cannot sign; want Ed25519 or ECDSA P-256", keykind.Of(key))
	}
	if err := checkKey(s.Public()); err != nil {
		return nil, fmt.Errorf("parse key: %w", err)
	}
	return s, nil
}

// MarshalSigner encodes an Ed25519 or ECDSA P-256 private key as the
// PKCS#8 PEM that LoadSigner reads, so a generated test rig can be kept.
func MarshalSigner(s crypto.Signer) ([]byte, error) {
	if err := checkKey(s.Public()); err != nil {
		return nil, fmt.Errorf("marshal key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(s)
	if err != nil {
		return nil, fmt.Errorf("marshal key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// checkKey admits the key types TUF metadata can name unambiguously.
// go-tuf labels every ECDSA key ecdsa-sha2-nistp256, so a P-384 key would be
// listed under the wrong scheme and its signatures would never verify.
func checkKey(pub crypto.PublicKey) error {
	switch k := pub.(type) {
	case ed25519.PublicKey:
		return nil
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return fmt.Errorf("ECDSA curve %s: only P-256 (ecdsa-sha2-nistp256) is supported", k.Curve.Params().Name)
		}
		return nil
	default:
		return fmt.Errorf("%s: want Ed25519 or ECDSA P-256", keykind.Of(pub))
	}
}

// keyOf returns the TUF key entry and key ID for a signer.
func keyOf(s crypto.Signer) (*metadata.Key, string, error) {
	if err := checkKey(s.Public()); err != nil {
		return nil, "", err
	}
	k, err := metadata.KeyFromPublicKey(s.Public())
	if err != nil {
		return nil, "", fmt.Errorf("convert public key: %w", err)
	}
	id, err := k.ID()
	if err != nil {
		return nil, "", fmt.Errorf("compute key ID: %w", err)
	}
	return k, id, nil
}

// tufSigner adapts a crypto.Signer to the sigstore signature.Signer that
// go-tuf's Metadata.Sign takes. It exists for determinism: sigstore's own
// ECDSA signer always draws a random nonce, while crypto/ecdsa signs per
// RFC 6979 when given no randomness, so the same keys and inputs give the
// same repository bytes.
type tufSigner struct {
	s crypto.Signer
}

func (t tufSigner) PublicKey(...signature.PublicKeyOption) (crypto.PublicKey, error) {
	return t.s.Public(), nil
}

func (t tufSigner) SignMessage(message io.Reader, _ ...signature.SignOption) ([]byte, error) {
	msg, err := io.ReadAll(message)
	if err != nil {
		return nil, fmt.Errorf("read message: %w", err)
	}
	switch t.s.Public().(type) {
	case ed25519.PublicKey:
		return t.s.Sign(t.random(), msg, crypto.Hash(0))
	case *ecdsa.PublicKey:
		digest := sha256.Sum256(msg)
		return t.s.Sign(t.random(), digest[:], crypto.SHA256)
	default:
		return nil, fmt.Errorf("sign: %s: want Ed25519 or ECDSA P-256", keykind.Of(t.s.Public()))
	}
}

// random is nil for in-memory keys, which then sign deterministically, and
// crypto/rand for anything else (an HSM or KMS signer may need a reader).
func (t tufSigner) random() io.Reader {
	switch t.s.(type) {
	case ed25519.PrivateKey, *ed25519.PrivateKey, *ecdsa.PrivateKey:
		return nil
	}
	return rand.Reader
}

package derive

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"

	"cuelang.org/go/cue/errors"

	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/internal/keykind"
)

// PublicKey parses the single public key in m: a PEM "PUBLIC KEY"
// (SubjectPublicKeyInfo) or "RSA PUBLIC KEY" (PKCS#1) block. Material that
// load could not read yields neither key nor error: load reported it.
func PublicKey(m model.Material) (*model.PublicKey, errors.Error) {
	if m.Bytes == nil {
		return nil, nil
	}
	block, err := onePEM(m, "PUBLIC KEY", "RSA PUBLIC KEY")
	if err != nil {
		return nil, err
	}
	src := m.File.Src
	pk := &model.PublicKey{Raw: block.Bytes}
	switch block.Type {
	case "RSA PUBLIC KEY":
		k, err := x509.ParsePKCS1PublicKey(block.Bytes)
		if err != nil {
			return nil, src.Errorf("%s: the RSA PUBLIC KEY block is not a DER PKCS#1 key (%s)", m.File.V, shortASN1(err))
		}
		pk.Key = k
		pk.SPKI, _ = x509.MarshalPKIXPublicKey(k)
		pk.Details = "PKCS1_RSA_PKCS1V5"
		return pk, nil
	}
	k, perr := x509.ParsePKIXPublicKey(block.Bytes)
	if perr != nil {
		return nil, src.Errorf("%s: the PUBLIC KEY block is not a DER SubjectPublicKeyInfo (%s)", m.File.V, shortASN1(perr))
	}
	pk.Key, pk.SPKI = k, block.Bytes
	switch k := k.(type) {
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			pk.Details = "PKIX_ECDSA_P256_SHA_256"
		case elliptic.P384():
			pk.Details = "PKIX_ECDSA_P384_SHA_384"
		case elliptic.P521():
			pk.Details = "PKIX_ECDSA_P521_SHA_512"
		default:
			return nil, src.Rulef(model.RuleMaterial, "%s: ECDSA curve %s is not one Sigstore clients support (P-256, P-384, P-521)", m.File.V, k.Curve.Params().Name)
		}
	case ed25519.PublicKey:
		pk.Details = "PKIX_ED25519"
	case *rsa.PublicKey:
		switch bits := k.N.BitLen(); bits {
		case 2048, 3072, 4096:
			pk.Details = fmt.Sprintf("PKIX_RSA_PKCS1V15_%d_SHA256", bits)
		default:
			return nil, src.Rulef(model.RuleMaterial, "%s: %d-bit RSA key: Sigstore clients support 2048, 3072 and 4096 bits", m.File.V, bits)
		}
	default:
		return nil, src.Rulef(model.RuleMaterial, "%s: an %s is no key Sigstore clients verify with (ECDSA P-256, P-384 or P-521, Ed25519, RSA)", m.File.V, keykind.Of(k))
	}
	return pk, nil
}

// compatibleDetails lists the PublicKeyDetails a key may be declared with.
func compatibleDetails(pk *model.PublicKey) []string {
	switch k := pk.Key.(type) {
	case *rsa.PublicKey:
		if pk.Details == "PKCS1_RSA_PKCS1V5" {
			return []string{"PKCS1_RSA_PKCS1V5", "PKCS1_RSA_PSS"}
		}
		bits := k.N.BitLen()
		return []string{
			fmt.Sprintf("PKIX_RSA_PKCS1V15_%d_SHA256", bits),
			fmt.Sprintf("PKIX_RSA_PSS_%d_SHA256", bits),
			"PKIX_RSA_PKCS1V5", "PKIX_RSA_PSS",
		}
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return []string{"PKIX_ECDSA_P256_SHA_256", "PKIX_ECDSA_P256_HMAC_SHA_256"}
		case elliptic.P384():
			return []string{"PKIX_ECDSA_P384_SHA_384", "PKIX_ECDSA_P384_SHA_256"}
		case elliptic.P521():
			return []string{"PKIX_ECDSA_P521_SHA_512", "PKIX_ECDSA_P521_SHA_256"}
		}
	case ed25519.PublicKey:
		return []string{"PKIX_ED25519", "PKIX_ED25519_PH"}
	}
	return []string{pk.Details}
}

// onePEM decodes m, which must hold exactly one PEM block of an allowed type.
func onePEM(m model.Material, types ...string) (*pem.Block, errors.Error) {
	blocks, err := pemBlocks(m)
	if err != nil {
		return nil, err
	}
	if len(blocks) != 1 {
		return nil, m.File.Src.Errorf("%s holds %d PEM blocks; want exactly one %s", m.File.V, len(blocks), types[0])
	}
	b := blocks[0]
	for _, t := range types {
		if b.Type == t {
			return b, nil
		}
	}
	return nil, m.File.Src.Errorf("%s holds a PEM %q block; want %s", m.File.V, b.Type, strings.Join(types, " or "))
}

// pemBlocks decodes every PEM block in m. Private keys are refused outright:
// material under environments/ is published, and a private key there is a
// leak waiting to be committed.
func pemBlocks(m model.Material) ([]*pem.Block, errors.Error) {
	if m.Bytes == nil {
		return nil, nil // load already reported the unreadable file
	}
	src := m.File.Src
	rest := m.Bytes
	var blocks []*pem.Block
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if strings.Contains(b.Type, "PRIVATE KEY") {
			return nil, src.Rulef(model.RuleMaterial, "%s holds a private key (PEM %q): only public material belongs under environments/; delete it, and rotate the key if it was ever committed", m.File.V, b.Type)
		}
		blocks = append(blocks, b)
	}
	if len(blocks) == 0 {
		return nil, src.Errorf("%s holds no PEM block", m.File.V)
	}
	if strings.TrimSpace(string(rest)) != "" {
		return nil, src.Errorf("%s has data after its last PEM block; a file may hold only PEM blocks", m.File.V)
	}
	return blocks, nil
}

// shortASN1 keeps the first clause of an encoding/asn1 error, whose full
// text dumps Go struct tags nobody editing CUE can act on.
func shortASN1(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, " ("); i > 0 {
		msg = msg[:i]
	}
	return msg
}

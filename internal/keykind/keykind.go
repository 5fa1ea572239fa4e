// Package keykind names a public or private key's algorithm the way people
// reading trustc's messages know it ("ECDSA P-384 key", "X25519 key"),
// never by its Go type (*ecdh.PublicKey), which means nothing to someone
// editing CUE and PEM files.
package keykind

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/mlkem"
	"crypto/rsa"
	"fmt"
)

// Of describes k, a public or private key as crypto/x509 parses them.
func Of(k any) string {
	switch k := k.(type) {
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name + " key"
	case *ecdsa.PrivateKey:
		return "ECDSA " + k.Curve.Params().Name + " key"
	case ed25519.PublicKey, ed25519.PrivateKey:
		return "Ed25519 key"
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d-bit key", k.N.BitLen())
	case *rsa.PrivateKey:
		return fmt.Sprintf("RSA %d-bit key", k.N.BitLen())
	case *ecdh.PublicKey:
		return ecdhName(k.Curve()) + " key"
	case *ecdh.PrivateKey:
		return ecdhName(k.Curve()) + " key"
	case *mlkem.EncapsulationKey768, *mlkem.DecapsulationKey768:
		return "ML-KEM-768 key"
	case *mlkem.EncapsulationKey1024, *mlkem.DecapsulationKey1024:
		return "ML-KEM-1024 key"
	default:
		return "unknown kind of key"
	}
}

// ecdhName names an ECDH curve; crypto/ecdh's curves print as their Go
// types.
func ecdhName(c ecdh.Curve) string {
	switch c {
	case ecdh.X25519():
		return "X25519"
	case ecdh.P256():
		return "ECDH P-256"
	case ecdh.P384():
		return "ECDH P-384"
	case ecdh.P521():
		return "ECDH P-521"
	}
	return "ECDH"
}

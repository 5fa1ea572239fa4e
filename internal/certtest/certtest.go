// Package certtest issues throwaway X.509 certificates for tests, which
// build chains of their own (valid, expired, reordered, for time stamping)
// to see what check, derive and probe make of them. Nothing it issues is
// kept.
package certtest

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"testing"
)

// Issue issues the certificate tmpl describes for pub, signed by
// signer as parent; parent nil makes it self-signed (signer is then the
// key of pub). A failure fails tb.
func Issue(tb testing.TB, tmpl, parent *x509.Certificate, pub crypto.PublicKey, signer crypto.Signer) *x509.Certificate {
	tb.Helper()
	if parent == nil {
		parent = tmpl
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, signer)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

package keykind_test

import (
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"testing"

	"github.com/trustc-dev/trustc/internal/keykind"
)

func TestOf(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	x, err := ecdh.X25519().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		key  any
		want string
	}{
		{&ec.PublicKey, "ECDSA P-384 key"},
		{ec, "ECDSA P-384 key"},
		{x.PublicKey(), "X25519 key"},
		{x, "X25519 key"},
		{pub, "Ed25519 key"},
		{priv, "Ed25519 key"},
		{&rsaKey.PublicKey, "RSA 2048-bit key"},
		{"not a key", "unknown kind of key"},
	} {
		if got := keykind.Of(tc.key); got != tc.want {
			t.Errorf("Of(%T) = %q, want %q", tc.key, got, tc.want)
		}
	}
}

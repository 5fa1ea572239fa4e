package derive

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"slices"
	"testing"
)

// TestRekorAPI pins the one rule by which load and review read a
// published log's API version when no signing config states it: staging
// v16 published an Ed25519 log with the id of an API v1 log, and reading
// it as v2 from its key type made check and import disagree (issue 11).
func TestRekorAPI(t *testing.T) {
	edKey := ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize)).Public().(ed25519.PublicKey)
	edDER, err := x509.MarshalPKIXPublicKey(edKey)
	if err != nil {
		t.Fatal(err)
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ecDER, err := x509.MarshalPKIXPublicKey(&ecKey.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	const url = "https://log.example.com"
	v1 := sha256.Sum256(edDER)
	v2 := sha256.Sum256(slices.Concat([]byte("log.example.com\n"), []byte{0x01}, edKey))
	ecID := sha256.Sum256(ecDER)
	for _, tc := range []struct {
		name    string
		der     []byte
		details string
		logID   []byte
		want    int
	}{
		{"ed25519 with an RFC 6962 log id is API v1", edDER, "PKIX_ED25519", v1[:], 1},
		{"ed25519 with a signed-note log id is API v2", edDER, "PKIX_ED25519", v2[:], 2},
		{"ed25519 with an id of neither is taken as v2", edDER, "PKIX_ED25519", []byte("other"), 2},
		{"ecdsa is API v1", ecDER, "PKIX_ECDSA_P256_SHA_256", ecID[:], 1},
		{"an unparsable key falls back on its details", []byte("junk"), "PKIX_ED25519", v1[:], 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := RekorAPI(tc.der, tc.details, url, tc.logID); got != tc.want {
				t.Errorf("RekorAPI = %d, want %d", got, tc.want)
			}
		})
	}
}

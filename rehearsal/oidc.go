package rehearsal

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"time"
)

// issuer is an OpenID Connect provider on 127.0.0.1: Fulcio reads its
// discovery document and keys, and the rehearsal mints the identity
// tokens clients hand to Fulcio (what a CI system's token service does).
type issuer struct {
	URL    string
	key    *ecdsa.PrivateKey
	server *http.Server
}

// Identity is the one email every rehearsal token carries; every bundle's
// certificate must name it.
const Identity = "rehearsal@trustc.test"

func startIssuer(p *pki) (*issuer, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	is := &issuer{URL: "https://" + ln.Addr().String(), key: key}
	mux := http.NewServeMux()
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{
			"issuer":                                is.URL,
			"jwks_uri":                              is.URL + "/jwks",
			"authorization_endpoint":                is.URL + "/auth",
			"token_endpoint":                        is.URL + "/token",
			"response_types_supported":              []string{"id_token"},
			"subject_types_supported":               []string{"public"},
			"id_token_signing_alg_values_supported": []string{"ES256"},
		})
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"keys": []any{map[string]string{
			"kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": "rehearsal",
			"x": b64url(key.PublicKey.X.FillBytes(make([]byte, 32))),
			"y": b64url(key.PublicKey.Y.FillBytes(make([]byte, 32))),
		}}})
	})
	is.server = &http.Server{Handler: mux, TLSConfig: &tls.Config{Certificates: []tls.Certificate{p.Cert}}, ReadHeaderTimeout: 10 * time.Second}
	go is.server.ServeTLS(ln, "", "")
	return is, nil
}

func (is *issuer) close() { is.server.Close() }

// Token mints an ES256 ID token for Identity, audience "sigstore" (the
// client id Fulcio is configured with), valid for ten minutes.
func (is *issuer) Token() (string, error) {
	now := time.Now()
	header, _ := json.Marshal(map[string]string{"alg": "ES256", "typ": "JWT", "kid": "rehearsal"})
	claims, _ := json.Marshal(map[string]any{
		"iss": is.URL, "sub": Identity, "aud": "sigstore",
		"email": Identity, "email_verified": true,
		"iat": now.Unix(), "nbf": now.Add(-time.Minute).Unix(), "exp": now.Add(10 * time.Minute).Unix(),
	})
	signed := b64url(header) + "." + b64url(claims)
	h := sha256.Sum256([]byte(signed))
	r, s, err := ecdsa.Sign(rand.Reader, is.key, h[:])
	if err != nil {
		return "", err
	}
	// JWS ES256 is r||s, 32 bytes each (RFC 7518 3.4), not ASN.1.
	sig := append(r.FillBytes(make([]byte, 32)), s.FillBytes(make([]byte, 32))...)
	return signed + "." + b64url(sig), nil
}

func b64url(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

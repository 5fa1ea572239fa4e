package model

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"slices"
	"strings"
)

// Identity says which trusted-root entry a log key or a certificate chain
// is, independently of how a release happens to publish it. Releases are
// compared entry by entry (what may change, what disappeared), and Sigstore
// has published the same entry in more than one form: production v6 → v7
// put the same two Fulcio certificates leaf first, staging v2 → v3 and
// v16 → v17 corrected a log's id for the same key and URL. Matching on the
// published bytes or id called each of those a removal plus an addition.
//
// Identity values are comparable, so callers match entries with a map.
type Identity struct {
	// Kind is "log" or "chain".
	Kind string
	// Key is opaque: for a log, its normalized URL and the SHA-256 of its
	// SubjectPublicKeyInfo; for a chain, the sorted SHA-256s of its
	// certificates.
	Key string
}

// LogIdentity is a log's identity: the same key at the same URL is the same
// log, whatever log id a release published for it. spki is the key's DER
// SubjectPublicKeyInfo (PublicKey.SPKI); KeySPKI converts a published
// rawBytes that may be PKCS#1.
func LogIdentity(spki []byte, url string) Identity {
	h := sha256.Sum256(spki)
	return Identity{Kind: "log", Key: NormalizeURL(url) + "\x00" + string(h[:])}
}

// NormalizeURL drops what does not change where clients go: a trailing
// slash and the case of the scheme and host.
func NormalizeURL(u string) string {
	u = strings.TrimRight(u, "/")
	scheme, rest, ok := strings.Cut(u, "://")
	if !ok {
		return u
	}
	host, path, _ := strings.Cut(rest, "/")
	out := strings.ToLower(scheme) + "://" + strings.ToLower(host)
	if path != "" {
		out += "/" + path
	}
	return out
}

// KeySPKI returns the DER SubjectPublicKeyInfo of a published key, which
// trusted roots store either as SPKI or (staging's CT log) as PKCS#1. It
// returns raw unchanged when it is neither, so that unparsable keys still
// compare by their bytes.
func KeySPKI(raw []byte) []byte {
	if _, err := x509.ParsePKIXPublicKey(raw); err == nil {
		return raw
	}
	if k, err := x509.ParsePKCS1PublicKey(raw); err == nil {
		if spki, err := x509.MarshalPKIXPublicKey(k); err == nil {
			return spki
		}
	}
	return raw
}

// ChainIdentity is a chain's identity as a set: the same certificates in
// any order are the same chain.
func ChainIdentity(ders [][]byte) Identity {
	hs := make([]string, len(ders))
	for i, d := range ders {
		h := sha256.Sum256(d)
		hs[i] = string(h[:])
	}
	slices.Sort(hs)
	hs = slices.Compact(hs)
	return Identity{Kind: "chain", Key: strings.Join(hs, "")}
}

// LeafIdentity identifies a chain by its leaf alone, so that a chain that
// gained or lost an intermediate or its root is still recognized as the
// same entry (and reported as changed, not as gone). The leaf is the
// certificate that issued no other certificate of the chain, whatever the
// order the chain lists them in; a chain with no such single certificate
// (a cycle, or unrelated certificates) falls back to its first one.
func LeafIdentity(certs []*x509.Certificate) Identity {
	leaf := Leaf(certs)
	if leaf == nil {
		return Identity{}
	}
	h := sha256.Sum256(leaf.Raw)
	return Identity{Kind: "leaf", Key: string(h[:])}
}

// Leaf returns the chain's leaf: the one certificate that issued none of
// the others (see LeafIdentity), else the first.
func Leaf(certs []*x509.Certificate) *x509.Certificate {
	if len(certs) == 0 {
		return nil
	}
	var leaves []*x509.Certificate
	for _, c := range certs {
		issued := false
		for _, o := range certs {
			if o != c && !bytes.Equal(o.Raw, c.Raw) && issuedBy(o, c) {
				issued = true
				break
			}
		}
		if !issued {
			leaves = append(leaves, c)
		}
	}
	if len(leaves) == 1 {
		return leaves[0]
	}
	return certs[0]
}

// issuedBy reports whether child names parent as its issuer. Names, not
// signatures: identity must not depend on whether a chain verifies (rule 5
// says that).
func issuedBy(child, parent *x509.Certificate) bool {
	if len(child.AuthorityKeyId) > 0 && len(parent.SubjectKeyId) > 0 {
		return bytes.Equal(child.AuthorityKeyId, parent.SubjectKeyId)
	}
	return bytes.Equal(child.RawIssuer, parent.RawSubject)
}

// LeafFirst reports whether certs run from the leaf to the trust anchor,
// each certificate issued by the next, as protobuf-specs asks.
func LeafFirst(certs []*x509.Certificate) bool {
	for i := 0; i+1 < len(certs); i++ {
		if !issuedBy(certs[i], certs[i+1]) {
			return false
		}
	}
	return true
}

// ChainMatch says how two chains of the same entry relate.
type ChainMatch int

const (
	// ChainDifferent: not the same entry.
	ChainDifferent ChainMatch = iota
	// ChainSame: the same certificates in the same order.
	ChainSame
	// ChainReordered: the same certificates in another order.
	ChainReordered
	// ChainChanged: the same leaf, other certificates around it.
	ChainChanged
)

// CompareChains says whether a and b are the same entry and how they
// differ.
func CompareChains(a, b []*x509.Certificate) ChainMatch {
	if len(a) == 0 || len(b) == 0 {
		return ChainDifferent
	}
	if ChainIdentity(ders(a)) == ChainIdentity(ders(b)) {
		if len(a) == len(b) && slices.EqualFunc(a, b, func(x, y *x509.Certificate) bool { return bytes.Equal(x.Raw, y.Raw) }) {
			return ChainSame
		}
		return ChainReordered
	}
	if LeafIdentity(a) == LeafIdentity(b) {
		return ChainChanged
	}
	return ChainDifferent
}

// CertDERs returns the certificates' DER bytes, in order.
func CertDERs(certs []*x509.Certificate) [][]byte { return ders(certs) }

func ders(certs []*x509.Certificate) [][]byte {
	out := make([][]byte, len(certs))
	for i, c := range certs {
		out[i] = c.Raw
	}
	return out
}

// Identity returns the log's identity (zero before derive).
func (l *RekorLog) Identity() Identity {
	if l.PublicKey == nil {
		return Identity{}
	}
	return LogIdentity(l.PublicKey.SPKI, l.URL.V)
}

// Identity returns the log's identity (zero before derive).
func (l *CTLog) Identity() Identity {
	if l.PublicKey == nil {
		return Identity{}
	}
	return LogIdentity(l.PublicKey.SPKI, l.URL.V)
}

// Identity returns the chain's identity as a set (zero before derive).
func (c *Chain) Identity() Identity {
	if len(c.Certificates) == 0 {
		return Identity{}
	}
	return ChainIdentity(ders(c.Certificates))
}

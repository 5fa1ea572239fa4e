// Package privkey finds private keys in bytes that must hold only public
// material: everything under environments/ is reviewed and published, so
// a private key there is a leak. It looks past well-formed PEM, since a
// key whose armour is broken (a bad END line, no armour at all) is as
// secret as one that parses, and encoding/pem skips it silently.
package privkey

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"regexp"
)

// Finding is a private key found in a file.
type Finding struct {
	// Offset is the start of the line where the key starts, in bytes from
	// the file's start.
	Offset int
	// What says how the key is written: `a PEM "EC PRIVATE KEY" block`,
	// `the contents of a PEM "PUBLIC KEY" block`, "base64 text", "DER".
	What string
}

// beginLine is a PEM (or PGP, or OpenSSH) BEGIN line of a private key,
// however broken its dashes: "-----BEGIN EC PRIVATE KEY----".
var beginLine = regexp.MustCompile(`(?i)(^|-)[ \t]*BEGIN[ \t]+([A-Z0-9 ]*PRIVATE[ \t]+KEY[A-Z0-9 ]*)`)

// minToken is the shortest base64 token worth decoding: the smallest key,
// a PKCS#8 Ed25519 key, is 48 bytes, 64 characters.
const minToken = 40

// Find returns the first private key in b, if any: a BEGIN line naming a
// private key, a PEM block whose contents parse as one whatever its type,
// base64 text (a run of whole lines, or a long token within a line) that
// decodes to one, or b itself as DER.
func Find(b []byte) (Finding, bool) {
	if f, ok := findBegin(b); ok {
		return f, true
	}
	if parses(b) {
		return Finding{0, "DER"}, true
	}
	if f, ok := findPEM(b); ok {
		return f, true
	}
	return findBase64(b)
}

func findBegin(b []byte) (Finding, bool) {
	// Most files hold no such line; one pass over a lower-case copy spares
	// them the regexp on every line.
	if !bytes.Contains(bytes.ToLower(b), []byte("private")) {
		return Finding{}, false
	}
	off := 0
	for line := range bytes.Lines(b) {
		if m := beginLine.FindSubmatchIndex(line); m != nil {
			typ := bytes.TrimSpace(line[m[4]:m[5]])
			return Finding{off, fmt.Sprintf("a PEM %q block", typ)}, true
		}
		off += len(line)
	}
	return Finding{}, false
}

func findPEM(b []byte) (Finding, bool) {
	rest := b
	for {
		blk, next := pem.Decode(rest)
		if blk == nil {
			return Finding{}, false
		}
		if parses(blk.Bytes) {
			start := len(b) - len(rest)
			if i := bytes.Index(rest, []byte("-----BEGIN")); i >= 0 {
				start += i
			}
			start = bytes.LastIndexByte(b[:start], '\n') + 1
			return Finding{start, fmt.Sprintf("the contents of a PEM %q block", blk.Type)}, true
		}
		rest = next
	}
}

// findBase64 decodes runs of lines that are each all base64 (the body of
// a PEM block, armoured or not) and long base64 tokens within lines. A
// word on the line above a body ("comment") is base64 too, so a run that
// does not decode is tried again without its first lines.
func findBase64(b []byte) (Finding, bool) {
	type line struct {
		off  int
		text []byte
	}
	var run []line
	flush := func() (Finding, bool) {
		defer func() { run = run[:0] }()
		for i := 0; i < len(run) && i < 3; i++ {
			var joined []byte
			for _, l := range run[i:] {
				joined = append(joined, l.text...)
			}
			if decodesToKey(joined) {
				return Finding{run[i].off, "base64 text"}, true
			}
		}
		return Finding{}, false
	}
	off := 0
	for l := range bytes.Lines(b) {
		t := bytes.TrimSpace(l)
		if len(t) > 0 && isBase64(t) {
			run = append(run, line{off, t})
		} else {
			if f, ok := flush(); ok {
				return f, true
			}
			if len(l) >= minToken && tokenHoldsKey(l) {
				return Finding{off, "base64 text"}, true
			}
		}
		off += len(l)
	}
	return flush()
}

// tokenHoldsKey reports whether a run of at least minToken base64
// characters (and its padding) in line decodes to a private key: a key in
// a CUE string, say.
func tokenHoldsKey(line []byte) bool {
	for i := 0; i < len(line); {
		if !isBase64Char(line[i]) {
			i++
			continue
		}
		j := i
		for j < len(line) && isBase64Char(line[j]) {
			j++
		}
		end := j
		for k := 0; k < 2 && end < len(line) && line[end] == '='; k++ {
			end++
		}
		if j-i >= minToken && decodesToKey(line[i:end]) {
			return true
		}
		i = end
	}
	return false
}

func isBase64Char(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/'
}

func isBase64(t []byte) bool {
	for _, c := range t {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=') {
			return false
		}
	}
	return true
}

func decodesToKey(s []byte) bool {
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding} {
		d := make([]byte, enc.DecodedLen(len(s)))
		n, err := enc.Decode(d, s)
		if err == nil && parses(d[:n]) {
			return true
		}
	}
	return false
}

// parses reports whether der is a private key in a form x509 reads.
func parses(der []byte) bool {
	if !versioned(der) {
		return false
	}
	if _, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		return true
	}
	if _, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return true
	}
	if _, err := x509.ParseECPrivateKey(der); err == nil {
		return true
	}
	return false
}

// versioned reports whether der starts as every private key form does: a
// SEQUENCE whose first element is an INTEGER (the version). Certificates
// and public keys start with a SEQUENCE in a SEQUENCE, so the base64 of
// every chain is passed over without three failed parses, which were most
// of the time a scan of environments/ took.
func versioned(der []byte) bool {
	if len(der) < 2 || der[0] != 0x30 {
		return false
	}
	hdr := 2
	if der[1]&0x80 != 0 {
		hdr += int(der[1] & 0x7f)
	}
	return len(der) > hdr && der[hdr] == 0x02
}

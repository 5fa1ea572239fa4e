package review

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/trustc-dev/trustc/internal/keykind"
	"github.com/trustc-dev/trustc/internal/text"
)

const unset = "(unset)"

// renderValue renders one leaf plainly: times in RFC 3339 UTC, enums by
// name, log IDs in base64 as the JSON has them, keys and certificates by
// what identifies them. An invalid value is an unset field.
func renderValue(fd protoreflect.FieldDescriptor, v protoreflect.Value) string {
	if !v.IsValid() {
		return unset
	}
	switch {
	case fd.IsList():
		l := v.List()
		parts := make([]string, l.Len())
		for i := range l.Len() {
			parts[i] = renderScalar(fd, l.Get(i))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case fd.IsMap():
		return renderMap(fd, v.Map())
	}
	return renderScalar(fd, v)
}

func renderScalar(fd protoreflect.FieldDescriptor, v protoreflect.Value) string {
	if !v.IsValid() {
		return unset
	}
	switch fd.Kind() {
	case protoreflect.MessageKind, protoreflect.GroupKind:
		m := v.Message()
		switch m.Descriptor().FullName() {
		case "google.protobuf.Timestamp":
			return renderTimestamp(m)
		case "dev.sigstore.common.v1.X509Certificate":
			return renderCertificate(get(m, "raw_bytes").Bytes())
		}
		return renderMessage(m)
	case protoreflect.EnumKind:
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			return string(ev.Name())
		}
		return strconv.Itoa(int(v.Enum()))
	case protoreflect.BytesKind:
		return renderBytes(fd, v.Bytes())
	case protoreflect.StringKind:
		if v.String() == "" {
			return `""`
		}
		return v.String()
	}
	return fmt.Sprint(v.Interface())
}

func renderTimestamp(m protoreflect.Message) string {
	secs, nanos := get(m, "seconds").Int(), get(m, "nanos").Int()
	if nanos < 0 || nanos >= 1e9 {
		return fmt.Sprintf("(invalid timestamp: seconds %d, nanos %d)", secs, nanos)
	}
	return text.Time(time.Unix(secs, nanos))
}

// renderBytes: a log ID as base64 (what reviewers grep the JSON for); a
// key by type and fingerprint; anything else by length and fingerprint.
func renderBytes(fd protoreflect.FieldDescriptor, b []byte) string {
	switch fd.FullName() {
	case "dev.sigstore.common.v1.LogId.key_id":
		return base64.StdEncoding.EncodeToString(b)
	case "dev.sigstore.common.v1.PublicKey.raw_bytes":
		return renderKey(b)
	case "dev.sigstore.common.v1.X509Certificate.raw_bytes":
		return renderCertificate(b)
	}
	return fingerprint(b)
}

func fingerprint(b []byte) string {
	s := sha256.Sum256(b)
	return fmt.Sprintf("%d bytes, sha256:%s", len(b), hex.EncodeToString(s[:]))
}

func renderKey(b []byte) string {
	kind := "unparsable key"
	if k, err := x509.ParsePKIXPublicKey(b); err == nil {
		switch k := k.(type) {
		case *ecdsa.PublicKey:
			kind = "ECDSA " + k.Curve.Params().Name + " key"
		case ed25519.PublicKey:
			kind = "Ed25519 key"
		case *rsa.PublicKey:
			kind = fmt.Sprintf("RSA %d-bit key", k.N.BitLen())
		default:
			kind = keykind.Of(k)
		}
	} else if k, err := x509.ParsePKCS1PublicKey(b); err == nil {
		kind = fmt.Sprintf("RSA %d-bit key (PKCS#1)", k.N.BitLen())
	}
	return kind + ", " + fingerprint(b)
}

func renderCertificate(b []byte) string {
	c, err := x509.ParseCertificate(b)
	if err != nil {
		return "unparsable certificate, " + fingerprint(b)
	}
	return fmt.Sprintf("certificate %q, valid %s to %s, %s", c.Subject.String(),
		text.Time(c.NotBefore), text.Time(c.NotAfter), fingerprint(b))
}

func renderMap(fd protoreflect.FieldDescriptor, m protoreflect.Map) string {
	var parts []string
	m.Range(func(k protoreflect.MapKey, v protoreflect.Value) bool {
		parts = append(parts, k.String()+": "+renderScalar(fd.MapValue(), v))
		return true
	})
	// Map order is random; the rendering must not be.
	slices.Sort(parts)
	return "{" + strings.Join(parts, ", ") + "}"
}

// renderMessage lists every set leaf of m, "path value", in field order.
func renderMessage(m protoreflect.Message) string {
	return strings.Join(leaves(m, ""), "; ")
}

// leaves lists every set leaf below m as "path value".
func leaves(m protoreflect.Message, prefix string) []string {
	var out []string
	fields := m.Descriptor().Fields()
	for i := range fields.Len() {
		fd := fields.Get(i)
		if !m.Has(fd) {
			continue
		}
		p := join(prefix, fd.JSONName())
		v := m.Get(fd)
		switch {
		case fd.IsList() && fd.Message() != nil && !isLeafMessage(fd.Message()) && !isCertificate(fd.Message()):
			l := v.List()
			for j := range l.Len() {
				out = append(out, leaves(l.Get(j).Message(), fmt.Sprintf("%s[%d]", p, j))...)
			}
		case fd.IsList() && fd.Message() != nil:
			l := v.List()
			for j := range l.Len() {
				out = append(out, fmt.Sprintf("%s[%d] %s", p, j, renderScalar(fd, l.Get(j))))
			}
		case !fd.IsList() && !fd.IsMap() && fd.Message() != nil && !isLeafMessage(fd.Message()):
			sub := leaves(v.Message(), p)
			if len(sub) == 0 {
				sub = []string{p + " {}"}
			}
			out = append(out, sub...)
		default:
			out = append(out, p+" "+renderValue(fd, v))
		}
	}
	return out
}

// subjectOf names an entry the way a reviewer knows it: a log or service
// by URL, an authority by URI or else subject.
func subjectOf(m protoreflect.Message) string {
	for _, name := range []string{"base_url", "url", "uri"} {
		if s := str(m, name); s != "" {
			return s
		}
	}
	cn, o := str(m, "subject", "common_name"), str(m, "subject", "organization")
	switch {
	case cn != "" && o != "":
		return cn + " (" + o + ")"
	case cn != "" || o != "":
		return cn + o
	}
	return "(unnamed)"
}

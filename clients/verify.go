package clients

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	prototrustroot "github.com/sigstore/protobuf-specs/gen/pb-go/trustroot/v1"
	"github.com/sigstore/sigstore-go/pkg/root"

	"github.com/trustc-dev/trustc/internal/text"
	"github.com/trustc-dev/trustc/release"
)

// Kind is a kind of trusted-root entry.
type Kind string

// The kinds of trusted-root entry, in trusted-root order.
const (
	KindRekor Kind = "Rekor log"
	KindCA    Kind = "CA"
	KindCT    Kind = "CT log"
	KindTSA   Kind = "TSA"
)

// TrustEntry is one trusted-root entry and whether each verifier accepts,
// at T, something made at T: a Rekor entry, a certificate, an SCT or a
// timestamp.
type TrustEntry struct {
	Kind Kind `json:"kind"`
	// Path locates the entry in trusted_root.json, e.g. "tlogs[1]".
	Path string `json:"path"`
	// Name is the base URL or URI, or the subject when there is no URI.
	Name string `json:"name"`
	// ID is the log ID (base64, as in the file) or the SHA-256 of the
	// chain's trust anchor.
	ID    string    `json:"id"`
	Start time.Time `json:"start,omitzero"`
	End   time.Time `json:"end,omitzero"`
	// Note holds what applies to every client, such as a certificate of
	// the chain that is not valid at T.
	Note     string    `json:"note,omitempty"`
	Verdicts []Verdict `json:"verdicts"`

	index      int // in its list
	keyDetails protocommon.PublicKeyDetails
	chainLen   int
}

// Verdict is one verifier's answer for one entry.
type Verdict struct {
	Client   Client `json:"client"`
	Accepted bool   `json:"accepted"`
	// Why explains an answer that the window alone does not.
	Why string `json:"why,omitempty"`
}

// Diverges reports whether the verifiers disagree on the entry.
func (e TrustEntry) Diverges() bool {
	for _, v := range e.Verdicts[1:] {
		if v.Accepted != e.Verdicts[0].Accepted {
			return true
		}
	}
	return false
}

// Refusal is a verifier that rejects the whole trusted root.
type Refusal struct {
	Client Client `json:"client"`
	Error  string `json:"error"`
}

// Trust is a trusted root parsed once, by trustc and by sigstore-go, to
// give verdicts at many instants.
type Trust struct {
	tr      *prototrustroot.TrustedRoot
	entries []TrustEntry // without verdicts and notes
	chains  [][]*x509.Certificate
	badCert []int // index of the first certificate that does not parse, or -1
	goRoot  *root.TrustedRoot
	goErr   error
}

// NewTrust prepares tr for Trust.At.
func NewTrust(tr *prototrustroot.TrustedRoot) *Trust {
	tt := &Trust{tr: tr}
	logs := func(kind Kind, field string, l []*prototrustroot.TransparencyLogInstance) {
		for i, tl := range l {
			e := TrustEntry{Kind: kind, Path: fmt.Sprintf("%s[%d]", field, i), Name: tl.GetBaseUrl(),
				ID: base64.StdEncoding.EncodeToString(tl.GetLogId().GetKeyId()), index: i,
				keyDetails: tl.GetPublicKey().GetKeyDetails()}
			e.Start, e.End = release.Window(tl.GetPublicKey().GetValidFor())
			tt.entries = append(tt.entries, e)
			tt.chains = append(tt.chains, nil)
			tt.badCert = append(tt.badCert, -1)
		}
	}
	cas := func(kind Kind, field string, l []*prototrustroot.CertificateAuthority) {
		for i, ca := range l {
			e := TrustEntry{Kind: kind, Path: fmt.Sprintf("%s[%d]", field, i), Name: release.AuthorityName(ca), index: i}
			certs := ca.GetCertChain().GetCertificates()
			e.chainLen = len(certs)
			if len(certs) > 0 {
				sum := sha256.Sum256(certs[len(certs)-1].GetRawBytes())
				e.ID = "sha256:" + hex.EncodeToString(sum[:])
			}
			e.Start, e.End = release.Window(ca.GetValidFor())
			var chain []*x509.Certificate
			bad := -1
			for j, c := range certs {
				cert, err := x509.ParseCertificate(c.GetRawBytes())
				if err != nil {
					bad = j
					break
				}
				chain = append(chain, cert)
			}
			tt.entries = append(tt.entries, e)
			tt.chains = append(tt.chains, chain)
			tt.badCert = append(tt.badCert, bad)
		}
	}
	logs(KindRekor, "tlogs", tr.GetTlogs())
	cas(KindCA, "certificateAuthorities", tr.GetCertificateAuthorities())
	logs(KindCT, "ctlogs", tr.GetCtlogs())
	cas(KindTSA, "timestampAuthorities", tr.GetTimestampAuthorities())
	tt.goRoot, tt.goErr = root.NewTrustedRootFromProtobuf(tr)
	return tt
}

// Verify lists every entry of tr with each verifier's verdict at t.
func Verify(tr *prototrustroot.TrustedRoot, t time.Time) ([]TrustEntry, []Refusal) {
	return NewTrust(tr).At(t)
}

// At lists every entry with each verifier's verdict at t.
func (tt *Trust) At(t time.Time) ([]TrustEntry, []Refusal) {
	entries := slices.Clone(tt.entries)
	for i := range entries {
		// Clients verify a certificate against the chain at the time it
		// was issued (the hybrid model the spec requires; x509
		// CurrentTime in sigstore-go's FulcioCertificateAuthority.Verify).
		if entries[i].Kind == KindCA {
			entries[i].Note = chainNote(tt.chains[i], tt.badCert[i], t)
		}
	}
	var refusals []Refusal
	for _, c := range Verifiers() {
		var accept func(i int) (bool, string)
		var err error
		switch c.Impl {
		case SigstoreGo:
			accept, err = tt.goVerifier(entries, t)
		case SigstorePython:
			accept, err = pyVerifier(tt.tr, entries, t)
		case SigstoreJS:
			accept = jsVerifier(entries, t)
		}
		if err != nil {
			refusals = append(refusals, Refusal{Client: c, Error: err.Error()})
		}
		for i := range entries {
			v := Verdict{Client: c}
			if err == nil {
				v.Accepted, v.Why = accept(i)
			} else {
				v.Why = "refuses the trusted root"
			}
			entries[i].Verdicts = append(entries[i].Verdicts, v)
		}
	}
	return entries, refusals
}

func chainNote(chain []*x509.Certificate, bad int, t time.Time) string {
	for i, cert := range chain {
		if t.Before(cert.NotBefore) || t.After(cert.NotAfter) {
			return fmt.Sprintf("certificate %d of the chain (%s) is valid %s to %s only, so nothing issued at this time verifies",
				i, cert.Subject.CommonName, text.Time(cert.NotBefore), text.Time(cert.NotAfter))
		}
	}
	if bad >= 0 {
		return fmt.Sprintf("certificate %d of the chain does not parse", bad)
	}
	return ""
}

func inWindow(start, end, t time.Time) bool {
	return (start.IsZero() || !t.Before(start)) && (end.IsZero() || !t.After(end))
}

// goVerifier parses tr with sigstore-go and reads each entry's window from
// what the parser kept, so a quirk of the parser (two logs with one log ID
// collapse into one map entry, the later one winning) shows here as it
// would in a client. The comparisons are those of pkg/tlog/entry.go
// (Rekor: the start must be set, both ends inclusive), pkg/verify/sct.go
// (CT), FulcioCertificateAuthority.Verify and SigstoreTimestampingAuthority.Verify
// (pkg/root), all inclusive.
func (tt *Trust) goVerifier(entries []TrustEntry, t time.Time) (func(int) (bool, string), error) {
	if tt.goErr != nil {
		return nil, tt.goErr
	}
	parsed := tt.goRoot
	rekor, ct := parsed.RekorLogs(), parsed.CTLogs()
	cas, tsas := parsed.FulcioCertificateAuthorities(), parsed.TimestampingAuthorities()
	return func(i int) (bool, string) {
		e := entries[i]
		switch e.Kind {
		case KindRekor, KindCT:
			m := rekor
			if e.Kind == KindCT {
				m = ct
			}
			keyID, _ := base64.StdEncoding.DecodeString(e.ID)
			l, ok := m[hex.EncodeToString(keyID)]
			if !ok {
				return false, "not found by log ID"
			}
			if e.Kind == KindRekor && l.ValidityPeriodStart.IsZero() {
				return false, "no window start"
			}
			why := ""
			if !l.ValidityPeriodStart.Equal(e.Start) || !l.ValidityPeriodEnd.Equal(e.End) {
				why = "another entry with the same log ID overrides this window"
			}
			return inWindow(l.ValidityPeriodStart, l.ValidityPeriodEnd, t) && e.Note == "", why
		case KindCA:
			ca, ok := cas[e.index].(*root.FulcioCertificateAuthority)
			if !ok {
				return false, "unexpected CA type"
			}
			return inWindow(ca.ValidityPeriodStart, ca.ValidityPeriodEnd, t) && e.Note == "", ""
		case KindTSA:
			tsa, ok := tsas[e.index].(*root.SigstoreTimestampingAuthority)
			if !ok {
				return false, "unexpected TSA type"
			}
			return inWindow(tsa.ValidityPeriodStart, tsa.ValidityPeriodEnd, t), ""
		}
		return false, ""
	}, nil
}

// The sigstore-python verification model describes 4.5.0: TrustedRoot in
// sigstore/models.py and Verifier._verify_signed_timestamp in
// sigstore/verify/verifier.py. Its windows are checked against the wall
// clock, not against the time of what is verified; a snapshot puts the
// clock at T.
const pyTrustedRootMediaType = "application/vnd.dev.sigstore.trustedroot+json;version=0.1"

// Key types sigstore/_internal/trust.py Key accepts; a Keyring skips any
// other key with a warning.
var pyKeyDetails = map[protocommon.PublicKeyDetails]bool{
	protocommon.PublicKeyDetails_PKCS1_RSA_PKCS1V5:             true,
	protocommon.PublicKeyDetails_PKIX_RSA_PKCS1V15_2048_SHA256: true,
	protocommon.PublicKeyDetails_PKIX_RSA_PKCS1V15_3072_SHA256: true,
	protocommon.PublicKeyDetails_PKIX_RSA_PKCS1V15_4096_SHA256: true,
	protocommon.PublicKeyDetails_PKIX_ECDSA_P256_SHA_256:       true,
	protocommon.PublicKeyDetails_PKIX_ECDSA_P384_SHA_384:       true,
	protocommon.PublicKeyDetails_PKIX_ECDSA_P521_SHA_512:       true,
	protocommon.PublicKeyDetails_PKIX_ED25519:                  true,
}

func pyVerifier(tr *prototrustroot.TrustedRoot, entries []TrustEntry, t time.Time) (func(int) (bool, string), error) {
	if tr.GetMediaType() != pyTrustedRootMediaType {
		return nil, fmt.Errorf("unsupported trusted root format: %s", tr.GetMediaType())
	}
	started := func(e TrustEntry) bool { return e.Start.IsZero() || !t.Before(e.Start) }
	ended := func(e TrustEntry) bool { return !e.End.IsZero() && t.After(e.End) }
	return func(i int) (bool, string) {
		e := entries[i]
		switch e.Kind {
		case KindRekor, KindCT:
			// _get_tlog_keys(purpose=VERIFY) passes allow_expired=True:
			// only the start is checked, never the end.
			if !pyKeyDetails[e.keyDetails] {
				return false, fmt.Sprintf("skips keys of type %s", e.keyDetails)
			}
			if !started(e) {
				return false, ""
			}
			if ended(e) {
				return true, "ignores the window end"
			}
			return true, ""
		case KindCA:
			// get_fulcio_certs() uses certificates(allow_expired=True).
			if !started(e) || e.Note != "" {
				return false, ""
			}
			if ended(e) {
				return true, "ignores the window end"
			}
			return true, ""
		case KindTSA:
			// _verify_signed_timestamp: chains shorter than two are
			// skipped, and the end is exclusive (gen_time < end).
			if e.chainLen < 2 {
				return false, "skips chains of fewer than two certificates"
			}
			if !started(e) {
				return false, ""
			}
			if !e.End.IsZero() && !t.Before(e.End) {
				if t.Equal(e.End) {
					return false, "treats the window end as exclusive"
				}
				return false, ""
			}
			return true, ""
		}
		return false, ""
	}, nil
}

// jsVerifier models @sigstore/verify 4.1.2 (packages/verify/src/trust/index.ts
// and filter.ts): a missing start is the epoch, a missing end is the end of
// time, and every check is start <= t <= end.
func jsVerifier(entries []TrustEntry, t time.Time) func(int) (bool, string) {
	return func(i int) (bool, string) {
		e := entries[i]
		return inWindow(e.Start, e.End, t) && (e.Kind != KindCA || e.Note == ""), ""
	}
}

package derive

import (
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"net/url"
	"slices"

	"cuelang.org/go/cue/errors"

	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/internal/errlist"
)

// Environment fills in every derived value of env. The error lists every
// problem, each at the CUE field naming the offending file or value.
func Environment(env *model.Environment) error {
	// errors.Append is quadratic in the number of problems (see
	// internal/errlist).
	var errs errlist.List
	for _, l := range env.Rekor {
		pk, err := PublicKey(l.Key)
		if err != nil || pk == nil {
			errs.Add(err)
			continue
		}
		if !l.API.Set() && l.LogID.Set() {
			l.API.V = apiFromLogID(pk, l.API.V, l.LogID.V, l.URL)
		}
		errs.Add(fillLogID(pk, l.API.V, l.URL))
		errs.Add(agree(pk, l.LogID, l.KeyDetails, l.Key))
		l.PublicKey = pk
	}
	for _, l := range env.CTLogs {
		pk, err := PublicKey(l.Key)
		if err != nil || pk == nil {
			errs.Add(err)
			continue
		}
		errs.Add(fillLogID(pk, 1, l.URL))
		errs.Add(agree(pk, l.LogID, l.KeyDetails, l.Key))
		l.PublicKey = pk
	}
	for _, a := range env.CAs {
		for _, c := range a.Chains {
			errs.Add(chain(c, "ca"))
		}
	}
	for _, a := range env.TSAs {
		for _, c := range a.Chains {
			errs.Add(chain(c, "tsa"))
		}
	}
	for _, r := range env.Retired {
		if r.Key != nil {
			pk, err := PublicKey(*r.Key)
			errs.Add(err)
			r.PublicKey = pk
		}
		if len(r.Certs) > 0 {
			c := &model.Chain{Name: r.Name, Src: r.Src, Certs: r.Certs}
			errs.Add(chain(c, ""))
			r.Certificates = c.Certificates
		}
		if (r.Key == nil) == (len(r.Certs) == 0) {
			errs.Add(r.Src.Errorf("retired %q must name its material: key (for a log) or certs (for an authority)", r.Name))
		}
	}
	errs.Add(tufTargets(env))
	if err := errs.Err(); err != nil {
		return errors.Sanitize(err)
	}
	return nil
}

// fillLogID sets the log id and checkpoint key id.
//
// RFC 6962 logs (CT, Rekor v1) are identified by the SHA-256 of the key's
// SubjectPublicKeyInfo, whatever form the trusted root stores it in: the
// published staging CT key is PKCS#1 and its id is still over the SPKI.
// Rekor v2 logs sign C2SP checkpoints, and for Ed25519 keys their log id is
// the signed-note key hash over the log's origin: SHA-256(origin || "\n" ||
// 0x01 || key). protobuf-specs keeps the first four bytes of the same hash
// as checkpointKeyId.
func fillLogID(pk *model.PublicKey, api int, u model.Value[string]) errors.Error {
	spkiHash := sha256.Sum256(pk.SPKI)
	pk.LogID = spkiHash[:]
	pk.CheckpointKeyID = spkiHash[:4]
	if pk.Details == "PKIX_RSA_PKCS1V5" || pk.Details == "PKCS1_RSA_PKCS1V5" || isRSAPKCS1v15(pk.Details) {
		// C2SP signed-note: RSA keys use type 0xff and a format name.
		origin, err := Origin(u.V)
		if err == nil {
			h := sha256.Sum256(slices.Concat([]byte(origin+"\n"), []byte{0xff}, []byte("PKIX-RSA-PKCS#1v1.5"), pk.SPKI))
			pk.CheckpointKeyID = h[:4]
		}
	}
	if api < 2 || pk.Details != "PKIX_ED25519" {
		return nil
	}
	origin, err := Origin(u.V)
	if err != nil {
		return u.Src.Errorf("Rekor v2 log url %q has no origin to compute its log id over: %v", u.V, err)
	}
	h := sha256.Sum256(slices.Concat([]byte(origin+"\n"), []byte{0x01}, pk.Key.(ed25519.PublicKey)))
	pk.LogID = h[:]
	pk.CheckpointKeyID = h[:4]
	return nil
}

// apiFromLogID is the API version of a log no signing config names: the
// one whose log id the published id is (an Ed25519 key's id differs between
// RFC 6962 and C2SP signed-note logs), else guess. trustc import infers it
// the same way, so import and check agree on staging v16's Ed25519 log,
// published with the id of an API v1 log.
func apiFromLogID(pk *model.PublicKey, guess int, published string, u model.Value[string]) int {
	for _, api := range []int{1, 2} {
		try := *pk
		if fillLogID(&try, api, u) == nil && base64.StdEncoding.EncodeToString(try.LogID) == published {
			return api
		}
	}
	return guess
}

// RekorAPI is the Rekor API version of a published trusted-root log that
// no signing config states: the version whose log id the published id is,
// else 2 for an Ed25519 key (Rekor v2 signs checkpoints with one), else 1.
// It is the rule Environment applies to published JSON (compiler/load),
// exported so that the review reads a log's version the same way.
func RekorAPI(rawKey []byte, details, baseURL string, logID []byte) int {
	guess := 1
	if details == "PKIX_ED25519" {
		guess = 2
	}
	key, err := x509.ParsePKIXPublicKey(rawKey)
	if err != nil {
		return guess
	}
	pk := &model.PublicKey{Key: key, Raw: rawKey, SPKI: rawKey, Details: details}
	return apiFromLogID(pk, guess, base64.StdEncoding.EncodeToString(logID), model.Value[string]{V: baseURL})
}

// Origin is a log's checkpoint origin: its base URL without the scheme, as
// every published Rekor v2 log has it.
func Origin(baseURL string) (string, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return "", err
	}
	if u.Host == "" {
		return "", errors.New("no host")
	}
	return u.Host + u.EscapedPath(), nil
}

func isRSAPKCS1v15(d string) bool {
	switch d {
	case "PKIX_RSA_PKCS1V15_2048_SHA256", "PKIX_RSA_PKCS1V15_3072_SHA256", "PKIX_RSA_PKCS1V15_4096_SHA256":
		return true
	}
	return false
}

// agree checks restated values against the derived ones. A declared key
// detail may also name another scheme the same key supports (RSA-PSS for an
// RSA key); it then replaces the derived default.
func agree(pk *model.PublicKey, logID, details model.Value[string], key model.Material) errors.Error {
	var errs errors.Error
	if logID.Set() {
		got := base64.StdEncoding.EncodeToString(pk.LogID)
		if logID.V != got {
			errs = errors.Append(errs, logID.Src.Errorf(
				"logId %q does not match the key in %s, whose log id is %q; remove logId (it is derived) or fix the key file",
				logID.V, key.File.V, got))
		}
	}
	if details.Set() && details.V != pk.Details {
		if !slices.Contains(compatibleDetails(pk), details.V) {
			errs = errors.Append(errs, details.Src.Errorf(
				"keyDetails %q does not fit the key in %s (%s); remove keyDetails to use the derived value",
				details.V, key.File.V, pk.Details))
		} else {
			pk.Details = details.V
		}
	}
	return errs
}

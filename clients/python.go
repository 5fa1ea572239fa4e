package clients

import (
	"fmt"
	"slices"
	"time"

	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	prototrustroot "github.com/sigstore/protobuf-specs/gen/pb-go/trustroot/v1"
)

// The sigstore-python model describes release 4.5.0 (sigstore/__init__.py
// __version__, tag v4.5.0; unchanged at 27db13db, 2026-08-19). Signing
// follows SigningConfig in sigstore/models.py and SigningContext in
// sigstore/sign.py.

// sigstore/_internal/trust.py: REKOR_VERSIONS = [1, 2], TSA_VERSIONS,
// FULCIO_VERSIONS and OIDC_VERSIONS = [1]. `--rekor-version N` (sigstore/_cli.py)
// sets ClientTrustConfig.force_tlog_version, which replaces REKOR_VERSIONS by
// [N]; Client.Rekor carries that list.
var (
	pyFulcioVersions = []uint32{1}
	pyOIDCVersions   = []uint32{1}
	pyTSAVersions    = []uint32{1}
)

const pyMediaType = "application/vnd.dev.sigstore.signingconfig.v0.2+json"

func signPython(c Client, sc *prototrustroot.SigningConfig, t time.Time) Signing {
	s := Signing{Client: c}
	// SigningConfig.__init__ checks the media type, then builds the lists in
	// this order and raises on the first empty one it requires, so the whole
	// config is refused: no Rekor log, or fewer services than EXACT asks for
	// (Rekor, then TSA), or no Fulcio.
	if sc.GetMediaType() != pyMediaType {
		s.Error = fmt.Sprintf("unsupported signing config format: %s", sc.GetMediaType())
		return s
	}
	tlogs, err := pyValidServices(sc.GetRekorTlogUrls(), c.Rekor, sc.GetRekorTlogConfig(), t)
	if err == nil && len(tlogs) == 0 {
		err = fmt.Errorf("No valid Rekor transparency log found in signing config")
	}
	if err != nil {
		s.Error = err.Error()
		return s
	}
	tsas, err := pyValidServices(sc.GetTsaUrls(), pyTSAVersions, sc.GetTsaConfig(), t)
	if err != nil {
		s.Error = err.Error()
		return s
	}
	fulcios, _ := pyValidServices(sc.GetCaUrls(), pyFulcioVersions, nil, t)
	if len(fulcios) == 0 {
		s.Error = "No valid Fulcio CA found in signing config"
		return s
	}
	oidcs, _ := pyValidServices(sc.GetOidcUrls(), pyOIDCVersions, nil, t)

	// get_fulcio() and get_oidc_url() take the first; SigningContext
	// (sign.py) signs with get_tlogs()[0] only, whatever the selector
	// returned; every selected TSA timestamps.
	s.CA = Choice{Services: fulcios[:1], Uses: 1}
	if len(oidcs) == 0 {
		// Raised only by get_oidc_url(), i.e. when no token is given.
		s.OIDC = Choice{Error: "No valid OIDC provider found in signing config"}
	} else {
		s.OIDC = Choice{Services: oidcs[:1], Uses: 1}
	}
	s.Rekor = Choice{Services: tlogs[:1], Uses: 1}
	if len(tlogs) > 1 {
		s.Rekor.Note = fmt.Sprintf("signs with the first of %d selected logs only", len(tlogs))
	}
	s.TSA = Choice{Services: tsas, Uses: len(tsas)}
	return s
}

// pyValidServices models SigningConfig._get_valid_services. Unlike
// sigstore-go it does not prefer newer starts: it keeps, per operator (in the
// order operators first appear), the service with the highest API version,
// and among equal versions the one listed last, because list.sort is stable
// and it takes op_services[-1].
func pyValidServices(services []*prototrustroot.Service, versions []uint32, config *prototrustroot.ServiceConfiguration, t time.Time) ([]Service, error) {
	var operators []string
	byOperator := map[string][]Service{}
	for _, p := range services {
		s := serviceFromProto(p)
		if !slices.Contains(versions, s.MajorAPIVersion) || !pyValidAt(p.GetValidFor(), t) {
			continue
		}
		if _, ok := byOperator[s.Operator]; !ok {
			operators = append(operators, s.Operator)
		}
		byOperator[s.Operator] = append(byOperator[s.Operator], s)
	}
	var result []Service
	for _, op := range operators {
		l := byOperator[op]
		slices.SortStableFunc(l, func(a, b Service) int { return int(a.MajorAPIVersion) - int(b.MajorAPIVersion) })
		result = append(result, l[len(l)-1])
	}
	if config == nil || config.GetSelector() == prototrustroot.ServiceSelector_ALL {
		return result, nil
	}
	// EXACT with a count uses the count; EXACT with count 0, ANY and even
	// SERVICE_SELECTOR_UNDEFINED take one.
	count := 1
	if config.GetSelector() == prototrustroot.ServiceSelector_EXACT && config.GetCount() != 0 {
		count = int(config.GetCount())
	}
	if config.GetSelector() == prototrustroot.ServiceSelector_EXACT && len(result) < count {
		return nil, fmt.Errorf("Expected %d services in signing config, found %d", count, len(result))
	}
	return result[:min(count, len(result))], nil
}

// pyValidAt models sigstore/_utils.py is_timerange_valid with
// allow_expired=False: no period is always valid, otherwise start <= now <=
// end, both ends inclusive. A period without start is not modelled (the
// Python comparison with None would raise); it counts as started.
func pyValidAt(v *protocommon.TimeRange, t time.Time) bool {
	if v == nil {
		return true
	}
	if v.GetStart() != nil && t.Before(v.GetStart().AsTime()) {
		return false
	}
	return v.GetEnd() == nil || !t.After(v.GetEnd().AsTime())
}

package clients

import (
	"slices"
	"time"

	prototrustroot "github.com/sigstore/protobuf-specs/gen/pb-go/trustroot/v1"
)

// The sigstore-js signing model describes @sigstore/sign 5.0.0
// (packages/sign/src/config.ts, bundleBuilderFromSigningConfig; identical at
// the @sigstore/sign@5.0.0 tag and at 769a53d8, 2026-08-04).
//
// MAX_CA_API_VERSION = 1, MAX_TLOG_API_VERSION = 2, MAX_TSA_API_VERSION = 1,
// and they are maxima: filterServicesByMaxAPIVersion keeps every service at
// or below them, so a v1 log competes with a v2 log on start date alone.
const (
	jsMaxCAVersion   = 1
	jsMaxTlogVersion = 2
	jsMaxTSAVersion  = 1
)

func signJS(c Client, sc *prototrustroot.SigningConfig, t time.Time) Signing {
	s := Signing{Client: c}
	s.CA = jsFirst(sc.GetCaUrls(), jsMaxCAVersion, t, "No valid CA services found in signing configuration")
	// The signer takes its identity provider from the caller; oidcUrls is
	// never read.
	s.OIDC = Choice{NotRead: true}

	// witnessesFromConfig: a list is only used when its configuration
	// message is present, and only the ANY selector is accepted.
	switch cfg := sc.GetRekorTlogConfig(); {
	case cfg == nil:
		s.Rekor = Choice{Note: "no rekorTlogConfig: signs without a transparency log"}
	case cfg.GetSelector() != prototrustroot.ServiceSelector_ANY:
		s.Rekor = Choice{Error: "Unsupported Rekor TLog selector in signing configuration"}
	default:
		s.Rekor = jsFirst(sc.GetRekorTlogUrls(), jsMaxTlogVersion, t, "No valid TLogs found in signing configuration")
	}
	switch cfg := sc.GetTsaConfig(); {
	case cfg == nil:
		s.TSA = Choice{}
	case cfg.GetSelector() != prototrustroot.ServiceSelector_ANY:
		s.TSA = Choice{Error: "Unsupported TSA selector in signing configuration"}
	default:
		s.TSA = jsFirst(sc.GetTsaUrls(), jsMaxTSAVersion, t, "No valid TSAs found in signing configuration")
	}
	return s
}

// jsFirst models certAuthorityService, tlogService and tsaService: filter
// by maximum API version, drop services whose end is before now (end >= now
// is kept, so the end is inclusive), sort by start, newest first, and take
// the first. sortServicesByStartDate never looks at whether the start has
// come: a service that starts in the future wins as soon as it is listed.
// Array.prototype.sort is stable, so equal starts keep file order; a missing
// start sorts as the epoch.
func jsFirst(services []*prototrustroot.Service, maxVersion uint32, t time.Time, noneErr string) Choice {
	var l []Service
	for _, p := range services {
		s := serviceFromProto(p)
		if s.MajorAPIVersion > maxVersion {
			continue
		}
		if !s.End.IsZero() && s.End.Before(t) {
			continue
		}
		l = append(l, s)
	}
	slices.SortStableFunc(l, func(a, b Service) int { return b.Start.Compare(a.Start) })
	if len(l) == 0 {
		return Choice{Error: noneErr}
	}
	return Choice{Services: l[:1], Uses: 1}
}

package clients

import (
	"fmt"
	"time"

	prototrustroot "github.com/sigstore/protobuf-specs/gen/pb-go/trustroot/v1"
	"github.com/sigstore/sigstore-go/pkg/root"
)

// API versions sigstore-go v1.3.0 signs with: pkg/sign/certificate.go
// FulcioAPIVersions and pkg/sign/timestamping.go TimestampAuthorityAPIVersions
// are {1}. pkg/sign is not imported for them: it would link Rekor and TSA
// clients this package never calls. sigstore-go leaves the OIDC provider to
// its caller; the same rule as for CAs is applied.
var (
	goFulcioVersions = []uint32{1}
	goOIDCVersions   = []uint32{1}
	goTSAVersions    = []uint32{1}
)

// signGo runs sigstore-go's own selection the way its signing example
// (examples/sigstore-go-signing/main.go, v1.3.0) wires it: SelectService for
// the CA, SelectServices with the file's selector for Rekor and TSAs.
func signGo(c Client, sc *prototrustroot.SigningConfig, t time.Time) Signing {
	s := Signing{Client: c}
	cfg, err := root.NewSigningConfigFromProtobuf(sc)
	if err != nil {
		s.Error = err.Error()
		return s
	}
	s.CA = goOne(cfg.FulcioCertificateAuthorityURLs(), goFulcioVersions, t)
	s.OIDC = goOne(cfg.OIDCProviderURLs(), goOIDCVersions, t)
	s.Rekor = goMany(cfg.RekorLogURLs, cfg.RekorLogURLsConfig, c.Rekor, t)
	s.TSA = goMany(cfg.TimestampAuthorityURLs, cfg.TimestampAuthorityURLsConfig, goTSAVersions, t)
	return s
}

func goOne(services []root.Service, versions []uint32, t time.Time) Choice {
	got, err := root.SelectService(services, versions, t)
	if err != nil {
		return Choice{Error: err.Error()}
	}
	return Choice{Services: []Service{fromRoot(got)}, Uses: 1}
}

// goMany calls SelectServices twice: once with the file's selector, for the
// error and the number of services one signature uses, and once with ALL,
// for the candidates ANY and EXACT draw from. sigstore-go draws with
// math/rand, so a report can only name the candidates.
func goMany(services func() []root.Service, config func() root.ServiceConfiguration, versions []uint32, t time.Time) (ch Choice) {
	// RekorLogURLsConfig and TimestampAuthorityURLsConfig dereference the
	// config message without a nil check: a file without rekorTlogConfig or
	// tsaConfig makes every sigstore-go signer panic.
	defer func() {
		if r := recover(); r != nil {
			ch = Choice{Error: fmt.Sprintf("sigstore-go panics: %v (the service configuration is missing)", r)}
		}
	}()
	svcs := services()
	if len(svcs) == 0 {
		// Callers only sign with what the file lists; an empty list
		// means signing without that witness, not an error.
		return Choice{}
	}
	cfg := config()
	got, err := root.SelectServices(svcs, cfg, versions, t)
	if err != nil {
		return Choice{Error: err.Error()}
	}
	all, err := root.SelectServices(svcs, root.ServiceConfiguration{Selector: prototrustroot.ServiceSelector_ALL}, versions, t)
	if err != nil {
		return Choice{Error: err.Error()}
	}
	out := Choice{Uses: len(got)}
	for _, s := range all {
		out.Services = append(out.Services, fromRoot(s))
	}
	return out
}

func fromRoot(s root.Service) Service {
	return Service{
		URL:             s.URL,
		MajorAPIVersion: s.MajorAPIVersion,
		Start:           s.ValidityPeriodStart,
		End:             s.ValidityPeriodEnd,
		Operator:        s.Operator,
	}
}

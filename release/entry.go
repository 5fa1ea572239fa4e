package release

import (
	"time"

	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	prototrustroot "github.com/sigstore/protobuf-specs/gen/pb-go/trustroot/v1"
)

// Window reads a validity window of a trusted-root entry or a service. An
// unset start or end is the zero time: an open end.
func Window(v *protocommon.TimeRange) (start, end time.Time) {
	if v.GetStart() != nil {
		start = v.GetStart().AsTime()
	}
	if v.GetEnd() != nil {
		end = v.GetEnd().AsTime()
	}
	return start, end
}

// AuthorityName names a CA or TSA of a trusted root as a reader knows it:
// its URI, else its subject, "CN (O)" or whichever of the two is set.
// Clients' snapshots and timelines name authorities alike, so that a row of
// one finds the row of the other.
func AuthorityName(ca *prototrustroot.CertificateAuthority) string {
	if ca.GetUri() != "" {
		return ca.GetUri()
	}
	s := ca.GetSubject()
	if s.GetCommonName() != "" && s.GetOrganization() != "" {
		return s.GetCommonName() + " (" + s.GetOrganization() + ")"
	}
	return s.GetCommonName() + s.GetOrganization()
}

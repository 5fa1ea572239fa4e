package release

import (
	"testing"
	"time"

	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	prototrustroot "github.com/sigstore/protobuf-specs/gen/pb-go/trustroot/v1"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func TestAuthorityName(t *testing.T) {
	for _, tc := range []struct {
		uri, cn, o string
		want       string
	}{
		{"https://fulcio.example.dev", "root", "example", "https://fulcio.example.dev"},
		{"", "root", "example", "root (example)"},
		{"", "root", "", "root"},
		{"", "", "example", "example"},
		{"", "", "", ""},
	} {
		ca := &prototrustroot.CertificateAuthority{Uri: tc.uri, Subject: &protocommon.DistinguishedName{CommonName: tc.cn, Organization: tc.o}}
		if got := AuthorityName(ca); got != tc.want {
			t.Errorf("AuthorityName(uri %q, cn %q, o %q) = %q, want %q", tc.uri, tc.cn, tc.o, got, tc.want)
		}
	}
}

func TestWindow(t *testing.T) {
	t1, t2 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name       string
		in         *protocommon.TimeRange
		start, end time.Time
	}{
		{"unset", nil, time.Time{}, time.Time{}},
		{"open end", &protocommon.TimeRange{Start: timestamppb.New(t1)}, t1, time.Time{}},
		{"closed", &protocommon.TimeRange{Start: timestamppb.New(t1), End: timestamppb.New(t2)}, t1, t2},
	} {
		start, end := Window(tc.in)
		if !start.Equal(tc.start) || !end.Equal(tc.end) {
			t.Errorf("%s: Window = %v, %v; want %v, %v", tc.name, start, end, tc.start, tc.end)
		}
	}
}

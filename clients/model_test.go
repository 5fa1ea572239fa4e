package clients

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	prototrustroot "github.com/sigstore/protobuf-specs/gen/pb-go/trustroot/v1"
	"github.com/trustc-dev/trustc/internal/published"
	"github.com/trustc-dev/trustc/internal/timetest"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// svc builds a service; start and end are RFC 3339 or empty for unset.
func svc(url string, version uint32, start, end, operator string) *prototrustroot.Service {
	s := &prototrustroot.Service{Url: url, MajorApiVersion: version, Operator: operator, ValidFor: &protocommon.TimeRange{}}
	if start != "" {
		s.ValidFor.Start = timestamppb.New(timetest.Parse(start))
	}
	if end != "" {
		s.ValidFor.End = timestamppb.New(timetest.Parse(end))
	}
	return s
}

var (
	any1 = &prototrustroot.ServiceConfiguration{Selector: prototrustroot.ServiceSelector_ANY}
	all  = &prototrustroot.ServiceConfiguration{Selector: prototrustroot.ServiceSelector_ALL}
)

// signingConfig is a valid v0.2 config with one CA and OIDC provider, the
// given Rekor logs and selector, and no TSA.
func signingConfig(rekor []*prototrustroot.Service, rekorConfig *prototrustroot.ServiceConfiguration) *prototrustroot.SigningConfig {
	return &prototrustroot.SigningConfig{
		MediaType:       "application/vnd.dev.sigstore.signingconfig.v0.2+json",
		CaUrls:          []*prototrustroot.Service{svc("https://ca", 1, "2020-01-01T00:00:00Z", "", "a")},
		OidcUrls:        []*prototrustroot.Service{svc("https://oidc", 1, "2020-01-01T00:00:00Z", "", "a")},
		RekorTlogUrls:   rekor,
		RekorTlogConfig: rekorConfig,
	}
}

func client(impl Impl, rekor ...uint32) Client {
	for _, c := range Signers() {
		if c.Impl == impl && slicesEqual(c.Rekor, rekor) {
			return c
		}
	}
	panic("no such client")
}

func slicesEqual(a, b []uint32) bool { return cmp.Equal(a, b) }

// TestRekorSelection pins each rule of the three clients' Rekor selection,
// including the ones where they part.
func TestRekorSelection(t *testing.T) {
	var (
		goV2 = client(SigstoreGo, 1, 2)
		goV1 = client(SigstoreGo, 1)
		pyV2 = client(SigstorePython, 1, 2)
		pyV1 = client(SigstorePython, 1)
		js   = client(SigstoreJS, 1, 2)
	)
	v1 := svc("https://v1", 1, "2021-01-01T00:00:00Z", "", "a")
	for _, tc := range []struct {
		name   string
		config *prototrustroot.SigningConfig
		at     string
		want   map[string]string // client name -> Choice.String()
	}{{
		name:   "v2 before its start: only js takes it",
		config: signingConfig([]*prototrustroot.Service{svc("https://v2", 2, "2026-01-01T00:00:00Z", "", "a"), v1}, any1),
		at:     "2025-10-01T00:00:00Z",
		want: map[string]string{goV2.Name(): "https://v1", goV1.Name(): "https://v1", pyV2.Name(): "https://v1",
			pyV1.Name(): "https://v1", js.Name(): "https://v2 (v2)"},
	}, {
		name:   "v2 from its start, inclusive",
		config: signingConfig([]*prototrustroot.Service{svc("https://v2", 2, "2026-01-01T00:00:00Z", "", "a"), v1}, any1),
		at:     "2026-01-01T00:00:00Z",
		want: map[string]string{goV2.Name(): "https://v2 (v2)", goV1.Name(): "https://v1", pyV2.Name(): "https://v2 (v2)",
			pyV1.Name(): "https://v1", js.Name(): "https://v2 (v2)"},
	}, {
		name:   "a newer v1 beats an older v2 in js only",
		config: signingConfig([]*prototrustroot.Service{svc("https://v2", 2, "2021-06-01T00:00:00Z", "", "a"), svc("https://v1new", 1, "2022-01-01T00:00:00Z", "", "a")}, any1),
		at:     "2023-01-01T00:00:00Z",
		want: map[string]string{goV2.Name(): "https://v2 (v2)", goV1.Name(): "https://v1new", pyV2.Name(): "https://v2 (v2)",
			pyV1.Name(): "https://v1new", js.Name(): "https://v1new"},
	}, {
		name: "overlap of equal versions: go takes the newest start, python the last listed, js the newest start",
		config: signingConfig([]*prototrustroot.Service{
			svc("https://new", 2, "2025-09-22T11:00:00Z", "", "a"),
			svc("https://old", 2, "2025-08-20T00:00:00Z", "2025-09-22T11:00:00Z", "a"),
		}, any1),
		at: "2025-09-22T11:00:00Z",
		want: map[string]string{goV2.Name(): "https://new (v2)", goV1.Name(): "fails: no matching services found for API versions [1] and current time 2025-09-22 11:00:00 +0000 UTC",
			pyV2.Name(): "https://old (v2)", pyV1.Name(): "fails: No valid Rekor transparency log found in signing config", js.Name(): "https://new (v2)"},
	}, {
		name:   "end is inclusive for everyone",
		config: signingConfig([]*prototrustroot.Service{svc("https://ending", 1, "2021-01-01T00:00:00Z", "2025-01-01T00:00:00Z", "a")}, any1),
		at:     "2025-01-01T00:00:00Z",
		want: map[string]string{goV2.Name(): "https://ending", goV1.Name(): "https://ending", pyV2.Name(): "https://ending",
			pyV1.Name(): "https://ending", js.Name(): "https://ending"},
	}, {
		name:   "after the end",
		config: signingConfig([]*prototrustroot.Service{svc("https://ending", 1, "2021-01-01T00:00:00Z", "2025-01-01T00:00:00Z", "a")}, any1),
		at:     "2025-01-01T00:00:00.000000001Z",
		want: map[string]string{goV2.Name(): "fails: no matching services found for API versions [1 2] and current time 2025-01-01 00:00:00.000000001 +0000 UTC",
			goV1.Name(): "fails: no matching services found for API versions [1] and current time 2025-01-01 00:00:00.000000001 +0000 UTC",
			pyV2.Name(): "fails: No valid Rekor transparency log found in signing config", pyV1.Name(): "fails: No valid Rekor transparency log found in signing config",
			js.Name(): "fails: No valid TLogs found in signing configuration"},
	}, {
		name: "two operators, ALL: go signs with both, python with the first, js refuses ALL",
		config: signingConfig([]*prototrustroot.Service{
			svc("https://a", 1, "2021-01-01T00:00:00Z", "", "a.example"),
			svc("https://b", 1, "2022-01-01T00:00:00Z", "", "b.example"),
		}, all),
		at: "2023-01-01T00:00:00Z",
		want: map[string]string{goV2.Name(): "https://b, https://a", goV1.Name(): "https://b, https://a", pyV2.Name(): "https://a",
			pyV1.Name(): "https://a", js.Name(): "fails: Unsupported Rekor TLog selector in signing configuration"},
	}, {
		name: "two operators, ANY: go draws at random",
		config: signingConfig([]*prototrustroot.Service{
			svc("https://a", 1, "2021-01-01T00:00:00Z", "", "a.example"),
			svc("https://b", 1, "2022-01-01T00:00:00Z", "", "b.example"),
		}, any1),
		at: "2023-01-01T00:00:00Z",
		want: map[string]string{goV2.Name(): "one of https://b, https://a at random", goV1.Name(): "one of https://b, https://a at random",
			pyV2.Name(): "https://a", pyV1.Name(): "https://a", js.Name(): "https://b"},
	}, {
		name:   "EXACT with count 0: go refuses, python takes one, js refuses EXACT",
		config: signingConfig([]*prototrustroot.Service{v1}, &prototrustroot.ServiceConfiguration{Selector: prototrustroot.ServiceSelector_EXACT}),
		at:     "2023-01-01T00:00:00Z",
		want: map[string]string{goV2.Name(): "fails: service selector count must be greater than 0", goV1.Name(): "fails: service selector count must be greater than 0",
			pyV2.Name(): "https://v1", pyV1.Name(): "https://v1", js.Name(): "fails: Unsupported Rekor TLog selector in signing configuration"},
	}, {
		name:   "no rekorTlogConfig: go panics, python takes all, js signs without a log",
		config: signingConfig([]*prototrustroot.Service{v1}, nil),
		at:     "2023-01-01T00:00:00Z",
		want: map[string]string{goV2.Name(): "fails: sigstore-go panics: runtime error: invalid memory address or nil pointer dereference (the service configuration is missing)",
			goV1.Name(): "fails: sigstore-go panics: runtime error: invalid memory address or nil pointer dereference (the service configuration is missing)",
			pyV2.Name(): "https://v1", pyV1.Name(): "https://v1", js.Name(): "none (no rekorTlogConfig: signs without a transparency log)"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got := map[string]string{}
			for _, c := range Signers() {
				got[c.Name()] = Sign(c, tc.config, timetest.Parse(tc.at)).Choice(RoleRekor).String()
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Rekor choice (-want +got):\n%s", diff)
			}
		})
	}
}

func TestOtherRoles(t *testing.T) {
	sc := signingConfig([]*prototrustroot.Service{svc("https://v1", 1, "2021-01-01T00:00:00Z", "", "a")}, any1)
	sc.CaUrls = []*prototrustroot.Service{
		svc("https://ca-future", 1, "2030-01-01T00:00:00Z", "", "a"),
		svc("https://ca", 1, "2020-01-01T00:00:00Z", "", "a"),
	}
	sc.TsaUrls = []*prototrustroot.Service{svc("https://tsa", 1, "2020-01-01T00:00:00Z", "", "a")}
	sc.TsaConfig = any1
	got := map[string][]string{}
	for _, c := range Signers() {
		s := Sign(c, sc, timetest.Parse("2025-01-01T00:00:00Z"))
		for _, r := range []Role{RoleCA, RoleOIDC, RoleTSA} {
			got[c.Name()] = append(got[c.Name()], s.Choice(r).String())
		}
	}
	want := map[string][]string{
		"sigstore-go v1.3.0 configured for Rekor v2":      {"https://ca", "https://oidc", "https://tsa"},
		"sigstore-go v1.3.0 configured for Rekor v1 only": {"https://ca", "https://oidc", "https://tsa"},
		"sigstore-python 4.5.0":                           {"https://ca", "https://oidc", "https://tsa"},
		"sigstore-python 4.5.0 --rekor-version 1":         {"https://ca", "https://oidc", "https://tsa"},
		"sigstore-js @sigstore/sign 5.0.0":                {"https://ca-future", "not read", "https://tsa"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CA, OIDC, TSA (-want +got):\n%s", diff)
	}
}

func TestMediaType(t *testing.T) {
	sc := signingConfig([]*prototrustroot.Service{svc("https://v1", 1, "2021-01-01T00:00:00Z", "", "a")}, any1)
	sc.MediaType = "application/vnd.dev.sigstore.signingconfig.v0.3+json"
	got := map[string]string{}
	for _, c := range Signers() {
		got[c.Name()] = Sign(c, sc, timetest.Parse("2025-01-01T00:00:00Z")).Error
	}
	want := map[string]string{
		"sigstore-go v1.3.0 configured for Rekor v2":      "unsupported SigningConfig media type: application/vnd.dev.sigstore.signingconfig.v0.3+json",
		"sigstore-go v1.3.0 configured for Rekor v1 only": "unsupported SigningConfig media type: application/vnd.dev.sigstore.signingconfig.v0.3+json",
		"sigstore-python 4.5.0":                           "unsupported signing config format: application/vnd.dev.sigstore.signingconfig.v0.3+json",
		"sigstore-python 4.5.0 --rekor-version 1":         "unsupported signing config format: application/vnd.dev.sigstore.signingconfig.v0.3+json",
		"sigstore-js @sigstore/sign 5.0.0":                "",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("refusals (-want +got):\n%s", diff)
	}
}

func TestVerifyModels(t *testing.T) {
	key := func(url, start, end string) *prototrustroot.TransparencyLogInstance {
		v := &protocommon.TimeRange{Start: timestamppb.New(timetest.Parse(start))}
		if end != "" {
			v.End = timestamppb.New(timetest.Parse(end))
		}
		return &prototrustroot.TransparencyLogInstance{
			BaseUrl: url, HashAlgorithm: protocommon.HashAlgorithm_SHA2_256,
			LogId:     &protocommon.LogId{KeyId: []byte(url)},
			PublicKey: &protocommon.PublicKey{RawBytes: ed25519SPKI, KeyDetails: protocommon.PublicKeyDetails_PKIX_ED25519, ValidFor: v},
		}
	}
	tr := &prototrustroot.TrustedRoot{
		MediaType: pyTrustedRootMediaType,
		Tlogs:     []*prototrustroot.TransparencyLogInstance{key("https://old", "2021-01-01T00:00:00Z", "2024-01-01T00:00:00Z"), key("https://new", "2024-01-01T00:00:00Z", "")},
		TimestampAuthorities: []*prototrustroot.CertificateAuthority{{
			// One self-signed certificate: sigstore-go takes it as the root.
			Uri: "https://tsa", CertChain: published.Production(t, 14).Envs[0].TrustedRoot.Msg.GetCertificateAuthorities()[0].GetCertChain(),
			ValidFor: &protocommon.TimeRange{Start: timestamppb.New(timetest.Parse("2021-01-01T00:00:00Z")), End: timestamppb.New(timetest.Parse("2024-01-01T00:00:00Z"))},
		}},
	}
	for _, tc := range []struct {
		at   string
		want []string
	}{
		{"2023-01-01T00:00:00Z", []string{
			"tlogs[0]: sigstore-go v1.3.0=yes, sigstore-python 4.5.0=yes, sigstore-js @sigstore/verify 4.1.2=yes",
			"tlogs[1]: sigstore-go v1.3.0=no, sigstore-python 4.5.0=no, sigstore-js @sigstore/verify 4.1.2=no",
			"timestampAuthorities[0]: sigstore-go v1.3.0=yes, sigstore-python 4.5.0=no (skips chains of fewer than two certificates), sigstore-js @sigstore/verify 4.1.2=yes",
		}},
		{"2024-01-01T00:00:00Z", []string{
			"tlogs[0]: sigstore-go v1.3.0=yes, sigstore-python 4.5.0=yes, sigstore-js @sigstore/verify 4.1.2=yes",
			"tlogs[1]: sigstore-go v1.3.0=yes, sigstore-python 4.5.0=yes, sigstore-js @sigstore/verify 4.1.2=yes",
			"timestampAuthorities[0]: sigstore-go v1.3.0=yes, sigstore-python 4.5.0=no (skips chains of fewer than two certificates), sigstore-js @sigstore/verify 4.1.2=yes",
		}},
		{"2025-01-01T00:00:00Z", []string{
			"tlogs[0]: sigstore-go v1.3.0=no, sigstore-python 4.5.0=yes (ignores the window end), sigstore-js @sigstore/verify 4.1.2=no",
			"tlogs[1]: sigstore-go v1.3.0=yes, sigstore-python 4.5.0=yes, sigstore-js @sigstore/verify 4.1.2=yes",
			"timestampAuthorities[0]: sigstore-go v1.3.0=no, sigstore-python 4.5.0=no (skips chains of fewer than two certificates), sigstore-js @sigstore/verify 4.1.2=no",
		}},
	} {
		t.Run(tc.at, func(t *testing.T) {
			entries, refusals := Verify(tr, timetest.Parse(tc.at))
			if len(refusals) != 0 {
				t.Fatalf("refusals: %v", refusals)
			}
			var got []string
			for _, e := range entries {
				var vs []string
				for _, v := range e.Verdicts {
					vs = append(vs, v.Client.Name()+"="+verdict(v))
				}
				got = append(got, e.Path+": "+strings.Join(vs, ", "))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("verdicts (-want +got):\n%s", diff)
			}
		})
	}

	tr.MediaType = "application/vnd.dev.sigstore.trustedroot.v0.2+json"
	_, refusals := Verify(tr, timetest.Parse("2025-01-01T00:00:00Z"))
	var got []string
	for _, r := range refusals {
		got = append(got, r.Client.Name()+": "+r.Error)
	}
	want := []string{
		"sigstore-go v1.3.0: unsupported TrustedRoot media type: application/vnd.dev.sigstore.trustedroot.v0.2+json",
		"sigstore-python 4.5.0: unsupported trusted root format: application/vnd.dev.sigstore.trustedroot.v0.2+json",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("v0.2 media type refusals (-want +got):\n%s", diff)
	}
}

// ed25519SPKI is an Ed25519 SubjectPublicKeyInfo (RFC 8410 test key), so
// sigstore-go's parser accepts the synthetic logs.
var ed25519SPKI = []byte{
	0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
	0x19, 0xbf, 0x44, 0x09, 0x69, 0x84, 0xcd, 0xfe, 0x85, 0x41, 0xba, 0xc1, 0x67, 0xdc, 0x3b, 0x96,
	0xc8, 0x50, 0x86, 0xaa, 0x30, 0xb6, 0xb6, 0xcb, 0x0c, 0x5c, 0x38, 0xad, 0x70, 0x31, 0x66, 0xe1,
}

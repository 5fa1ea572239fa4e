package e2e

import (
	"bytes"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	prototrustroot "github.com/sigstore/protobuf-specs/gen/pb-go/trustroot/v1"
	"github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/trustc-dev/trustc/internal/refdata"
	"github.com/trustc-dev/trustc/release"
)

// Issuer is the OIDC issuer of every bundle in the reference data.
const Issuer = "https://token.actions.githubusercontent.com"

// beaconSAN is the identity of sigstore-conformance's signing workflow.
const beaconSAN = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main"

// Case is one real bundle and what it must verify as.
type Case struct {
	// Name is the bundle's file name without .sigstore.json.
	Name string
	// Env is the environment whose trusted root verifies it.
	Env string
	// Bundle is the bundle's path below the reference data (testdata/sigstore),
	// slash-separated.
	Bundle string
	SAN    string
	Issuer string
	// Artifact is the signed file below the reference data (testdata/sigstore), or ""
	// when only Digest (hex sha256) is known.
	Artifact string
	Digest   string
	// Since is the targets version of the first published production
	// trusted root that verifies the bundle; every later one must too.
	// Zero for staging bundles, which have no history.
	Since int
}

// Cases are the bundles in testdata/sigstore/bundles, with identities
// and artifacts as its README gives them.
var Cases = []Case{
	{
		Name: "rekor1-hashedrekord", Env: "production",
		Bundle: "bundles/production/rekor1-hashedrekord.sigstore.json",
		SAN:    beaconSAN, Issuer: Issuer,
		Artifact: "bundles/a.txt",
		Since:    10,
	},
	{
		Name: "rekor1-v0.2-rfc8785-0.1.2-whl", Env: "production",
		Bundle: "bundles/production/rekor1-v0.2-rfc8785-0.1.2-whl.sigstore.json",
		SAN:    "https://github.com/trailofbits/rfc8785.py/.github/workflows/release.yml@refs/tags/v0.1.2", Issuer: Issuer,
		Digest: "c4e92e9ecc828bef2aa7dba1de8ac983511f7532a0df11c770d39099a25cf201",
		Since:  10,
	},
	{
		// Logged to log2025-1, which production trusts from targets v13.
		Name: "rekor2-log2025-1-tsa", Env: "production",
		Bundle: "bundles/production/rekor2-log2025-1-tsa.sigstore.json",
		SAN:    "https://github.com/tkgsn/sigstore-public-good-instance-test/.github/workflows/rekor-v2.yml@refs/heads/main", Issuer: Issuer,
		Artifact: "bundles/production/rekor2-log2025-1-tsa.subject.json",
		Since:    13,
	},
	{
		Name: "rekor2-alpha1-tsa", Env: "staging",
		Bundle: "bundles/staging/rekor2-alpha1-tsa.sigstore.json",
		SAN:    beaconSAN, Issuer: Issuer,
		Artifact: "bundles/a.txt",
	},
	{
		// A DSSE in-toto statement whose subject is a.txt.
		Name: "rekor2-alpha3-dsse-tsa", Env: "staging",
		Bundle: "bundles/staging/rekor2-alpha3-dsse-tsa.sigstore.json",
		SAN:    beaconSAN, Issuer: Issuer,
		Artifact: "bundles/a.txt",
	},
}

// VerifyBundle verifies c's bundle against trustedRootJSON with sigstore-go
// as the reference data was verified: one transparency log entry, one
// observer timestamp, one SCT, the exact SAN and issuer, and the artifact or
// its digest. A nil error means the bundle verifies. Missing reference
// files fail the test instead: they are a broken checkout, not a verdict.
func VerifyBundle(tb testing.TB, trustedRootJSON []byte, c Case) error {
	tb.Helper()
	_, err := verifyBundle(tb, trustedRootJSON, c)
	return err
}

func verifyBundle(tb testing.TB, trustedRootJSON []byte, c Case) (*verify.VerificationResult, error) {
	tb.Helper()
	b := loadBundle(tb, c)
	tr, err := root.NewTrustedRootFromJSON(trustedRootJSON)
	if err != nil {
		return nil, fmt.Errorf("load trusted root: %w", err)
	}
	v, err := verify.NewVerifier(tr,
		verify.WithTransparencyLog(1),
		verify.WithObserverTimestamps(1),
		verify.WithSignedCertificateTimestamps(1))
	if err != nil {
		return nil, fmt.Errorf("create verifier: %w", err)
	}
	id, err := verify.NewShortCertificateIdentity(c.Issuer, "", c.SAN, "")
	if err != nil {
		return nil, fmt.Errorf("create identity: %w", err)
	}
	var artifact verify.ArtifactPolicyOption
	if c.Artifact != "" {
		data, err := os.ReadFile(refPath(tb, c.Artifact))
		if err != nil {
			tb.Fatalf("read artifact of %s: %v", c.Name, err)
		}
		artifact = verify.WithArtifact(bytes.NewReader(data))
	} else {
		digest, err := hex.DecodeString(c.Digest)
		if err != nil {
			tb.Fatalf("case %s: digest: %v", c.Name, err)
		}
		artifact = verify.WithArtifactDigest("sha256", digest)
	}
	res, err := v.Verify(b, verify.NewPolicy(artifact, verify.WithCertificateIdentity(id)))
	if err != nil {
		return nil, fmt.Errorf("verify %s: %w", c.Name, err)
	}
	return res, nil
}

func loadBundle(tb testing.TB, c Case) *bundle.Bundle {
	tb.Helper()
	b, err := bundle.LoadJSONFromPath(refPath(tb, c.Bundle))
	if err != nil {
		tb.Fatalf("load bundle %s: %v", c.Name, err)
	}
	return b
}

func refPath(tb testing.TB, slashPath string) string {
	tb.Helper()
	return refdata.Path(tb, strings.Split(slashPath, "/")...)
}

// CheckEnv runs every case against an environment's trusted root: the
// environment's own bundles must verify, every other environment's must
// fail, and each own bundle must fail once the log, CA or timestamp
// authority it depends on is removed (and still verify when any other one
// is). Call it with a published or a compiled trusted_root.json. Subtest
// names carry the expectation: "rekor1-hashedrekord/without-rekor/fails",
// "rekor2-alpha1-tsa/staging-bundle/fails".
func CheckEnv(t *testing.T, env string, trustedRootJSON []byte) {
	t.Helper()
	for _, c := range Cases {
		t.Run(c.Name, func(t *testing.T) {
			t.Parallel()
			if c.Env != env {
				t.Run(c.Env+"-bundle/fails", func(t *testing.T) {
					if err := VerifyBundle(t, trustedRootJSON, c); err == nil {
						t.Errorf("%s bundle verifies against the %s trusted root", c.Env, env)
					}
				})
				return
			}
			if !t.Run("verifies", func(t *testing.T) {
				if err := VerifyBundle(t, trustedRootJSON, c); err != nil {
					t.Fatalf("does not verify against the %s trusted root: %v", env, err)
				}
			}) {
				return
			}
			for _, m := range Mutations(t, trustedRootJSON, c) {
				t.Run(m.Name, func(t *testing.T) {
					err := VerifyBundle(t, m.TrustedRoot, c)
					switch {
					case m.Needed && err == nil:
						t.Errorf("verifies without %s, which it depends on", m.Removed)
					case !m.Needed && err != nil:
						t.Errorf("fails without %s, which it does not use: %v", m.Removed, err)
					}
				})
			}
		})
	}
}

// Mutation is a trusted root with one log, CA or TSA taken out.
type Mutation struct {
	// Name says what was removed and what must happen, e.g.
	// "without-log2025-1/fails" or "without-ca-2021-03-07/verifies".
	Name string
	// Removed describes the removed entry for messages.
	Removed string
	// Needed is true when the bundle depends on the removed entry and must
	// then fail to verify.
	Needed      bool
	TrustedRoot []byte
}

// Mutations returns, for each transparency log, Fulcio CA and timestamp
// authority in trustedRootJSON, the trusted root without it, marked Needed
// when c's bundle depends on it. Dependencies are read from the bundle,
// not declared: the log by the log ID of its entry, the CA as the issuer of
// its certificate (authority key ID), the TSA as the authority sigstore-go
// reports having verified the timestamp with. When several entries of a
// kind could serve the bundle (two TSAs with one URI and overlapping
// windows, as staging has from 2026-06-12), they are removed together:
// any one of them would still verify it. CT logs are left alone.
func Mutations(tb testing.TB, trustedRootJSON []byte, c Case) []Mutation {
	tb.Helper()
	trf, err := release.ParseTrustedRoot(release.TrustedRootName, trustedRootJSON)
	if err != nil {
		tb.Fatalf("parse trusted root: %v", err)
	}
	tr := trf.Msg
	res, err := verifyBundle(tb, trustedRootJSON, c)
	if err != nil {
		tb.Fatalf("mutations need a trusted root that verifies %s: %v", c.Name, err)
	}
	b := loadBundle(tb, c)

	logIDs := map[string]bool{}
	for _, e := range b.GetVerificationMaterial().GetTlogEntries() {
		logIDs[string(e.GetLogId().GetKeyId())] = true
	}
	leaf := leafCertificate(tb, b)
	var tsaTimes []verify.TimestampVerificationResult
	for _, ts := range res.VerifiedTimestamps {
		if ts.Type == "TimestampAuthority" {
			tsaTimes = append(tsaTimes, ts)
		}
	}

	// Each kind of entry: a label and a verdict per entry, and how to drop
	// entries from a copy of the trusted root.
	type kind struct {
		labels []string
		needed []bool
		drop   func(m *prototrustroot.TrustedRoot, gone func(int) bool)
	}
	var tlogs, cas, tsas kind
	for _, l := range tr.GetTlogs() {
		tlogs.labels = append(tlogs.labels, hostLabel(l.GetBaseUrl()))
		tlogs.needed = append(tlogs.needed, logIDs[string(l.GetLogId().GetKeyId())])
	}
	tlogs.drop = func(m *prototrustroot.TrustedRoot, gone func(int) bool) { m.Tlogs = filter(m.Tlogs, gone) }
	for _, ca := range tr.GetCertificateAuthorities() {
		cas.labels = append(cas.labels, "ca-"+startDate(ca.GetValidFor()))
		cas.needed = append(cas.needed, issued(tb, leaf, ca.GetCertChain().GetCertificates()))
	}
	cas.drop = func(m *prototrustroot.TrustedRoot, gone func(int) bool) {
		m.CertificateAuthorities = filter(m.CertificateAuthorities, gone)
	}
	for _, tsa := range tr.GetTimestampAuthorities() {
		needed := false
		for _, ts := range tsaTimes {
			needed = needed || (ts.URI == tsa.GetUri() && covers(tsa.GetValidFor(), ts.Timestamp))
		}
		tsas.labels = append(tsas.labels, "tsa-"+startDate(tsa.GetValidFor()))
		tsas.needed = append(tsas.needed, needed)
	}
	tsas.drop = func(m *prototrustroot.TrustedRoot, gone func(int) bool) {
		m.TimestampAuthorities = filter(m.TimestampAuthorities, gone)
	}

	var out []Mutation
	add := func(k kind, gone map[int]bool, needed bool) {
		var labels []string
		for i := range k.labels {
			if gone[i] {
				labels = append(labels, k.labels[i])
			}
		}
		removed := strings.Join(labels, "+")
		m := proto.Clone(tr).(*prototrustroot.TrustedRoot)
		k.drop(m, func(i int) bool { return gone[i] })
		raw, err := protojson.Marshal(m)
		if err != nil {
			tb.Fatalf("marshal trusted root without %s: %v", removed, err)
		}
		verdict := "verifies"
		if needed {
			verdict = "fails"
		}
		out = append(out, Mutation{Name: "without-" + removed + "/" + verdict, Removed: removed, Needed: needed, TrustedRoot: raw})
	}
	for _, k := range []kind{tlogs, cas, tsas} {
		neededSet := map[int]bool{}
		for i, n := range k.needed {
			if n {
				neededSet[i] = true
			}
		}
		first := true
		for i, n := range k.needed {
			switch {
			case !n:
				add(k, map[int]bool{i: true}, false)
			case first:
				add(k, neededSet, true)
				first = false
			}
		}
	}
	return out
}

// filter returns s without the entries gone reports, by index.
func filter[T any](s []T, gone func(int) bool) []T {
	var out []T
	for i, e := range s {
		if !gone(i) {
			out = append(out, e)
		}
	}
	return out
}

// hostLabel names a log by the first label of its host:
// https://log2025-1.rekor.sigstore.dev is "log2025-1".
func hostLabel(baseURL string) string {
	u, err := url.Parse(baseURL)
	if err != nil || u.Hostname() == "" {
		return baseURL
	}
	label, _, _ := strings.Cut(u.Hostname(), ".")
	return label
}

// startDate names a CA or TSA by the day its validity starts, which tells
// apart entries that share a URL.
func startDate(r *protocommon.TimeRange) string {
	return r.GetStart().AsTime().UTC().Format(time.DateOnly)
}

// covers reports whether t falls in a validity window; a window without
// an end is open.
func covers(r *protocommon.TimeRange, t time.Time) bool {
	if r.GetStart() != nil && t.Before(r.GetStart().AsTime()) {
		return false
	}
	return r.GetEnd() == nil || !t.After(r.GetEnd().AsTime())
}

func leafCertificate(tb testing.TB, b *bundle.Bundle) *x509.Certificate {
	tb.Helper()
	vc, err := b.VerificationContent()
	if err != nil {
		tb.Fatalf("read verification material: %v", err)
	}
	cert := vc.Certificate()
	if cert == nil {
		tb.Fatalf("bundle has no certificate")
	}
	return cert
}

// issued reports whether chain's first certificate issued leaf, by key ID:
// the trusted root lists each CA's chain from the issuing certificate up.
func issued(tb testing.TB, leaf *x509.Certificate, chain []*protocommon.X509Certificate) bool {
	tb.Helper()
	if len(chain) == 0 {
		return false
	}
	issuer, err := x509.ParseCertificate(chain[0].GetRawBytes())
	if err != nil {
		tb.Fatalf("parse CA certificate: %v", err)
	}
	return len(leaf.AuthorityKeyId) > 0 && bytes.Equal(leaf.AuthorityKeyId, issuer.SubjectKeyId)
}

package clients

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	prototrustroot "github.com/sigstore/protobuf-specs/gen/pb-go/trustroot/v1"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/trustc-dev/trustc/internal/published"
	"github.com/trustc-dev/trustc/release"
)

// realEnvs are the environments whose windows the agreement tests walk:
// current production (both signing configs) and current staging.
func realEnvs(t *testing.T) []*release.Env {
	return []*release.Env{published.Production(t, 14).Envs[0], published.Staging(t).Envs[0]}
}

// instants returns every UTC midnight from the day before the earliest
// window boundary of env to the day after the latest, plus each boundary
// itself and the nanoseconds either side of it, where inclusive ends and
// equal starts decide.
func instants(env *release.Env) []time.Time {
	var bounds []time.Time
	add := func(s, e time.Time) {
		for _, b := range []time.Time{s, e} {
			if !b.IsZero() {
				bounds = append(bounds, b)
			}
		}
	}
	for _, e := range NewTrust(env.TrustedRoot.Msg).entries {
		add(e.Start, e.End)
	}
	for _, f := range env.SigningConfigs {
		for _, l := range [][]Service{
			servicesFromProto(f.Msg.GetCaUrls()), servicesFromProto(f.Msg.GetOidcUrls()),
			servicesFromProto(f.Msg.GetRekorTlogUrls()), servicesFromProto(f.Msg.GetTsaUrls()),
		} {
			for _, s := range l {
				add(s.Start, s.End)
			}
		}
	}
	slices.SortFunc(bounds, time.Time.Compare)
	first := bounds[0].Truncate(24*time.Hour).AddDate(0, 0, -1)
	last := bounds[len(bounds)-1].AddDate(0, 0, 1)
	var out []time.Time
	for d := first; !d.After(last); d = d.AddDate(0, 0, 1) {
		out = append(out, d)
	}
	for _, b := range bounds {
		out = append(out, b.Add(-1), b, b.Add(1))
	}
	return out
}

// goDirect is what sigstore-go itself returns, read from the file's bytes
// through its own JSON constructor and accessors: the answer At must give.
type goDirect struct {
	CA, OIDC, Rekor, TSA []string
}

func urls(l []root.Service, err error) []string {
	if err != nil {
		return []string{"error: " + err.Error()}
	}
	var out []string
	for _, s := range l {
		out = append(out, s.URL)
	}
	return out
}

func one(s root.Service, err error) []string {
	if err != nil {
		return []string{"error: " + err.Error()}
	}
	return []string{s.URL}
}

func choiceURLs(c Choice) []string {
	if c.Error != "" {
		return []string{"error: " + c.Error}
	}
	var out []string
	for _, s := range c.Services {
		out = append(out, s.URL)
	}
	return out
}

// sampled is one real environment's snapshot at every instant of
// instants, computed once for the tests that walk them all.
type sampled struct {
	env   *release.Env
	at    []time.Time
	snaps []Snapshot
}

var (
	samplesOnce sync.Once
	samples     []sampled
)

func realSamples(t *testing.T) []sampled {
	samplesOnce.Do(func() {
		for _, env := range realEnvs(t) {
			at := instants(env)
			slices.SortFunc(at, time.Time.Compare)
			at = slices.CompactFunc(at, time.Time.Equal)
			prepared := NewEnv(env)
			s := sampled{env: env, at: at}
			for _, x := range at {
				s.snaps = append(s.snaps, prepared.At(x))
			}
			samples = append(samples, s)
		}
	})
	return samples
}

// TestAtAgreesWithSigstoreGo checks, at every day boundary and every window
// boundary of the real files, that what At reports for sigstore-go is what
// sigstore-go answers when asked directly from the published bytes.
func TestAtAgreesWithSigstoreGo(t *testing.T) {
	signings, trusts := 0, 0
	for _, smp := range realSamples(t) {
		env := smp.env
		configs := map[string]*root.SigningConfig{}
		for _, f := range env.SigningConfigs {
			sc, err := root.NewSigningConfigFromJSON(f.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			configs[f.Name] = sc
		}
		tr, err := root.NewTrustedRootFromJSON(env.TrustedRoot.Bytes)
		if err != nil {
			t.Fatal(err)
		}
		for k, at := range smp.at {
			snap := smp.snaps[k]
			for _, cs := range snap.Configs {
				for _, s := range cs.Signers {
					if s.Client.Impl == SigstoreGo {
						checkGoSigning(t, configs[cs.File], s, at, env.Name+" "+cs.File)
						signings++
					}
				}
			}
			checkGoTrust(t, tr, snap, at)
			trusts++
		}
	}
	t.Logf("compared %d sigstore-go selections and %d trusted-root verdict sets", signings, trusts)
}

func checkGoSigning(t *testing.T, sc *root.SigningConfig, s Signing, at time.Time, where string) {
	t.Helper()
	all := root.ServiceConfiguration{Selector: prototrustroot.ServiceSelector_ALL} // the candidates
	want := goDirect{
		CA:    one(root.SelectService(sc.FulcioCertificateAuthorityURLs(), []uint32{1}, at)),
		OIDC:  one(root.SelectService(sc.OIDCProviderURLs(), []uint32{1}, at)),
		Rekor: urls(root.SelectServices(sc.RekorLogURLs(), all, s.Client.Rekor, at)),
		TSA:   urls(root.SelectServices(sc.TimestampAuthorityURLs(), all, []uint32{1}, at)),
	}
	got := goDirect{CA: choiceURLs(s.CA), OIDC: choiceURLs(s.OIDC), Rekor: choiceURLs(s.Rekor), TSA: choiceURLs(s.TSA)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("%s at %s, %s (-want +got):\n%s", where, at.Format(time.RFC3339Nano), s.Client.Name(), diff)
	}
	// Every real file selects ANY: one service per signature.
	if s.Rekor.Error == "" && s.Rekor.Uses != 1 {
		t.Fatalf("%s at %s: Rekor uses %d, want 1", where, at, s.Rekor.Uses)
	}
}

func checkGoTrust(t *testing.T, tr *root.TrustedRoot, snap Snapshot, at time.Time) {
	t.Helper()
	var want []string
	for _, m := range []map[string]*root.TransparencyLog{tr.RekorLogs(), tr.CTLogs()} {
		for id, l := range m {
			if !at.Before(l.ValidityPeriodStart) && (l.ValidityPeriodEnd.IsZero() || !at.After(l.ValidityPeriodEnd)) {
				want = append(want, "log "+id)
			}
		}
	}
	for i, ca := range tr.FulcioCertificateAuthorities() {
		f := ca.(*root.FulcioCertificateAuthority)
		ok := inWindow(f.ValidityPeriodStart, f.ValidityPeriodEnd, at)
		for _, c := range append(slices.Clone(f.Intermediates), f.Root) {
			ok = ok && !at.Before(c.NotBefore) && !at.After(c.NotAfter)
		}
		if ok {
			want = append(want, fmt.Sprintf("certificateAuthorities[%d]", i))
		}
	}
	for i, tsa := range tr.TimestampingAuthorities() {
		s := tsa.(*root.SigstoreTimestampingAuthority)
		if inWindow(s.ValidityPeriodStart, s.ValidityPeriodEnd, at) {
			want = append(want, fmt.Sprintf("timestampAuthorities[%d]", i))
		}
	}
	slices.Sort(want)
	var got []string
	for _, e := range snap.Trust {
		if !e.Verdicts[0].Accepted {
			continue
		}
		switch e.Kind {
		case KindRekor, KindCT:
			id, _ := base64.StdEncoding.DecodeString(e.ID)
			got = append(got, "log "+hex.EncodeToString(id))
		default:
			got = append(got, e.Path)
		}
	}
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("%s at %s (-want +got):\n%s", snap.Env, at.Format(time.RFC3339Nano), diff)
	}
}

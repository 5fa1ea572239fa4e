package check

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"
	"github.com/google/go-cmp/cmp"

	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/internal/certtest"
	"github.com/trustc-dev/trustc/release"
)

// This file builds derived environments in memory for check's unit tests:
// no CUE, no files. Every field gets the path load would give it
// (rekor.log.sign.main.start), so that tests assert where a problem is
// reported as well as what it says.

// root is the environment's Src. Its position is valid, as every declared
// field's is: model.Value.Set tells an optional field given from one left
// out by its position alone.
var root = model.Src{Pos: token.NewFile("env.cue", 0, 1).Pos(0, token.NoRelPos)}

// epoch is day 0 of every test environment.
var epoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// day returns the instant n days after epoch.
func day(n int) time.Time { return epoch.AddDate(0, 0, n) }

func str(parent model.Src, field, v string) model.Value[string] {
	return model.Value[string]{V: v, Src: parent.Child(field)}
}

// elem is the Src of element i of the list field below s. (Child would
// quote the index as a label.)
func elem(s model.Src, field string, i int) model.Src {
	return model.Src{Pos: s.Pos, Path: append(slices.Clone(s.Child(field).Path), strconv.Itoa(i))}
}

// window returns a window at s from start, ending at end[0] if given.
func window(s model.Src, start time.Time, end ...time.Time) model.Window {
	w := model.Window{Src: s, Start: model.Value[time.Time]{V: start, Src: s.Child("start")}}
	if len(end) > 0 {
		w.End = model.Value[time.Time]{V: end[0], Src: s.Child("end")}
	}
	return w
}

// service returns a service declared at kind.name.
func service(kind, name, url string, api int) model.Service {
	s := root.Child(kind, name)
	return model.Service{
		Name:     name,
		Src:      s,
		Operator: str(s, "operator", "example.dev"),
		URL:      str(s, "url", url),
		API:      model.Value[int]{V: api, Src: s.Child("api")},
	}
}

// signIn adds a signing window in the named config to s.
func signIn(s *model.Service, config string, start time.Time, end ...time.Time) {
	s.Sign = append(s.Sign, model.SignWindow{Config: config, Window: window(s.Src.Child("sign", config), start, end...)})
}

// rekorLog returns a Rekor log whose key is named after the log and whose
// verification window opens at verify.
func rekorLog(name string, api int, verify time.Time) *model.RekorLog {
	svc := service("rekor", name, "https://"+name+".example.dev", api)
	return &model.RekorLog{
		Service:   svc,
		Key:       model.Material{File: str(svc.Src, "key", name+".pub")},
		Verify:    window(svc.Src.Child("verify"), verify),
		PublicKey: fakeKey(name),
	}
}

func ctLog(name string, verify time.Time) *model.CTLog {
	s := root.Child("ct", name)
	return &model.CTLog{
		Name:      name,
		Src:       s,
		Operator:  str(s, "operator", "example.dev"),
		URL:       str(s, "url", "https://"+name+".example.dev"),
		Key:       model.Material{File: str(s, "key", name+".pub")},
		Verify:    window(s.Child("verify"), verify),
		PublicKey: fakeKey(name),
	}
}

// fakeKey stands for a derived key: check compares keys by their bytes
// and never parses them.
func fakeKey(seed string) *model.PublicKey {
	h := sha256.Sum256([]byte(seed))
	return &model.PublicKey{SPKI: h[:], Raw: h[:], LogID: h[:]}
}

// authority returns a CA or TSA (kind "ca" or "tsa") with one chain "c"
// verified from verify and holding certs (none: the chain did not derive,
// which the chain checks skip).
func authority(kind, name string, verify time.Time, certs ...*x509.Certificate) *model.Authority {
	svc := service(kind, name, "https://"+name+".example.dev", 1)
	cs := svc.Src.Child("chains", "c")
	ch := &model.Chain{Name: "c", Src: cs, Verify: window(cs.Child("verify"), verify), Certificates: certs}
	for i := range certs {
		ch.Certs = append(ch.Certs, model.Material{File: model.Value[string]{V: "cert.pem", Src: elem(cs, "certs", i)}})
	}
	return &model.Authority{Service: svc, Chains: []*model.Chain{ch}}
}

// testEnv returns an environment that passes every rule: one main signing
// config (not opt-in, so it needs a Rekor v1 log) that sends clients from
// day 30 on to a CA, an OIDC provider and a Rekor log, all verified from
// day 0, with a waiting period of 10 days (7d timestamp expiry + 3d
// buffer) that day 30 is well past.
func testEnv() *model.Environment {
	ps := root.Child("policy")
	env := &model.Environment{
		Name: "test",
		Src:  root,
		TrustedRoot: model.TrustedRoot{
			File:      str(root.Child("trustedRoot"), "file", "trusted_root.json"),
			MediaType: str(root.Child("trustedRoot"), "mediaType", release.TrustedRootMediaType01),
		},
		Policy: model.Policy{
			Src:                ps,
			TUFTimestampExpiry: model.Value[time.Duration]{V: 7 * 24 * time.Hour, Src: ps.Child("tufTimestampExpiry")},
			Buffer:             model.Value[time.Duration]{V: 3 * 24 * time.Hour, Src: ps.Child("buffer")},
		},
	}
	ss := root.Child("signingConfigs", "main")
	env.SigningConfigs = []*model.SigningConfig{{
		Name:  "main",
		Src:   ss,
		File:  str(ss, "file", "signing_config.v0.2.json"),
		Rekor: model.Selector{Selector: str(ss.Child("rekorTlogConfig"), "selector", "ANY")},
		TSA:   model.Selector{Selector: str(ss.Child("tsaConfig"), "selector", "ANY")},
		OptIn: model.Value[bool]{Src: ss.Child("optIn")},
	}}
	log := rekorLog("log", 1, day(0))
	signIn(&log.Service, "main", day(30))
	env.Rekor = []*model.RekorLog{log}
	ca := authority("ca", "fulcio", day(0))
	signIn(&ca.Service, "main", day(30))
	env.CAs = []*model.Authority{ca}
	oidc := &model.OIDCProvider{Service: service("oidc", "issuer", "https://issuer.example.dev", 1)}
	signIn(&oidc.Service, "main", day(0))
	env.OIDC = []*model.OIDCProvider{oidc}
	return env
}

// cert returns a self-signed certificate valid from notBefore to notAfter
// that may sign others; usage, if any, are its extended key usages.
func cert(t *testing.T, cn string, notBefore, notAfter time.Time, usage ...x509.ExtKeyUsage) *x509.Certificate {
	t.Helper()
	c, _ := issueWith(t, cn, notBefore, notAfter, usage, nil, nil)
	return c
}

// issue returns a CA certificate for cn valid from day -1 to day 400,
// issued by parent (self-signed when nil), and its key.
func issue(t *testing.T, cn string, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	return issueWith(t, cn, day(-1), day(400), nil, parent, parentKey)
}

func issueWith(t *testing.T, cn string, notBefore, notAfter time.Time, usage []x509.ExtKeyUsage, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if parent == nil {
		parentKey = key
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           usage,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	return certtest.Issue(t, tmpl, parent, &key.PublicKey, parentKey), key
}

// finding is what a test asserts of a problem: its rule, severity, path
// and text (message and fix).
type finding struct {
	Rule, Severity, Path, Text string
}

func findings(err error) []finding {
	var out []finding
	for _, e := range errors.Errors(err) {
		p, ok := e.(*model.Problem)
		if !ok {
			out = append(out, finding{Rule: "not a model.Problem", Text: e.Error()})
			continue
		}
		out = append(out, finding{p.Rule, p.Severity.String(), strings.Join(p.Src.Path, "."), p.Text()})
	}
	return out
}

// checkFindings compares what a check returned with want.
func checkFindings(t *testing.T, want []finding, err error) {
	t.Helper()
	if diff := cmp.Diff(want, findings(err)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

// TestTestEnvPasses: every case of check's tests starts from testEnv, so
// it must pass every rule, against itself as base too.
func TestTestEnvPasses(t *testing.T) {
	env := testEnv()
	checkFindings(t, nil, Structure(env))
	checkFindings(t, nil, Policy(env, Options{}))
	checkFindings(t, nil, Policy(env, Options{Now: day(60), Base: testEnv(), BaseTime: day(40)}))
	checkFindings(t, nil, Transition(testEnv(), env, day(60)))
}

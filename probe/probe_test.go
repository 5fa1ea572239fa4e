package probe_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/digitorus/timestamp"
	ct "github.com/google/certificate-transparency-go"
	cttls "github.com/google/certificate-transparency-go/tls"
	"github.com/google/go-cmp/cmp"
	rekornote "github.com/sigstore/rekor-tiles/v2/pkg/note"
	rekorutil "github.com/sigstore/rekor/pkg/util"
	"github.com/sigstore/sigstore/pkg/signature"
	"golang.org/x/mod/sumdb/note"

	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/internal/certtest"
	"github.com/trustc-dev/trustc/probe"
)

var (
	t0      = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	probeAt = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	tsaTime = time.Date(2026, 6, 1, 0, 0, 1, 0, time.UTC)
)

// Keys are fixed so that key ids, and with them the report, are the same
// on every run.
func edKey(seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed([]byte(strings.Repeat(string(rune('a'+seed)), 32)))
}

func ecKey(t *testing.T, d byte) *ecdsa.PrivateKey {
	b := make([]byte, 32)
	b[31] = d
	k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), b)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// routes sends every request for a host name to the test server serving
// it: services sit on 127.0.0.1 ports, the release names them the way a
// real one does (https://HOST, no port). Nothing leaves 127.0.0.1.
type routes map[string]*httptest.Server

func (r routes) client() *http.Client {
	// Every httptest TLS server has the same certificate, for
	// *.example.com among others.
	var tlsConf *tls.Config
	for _, s := range r {
		tlsConf = s.Client().Transport.(*http.Transport).TLSClientConfig
		break
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: tlsConf,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, _, _ := net.SplitHostPort(addr)
			s, ok := r[host]
			if !ok {
				return nil, &net.AddrError{Err: "no test server", Addr: addr}
			}
			var d net.Dialer
			return d.DialContext(ctx, network, s.Listener.Addr().String())
		},
	}}
}

func serve(t *testing.T, h http.HandlerFunc) *httptest.Server {
	s := httptest.NewTLSServer(h)
	t.Cleanup(s.Close)
	return s
}

// rekorV2 serves a checkpoint signed by key under origin, as rekor-tiles
// writes it.
func rekorV2(t *testing.T, origin string, key ed25519.PrivateKey) http.HandlerFunc {
	signer, err := signature.LoadED25519Signer(key)
	if err != nil {
		t.Fatal(err)
	}
	ns, err := rekornote.NewNoteSigner(context.Background(), origin, signer)
	if err != nil {
		t.Fatal(err)
	}
	root := sha256.Sum256([]byte("root"))
	body := origin + "\n7\n" + b64(root[:]) + "\n"
	signed, err := note.Sign(&note.Note{Text: body}, ns)
	if err != nil {
		t.Fatal(err)
	}
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/checkpoint" {
			http.NotFound(w, r)
			return
		}
		w.Write(signed)
	}
}

func b64(b []byte) string {
	out, _ := json.Marshal(b)
	return strings.Trim(string(out), `"`)
}

// rekorV1 serves /api/v1/log with a tree head signed by key.
func rekorV1(t *testing.T, key *ecdsa.PrivateKey) http.HandlerFunc {
	signer, err := signature.LoadECDSASignerVerifier(key, crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	root := sha256.Sum256([]byte("root"))
	sth, err := rekorutil.CreateAndSignCheckpoint(context.Background(), "rekor.example.com", 42, 9, root[:], signer)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(map[string]any{"signedTreeHead": string(sth), "treeSize": 9, "treeID": "42"})
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v1/log" {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}
}

// ctLog serves an RFC 6962 get-sth signed by key.
func ctLog(t *testing.T, key *ecdsa.PrivateKey) http.HandlerFunc {
	root := sha256.Sum256([]byte("ct root"))
	sth := ct.SignedTreeHead{Version: ct.V1, TreeSize: 11, Timestamp: uint64(t0.UnixMilli()), SHA256RootHash: ct.SHA256Hash(root)}
	in, err := ct.SerializeSTHSignatureInput(sth)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(in)
	sig, err := ecdsa.SignASN1(rand.Reader, key, h[:])
	if err != nil {
		t.Fatal(err)
	}
	ds, err := cttls.Marshal(ct.DigitallySigned{Algorithm: cttls.SignatureAndHashAlgorithm{Hash: cttls.SHA256, Signature: cttls.ECDSA}, Signature: sig})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(ct.GetSTHResponse{TreeSize: 11, Timestamp: sth.Timestamp, SHA256RootHash: root[:], TreeHeadSignature: ds})
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/ct/v1/get-sth" {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}
}

// cert issues a certificate for key, signed by parent (self-signed when
// parent is nil).
func cert(t *testing.T, cn string, serial int64, key *ecdsa.PrivateKey, parent *x509.Certificate, parentKey *ecdsa.PrivateKey, tsaLeaf bool) *x509.Certificate {
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(serial),
		Subject:      pkix.Name{CommonName: cn, Organization: []string{"probe test"}},
		NotBefore:    t0,
		NotAfter:     t0.AddDate(2, 0, 0),
	}
	if tsaLeaf {
		// RFC 3161 2.3: the only extended key usage, and critical.
		eku, _ := asn1.Marshal([]asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 8}})
		tmpl.ExtraExtensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: true, Value: eku}}
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	} else {
		tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
	}
	if parent == nil {
		parentKey = key
	}
	return certtest.Issue(t, tmpl, parent, &key.PublicKey, parentKey)
}

// fulcio serves /api/v2/trustBundle holding chains.
func fulcio(chains ...[]*x509.Certificate) http.HandlerFunc {
	type chain struct {
		Certificates []string `json:"certificates"`
	}
	var bundle struct {
		Chains []chain `json:"chains"`
	}
	for _, c := range chains {
		var pems []string
		for _, cert := range c {
			pems = append(pems, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})))
		}
		bundle.Chains = append(bundle.Chains, chain{pems})
	}
	b, _ := json.Marshal(bundle)
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v2/trustBundle" {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}
}

// tsa answers RFC 3161 requests at /api/v1/timestamp, signed by leaf.
func tsa(t *testing.T, leaf *x509.Certificate, key *ecdsa.PrivateKey) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req, err := timestamp.ParseRequest(body)
		if r.URL.Path != "/api/v1/timestamp" || err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		ts := timestamp.Timestamp{
			HashAlgorithm:     req.HashAlgorithm,
			HashedMessage:     req.HashedMessage,
			Time:              tsaTime,
			Nonce:             req.Nonce,
			Policy:            asn1.ObjectIdentifier{1, 2, 3, 4},
			AddTSACertificate: req.Certificates,
		}
		resp, err := ts.CreateResponseWithOpts(leaf, key, crypto.SHA256)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		// As sigstore's timestamp-authority answers.
		w.Header().Set("Content-Type", "application/timestamp-reply")
		w.WriteHeader(http.StatusCreated)
		w.Write(resp)
	}
}

func since(t time.Time) model.Window { return model.Window{Start: model.Value[time.Time]{V: t}} }

func rekorLog(name, u string, api int, pub crypto.PublicKey, w model.Window) *model.RekorLog {
	l := &model.RekorLog{Verify: w, PublicKey: &model.PublicKey{Key: pub}}
	l.Name, l.URL.V, l.API.V = name, u, api
	return l
}

func authority(name, u string, chains ...*model.Chain) *model.Authority {
	a := &model.Authority{Chains: chains}
	a.Name, a.URL.V = name, u
	return a
}

func TestEnv(t *testing.T) {
	logA, logB, logC := edKey(0), edKey(1), edKey(2)
	v1Key, v1Other := ecKey(t, 1), ecKey(t, 2)
	ctKey, ctOther := ecKey(t, 3), ecKey(t, 4)
	caRoot := cert(t, "ca root", 1, ecKey(t, 5), nil, nil, false)
	otherRoot := cert(t, "other root", 2, ecKey(t, 6), nil, nil, false)
	tsaRootKey, tsaLeafKey := ecKey(t, 7), ecKey(t, 8)
	tsaRoot := cert(t, "tsa root", 3, tsaRootKey, nil, nil, false)
	tsaLeaf := cert(t, "tsa leaf", 4, tsaLeafKey, tsaRoot, tsaRootKey, true)
	otherTSARoot := cert(t, "other tsa root", 5, ecKey(t, 9), nil, nil, false)

	r := routes{
		"log-a.example.com":    serve(t, rekorV2(t, "log-a.example.com", logA)),
		"log-b.example.com":    serve(t, rekorV2(t, "log-b.example.com", logC)), // B answers with another key
		"log-c.example.com":    serve(t, rekorV2(t, "staging.example.com", logC)),
		"rekor.example.com":    serve(t, rekorV1(t, v1Key)),
		"rekor-2.example.com":  serve(t, rekorV1(t, v1Other)),
		"ctfe.example.com":     serve(t, ctLog(t, ctKey)),
		"ctfe-2.example.com":   serve(t, ctLog(t, ctOther)),
		"fulcio.example.com":   serve(t, fulcio([]*x509.Certificate{caRoot})),
		"fulcio-2.example.com": serve(t, fulcio([]*x509.Certificate{caRoot}, []*x509.Certificate{otherRoot})),
		"tsa.example.com":      serve(t, tsa(t, tsaLeaf, tsaLeafKey)),
	}
	chain := func(name string, certs ...*x509.Certificate) *model.Chain {
		return &model.Chain{Name: name, Certificates: certs, Verify: since(t0)}
	}
	env := &model.Environment{
		Name: "probe",
		Rekor: []*model.RekorLog{
			rekorLog("log-a", "https://log-a.example.com", 2, logA.Public(), since(t0)),
			rekorLog("log-b", "https://log-b.example.com", 2, logB.Public(), since(t0)),
			rekorLog("log-c", "https://log-c.example.com", 2, logC.Public(), since(t0)),
			rekorLog("ported", "https://log-a.example.com:8443", 2, logA.Public(), since(t0)),
			rekorLog("rekor", "https://rekor.example.com", 1, &v1Key.PublicKey, since(t0)),
			rekorLog("rekor-2", "https://rekor-2.example.com", 1, &v1Key.PublicKey, since(t0)),
			rekorLog("future", "https://future.example.com", 2, logA.Public(), since(probeAt.Add(time.Hour))),
		},
		CTLogs: []*model.CTLog{
			{Name: "ctfe", URL: model.Value[string]{V: "https://ctfe.example.com"}, Verify: since(t0), PublicKey: &model.PublicKey{Key: &ctKey.PublicKey}},
			{Name: "ctfe-2", URL: model.Value[string]{V: "https://ctfe-2.example.com"}, Verify: since(t0), PublicKey: &model.PublicKey{Key: &ctKey.PublicKey}},
		},
		CAs: []*model.Authority{
			authority("fulcio", "https://fulcio.example.com", chain("2026", caRoot)),
			authority("fulcio-2", "https://fulcio-2.example.com", chain("2026", caRoot)),
			authority("fulcio-3", "https://fulcio.example.com", chain("2026", otherRoot)),
		},
		TSAs: []*model.Authority{
			authority("tsa", "https://tsa.example.com/api/v1/timestamp", chain("2026", tsaLeaf, tsaRoot)),
			authority("tsa-2", "https://tsa.example.com/api/v1/timestamp", chain("2026", tsaLeaf, otherTSARoot)),
		},
	}
	rep := probe.Env(context.Background(), env, probeAt, r.client())
	want := []probe.Result{
		{probe.KindRekor, "log-a", "https://log-a.example.com", "checkpoint", probe.OK, "checkpoint of log-a.example.com at size 7 signed by the trusted key"},
		{probe.KindRekor, "log-b", "https://log-b.example.com", "checkpoint", probe.Fail, `checkpoint is not signed by the trusted key (note key id ` + hash("log-b.example.com", logB) + ` under "log-b.example.com"); it carries signatures by "log-b.example.com" key id ` + hash("log-b.example.com", logC) + `: the log's key does not match the trusted root`},
		{probe.KindRekor, "log-c", "https://log-c.example.com", "checkpoint", probe.Fail, `checkpoint origin is "staging.example.com", want "log-c.example.com" (the log's URL without its scheme); clients verify the log's entries under "log-c.example.com"`},
		{probe.KindRekor, "ported", "https://log-a.example.com:8443", "checkpoint", probe.Fail, `url "https://log-a.example.com:8443" has a port or path: its log id is derived under origin "log-a.example.com:8443", but sigstore-go verifies checkpoints under the host name "log-a.example.com" alone; serve the log at https://HOST`},
		{probe.KindRekor, "rekor", "https://rekor.example.com", "tree head", probe.OK, `tree head of "rekor.example.com - 42" at size 9 signed by the trusted key`},
		{probe.KindRekor, "rekor-2", "https://rekor-2.example.com", "tree head", probe.Fail, `signed tree head of "rekor.example.com - 42" is not signed by the trusted key: the log's key does not match the trusted root`},
		{probe.KindRekor, "future", "https://future.example.com", "checkpoint", probe.Skipped, "not in its verification window at 2026-06-01T00:00:00Z"},
		{probe.KindCT, "ctfe", "https://ctfe.example.com", "signed tree head", probe.OK, "tree head at size 11 signed by the trusted key"},
		{probe.KindCT, "ctfe-2", "https://ctfe-2.example.com", "signed tree head", probe.Fail, "signed tree head does not verify with the trusted key: failed to verify ECDSA signature"},
		{probe.KindCA, "fulcio", "https://fulcio.example.com", "trust bundle", probe.OK, "trust bundle is the 1 trusted chain(s)"},
		{probe.KindCA, "fulcio-2", "https://fulcio-2.example.com", "trust bundle", probe.Fail, "trust bundle differs from the trusted chains: the CA serves chain 1 of its bundle, which the trusted root does not hold (certificates it issues fail to verify)"},
		{probe.KindCA, "fulcio-3", "https://fulcio.example.com", "trust bundle", probe.Fail, `trust bundle differs from the trusted chains: the CA does not serve trusted chain "2026"; the CA serves chain 0 of its bundle, which the trusted root does not hold (certificates it issues fail to verify)`},
		{probe.KindTSA, "tsa", "https://tsa.example.com/api/v1/timestamp", "timestamp", probe.OK, `timestamp 2026-06-01T00:00:01Z verifies with chain "2026"`},
		{probe.KindTSA, "tsa-2", "https://tsa.example.com/api/v1/timestamp", "timestamp", probe.Fail, `timestamp does not verify with the trusted chains: chain "2026": error while verifying signer certificate chain: x509: certificate signed by unknown authority`},
	}
	if diff := cmp.Diff(want, rep.Results); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	if rep.OK() {
		t.Error("OK() = true with failing services")
	}
	good := &model.Environment{Name: "good", Rekor: env.Rekor[:1], CTLogs: env.CTLogs[:1], CAs: env.CAs[:1], TSAs: env.TSAs[:1]}
	if rep := probe.Env(context.Background(), good, probeAt, r.client()); !rep.OK() {
		t.Errorf("OK() = false for matching services: %+v", rep.Results)
	}
}

// hash is the C2SP note key id of key under origin, as the report prints it.
func hash(origin string, key ed25519.PrivateKey) string {
	id, _, err := rekornote.KeyHash(origin, key.Public())
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("%08x", id)
}

package derive

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"slices"
	"sync"
	"time"

	"cuelang.org/go/cue/errors"

	"github.com/trustc-dev/trustc/compiler/model"
)

// chain parses a chain's certificates, leaf-most first, and derives the
// subject protobuf-specs publishes: the trust anchor's (the last
// certificate), since the spec makes the anchor the CA's identity. For an
// authority's chain (kind "ca" or "tsa") it also checks that the list is a
// chain at all (see order); retired certificates (kind "") are a record
// and only parsed.
func chain(c *model.Chain, kind string) errors.Error {
	var errs errors.Error
	var certs []*x509.Certificate
	var from []*model.Material // from[i] is the file certs[i] came from
	for i := range c.Certs {
		m := &c.Certs[i]
		if m.Bytes == nil {
			return nil // load reported the unreadable file
		}
		blocks, err := pemBlocks(*m)
		if err != nil {
			errs = errors.Append(errs, err)
			continue
		}
		for _, b := range blocks {
			if b.Type != "CERTIFICATE" {
				errs = errors.Append(errs, m.File.Src.Errorf("%s holds a PEM %q block; a chain file holds only CERTIFICATE blocks", m.File.V, b.Type))
				continue
			}
			cert, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				errs = errors.Append(errs, m.File.Src.Errorf("%s: a CERTIFICATE block is not a DER X.509 certificate (%s)", m.File.V, shortASN1(err)))
				continue
			}
			certs = append(certs, cert)
			from = append(from, m)
		}
	}
	if errs != nil {
		return errs
	}
	if len(certs) == 0 {
		return c.Src.Errorf("chain %q has no certificates", c.Name)
	}
	// A chain out of order is still derived: as a base release (Sigstore
	// published one root first until targets v7) it is history that the
	// rules across releases compare, and its problems are notes there.
	var orderErrs errors.Error
	if kind != "" {
		orderErrs = order(c, kind, certs, from)
	}
	c.Certificates = certs
	anchor := certs[len(certs)-1]
	c.Subject = model.DistinguishedName{CommonName: anchor.Subject.CommonName}
	if len(anchor.Subject.Organization) > 0 {
		c.Subject.Organization = anchor.Subject.Organization[0]
	}
	if o := c.SubjectOverride; o != nil {
		derived := c.Subject
		if o.Organization.Set() {
			c.Subject.Organization = o.Organization.V
		}
		if o.CommonName.Set() {
			c.Subject.CommonName = o.CommonName.V
		}
		if c.Subject == derived {
			orderErrs = errors.Append(orderErrs, o.Src.Errorf("subjectOverride repeats the trust anchor's subject (O=%q, CN=%q); remove it", derived.Organization, derived.CommonName))
		}
	}
	return orderErrs
}

// order checks, with crypto/x509, that certs is one chain as clients
// verify it: no certificate twice, each issued by the next (names and
// signature, the next being a CA), ending in a self-signed anchor. For a
// Fulcio chain the first certificate must itself be a CA: clients verify
// signing certificates that it issues, and sigstore-go builds its pool
// from every certificate listed, so a leaf there could not sign anything
// clients accept yet would sit in every trusted root. Without these checks
// a chain whose anchor is cross-signed (A issued by B, B by A) or that
// repeats a certificate passed, since check's x509 verification only asks
// whether some path leads from the first certificate to the last.
func order(c *model.Chain, kind string, certs []*x509.Certificate, from []*model.Material) errors.Error {
	var errs errors.Error
	for i, cert := range certs {
		for j := range i {
			if cert.Equal(certs[j]) {
				errs = errors.Append(errs, from[i].File.Src.Rulef(model.RuleMaterial, "chain %q lists certificate %d (%s) again as certificate %d; list each certificate once", c.Name, j, cert.Subject, i))
			}
		}
	}
	if errs != nil {
		return errs
	}
	if first := certs[0]; kind == "ca" && !(first.BasicConstraintsValid && first.IsCA) {
		return from[0].File.Src.Rulef(model.RuleMaterial, "chain %q: certificate 0 (%s) is not a CA certificate (basic constraints CA:FALSE or absent); a CA chain starts with the CA that issues signing certificates, so remove the leaf", c.Name, first.Subject)
	}
	// A chain crypto/x509 verifies at the start of its window along
	// exactly the listed path has had every link's signature checked, by
	// the verification check's rule 5 reports (VerifyChain, once per
	// process); only otherwise is each link checked on its own, to say
	// which one fails.
	linked := false
	if start := c.Verify.Start.V; !start.IsZero() {
		listed, err := VerifyChain(kind, certs, start)
		linked = listed && err == nil
	}
	for i := 0; i+1 < len(certs); i++ {
		cert, issuer := certs[i], certs[i+1]
		if !bytes.Equal(cert.RawIssuer, issuer.RawSubject) {
			errs = errors.Append(errs, from[i].File.Src.Rulef(model.RuleMaterial, "chain %q: certificate %d (%s) is issued by %s, not by certificate %d (%s); list the certificates leaf-most first, each followed by its issuer", c.Name, i, cert.Subject, cert.Issuer, i+1, issuer.Subject))
			continue
		}
		if linked {
			continue
		}
		if err := checkSignatureFrom(cert, issuer); err != nil {
			errs = errors.Append(errs, from[i].File.Src.Rulef(model.RuleMaterial, "chain %q: certificate %d (%s) does not verify under certificate %d (%s): %v", c.Name, i, cert.Subject, i+1, issuer.Subject, err))
		}
	}
	anchor, last := certs[len(certs)-1], from[len(certs)-1]
	switch {
	case !bytes.Equal(anchor.RawIssuer, anchor.RawSubject):
		errs = errors.Append(errs, last.File.Src.Rulef(model.RuleMaterial, "chain %q: the trust anchor, certificate %d (%s), is issued by %s, not self-signed; end the chain with its root certificate", c.Name, len(certs)-1, anchor.Subject, anchor.Issuer))
	default:
		if err := checkSignatureFrom(anchor, anchor); err != nil {
			errs = errors.Append(errs, last.File.Src.Rulef(model.RuleMaterial, "chain %q: the trust anchor, certificate %d (%s), is not self-signed: %v; end the chain with its root certificate", c.Name, len(certs)-1, anchor.Subject, err))
		}
	}
	return errs
}

// VerifyChain verifies certs (leaf-most first, trust anchor last) with
// crypto/x509 at time at, the anchor as the only root, for the extended
// key usage of an authority of kind "ca" (any) or "tsa" (time stamping),
// and reports whether one of the paths it verified is certs as listed.
// Derive checks a chain's links with it and check's rule 5 reports its
// error, and generate derives the release it replaces and the one it
// compiles, so one process asks the same question up to three times: the
// answer is kept, for the life of the process, by the arguments
// (certificates by their DER). A zero at is not kept: crypto/x509 would
// read the clock.
func VerifyChain(kind string, certs []*x509.Certificate, at time.Time) (listed bool, err error) {
	usage := x509.ExtKeyUsageAny
	if kind == "tsa" {
		usage = x509.ExtKeyUsageTimeStamping
	}
	verify := func() chainVerdict {
		roots, inter := x509.NewCertPool(), x509.NewCertPool()
		roots.AddCert(certs[len(certs)-1])
		if len(certs) > 2 {
			for _, m := range certs[1 : len(certs)-1] {
				inter.AddCert(m)
			}
		}
		paths, err := certs[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: at, KeyUsages: []x509.ExtKeyUsage{usage}})
		listed := slices.ContainsFunc(paths, func(p []*x509.Certificate) bool {
			return slices.EqualFunc(p, certs, (*x509.Certificate).Equal)
		})
		return chainVerdict{listed, err}
	}
	if at.IsZero() {
		v := verify()
		return v.listed, v.err
	}
	h := sha256.New()
	for _, c := range certs {
		h.Write(c.Raw) // DER is self-delimiting
	}
	k := chainKey{usage: usage, at: at.UTC()}
	h.Sum(k.certs[:0])
	v := chains.get(k, verify)
	return v.listed, v.err
}

// chains holds VerifyChain's answers; see signatures for why per process.
var chains verdicts[chainKey, chainVerdict]

type chainKey struct {
	certs [sha256.Size]byte
	usage x509.ExtKeyUsage
	at    time.Time // in UTC, so that one instant is one key
}

type chainVerdict struct {
	listed bool
	err    error
}

// signatures holds, for the life of the process, the verdict of every
// (certificate, issuer) signature check order made, by the SHA-256 of both
// certificates' DER. Sigstore's chains are ECDSA P-384, which Go verifies
// in generic code at about a millisecond each, and one generate derives
// the same chains twice: the release it replaces (its base) and the one it
// compiles, which then holds the same certificates. With VerifyChain,
// checking each pair once took signature checks from 40% of a whole
// generate's CPU to 22% (docs/performance.md). The verdict depends on
// nothing but the two certificates, so it cannot go stale; an entry is
// about 100 bytes, one per distinct pair ever derived.
var signatures verdicts[sigPair, error]

type sigPair [2][sha256.Size]byte

// checkSignatureFrom is cert.CheckSignatureFrom(issuer), once per pair.
func checkSignatureFrom(cert, issuer *x509.Certificate) error {
	k := sigPair{sha256.Sum256(cert.Raw), sha256.Sum256(issuer.Raw)}
	return signatures.get(k, func() error { return cert.CheckSignatureFrom(issuer) })
}

// verdicts keeps answers by key for the life of the process, and callers
// of one key at the same moment wait for one answer: Compile derives a
// base release and its head concurrently, and both verify the same
// chains, each a millisecond or more of P-384. A sync.Once per key is the
// single flight; compute does not escape, so a caller that finds its
// answer kept allocates nothing.
type verdicts[K comparable, V any] struct {
	m sync.Map // K → *verdict[V]
}

type verdict[V any] struct {
	once sync.Once
	v    V
}

// get is the answer for k, computing it once.
func (c *verdicts[K, V]) get(k K, compute func() V) V {
	e, ok := c.m.Load(k)
	if !ok {
		e, _ = c.m.LoadOrStore(k, new(verdict[V]))
	}
	v := e.(*verdict[V])
	v.once.Do(func() { v.v = compute() })
	return v.v
}

// clear forgets every answer, for benchmarks that count signatures.
func (c *verdicts[K, V]) clear() { c.m.Clear() }

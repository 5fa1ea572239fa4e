package derive

import (
	"crypto/x509"

	"cuelang.org/go/cue/errors"

	"github.com/trustc-dev/trustc/compiler/model"
)

// chain parses a chain's certificates, leaf-most first, and derives the
// subject protobuf-specs publishes: the trust anchor's (the last
// certificate), since the spec makes the anchor the CA's identity.
func chain(c *model.Chain) errors.Error {
	var errs errors.Error
	var certs []*x509.Certificate
	for _, m := range c.Certs {
		if m.Bytes == nil {
			return nil // load reported the unreadable file
		}
		blocks, err := pemBlocks(m)
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
		}
	}
	if errs != nil {
		return errs
	}
	if len(certs) == 0 {
		return c.Src.Errorf("chain %q has no certificates", c.Name)
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
			return o.Src.Errorf("subjectOverride repeats the trust anchor's subject (O=%q, CN=%q); remove it", derived.Organization, derived.CommonName)
		}
	}
	return nil
}

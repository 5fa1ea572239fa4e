package model

import (
	"crypto"
	"crypto/x509"
	"iter"
	"time"
)

// Value is a declared scalar and where it was declared.
type Value[T any] struct {
	V   T
	Src Src
}

// Set reports whether the value was declared (optional fields that were
// left out have no position).
func (v Value[T]) Set() bool { return v.Src.Pos.IsValid() }

// Window is a validity window; both ends inclusive. A zero End.V means open.
type Window struct {
	Start Value[time.Time]
	End   Value[time.Time]
	Src   Src
}

// HasEnd reports whether the window is closed.
func (w Window) HasEnd() bool { return !w.End.V.IsZero() }

// Contains reports whether t lies in the window.
func (w Window) Contains(t time.Time) bool {
	return !t.Before(w.Start.V) && (!w.HasEnd() || !t.After(w.End.V))
}

// Environment is one deployment and everything it publishes.
type Environment struct {
	// Name is the environment directory's name; output goes to golden/<Name>.
	Name string
	// Dir is the environment directory; material paths are relative to it.
	Dir string
	Src Src

	Operator       Value[string]
	TrustedRoot    TrustedRoot
	SigningConfigs []*SigningConfig
	Legacy         *LegacySigningConfig

	// Service lists keep CUE declaration order.
	Rekor       []*RekorLog
	RekorFronts []*RekorFront
	CAs         []*Authority
	CTLogs      []*CTLog
	TSAs        []*Authority
	OIDC        []*OIDCProvider

	Policy  Policy
	Retired []*Retirement

	// TUFTargets are the material files published as TUF targets of their
	// own, in CUE declaration order.
	TUFTargets []*TUFTarget

	// Plan is the whole plan this release was staged from (package
	// asof), with signing entries that start later; nil when the
	// environment is the plan itself.
	Plan *Environment
}

// Policy holds the environment's limits.
type Policy struct {
	Src                Src
	TUFTimestampExpiry Value[time.Duration]
	Buffer             Value[time.Duration]
	Clients            []Value[string]
}

// MinWaitingPeriod is the floor of every waiting period: a client may keep
// verifying with a trusted root until its TUF timestamp expires.
func (p Policy) MinWaitingPeriod() time.Duration {
	return p.TUFTimestampExpiry.V + p.Buffer.V
}

// Retirement records a trusted-root entry removed on purpose.
type Retirement struct {
	Name   string
	Src    Src
	Kind   Value[string]
	Key    *Material
	Certs  []Material
	Reason Value[string]

	// Derived by derive: what the removed entry was identified by.
	PublicKey    *PublicKey
	Certificates []*x509.Certificate
}

// SigningConfig looks a signing config up by name.
func (e *Environment) SigningConfig(name string) *SigningConfig {
	for _, sc := range e.SigningConfigs {
		if sc.Name == name {
			return sc
		}
	}
	return nil
}

// Services yields every signing service with its kind, the schema's field
// name: rekor, rekorFronts, ca, tsa and oidc, in that order, each kind's
// services in declaration order. The kinds share Service; rules, reports
// and the importer walk them alike.
func (e *Environment) Services() iter.Seq2[string, *Service] {
	return func(yield func(string, *Service) bool) {
		_ = each(yield, "rekor", e.Rekor, func(l *RekorLog) *Service { return &l.Service }) &&
			each(yield, "rekorFronts", e.RekorFronts, func(f *RekorFront) *Service { return &f.Service }) &&
			each(yield, "ca", e.CAs, (*Authority).service) &&
			each(yield, "tsa", e.TSAs, (*Authority).service) &&
			each(yield, "oidc", e.OIDC, func(o *OIDCProvider) *Service { return &o.Service })
	}
}

// each yields the services of one kind; false when the caller stopped.
func each[T any](yield func(string, *Service) bool, kind string, list []T, service func(T) *Service) bool {
	for _, x := range list {
		if !yield(kind, service(x)) {
			return false
		}
	}
	return true
}

func (a *Authority) service() *Service { return &a.Service }

// AuthorityGroup is one kind of authority: its short kind ("ca", "tsa",
// as messages and CUE name it), the trusted root's list that holds it,
// and the environment's authorities of that kind.
type AuthorityGroup struct {
	Kind, List  string
	Authorities []*Authority
}

// AuthorityGroups returns the CAs, then the TSAs, each as a group: the
// walks that treat both kinds alike but must know which one they are in.
func (e *Environment) AuthorityGroups() []AuthorityGroup {
	return []AuthorityGroup{
		{"ca", "certificateAuthorities", e.CAs},
		{"tsa", "timestampAuthorities", e.TSAs},
	}
}

// RekorLog looks a Rekor log up by name.
func (e *Environment) RekorLog(name string) *RekorLog {
	for _, l := range e.Rekor {
		if l.Name == name {
			return l
		}
	}
	return nil
}

// TrustedRoot describes the published trusted_root.json.
type TrustedRoot struct {
	File      Value[string]
	MediaType Value[string]
}

// SigningConfig is one published v0.2 signing-config file.
type SigningConfig struct {
	Name             string
	Src              Src
	File             Value[string]
	Rekor            Selector
	TSA              Selector
	WaitingPeriod    Value[time.Duration]
	OptIn            Value[bool]
	RekorV1RetiresAt Value[time.Time]
}

// Selector is a ServiceConfiguration: ANY, ALL or EXACT with a count.
type Selector struct {
	Selector Value[string]
	Count    Value[int]
}

// LegacySigningConfig is the frozen v0.1 signing_config.json.
type LegacySigningConfig struct {
	Src      Src
	File     Value[string]
	CAURL    Value[string]
	OIDCURL  Value[string]
	TlogURLs []Value[string]
	TSAURLs  []Value[string]
}

// Service is what every signing service shares: where clients reach it, its
// API version, its operator and the windows in which each signing config
// sends clients to it.
type Service struct {
	Name     string
	Src      Src
	Operator Value[string]
	URL      Value[string]
	API      Value[int]
	Sign     []SignWindow
	// WaitingPeriodExempt is the reason the service is exempt from the
	// waiting period, if it is.
	WaitingPeriodExempt Value[string]
}

// SignWindow is a service's window in one signing config.
type SignWindow struct {
	// Config is the signing config's name (a key of signingConfigs).
	Config string
	Window
}

// SignWindow returns the service's window in the named signing config.
func (s *Service) SignWindow(config string) (Window, bool) {
	for _, w := range s.Sign {
		if w.Config == config {
			return w.Window, true
		}
	}
	return Window{}, false
}

// RekorLog is a Rekor transparency log with its own key.
type RekorLog struct {
	Service
	Key        Material
	LogID      Value[string]
	KeyDetails Value[string]
	Verify     Window

	// Derived by derive.
	PublicKey *PublicKey
}

// RekorFront is a signing URL fronting several Rekor shards.
type RekorFront struct {
	Service
	Shards []Value[string]
}

// CTLog is a certificate transparency log.
type CTLog struct {
	Name       string
	Src        Src
	Operator   Value[string]
	URL        Value[string]
	Key        Material
	LogID      Value[string]
	KeyDetails Value[string]
	Verify     Window

	// Derived by derive.
	PublicKey *PublicKey
}

// Authority is a certificate authority or timestamp authority.
type Authority struct {
	Service
	Chains []*Chain
}

// Chain is one certificate chain of an authority.
type Chain struct {
	Name            string
	Src             Src
	Certs           []Material
	Verify          Window
	SubjectOverride *SubjectOverride

	// Derived by derive: leaf-most first, trust anchor last.
	Certificates []*x509.Certificate
	Subject      DistinguishedName
}

// SubjectOverride is a published subject that differs from the anchor's.
type SubjectOverride struct {
	Src          Src
	Organization Value[string]
	CommonName   Value[string]
	Reason       Value[string]
}

// DistinguishedName is the subject protobuf-specs publishes for a chain.
type DistinguishedName struct {
	Organization string
	CommonName   string
}

// OIDCProvider is an OpenID Connect identity provider.
type OIDCProvider struct {
	Service
}

// TUFTarget is a material file the TUF repository publishes as a target of
// its own, with the custom metadata clients that predate trusted_root.json
// select it by.
type TUFTarget struct {
	// Material is the file beside the CUE: its name (the key in
	// tufTargets), which is also the target name, and its bytes. Bytes is
	// nil when no such file exists; check reports that.
	Material
	Src    Src
	Status Value[string]

	// Derived by derive from the service whose key or chain names the
	// file: "Rekor", "CTFE", "Fulcio" or "TSA" and the service URL, or
	// "Unknown" and no URI when no service does.
	Usage string
	URI   string
}

// Material is a file of key or certificate material beside the CUE.
type Material struct {
	File  Value[string]
	Bytes []byte
}

// PublicKey is a log's key as the material determines it.
type PublicKey struct {
	// Key is the parsed key.
	Key crypto.PublicKey
	// Raw is what the trusted root publishes as rawBytes: the DER in the
	// form the PEM file holds (SubjectPublicKeyInfo, or PKCS#1 for an
	// "RSA PUBLIC KEY" block).
	Raw []byte
	// SPKI is the DER SubjectPublicKeyInfo, whatever form Raw has.
	SPKI []byte
	// Details is the protobuf-specs PublicKeyDetails name.
	Details string
	// LogID is the log id (keyId) the trusted root publishes.
	LogID []byte
	// CheckpointKeyID is the C2SP signed-note key id (4 bytes).
	CheckpointKeyID []byte
}

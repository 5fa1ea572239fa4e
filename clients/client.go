package clients

import (
	"fmt"
	"slices"
	"strings"
	"time"

	prototrustroot "github.com/sigstore/protobuf-specs/gen/pb-go/trustroot/v1"

	"github.com/trustc-dev/trustc/internal/clientfacts"
	"github.com/trustc-dev/trustc/release"
)

// Impl names a Sigstore client implementation.
type Impl string

// The implementations this package models, named as policy.clients names
// them.
const (
	SigstoreGo     Impl = clientfacts.SigstoreGo
	SigstorePython Impl = clientfacts.SigstorePython
	SigstoreJS     Impl = clientfacts.SigstoreJS
)

// Client is one client implementation in one configuration.
type Client struct {
	Impl Impl `json:"impl"`
	// Version is the release whose behaviour the model describes (or, for
	// sigstore-go, the release that runs).
	Version string `json:"version"`
	// Rekor lists the Rekor major API versions the client signs with; empty
	// for a verifier.
	Rekor []uint32 `json:"rekorVersions,omitempty"`
	// Mode is how the client is configured, when it is not the default.
	Mode string `json:"mode,omitempty"`
}

// Name is how reports refer to the client.
func (c Client) Name() string {
	s := string(c.Impl) + " " + c.Version
	if c.Mode != "" {
		s += " " + c.Mode
	}
	return s
}

func (c Client) String() string { return c.Name() }

// Release is the implementation and version without the configuration,
// for what every configuration of a release does alike.
func (c Client) Release() string { return string(c.Impl) + " " + c.Version }

// RekorV2 reports whether the client signs with Rekor v2 logs.
func (c Client) RekorV2() bool { return slices.Contains(c.Rekor, 2) }

// Versions of the clients, the releases clientfacts describes.
const (
	goVersion       = clientfacts.GoVersion
	pythonVersion   = clientfacts.PythonVersion
	jsSignVersion   = clientfacts.JSSignVersion
	jsVerifyVersion = clientfacts.JSVerifyVersion
)

// Signers returns the signing clients, v2-capable and v1-only side by side,
// in report order. Each is named by its release and, where it has more
// than one, its configuration: sigstore-go takes the Rekor API versions
// from its caller (SelectServices), sigstore-python from --rekor-version.
//
// sigstore-js has no v1-only configuration: @sigstore/sign has read signing
// configs only since 4.1.1 and has hard-coded MAX_TLOG_API_VERSION = 2 from
// that release on (packages/sign/src/config.ts).
func Signers() []Client {
	return []Client{
		{Impl: SigstoreGo, Version: goVersion, Rekor: []uint32{1, 2}, Mode: "configured for Rekor v2"},
		{Impl: SigstoreGo, Version: goVersion, Rekor: []uint32{1}, Mode: "configured for Rekor v1 only"},
		{Impl: SigstorePython, Version: pythonVersion, Rekor: []uint32{1, 2}},
		{Impl: SigstorePython, Version: pythonVersion, Rekor: []uint32{1}, Mode: "--rekor-version 1"},
		{Impl: SigstoreJS, Version: jsSignVersion, Rekor: []uint32{1, 2}},
	}
}

// Signer returns impl's signing client in its default configuration, the
// first of Signers.
func Signer(impl Impl) Client {
	for _, c := range Signers() {
		if c.Impl == impl {
			return c
		}
	}
	return Client{Impl: impl}
}

// Verifier returns impl's verifying client.
func Verifier(impl Impl) Client {
	for _, c := range Verifiers() {
		if c.Impl == impl {
			return c
		}
	}
	return Client{Impl: impl}
}

// RekorV2Verifiers returns the verifiers that verify entries of Rekor API
// v2 logs (checkpoint and inclusion proof, no SET), in report order: all
// of the releases modelled here. sigstore-go v1.3.0 parses and verifies
// v0.0.2 entries (pkg/tlog/entry.go, pkg/verify/tlog.go); @sigstore/verify
// branches on the Rekor v2 Entry type (dist/tlog/index.js, already in
// 3.1.1); sigstore-python verifies v002 entries since Rekor v2 signing
// landed (sigstore-python#1432). Releases before that support reject them.
func RekorV2Verifiers() []Client { return Verifiers() }

// Verifiers returns the verifying clients in report order.
func Verifiers() []Client {
	return []Client{
		{Impl: SigstoreGo, Version: goVersion},
		{Impl: SigstorePython, Version: pythonVersion},
		{Impl: SigstoreJS, Version: jsVerifyVersion},
	}
}

// Service is one entry of a signing config's service lists.
type Service struct {
	URL             string    `json:"url"`
	MajorAPIVersion uint32    `json:"majorApiVersion"`
	Start           time.Time `json:"start,omitzero"`
	End             time.Time `json:"end,omitzero"`
	Operator        string    `json:"operator,omitempty"`
}

// String is the URL, with the API version when it is not 1 so that a Rekor
// v2 log stands out from a v1 one.
func (s Service) String() string {
	if s.MajorAPIVersion == 1 {
		return s.URL
	}
	return fmt.Sprintf("%s (v%d)", s.URL, s.MajorAPIVersion)
}

func serviceFromProto(s *prototrustroot.Service) Service {
	out := Service{URL: s.GetUrl(), MajorAPIVersion: s.GetMajorApiVersion(), Operator: s.GetOperator()}
	out.Start, out.End = release.Window(s.GetValidFor())
	return out
}

func servicesFromProto(l []*prototrustroot.Service) []Service {
	out := make([]Service, 0, len(l))
	for _, s := range l {
		out = append(out, serviceFromProto(s))
	}
	return out
}

// Choice is what a client does with one service list.
type Choice struct {
	// Services are the services the client picks from, in its order.
	Services []Service `json:"services,omitempty"`
	// Uses is how many of Services one signature uses. Fewer than
	// len(Services) means the client picks at random each time.
	Uses int `json:"uses,omitempty"`
	// NotRead is set when the client never reads this list.
	NotRead bool `json:"notRead,omitempty"`
	// Error is set when the client refuses to sign.
	Error string `json:"error,omitempty"`
	// Note says something a reviewer must know that the fields above do
	// not show, such as signing without a transparency log.
	Note string `json:"note,omitempty"`
}

// Random reports whether the client picks among Services at random.
func (c Choice) Random() bool { return c.Uses < len(c.Services) }

// String renders the choice in one line; equal strings mean equal behaviour.
func (c Choice) String() string {
	switch {
	case c.Error != "":
		return "fails: " + c.Error
	case c.NotRead:
		return "not read"
	case len(c.Services) == 0:
		if c.Note != "" {
			return "none (" + c.Note + ")"
		}
		return "none"
	}
	names := make([]string, len(c.Services))
	for i, s := range c.Services {
		names[i] = s.String()
	}
	list := strings.Join(names, ", ")
	if c.Random() {
		if c.Uses == 1 {
			return "one of " + list + " at random"
		}
		return fmt.Sprintf("%d of %s at random", c.Uses, list)
	}
	return list
}

// Role is a kind of service a signer uses.
type Role string

// The roles of a signing config, in report order.
const (
	RoleCA    Role = "CA"
	RoleOIDC  Role = "OIDC"
	RoleRekor Role = "Rekor"
	RoleTSA   Role = "TSA"
)

// Roles lists the roles in report order.
var Roles = []Role{RoleCA, RoleOIDC, RoleRekor, RoleTSA}

// Signing is what one client signs with under one signing config at one
// instant.
type Signing struct {
	Client Client `json:"client"`
	// Error is set when the client rejects the whole signing config; the
	// choices are then empty.
	Error string `json:"error,omitempty"`
	CA    Choice `json:"ca"`
	OIDC  Choice `json:"oidc"`
	Rekor Choice `json:"rekor"`
	TSA   Choice `json:"tsa"`
}

// Choice returns the choice for role r.
func (s Signing) Choice(r Role) Choice {
	if s.Error != "" {
		return Choice{Error: s.Error}
	}
	switch r {
	case RoleCA:
		return s.CA
	case RoleOIDC:
		return s.OIDC
	case RoleRekor:
		return s.Rekor
	case RoleTSA:
		return s.TSA
	}
	return Choice{}
}

// Sign computes what client c signs with under sc at t.
func Sign(c Client, sc *prototrustroot.SigningConfig, t time.Time) Signing {
	switch c.Impl {
	case SigstoreGo:
		return signGo(c, sc, t)
	case SigstorePython:
		return signPython(c, sc, t)
	case SigstoreJS:
		return signJS(c, sc, t)
	}
	return Signing{Client: c, Error: fmt.Sprintf("unknown client %q", c.Impl)}
}

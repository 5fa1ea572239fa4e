// Package clientfacts holds what trustc knows of the Sigstore clients an
// environment serves: their names, the releases it has read, and the
// behaviours of theirs that policy guards against. The policy check
// (compiler/check, rule client-traps) and the client models (package
// clients) both read it; it sits below both so that the compiler never
// imports a report package and the two never disagree on a client.
package clientfacts

import "slices"

// Names of client implementations, as policy.clients spells them.
const (
	SigstoreGo     = "sigstore-go"
	SigstorePython = "sigstore-python"
	SigstoreJS     = "sigstore-js"
	Cosign         = "cosign"
	SigstoreJava   = "sigstore-java"
)

// The releases the facts and the models in package clients describe.
// sigstore-go is the module trustc links; the others are the releases
// read for the models.
const (
	GoVersion       = "v1.3.0"
	PythonVersion   = "4.5.0"
	JSSignVersion   = "@sigstore/sign 5.0.0"
	JSVerifyVersion = "@sigstore/verify 4.1.2"
)

// Client is what trustc knows a client does with what it publishes.
type Client struct {
	Name string
	// RejectsTrustedRootV02: the client refuses the v0.2 trusted-root
	// media type. sigstore-go v1.3.0 accepts only
	// "application/vnd.dev.sigstore.trustedroot+json;version=0.1"
	// (pkg/root/trusted_root.go NewTrustedRootFromProtobuf), and cosign
	// uses it; sigstore-python 4.5.0 checks the same string (models.py
	// TrustedRoot). A client whose handling of v0.2 is not established
	// is listed as rejecting it: trustc refuses what it cannot show to
	// be safe.
	RejectsTrustedRootV02 bool
	// PicksFutureServices: the client sorts services by start and does
	// not drop those not yet valid, so it uses a future service as soon
	// as it is listed (@sigstore/sign 5.0.0 sortServicesByStartDate, as
	// the trustc issue tracker records).
	PicksFutureServices bool
}

// known is in name order, the order messages list clients in.
var known = []Client{
	{Name: Cosign, RejectsTrustedRootV02: true},
	{Name: SigstoreGo, RejectsTrustedRootV02: true},
	{Name: SigstoreJava, RejectsTrustedRootV02: true},
	{Name: SigstoreJS, RejectsTrustedRootV02: true, PicksFutureServices: true},
	{Name: SigstorePython, RejectsTrustedRootV02: true},
}

// Lookup returns the facts about the client policy.clients calls name.
func Lookup(name string) (Client, bool) {
	i := slices.IndexFunc(known, func(c Client) bool { return c.Name == name })
	if i < 0 {
		return Client{}, false
	}
	return known[i], true
}

// Names lists the known clients in name order.
func Names() []string {
	names := make([]string, len(known))
	for i, c := range known {
		names[i] = c.Name
	}
	return names
}

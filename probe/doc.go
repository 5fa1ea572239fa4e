// Package probe checks the live services of a compiled release against
// it: that each Rekor v2 log's checkpoint is signed by the key the trusted
// root holds under the origin clients expect, that each Rekor v1 log's and
// CT log's tree head verifies with its key, that each timestamp authority
// answers a request with a timestamp that verifies with its trusted chain,
// and that each Fulcio serves exactly the chains the trusted root trusts.
//
// It stands beside the pipeline, like importer: it reads the derived
// model of a release and nothing imports it but the command line. It is
// the only code in trustc that reaches the network, and only through the
// http.Client its caller hands it; its tests use servers on 127.0.0.1.
package probe

// Package e2e checks trust configuration the way users meet it: real
// Sigstore bundles, verified by sigstore-go exactly as a client verifies
// them, against a trusted root given as bytes.
//
// It is test support, imported only by tests, and it sits at the very end
// of the pipeline: whatever produced a trusted_root.json (Sigstore's
// published files in testdata/sigstore, or trustc's golden/<env>/) the same
// helpers decide whether real bundles still verify against it, fail
// against the other environment, and fail once the log, CA or timestamp
// authority they depend on is taken out. Serve, LocalOnly and Clients do
// the same for the TUF side: a repository served on 127.0.0.1 and fetched
// by the TUF clients Sigstore's Go clients run, and nothing else.
package e2e

// Package clients tells what Sigstore clients do with one environment's
// trust files at one instant: under each signing config, which CA, OIDC
// provider, Rekor logs and TSAs a client signs with, and which trusted-root
// logs and authorities accept an entry made then.
//
// Clients disagree, so each is its own Client. sigstore-go's selection runs
// as real code (pkg/root SelectService and SelectServices, and its trusted
// root parser). sigstore-python and sigstore-js are models written from their
// source at the version in Client.Version; every rule cites the file it comes
// from. A Rekor-v1-only configuration of each client that has one sits next
// to the v2-capable one, because the Rekor v2 rollout is where their answers
// part.
//
// The package sits after release: review asks it which clients a change
// affects, and the CLI's `trustc at` renders a Snapshot (one internal/doc
// document, printed as markdown or text). Client names, releases and the
// facts policy acts on are internal/clientfacts'. Time is always a
// parameter.
package clients

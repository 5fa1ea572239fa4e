// Package rehearsal rehearses a trust change end to end before it merges:
// the real Sigstore servers (Rekor v2, Fulcio, the timestamp authority,
// built from the Go module proxy at pinned versions) run on 127.0.0.1 over
// TLS with a throwaway CA; trustc init writes an environment from their own
// keys and chains; each step of a rollout is compiled, reviewed (trustc
// diff), published as the next TUF version (trustc tuf build) and probed
// (trustc probe); and at each step real clients (sigstore-go, sigstore-js
// under Node, cosign where built) fetch the trust files through TUF, sign,
// and verify every bundle made so far. Run writes a markdown report.
//
// It is a Go module of its own so that the servers' dependencies stay out
// of trustc's go.mod; it runs trustc as a built binary, as a user would.
// Everything it starts listens on 127.0.0.1 and stops when Run returns.
package rehearsal

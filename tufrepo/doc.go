// Package tufrepo publishes a release's files the way Sigstore clients fetch
// them, through TUF, and checks that a published repository still serves
// what the release says.
//
// It sits after emit: emit owns the bytes of trusted_root.json and the
// signing configs; tufrepo wraps those bytes, unchanged, as TUF targets.
// Build writes a signed repository laid out as Sigstore's CDNs serve theirs
// (tuf-on-ci's build_repository): versioned N.root.json, N.targets.json and
// N.snapshot.json, an unversioned timestamp.json, and consistent-snapshot
// targets under targets/<sha256>.<name>. Compare is the "verify-published"
// half: it walks a repository with go-tuf's updater, the client sigstore-go
// itself uses, and reports where it drifts from a directory of expected
// files.
//
// Nothing here reads the clock: expiry is checked against a reference time
// the caller passes in.
package tufrepo

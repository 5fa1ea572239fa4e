// Package release holds one release of trust configuration: for each
// environment, the files Sigstore clients download (trusted_root.json, the
// v0.2 signing configs and the legacy v0.1 signing_config.json), both as
// bytes and as parsed protobuf-specs messages, and, in a compiled release,
// the keys and certificates published as TUF targets beside them.
//
// A release comes from trustc's own output (golden/) or from any directory
// of published JSON, so that review, policy, TUF and import work the same on
// a compiled release and on a hand-edited one. The package only reads and
// parses; it never canonicalises (that is emit's job).
package release

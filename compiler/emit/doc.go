// Package emit turns a derived, checked environment into the files Sigstore
// clients download, as protobuf-specs messages and as bytes in trustc's one
// canonical JSON form (see Canonical).
//
// Pipeline: load → model → derive → check → emit. Emit does no I/O; writing
// files is the caller's job.
package emit

// Package compiler runs trustc's pipeline over a repository's environments:
// load (CUE → model) → derive (material → ids, details, subjects) → check
// (rules) → emit (protobuf-specs messages → canonical JSON). It returns the
// release in memory; writing it is the caller's job.
package compiler

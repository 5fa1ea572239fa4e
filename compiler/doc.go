// Package compiler runs trustc's pipeline over a repository's environments:
// load (CUE → model) → derive (material → ids, details, subjects) → asof
// (the whole plan → the release of the release time) → check (rules, on
// that release and on every later release of the plan) → emit
// (protobuf-specs messages → canonical JSON). It returns the release in
// memory; writing it is the caller's job.
package compiler

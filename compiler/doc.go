// Package compiler runs trustc's pipeline over a repository's environments:
// load (CUE → model) → derive (material → ids, details, subjects) → asof
// (the whole plan → the release of the release time) → check (rules, on
// that release and on every later release of the plan) → emit
// (protobuf-specs messages → canonical JSON). It returns the release in
// memory; writing it is the caller's job.
//
// Compile is the one entry point. Its Sources are a repository's CUE, with
// an optional overlay of files not written yet (trustc import), or a
// release of published JSON (check DIR, base releases, probe); its Options
// say what a caller needs beyond generate's pass (a review that emits
// beside the policy's findings, models without rules). Every command
// compiles through it, so no command orchestrates the stages itself.
package compiler

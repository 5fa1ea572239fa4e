// Package check enforces the rules that keep a trust change from breaking
// clients quietly. Each rule has a short stable name that prefixes its
// messages and is documented in docs/policy.md; every violation is reported,
// each at the CUE field to change.
//
// Pipeline: load → model → derive → check → emit. Check reads the model
// (with derived values) and changes nothing.
package check

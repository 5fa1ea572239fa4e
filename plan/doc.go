// Package plan lays out an environment's release calendar: from the whole
// rollout its CUE declares, every date after a release time on which the
// published files must change (a signing entry enters a file at its
// start, because a declared client would use it early) or on which
// something clients rely on happens (trust starts or ends, signing ends),
// what changes in which file, which clients it affects, and the policy
// rule that fixes the date. (The compiler checks every release of the
// plan at its release time against the one before; see package asof.)
//
// It sits after the pipeline: it stages a derived model with asof, emits
// each release with emit, and asks clients what each signer does with
// it. trustc plan renders it; generate -check uses it to tell a due
// release from drift.
package plan

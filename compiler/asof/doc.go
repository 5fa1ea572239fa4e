// Package asof is the release stage: from the whole plan an environment
// declares (trust and signing windows, some in the future) to the release
// that is safe to publish at one release time.
//
// Pipeline: load → model → derive → asof → check → emit. A maintainer
// declares a rollout once, months ahead; some clients (sigstore-js) sign
// with a listed service as soon as it is listed, before its start, so a
// signing entry whose start is still in the future is left out of the
// signing configs until the first release at or after its start. Trust
// entries are published as early as the plan declares them: clients honour
// a future validFor.start in the trusted root. The stage is a pure function
// of the model and the release time; check then judges the release it
// returns, and emit writes that release.
package asof

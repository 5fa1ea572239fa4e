// Package derive computes what an environment's key and certificate
// material determines, so that nobody types it: each log's key details,
// log id and checkpoint key id, each chain's certificates and subject, and
// each TUF target's usage and uri (from the service that uses its file).
// Where the CUE restates a derived value (logId, keyDetails), derive checks
// that the two agree.
//
// Pipeline: load → model → derive → check → emit. Derive parses bytes that
// load read; it does no I/O.
package derive

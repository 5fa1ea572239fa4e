// Package trustc holds the files of trustc's own repository that trustc
// init also writes into a new trust repository: the example CI workflow,
// which runs on trustc's pull requests as it runs on an adopter's. One
// copy, embedded, so the two cannot drift apart.
package trustc

import _ "embed"

// Workflow is .github/workflows/trustc.yml.
//
//go:embed .github/workflows/trustc.yml
var Workflow []byte

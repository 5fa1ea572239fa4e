// Package schema carries the CUE schema (the .cue files beside this one)
// inside Go programs. trustc init writes it into a new trust repository, so
// that the trustc binary alone is enough to start one, and test fixtures
// build repositories from it rather than from a checkout's files.
//
// The CUE files are the source; this package only embeds them. Every
// environment imports the schema as the CUE package <module>/schema.
package schema

import "embed"

// FS holds the schema's CUE files at its top level.
//
//go:embed *.cue
var FS embed.FS

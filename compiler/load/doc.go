// Package load evaluates the CUE environment packages under environments/
// and turns each into a model.Environment: declared values with their CUE
// positions, and the bytes of the material files they name. It reports
// every problem it finds, each at the CUE field to fix.
//
// Pipeline: load → model → derive → check → emit. Load is the only stage
// that reads the file system.
package load

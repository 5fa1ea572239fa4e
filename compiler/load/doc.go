// Package load evaluates the CUE environment packages under environments/
// and turns each into a model.Environment: declared values with their CUE
// positions, and the bytes of the material files they name. It reports
// every problem it finds, each at the CUE field to fix.
//
// It reads published JSON too: ReadJSON decodes one trust file, reporting
// every problem at its file:line:col and JSON path (trustc import reads
// its inputs with it; trustc check explains a file protojson refuses with
// it), and FromJSON turns the files of a published environment into the
// same model, so one set of rules checks both; FromRelease does so for a
// release read from disk, and trustc import renders the model as CUE.
//
// Pipeline: load → model → derive → check → emit. Load is the only stage
// that reads the file system.
package load

// Package report prints problems: every model.Problem and every CUE error
// (which model.ProblemOf makes a problem), whichever stage found them, in
// trustc's three formats: text for people and editors, json for tools,
// github for GitHub Actions' annotations. It is the one printer, so that a
// problem reads the same from trustc check, generate, diff and import.
//
// It sits beside the pipeline, not in it: the CLI calls it once, at the
// top, as cue's cmd/cue prints with errors.Print; nothing in compiler/
// imports it.
package report

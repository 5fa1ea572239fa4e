// Package model holds an environment as plain Go values: what the CUE
// declares (filled in by load) and what the key and certificate material
// determines (filled in by derive). Every declared value keeps the CUE
// position and path it came from, so that any later stage can report a
// problem at the field a person has to edit.
//
// Pipeline: load → model → derive → check → emit. Every stage imports this
// package; this package imports no stage.
package model

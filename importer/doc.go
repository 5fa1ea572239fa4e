// Package importer turns trust material that already exists into an
// environment directory: the CUE (in trustc's schema) and the PEM files
// that compile back to it. Its sources are Sigstore's published files (a
// trusted root, v0.2 signing configs, the legacy v0.1 signing config) for
// `trustc import`, or an operator's service URLs, keys and certificates for
// `trustc init`.
//
// It types out only what a person decides (URLs, API versions, operators,
// windows) and leaves to compiler/derive what the material fixes (log ids,
// key details, subjects), stating a derived value only where the input
// departs from it. Before returning anything it compiles the result as an
// overlay of the repository and checks that it reproduces its inputs
// as protobuf messages and that compiler.Compile accepts it.
//
// It sits beside the compiler, not in its pipeline: importer uses load,
// derive, check (through compiler.Compile) and emit; nothing in compiler
// imports it. Writing the directory into the repository is the caller's job.
//
// Its inputs are read by compiler/load's reader of published JSON
// (load.ReadJSON), so a problem in them is a model.Problem at its
// file:line:col and JSON path, as trustc check reports it; trustc init
// hands its messages through the same reader. load.FromJSON, which
// trustc check judges published JSON with, turns them into the model; the
// importer checks that trustc can reproduce them and decides what the CUE
// states. The plan it renders is that model.Environment, plus what only
// the CUE holds: names, comments, lets and the legacy file's references to
// services.
package importer

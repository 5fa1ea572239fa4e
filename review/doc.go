// Package review compares two releases and says, per environment and file,
// what a trust change does: what was added, removed or changed, when each
// change takes effect, and for which clients. It is the library behind
// `trustc diff`.
//
// The comparison is semantic. Files are parsed protobuf messages, walked
// field by field through their descriptors, so a field protobuf-specs adds
// later shows up without code here; list entries are matched by what
// identifies them, as check matches them (model.Identity: a log by key and
// URL whatever its id, a CA or TSA by its set of certificates, then by its
// leaf; a service by URL and major API version), so a moved window reads
// as a change, a corrected log id as "log id corrected" and a reordered
// chain as "chain reordered", not as a removal and an addition. Bytes that
// differ without a semantic difference are "formatting only".
//
// Client impact comes from package clients: for every stretch of time from
// Options.Now on where a signing config's services change, the review runs
// each client's selection on the old and new file and reports who signs
// with what, where clients diverge, and where they sign with a service the
// trusted root does not trust. Policy findings are the caller's; they are
// placed beside the change or file they concern.
//
// The package sits after release, clients and timeline; the CLI renders a
// Review as markdown, text or json. Markdown and text are one document
// (internal/doc) built in one walk, so the two cannot drift apart.
package review

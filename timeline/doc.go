// Package timeline lays out every window of one environment on a time
// axis: the trusted root's verification windows and each signing config's
// signing windows, grouped by service, so a reviewer sees overlaps, gaps
// and waiting periods (trusted before anyone signs with it) at a glance.
//
// It renders the layout as a Mermaid gantt block, which GitHub draws in a
// pull-request comment, and as a standalone SVG written without any
// network or external resource. "Now" is a parameter; nothing reads the
// clock.
//
// The package sits after release; review embeds its Mermaid output and the
// CLI writes its SVG.
package timeline

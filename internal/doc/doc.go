// Package doc holds the document a trustc report is built into
// (headings, paragraphs, alerts, lists, tables, collapsible details) and
// its two printers: GitHub Markdown for pull-request comments and job
// summaries, and plain text for a terminal. A report walks its data once
// to build a Doc; where the two formats word a thing differently, the
// difference is in the document (OnlyMarkdown and OnlyText spans), so a
// printer decides only layout.
package doc

// Doc is a report: blocks in reading order.
type Doc struct {
	Blocks []Block
}

// Add appends blocks.
func (d *Doc) Add(b ...Block) { d.Blocks = append(d.Blocks, b...) }

// Block is one of Heading, Para, Alert, List, Table and Details.
type Block interface{ block() }

// Heading starts a section. Level 2 is a report's title; text indents
// what follows a heading of level 3 and below by its depth.
type Heading struct {
	Level int
	Text  Inline
}

// Para is a paragraph.
type Para struct{ Text Inline }

// Alert is a GitHub alert (Kind is NOTE, WARNING, CAUTION …) in Markdown;
// in text, the title (if any of it is text's) is a line and each item a
// line marked "!!!", since a terminal has no box to set them apart.
type Alert struct {
	Kind  string
	Title Inline
	// Items are lines; under a title, Markdown lists them.
	Items []Inline
}

// List is a list of items, introduced by Title when it has one. A loose
// list sets its items apart with blank lines in Markdown.
type List struct {
	Title Inline
	Loose bool
	Items []Item
}

// Item is one list item with its own items below it.
type Item struct {
	Mark Mark
	Text Inline
	// Only limits the item to one format.
	Only Format
	Sub  []Item
}

// Table is a table with a header row. A marked table has a first column,
// without a heading, for each row's mark.
type Table struct {
	Marked bool
	Head   []Inline
	// Rows may be shorter than Head; the cells missing are empty.
	Rows []Row
}

// Row is one table row.
type Row struct {
	Mark  Mark
	Cells []Inline
}

// Details is a collapsible section in Markdown, open by default, holding
// a Mermaid chart and a list. Text has no chart: it prints the summary
// and the list, and nothing when the list is empty.
type Details struct {
	// Level is the heading level of the section it belongs to, which may
	// have ended in subsections; text indents it as that section's text.
	Level   int
	Summary Inline
	// Mermaid writes the chart. Only the Markdown printer calls it: a
	// chart is the costliest part of a review to write, and text has none.
	Mermaid func() string
	Items   []Item
}

func (Heading) block() {}
func (Para) block()    {}
func (Alert) block()   {}
func (List) block()    {}
func (Table) block()   {}
func (Details) block() {}

// Mark is what a line or row is marked with.
type Mark int

const (
	// NoMark leaves the line as it is.
	NoMark Mark = iota
	// Warn marks what a reviewer must look at: ⚠ in Markdown, !!! in text.
	Warn
	// Weak marks a warning about what was already so: ⚠ in Markdown, a
	// single ! in text.
	Weak
)

// Format is a printer's format.
type Format uint8

const (
	// Both is every format.
	Both Format = iota
	// MarkdownOnly is the Markdown printer's alone.
	MarkdownOnly
	// TextOnly is the text printer's alone.
	TextOnly
)

// Inline is a run of text.
type Inline []Span

// Span is a piece of inline text: plain, code, strong (holding spans) or
// the mark of a warning; Only limits it to one format.
type Span struct {
	kind kind
	text string
	in   Inline
	only Format
}

type kind uint8

const (
	plain kind = iota
	code
	strong
	mark
	// group holds spans for one format.
	group
)

// Code is a code span: `s` in Markdown, s in text.
func Code(s string) Span { return Span{kind: code, text: s} }

// Strong is strong emphasis in Markdown and plain in text.
func Strong(parts ...any) Span { return Span{kind: strong, in: Line(parts...)} }

// WarnMark is the mark of a warning, ⚠ or !!!, in running text.
func WarnMark() Span { return Span{kind: mark} }

// OnlyMarkdown is text only the Markdown printer prints.
func OnlyMarkdown(parts ...any) Span {
	return Span{kind: group, in: Line(parts...), only: MarkdownOnly}
}

// OnlyText is text only the text printer prints.
func OnlyText(parts ...any) Span { return Span{kind: group, in: Line(parts...), only: TextOnly} }

// Plain is plain text.
func Plain(s string) Inline { return Inline{{kind: plain, text: s}} }

// Line builds inline text from strings (plain text), spans and inlines.
func Line(parts ...any) Inline {
	l := make(Inline, 0, len(parts))
	for _, p := range parts {
		switch p := p.(type) {
		case string:
			if p != "" {
				l = append(l, Span{kind: plain, text: p})
			}
		case Span:
			l = append(l, p)
		case Inline:
			l = append(l, p...)
		default:
			// A programming error, found by the first test that renders.
			panic("doc.Line: unexpected part")
		}
	}
	return l
}

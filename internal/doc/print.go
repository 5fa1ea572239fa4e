package doc

import (
	"bytes"
	"slices"
	"strings"
	"unicode/utf8"
)

// Markdown prints d as GitHub Markdown: a blank line between blocks, list
// items "- " indented two spaces a level.
func (d *Doc) Markdown() []byte {
	var b bytes.Buffer
	b.Grow(d.size(TextOnly))
	for i, blk := range d.Blocks {
		if i > 0 {
			b.WriteByte('\n')
		}
		switch blk := blk.(type) {
		case Heading:
			b.WriteString(strings.Repeat("#", blk.Level))
			b.WriteByte(' ')
			blk.Text.markdown(&b, false)
			b.WriteByte('\n')
		case Para:
			blk.Text.markdown(&b, false)
			b.WriteByte('\n')
		case Alert:
			b.WriteString("> [!" + blk.Kind + "]\n")
			bullet := ""
			if len(blk.Title) > 0 {
				b.WriteString("> ")
				blk.Title.markdown(&b, false)
				b.WriteByte('\n')
				bullet = "- "
			}
			for _, it := range blk.Items {
				b.WriteString("> " + bullet)
				it.markdown(&b, false)
				b.WriteByte('\n')
			}
		case List:
			if len(blk.Title) > 0 {
				blk.Title.markdown(&b, false)
				b.WriteString("\n\n")
			}
			for j, it := range blk.Items {
				if blk.Loose && j > 0 {
					b.WriteByte('\n')
				}
				markdownItem(&b, it, 0)
			}
		case Table:
			markdownTable(&b, blk)
		case Details:
			b.WriteString("<details open><summary>")
			blk.Summary.markdown(&b, false)
			b.WriteString("</summary>\n\n```mermaid\n")
			if blk.Mermaid != nil {
				b.WriteString(blk.Mermaid())
			}
			b.WriteString("```\n\n")
			for _, it := range blk.Items {
				markdownItem(&b, it, 0)
			}
			b.WriteString("\n</details>\n")
		}
	}
	return b.Bytes()
}

// size is about the bytes d prints in the format other than not, so that
// a printer allocates its buffer once instead of doubling it as it goes
// (a third of what rendering a snapshot allocated): a text table exactly,
// other blocks their text and a little for markup and indentation. A
// Mermaid chart is not counted: for it the buffer grows.
func (d *Doc) size(not Format) int {
	n, indent := 0, 0
	var items func(its []Item, depth int)
	items = func(its []Item, depth int) {
		for _, it := range its {
			b, _ := it.Text.measure(not)
			n += indent + 2*depth + 8 + b
			items(it.Sub, depth+1)
		}
	}
	for _, blk := range d.Blocks {
		n += 2 // a blank line and a newline
		switch blk := blk.(type) {
		case Heading:
			b, _ := blk.Text.measure(not)
			n += blk.Level + 1 + b
			indent = 2 * max(0, blk.Level-2)
		case Para:
			b, _ := blk.Text.measure(not)
			n += indent + b
		case Alert:
			b, _ := blk.Title.measure(not)
			n += 16 + b
			for _, it := range blk.Items {
				b, _ := it.measure(not)
				n += indent + 8 + b
			}
		case List:
			b, _ := blk.Title.measure(not)
			n += 2 + b
			items(blk.Items, 0)
		case Table:
			if not == MarkdownOnly {
				_, b := textTableSize(blk, indent)
				n += b
				continue
			}
			n += 8 * (len(blk.Head) + 1)
			for _, c := range blk.Head {
				b, _ := c.measure(not)
				n += 3 + b
			}
			for _, r := range blk.Rows {
				n += 8
				for _, c := range r.Cells {
					b, _ := c.measure(not)
					n += 3 + b
				}
			}
		case Details:
			b, _ := blk.Summary.measure(not)
			n += 64 + b
			items(blk.Items, 1)
		}
	}
	return n
}

func markdownItem(b *bytes.Buffer, it Item, depth int) {
	if it.Only == TextOnly {
		return
	}
	for range depth {
		b.WriteString("  ")
	}
	b.WriteString("- ")
	b.WriteString(it.Mark.markdown(" "))
	it.Text.markdown(b, false)
	b.WriteByte('\n')
	for _, s := range it.Sub {
		markdownItem(b, s, depth+1)
	}
}

func markdownTable(b *bytes.Buffer, t Table) {
	if t.Marked {
		// The mark column has no heading.
		b.WriteString("| |")
	} else {
		b.WriteString("|")
	}
	for _, h := range t.Head {
		b.WriteByte(' ')
		h.markdown(b, true)
		b.WriteString(" |")
	}
	n := len(t.Head)
	if t.Marked {
		n++
	}
	b.WriteString("\n|" + strings.Repeat(" --- |", n) + "\n")
	for _, r := range t.Rows {
		b.WriteString("|")
		if t.Marked {
			b.WriteString(" " + r.Mark.markdown("") + " |")
		}
		for i := range t.Head {
			if c := cellAt(r.Cells, i); !c.empty(TextOnly) {
				b.WriteByte(' ')
				c.markdown(b, true)
				b.WriteString(" |")
			} else {
				b.WriteString(" |")
			}
		}
		b.WriteByte('\n')
	}
}

func cellAt(cells []Inline, i int) Inline {
	if i < len(cells) {
		return cells[i]
	}
	return nil
}

// Text prints d for a terminal: no markup, a blank line before each
// heading and after the title, and what a heading holds indented by its
// depth.
func (d *Doc) Text() []byte {
	var b bytes.Buffer
	b.Grow(d.size(MarkdownOnly))
	first, afterTitle := true, false
	indent := ""
	for _, blk := range d.Blocks {
		gap := afterTitle
		switch blk := blk.(type) {
		case Heading:
			if blk.Text.empty(MarkdownOnly) {
				// A heading only Markdown has, such as the title a
				// pull-request comment needs and a terminal does not.
				continue
			}
			gap = true
		case Details:
			if !slices.ContainsFunc(blk.Items, func(it Item) bool { return it.Only != MarkdownOnly }) {
				continue
			}
			gap = true
		}
		if gap && !first {
			b.WriteByte('\n')
		}
		first, afterTitle = false, false
		switch blk := blk.(type) {
		case Heading:
			b.WriteString(strings.Repeat("  ", max(0, blk.Level-3)))
			blk.Text.text(&b)
			b.WriteByte('\n')
			indent = strings.Repeat("  ", max(0, blk.Level-2))
			afterTitle = blk.Level <= 2
		case Para:
			b.WriteString(indent)
			blk.Text.text(&b)
			b.WriteByte('\n')
		case Alert:
			if !blk.Title.empty(MarkdownOnly) {
				b.WriteString(indent)
				blk.Title.text(&b)
				b.WriteByte('\n')
			}
			for _, it := range blk.Items {
				b.WriteString(indent + Warn.text())
				it.text(&b)
				b.WriteByte('\n')
			}
		case List:
			in := indent
			if !blk.Title.empty(MarkdownOnly) {
				b.WriteString(indent)
				blk.Title.text(&b)
				b.WriteByte('\n')
				in += "  "
			}
			for _, it := range blk.Items {
				textItem(&b, it, in)
			}
		case Table:
			textTable(&b, blk, indent)
		case Details:
			in := strings.Repeat("  ", max(0, blk.Level-2))
			b.WriteString(in)
			blk.Summary.text(&b)
			b.WriteByte('\n')
			for _, it := range blk.Items {
				textItem(&b, it, in+"  ")
			}
		}
	}
	return b.Bytes()
}

func textItem(b *bytes.Buffer, it Item, indent string) {
	if it.Only == MarkdownOnly {
		return
	}
	b.WriteString(indent)
	b.WriteString(it.Mark.text())
	it.Text.text(b)
	b.WriteByte('\n')
	for _, s := range it.Sub {
		textItem(b, s, indent+"  ")
	}
}

// textTable lays t out in columns as text/tabwriter does with padding 2:
// each column but the last as wide as its widest cell, in runes, plus two
// spaces. Cells are measured first (textTableSize), so the table is
// written straight into b with its size known: a tabwriter kept its own
// copy of every cell and grew b as it went, a fifth of what rendering a
// snapshot allocated.
func textTable(b *bytes.Buffer, t Table, indent string) {
	widths, size := textTableSize(t, len(indent))
	b.Grow(size)
	t.eachCell(func(c int, mark string, cell Inline) {
		if c == 0 {
			b.WriteString(indent)
		}
		b.WriteString(mark)
		cell.text(b)
		if c == len(widths) {
			b.WriteByte('\n')
			return
		}
		for range widths[c] + 2 - textRunes(mark, cell) {
			b.WriteByte(' ')
		}
	})
}

// textTableSize returns the widths of t's columns in text, but the last,
// and the bytes of the table printed with an indent of indent bytes.
func textTableSize(t Table, indent int) ([]int, int) {
	cols := len(t.Head)
	if t.Marked {
		cols++
	}
	widths := make([]int, max(cols-1, 0))
	size := 0
	t.eachCell(func(c int, mark string, cell Inline) {
		n, _ := cell.measure(MarkdownOnly)
		size += len(mark) + n
		if c < cols-1 {
			widths[c] = max(widths[c], textRunes(mark, cell))
		}
	})
	t.eachCell(func(c int, mark string, cell Inline) {
		if c == 0 {
			size += indent
		}
		if c == cols-1 {
			size++ // the newline
			return
		}
		size += widths[c] + 2 - textRunes(mark, cell)
	})
	return widths, size
}

// textRunes is the width of a text cell: a mark, or a cell's text.
func textRunes(mark string, cell Inline) int {
	_, runes := cell.measure(MarkdownOnly)
	return utf8.RuneCountInString(mark) + runes
}

// eachCell calls fn for every cell of t in text, line by line, the head
// first: c is its column, counting the mark column of a marked table,
// whose cells are a mark and no Inline; the others have no mark.
func (t Table) eachCell(fn func(c int, mark string, cell Inline)) {
	line := func(mark string, cells []Inline) {
		c := 0
		if t.Marked {
			fn(0, mark, nil)
			c++
		}
		for i := range t.Head {
			fn(c+i, "", cellAt(cells, i))
		}
	}
	line("", t.Head)
	for _, r := range t.Rows {
		line(strings.TrimSuffix(r.Mark.text(), " "), r.Cells)
	}
}

func (m Mark) markdown(space string) string {
	if m == NoMark {
		return ""
	}
	return "⚠" + space
}

func (m Mark) text() string {
	switch m {
	case Warn:
		return "!!! "
	case Weak:
		return "! "
	}
	return ""
}

// empty reports whether l prints nothing in the format other than not.
func (l Inline) empty(not Format) bool {
	for _, s := range l {
		switch s.kind {
		case plain, code:
			if s.text != "" {
				return false
			}
		case mark:
			return false
		case strong:
			if !s.in.empty(not) {
				return false
			}
		case group:
			if s.only != not && !s.in.empty(not) {
				return false
			}
		}
	}
	return true
}

// markdown writes l; in a table cell, | is escaped.
func (l Inline) markdown(b *bytes.Buffer, cell bool) {
	for _, s := range l {
		switch s.kind {
		case plain:
			if cell && strings.Contains(s.text, "|") {
				b.WriteString(strings.ReplaceAll(s.text, "|", `\|`))
			} else {
				b.WriteString(s.text)
			}
		case code:
			// A backquote would end the span early.
			b.WriteByte('`')
			b.WriteString(strings.ReplaceAll(s.text, "`", "'"))
			b.WriteByte('`')
		case strong:
			b.WriteString("**")
			s.in.markdown(b, cell)
			b.WriteString("**")
		case mark:
			b.WriteString(Warn.markdown(""))
		case group:
			if s.only != TextOnly {
				s.in.markdown(b, cell)
			}
		}
	}
}

// measure returns the bytes and runes printing l writes in the format
// other than not: exactly in text, and in Markdown without the escapes
// (an estimate, for sizing a buffer).
func (l Inline) measure(not Format) (n, runes int) {
	add := func(s string) {
		n += len(s)
		runes += utf8.RuneCountInString(s)
	}
	for _, s := range l {
		switch s.kind {
		case plain:
			add(s.text)
		case code:
			add(s.text)
			if not == TextOnly {
				add("``")
			}
		case strong:
			if not == TextOnly {
				add("****")
			}
			fallthrough
		case group:
			if s.only != not {
				bn, br := s.in.measure(not)
				n, runes = n+bn, runes+br
			}
		case mark:
			if not == TextOnly {
				add(Warn.markdown(""))
			} else {
				add(strings.TrimSuffix(Warn.text(), " "))
			}
		}
	}
	return n, runes
}

func (l Inline) text(b *bytes.Buffer) {
	for _, s := range l {
		switch s.kind {
		case plain, code:
			b.WriteString(s.text)
		case strong:
			s.in.text(b)
		case mark:
			b.WriteString(strings.TrimSuffix(Warn.text(), " "))
		case group:
			if s.only != MarkdownOnly {
				s.in.text(b)
			}
		}
	}
}

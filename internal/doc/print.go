package doc

import (
	"bytes"
	"slices"
	"strings"
	"text/tabwriter"
)

// Markdown prints d as GitHub Markdown: a blank line between blocks, list
// items "- " indented two spaces a level.
func (d *Doc) Markdown() []byte {
	var b bytes.Buffer
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

func textTable(b *bytes.Buffer, t Table, indent string) {
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	var line bytes.Buffer
	row := func(mark string, cells []Inline) {
		line.Reset()
		line.WriteString(indent)
		if t.Marked {
			line.WriteString(mark + "\t")
		}
		for i := range t.Head {
			if i > 0 {
				line.WriteByte('\t')
			}
			cellAt(cells, i).text(&line)
		}
		line.WriteByte('\n')
		tw.Write(line.Bytes())
	}
	row("", t.Head)
	for _, r := range t.Rows {
		row(strings.TrimSuffix(r.Mark.text(), " "), r.Cells)
	}
	tw.Flush()
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

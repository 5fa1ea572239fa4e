package doc

import (
	"bytes"
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
			b.WriteString(strings.Repeat("#", blk.Level) + " " + blk.Text.markdown(false) + "\n")
		case Para:
			b.WriteString(blk.Text.markdown(false) + "\n")
		case Alert:
			b.WriteString("> [!" + blk.Kind + "]\n")
			bullet := ""
			if len(blk.Title) > 0 {
				b.WriteString("> " + blk.Title.markdown(false) + "\n")
				bullet = "- "
			}
			for _, it := range blk.Items {
				b.WriteString("> " + bullet + it.markdown(false) + "\n")
			}
		case List:
			if len(blk.Title) > 0 {
				b.WriteString(blk.Title.markdown(false) + "\n\n")
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
			b.WriteString("<details open><summary>" + blk.Summary.markdown(false) + "</summary>\n\n```mermaid\n" + blk.Mermaid + "```\n\n")
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
	b.WriteString(strings.Repeat("  ", depth) + "- " + it.Mark.markdown(" ") + it.Text.markdown(false) + "\n")
	for _, s := range it.Sub {
		markdownItem(b, s, depth+1)
	}
}

func markdownTable(b *bytes.Buffer, t Table) {
	row := func(mark string, cells []Inline) {
		b.WriteString("|")
		if t.Marked {
			b.WriteString(" " + mark + " |")
		}
		for i := range t.Head {
			if s := cellAt(cells, i).markdown(true); s != "" {
				b.WriteString(" " + s + " |")
			} else {
				b.WriteString(" |")
			}
		}
		b.WriteString("\n")
	}
	head := t.Head
	if t.Marked {
		// The mark column has no heading: "| |".
		b.WriteString("| |")
	} else {
		b.WriteString("|")
	}
	for _, h := range head {
		b.WriteString(" " + h.markdown(true) + " |")
	}
	n := len(head)
	if t.Marked {
		n++
	}
	b.WriteString("\n|" + strings.Repeat(" --- |", n) + "\n")
	for _, r := range t.Rows {
		row(r.Mark.markdown(""), r.Cells)
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
		var out bytes.Buffer
		switch blk := blk.(type) {
		case Heading:
			s := blk.Text.text()
			if s == "" {
				// A heading only Markdown has, such as the title a
				// pull-request comment needs and a terminal does not.
				continue
			}
			gap = true
			out.WriteString(strings.Repeat("  ", max(0, blk.Level-3)) + s + "\n")
			indent = strings.Repeat("  ", max(0, blk.Level-2))
		case Para:
			out.WriteString(indent + blk.Text.text() + "\n")
		case Alert:
			if s := blk.Title.text(); s != "" {
				out.WriteString(indent + s + "\n")
			}
			for _, it := range blk.Items {
				out.WriteString(indent + Warn.text() + it.text() + "\n")
			}
		case List:
			in := indent
			if s := blk.Title.text(); s != "" {
				out.WriteString(indent + s + "\n")
				in += "  "
			}
			for _, it := range blk.Items {
				textItem(&out, it, in)
			}
		case Table:
			textTable(&out, blk, indent)
		case Details:
			in := strings.Repeat("  ", max(0, blk.Level-2))
			var items bytes.Buffer
			for _, it := range blk.Items {
				textItem(&items, it, in+"  ")
			}
			if items.Len() == 0 {
				continue
			}
			gap = true
			out.WriteString(in + blk.Summary.text() + "\n")
			out.Write(items.Bytes())
		}
		if gap && !first {
			b.WriteByte('\n')
		}
		b.Write(out.Bytes())
		h, ok := blk.(Heading)
		afterTitle = ok && h.Level <= 2
		first = false
	}
	return b.Bytes()
}

func textItem(b *bytes.Buffer, it Item, indent string) {
	if it.Only == MarkdownOnly {
		return
	}
	b.WriteString(indent + it.Mark.text() + it.Text.text() + "\n")
	for _, s := range it.Sub {
		textItem(b, s, indent+"  ")
	}
}

func textTable(b *bytes.Buffer, t Table, indent string) {
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	row := func(mark string, cells []Inline) {
		parts := make([]string, 0, len(t.Head)+1)
		if t.Marked {
			parts = append(parts, mark)
		}
		for i := range t.Head {
			parts = append(parts, cellAt(cells, i).text())
		}
		tw.Write([]byte(indent + strings.Join(parts, "\t") + "\n"))
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

// markdown renders l; in a table cell, | is escaped.
func (l Inline) markdown(cell bool) string {
	var b strings.Builder
	for _, s := range l {
		switch s.kind {
		case plain:
			if cell {
				b.WriteString(strings.ReplaceAll(s.text, "|", `\|`))
			} else {
				b.WriteString(s.text)
			}
		case code:
			// A backquote would end the span early.
			b.WriteString("`" + strings.ReplaceAll(s.text, "`", "'") + "`")
		case strong:
			b.WriteString("**" + s.in.markdown(cell) + "**")
		case mark:
			b.WriteString(Warn.markdown(""))
		case group:
			if s.only != TextOnly {
				b.WriteString(s.in.markdown(cell))
			}
		}
	}
	return b.String()
}

func (l Inline) text() string {
	var b strings.Builder
	for _, s := range l {
		switch s.kind {
		case plain, code:
			b.WriteString(s.text)
		case strong:
			b.WriteString(s.in.text())
		case mark:
			b.WriteString(strings.TrimSuffix(Warn.text(), " "))
		case group:
			if s.only != MarkdownOnly {
				b.WriteString(s.in.text())
			}
		}
	}
	return b.String()
}

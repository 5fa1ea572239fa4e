package clients

import (
	"fmt"
	"strings"

	"github.com/trustc-dev/trustc/internal/doc"
	"github.com/trustc-dev/trustc/internal/text"
)

// Formats are the formats Render accepts.
var Formats = doc.Formats

// Render renders the snapshot as markdown, text or json.
func (s Snapshot) Render(format string) ([]byte, error) {
	return doc.Render(format, "snapshot", s.document, s)
}

func cell(c Choice) string {
	s := c.String()
	if c.Note != "" && len(c.Services) > 0 {
		s += " (" + c.Note + ")"
	}
	return s
}

func (e TrustEntry) label() string {
	id := e.ID
	if len(id) > 12 {
		id = id[:12] + "…"
	}
	return fmt.Sprintf("%s %s (%s)", e.Kind, e.Name, id)
}

func verdict(v Verdict) string {
	s := "no"
	if v.Accepted {
		s = "yes"
	}
	if v.Why != "" {
		s += " (" + v.Why + ")"
	}
	return s
}

// Text renders the snapshot for a terminal.
func (s Snapshot) Text() []byte { return s.document().Text() }

// Markdown renders the snapshot for a pull-request comment.
func (s Snapshot) Markdown() []byte { return s.document().Markdown() }

// document is the snapshot as a report: what each signer picks under each
// signing config, then each verifier's verdict on each trusted-root entry.
func (s Snapshot) document() *doc.Doc {
	var d doc.Doc
	d.Add(doc.Heading{Level: 2, Text: doc.Plain(s.Env + " at " + text.Time(s.Time))})
	if s.Diverges() {
		d.Add(doc.Alert{Kind: "WARNING", Items: []doc.Inline{doc.Line(
			doc.OnlyMarkdown(doc.Strong("Clients diverge at this time."), " See the warnings below."),
			doc.OnlyText("CLIENTS DIVERGE at this time: see the lines marked !!!"))}})
	}
	for _, c := range s.Configs {
		d.Add(doc.Heading{Level: 3, Text: doc.Plain("Signing with " + c.File)})
		t := doc.Table{
			Head: []doc.Inline{doc.Line(doc.OnlyMarkdown("Client"), doc.OnlyText("client")), doc.Plain("CA"), doc.Plain("OIDC"), doc.Plain("Rekor"), doc.Plain("TSA")},
			Rows: make([]doc.Row, 0, len(c.Signers)),
		}
		for _, sg := range c.Signers {
			if sg.Error != "" {
				t.Rows = append(t.Rows, doc.Row{Cells: []doc.Inline{doc.Plain(sg.Client.Name()), doc.Plain("refuses the file: " + sg.Error)}})
				continue
			}
			t.Rows = append(t.Rows, doc.Row{Cells: []doc.Inline{doc.Plain(sg.Client.Name()), doc.Plain(cell(sg.CA)), doc.Plain(cell(sg.OIDC)), doc.Plain(cell(sg.Rekor)), doc.Plain(cell(sg.TSA))}})
		}
		d.Add(t)
		if len(c.Divergences) > 0 {
			a := doc.Alert{Kind: "WARNING", Title: doc.Line(doc.OnlyMarkdown(doc.Strong("Clients diverge:")))}
			for _, dv := range c.Divergences {
				a.Items = append(a.Items, doc.Plain(dv))
			}
			d.Add(a)
		}
		if len(c.Unmatched) > 0 {
			var l doc.List
			for _, u := range c.Unmatched {
				l.Items = append(l.Items, doc.Item{Text: doc.Line(doc.OnlyMarkdown("Warning: "), doc.OnlyText("warning: "), u)})
			}
			d.Add(l)
		}
	}
	if l := s.Legacy; l != nil {
		d.Add(doc.Heading{Level: 3, Text: doc.Line("Signing with "+l.File, doc.OnlyText(" (v0.1: no windows, same at any time)"))},
			doc.Para{Text: doc.Line(doc.OnlyMarkdown("v0.1 has no windows; clients that read it use the same services at any time: "),
				fmt.Sprintf("CA %s, OIDC %s, Rekor %s, TSA %s", orNone(l.CAURL), orNone(l.OIDCURL), orNone(strings.Join(l.TlogURLs, ", ")), orNone(strings.Join(l.TSAURLs, ", "))),
				doc.OnlyMarkdown("."))})
	}
	d.Add(doc.Heading{Level: 3, Text: doc.Line("Verifying, at " + text.Time(s.Time) + ", what was made then")})
	if len(s.Refusals) > 0 {
		a := doc.Alert{Kind: "WARNING"}
		for _, r := range s.Refusals {
			a.Items = append(a.Items, doc.Line(doc.Strong(r.Client.Name()+" refuses the trusted root:"), " "+r.Error))
		}
		d.Add(a)
	}
	t := doc.Table{
		Marked: true,
		Head:   []doc.Inline{doc.Line(doc.OnlyMarkdown("Entry"), doc.OnlyText("entry")), doc.Line(doc.OnlyMarkdown("Window"), doc.OnlyText("window"))},
		Rows:   make([]doc.Row, 0, len(s.Trust)),
	}
	for _, c := range Verifiers() {
		t.Head = append(t.Head, doc.Plain(c.Name()))
	}
	for _, e := range s.Trust {
		r := doc.Row{Cells: make([]doc.Inline, 0, 2+len(e.Verdicts))}
		r.Cells = append(r.Cells, doc.Plain(e.label()), doc.Plain(text.Window(e.Start, e.End)))
		if e.Diverges() {
			r.Mark = doc.Warn
		}
		for _, v := range e.Verdicts {
			r.Cells = append(r.Cells, doc.Plain(verdict(v)))
		}
		t.Rows = append(t.Rows, r)
	}
	d.Add(t)
	notes := doc.List{Loose: true}
	for _, e := range s.Trust {
		if e.Note != "" {
			notes.Items = append(notes.Items, doc.Item{Text: doc.Line(doc.OnlyMarkdown("Note, "), doc.OnlyText("note: "), string(e.Kind)+" ", doc.Code(e.Path), ": "+e.Note)})
		}
	}
	if len(notes.Items) > 0 {
		d.Add(notes)
	}
	return &d
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

package clients

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"
)

// Formats are the formats Render accepts.
var Formats = []string{"markdown", "text", "json"}

// Render renders the snapshot as markdown, text or json.
func (s Snapshot) Render(format string) ([]byte, error) {
	switch format {
	case "markdown":
		return s.Markdown(), nil
	case "text":
		return s.Text(), nil
	case "json":
		return s.JSON()
	}
	return nil, fmt.Errorf("render snapshot: unknown format %q (want markdown, text or json)", format)
}

// JSON renders the snapshot as indented JSON with a trailing newline.
func (s Snapshot) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("render snapshot: %w", err)
	}
	return append(b, '\n'), nil
}

// FormatWindow renders a validity window; zero times are open ends.
func FormatWindow(start, end time.Time) string {
	switch {
	case start.IsZero() && end.IsZero():
		return "always"
	case end.IsZero():
		return "from " + formatTime(start)
	case start.IsZero():
		return "until " + formatTime(end)
	}
	return formatTime(start) + " to " + formatTime(end)
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
func (s Snapshot) Text() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s at %s\n", s.Env, formatTime(s.Time))
	if s.Diverges() {
		fmt.Fprintf(&b, "\n!!! CLIENTS DIVERGE at this time: see the lines marked !!!\n")
	}
	for _, c := range s.Configs {
		fmt.Fprintf(&b, "\nSigning with %s\n", c.File)
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintf(tw, "  client\tCA\tOIDC\tRekor\tTSA\n")
		for _, sg := range c.Signers {
			if sg.Error != "" {
				fmt.Fprintf(tw, "  %s\trefuses the file: %s\t\t\t\n", sg.Client.Name(), sg.Error)
				continue
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", sg.Client.Name(), cell(sg.CA), cell(sg.OIDC), cell(sg.Rekor), cell(sg.TSA))
		}
		tw.Flush()
		for _, d := range c.Divergences {
			fmt.Fprintf(&b, "  !!! %s\n", d)
		}
		for _, u := range c.Unmatched {
			fmt.Fprintf(&b, "  warning: %s\n", u)
		}
	}
	if l := s.Legacy; l != nil {
		fmt.Fprintf(&b, "\nSigning with %s (v0.1: no windows, same at any time)\n", l.File)
		fmt.Fprintf(&b, "  CA %s, OIDC %s, Rekor %s, TSA %s\n", orNone(l.CAURL), orNone(l.OIDCURL), orNone(strings.Join(l.TlogURLs, ", ")), orNone(strings.Join(l.TSAURLs, ", ")))
	}
	fmt.Fprintf(&b, "\nVerifying, at %s, what was made then\n", formatTime(s.Time))
	for _, r := range s.Refusals {
		fmt.Fprintf(&b, "  !!! %s refuses the trusted root: %s\n", r.Client.Name(), r.Error)
	}
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  \tentry\twindow")
	for _, c := range Verifiers() {
		fmt.Fprintf(tw, "\t%s", c.Name())
	}
	fmt.Fprintf(tw, "\n")
	for _, e := range s.Trust {
		mark := ""
		if e.Diverges() {
			mark = "!!!"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s", mark, e.label(), FormatWindow(e.Start, e.End))
		for _, v := range e.Verdicts {
			fmt.Fprintf(tw, "\t%s", verdict(v))
		}
		fmt.Fprintf(tw, "\n")
	}
	tw.Flush()
	for _, e := range s.Trust {
		if e.Note != "" {
			fmt.Fprintf(&b, "  note: %s %s: %s\n", e.Kind, e.Path, e.Note)
		}
	}
	return b.Bytes()
}

// Markdown renders the snapshot for a pull-request comment.
func (s Snapshot) Markdown() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "## %s at %s\n", s.Env, formatTime(s.Time))
	if s.Diverges() {
		fmt.Fprintf(&b, "\n> [!WARNING]\n> **Clients diverge at this time.** See the warnings below.\n")
	}
	for _, c := range s.Configs {
		fmt.Fprintf(&b, "\n### Signing with %s\n\n", c.File)
		fmt.Fprintf(&b, "| Client | CA | OIDC | Rekor | TSA |\n| --- | --- | --- | --- | --- |\n")
		for _, sg := range c.Signers {
			if sg.Error != "" {
				fmt.Fprintf(&b, "| %s | refuses the file: %s | | | |\n", mdCell(sg.Client.Name()), mdCell(sg.Error))
				continue
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", mdCell(sg.Client.Name()), mdCell(cell(sg.CA)), mdCell(cell(sg.OIDC)), mdCell(cell(sg.Rekor)), mdCell(cell(sg.TSA)))
		}
		if len(c.Divergences) > 0 {
			fmt.Fprintf(&b, "\n> [!WARNING]\n> **Clients diverge:**\n")
			for _, d := range c.Divergences {
				fmt.Fprintf(&b, "> - %s\n", d)
			}
		}
		if len(c.Unmatched) > 0 {
			fmt.Fprintf(&b, "\n")
			for _, u := range c.Unmatched {
				fmt.Fprintf(&b, "- Warning: %s\n", u)
			}
		}
	}
	if l := s.Legacy; l != nil {
		fmt.Fprintf(&b, "\n### Signing with %s\n\nv0.1 has no windows; clients that read it use the same services at any time: CA %s, OIDC %s, Rekor %s, TSA %s.\n",
			l.File, orNone(l.CAURL), orNone(l.OIDCURL), orNone(strings.Join(l.TlogURLs, ", ")), orNone(strings.Join(l.TSAURLs, ", ")))
	}
	fmt.Fprintf(&b, "\n### Verifying, at %s, what was made then\n", formatTime(s.Time))
	if len(s.Refusals) > 0 {
		fmt.Fprintf(&b, "\n> [!WARNING]\n")
		for _, r := range s.Refusals {
			fmt.Fprintf(&b, "> **%s refuses the trusted root:** %s\n", r.Client.Name(), r.Error)
		}
	}
	fmt.Fprintf(&b, "\n| | Entry | Window |")
	for _, c := range Verifiers() {
		fmt.Fprintf(&b, " %s |", mdCell(c.Name()))
	}
	fmt.Fprintf(&b, "\n| --- | --- | --- |%s\n", strings.Repeat(" --- |", len(Verifiers())))
	for _, e := range s.Trust {
		mark := ""
		if e.Diverges() {
			mark = "⚠"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |", mark, mdCell(e.label()), FormatWindow(e.Start, e.End))
		for _, v := range e.Verdicts {
			fmt.Fprintf(&b, " %s |", mdCell(verdict(v)))
		}
		fmt.Fprintf(&b, "\n")
	}
	for _, e := range s.Trust {
		if e.Note != "" {
			fmt.Fprintf(&b, "\n- Note, %s `%s`: %s\n", e.Kind, e.Path, e.Note)
		}
	}
	return b.Bytes()
}

func mdCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

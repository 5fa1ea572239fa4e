package review

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// clientsNote says once which client behaviour is real and which modelled.
const clientsNote = "sigstore-go v1.3.0 runs as real code; sigstore-python 4.5.0 and sigstore-js @sigstore/sign 5.0.0 are models of their source"

// Formats are the formats Render accepts.
var Formats = []string{"markdown", "text", "json"}

// Render renders the review as markdown, text or json.
func (r *Review) Render(format string) ([]byte, error) {
	switch format {
	case "markdown":
		return r.Markdown(), nil
	case "text":
		return r.Text(), nil
	case "json":
		return r.JSON()
	}
	return nil, fmt.Errorf("render review: unknown format %q (want markdown, text or json)", format)
}

// JSON renders the review as indented JSON with a trailing newline.
func (r *Review) JSON() ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("render review: %w", err)
	}
	return append(b, '\n'), nil
}

// Summary is the review in one line.
func (r *Review) Summary() string {
	switch {
	case r.Empty():
		return "No changes."
	case r.FormattingOnly():
		return "Formatting only, no semantic change."
	}
	var parts []string
	for _, e := range r.Envs {
		n := 0
		files := 0
		for _, f := range e.Files {
			n += len(f.Changes)
			if f.Status != StatusUnchanged && f.Status != StatusFormatting {
				files++
			}
		}
		switch e.Status {
		case StatusFormatting, StatusUnchanged:
			parts = append(parts, fmt.Sprintf("%s: %s", e.Name, e.Status))
		default:
			parts = append(parts, fmt.Sprintf("%s: %s, %s in %s", e.Name, e.Status, plural(n, "change"), plural(files, "file")))
		}
	}
	for _, n := range r.Unchanged {
		parts = append(parts, n+": unchanged")
	}
	return strings.Join(parts, "; ") + "."
}

func plural(n int, s string) string {
	if n == 1 {
		return "1 " + s
	}
	return fmt.Sprintf("%d %ss", n, s)
}

// Warnings counts changes and files that break something working today.
func (r *Review) Warnings() int {
	n := 0
	for _, e := range r.Envs {
		for _, f := range e.Files {
			n += len(f.Warnings)
			for _, c := range f.Changes {
				if c.Warning != "" {
					n++
				}
			}
			for _, im := range f.Clients {
				n += len(im.Divergences) + len(im.Untrusted)
			}
		}
	}
	return n
}

func opWord(op Op) string {
	return strings.ToUpper(string(op[:1])) + string(op[1:])
}

func (c Change) headline(code func(string) string) string {
	var b strings.Builder
	b.WriteString(opWord(c.Op) + " " + c.What)
	if c.Subject != "" {
		b.WriteString(" " + c.Subject)
	}
	b.WriteString(" (" + code(c.Path) + ")")
	switch {
	case c.Op == Changed || c.Op == Reordered:
		fmt.Fprintf(&b, ": %s → %s", c.Old, c.New)
	case c.Op == Added && c.New != "":
		b.WriteString(": " + c.New)
	case c.Op == Removed && c.Old != "":
		b.WriteString(": was " + c.Old)
	}
	b.WriteString("; takes effect " + c.When)
	return b.String()
}

func findingText(f Finding, code func(string) string) string {
	s := "Policy " + code(f.Rule)
	if f.Path != "" {
		s += " at " + code(f.Path)
	}
	return s + ": " + f.Message
}

func (im Impact) heading() string {
	switch {
	case !im.To.IsZero() && im.To.Sub(im.From) <= 1:
		return "At " + formatTime(im.From) + " exactly"
	case im.From.IsZero():
		return "Always"
	case im.From.Nanosecond()%1000 == 1:
		// The first instant after an inclusive window end.
		return "After " + formatTime(im.From.Add(-1))
	}
	return "From " + formatTime(im.From)
}

// Markdown renders the review for a pull-request comment: GitHub alerts
// for what breaks, a Mermaid timeline per changed environment.
func (r *Review) Markdown() []byte {
	var b bytes.Buffer
	code := func(s string) string { return "`" + strings.ReplaceAll(s, "`", "'") + "`" }
	fmt.Fprintf(&b, "## trustc review\n\n%s\n", r.Summary())
	if !r.Now.IsZero() {
		fmt.Fprintf(&b, "\nTimes are UTC; \"now\" is %s.\n", formatTime(r.Now))
	}
	if n := r.Warnings(); n > 0 {
		fmt.Fprintf(&b, "\n> [!CAUTION]\n> %s: something that works today breaks, or clients disagree. Marked ⚠ below.\n", plural(n, "warning"))
	}
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "\n- ⚠ %s (%s)\n", findingText(f, code), code(f.File))
	}
	for _, e := range r.Envs {
		fmt.Fprintf(&b, "\n### Environment %s: %s\n", code(e.Name), e.Status)
		for _, f := range e.Files {
			fmt.Fprintf(&b, "\n#### %s: %s", code(f.Name), f.Status)
			if f.Status == StatusFormatting {
				fmt.Fprintf(&b, ", no semantic change\n")
				continue
			}
			if len(f.Changes) > 0 {
				fmt.Fprintf(&b, ", %s", plural(len(f.Changes), "change"))
			}
			fmt.Fprintf(&b, "\n\n")
			for _, w := range f.Warnings {
				fmt.Fprintf(&b, "- ⚠ **%s**\n", w)
			}
			for _, n := range f.Notes {
				fmt.Fprintf(&b, "- %s\n", n)
			}
			for _, fd := range f.Findings {
				fmt.Fprintf(&b, "- ⚠ %s\n", findingText(fd, code))
			}
			for _, c := range f.Changes {
				fmt.Fprintf(&b, "- **%s**\n", c.headline(code))
				if c.Warning != "" {
					fmt.Fprintf(&b, "  - ⚠ **%s**\n", c.Warning)
				}
				for _, s := range c.Impact {
					fmt.Fprintf(&b, "  - %s\n", s)
				}
				for _, fd := range c.Findings {
					fmt.Fprintf(&b, "  - ⚠ %s\n", findingText(fd, code))
				}
				if len(c.Details) > 0 {
					fmt.Fprintf(&b, "  - Fields: %s\n", strings.Join(c.Details, "; "))
				}
			}
			if len(f.Clients) > 0 {
				fmt.Fprintf(&b, "\nWhat clients do with %s", code(f.Name))
				if !r.Now.IsZero() {
					fmt.Fprintf(&b, " from now on")
				}
				fmt.Fprintf(&b, " (%s):\n\n", clientsNote)
				for _, im := range f.Clients {
					fmt.Fprintf(&b, "- **%s:**\n", im.heading())
					if len(im.Lines) == 0 {
						fmt.Fprintf(&b, "  - Signers as before.\n")
					}
					for _, l := range im.Lines {
						fmt.Fprintf(&b, "  - %s\n", l)
					}
					for _, d := range im.Divergences {
						fmt.Fprintf(&b, "  - ⚠ **Clients diverge.** %s\n", d)
					}
					for _, u := range im.Untrusted {
						fmt.Fprintf(&b, "  - ⚠ **Not trusted:** %s\n", u)
					}
					for _, s := range im.Still {
						fmt.Fprintf(&b, "  - ⚠ As before this change: %s\n", s)
					}
				}
			}
		}
		if e.Status == StatusUnchanged {
			continue
		}
		tl := e.Timeline()
		marked := ""
		if e.new != nil && e.old != nil {
			marked = " (changed rows in red)"
		}
		fmt.Fprintf(&b, "\n<details open><summary>Timeline of %s: trust and signing windows%s</summary>\n\n```mermaid\n%s```\n\n",
			e.Name, marked, tl.Mermaid())
		for _, n := range tl.Notes() {
			fmt.Fprintf(&b, "- %s\n", n)
		}
		fmt.Fprintf(&b, "\n</details>\n")
	}
	return b.Bytes()
}

// Text renders the review for a terminal.
func (r *Review) Text() []byte {
	var b bytes.Buffer
	code := func(s string) string { return s }
	fmt.Fprintf(&b, "%s\n", r.Summary())
	if !r.Now.IsZero() {
		fmt.Fprintf(&b, "Times are UTC; now is %s.\n", formatTime(r.Now))
	}
	if n := r.Warnings(); n > 0 {
		fmt.Fprintf(&b, "!!! %s: something that works today breaks, or clients disagree. Marked !!! below.\n", plural(n, "warning"))
	}
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "!!! %s (%s)\n", findingText(f, code), f.File)
	}
	for _, e := range r.Envs {
		fmt.Fprintf(&b, "\n%s: %s\n", e.Name, e.Status)
		for _, f := range e.Files {
			fmt.Fprintf(&b, "\n  %s: %s", f.Name, f.Status)
			if f.Status == StatusFormatting {
				fmt.Fprintf(&b, ", no semantic change\n")
				continue
			}
			fmt.Fprintf(&b, "\n")
			for _, w := range f.Warnings {
				fmt.Fprintf(&b, "    !!! %s\n", w)
			}
			for _, n := range f.Notes {
				fmt.Fprintf(&b, "    %s\n", n)
			}
			for _, fd := range f.Findings {
				fmt.Fprintf(&b, "    !!! %s\n", findingText(fd, code))
			}
			for _, c := range f.Changes {
				fmt.Fprintf(&b, "    %s\n", c.headline(code))
				if c.Warning != "" {
					fmt.Fprintf(&b, "      !!! %s\n", c.Warning)
				}
				for _, s := range c.Impact {
					fmt.Fprintf(&b, "      %s\n", s)
				}
				for _, fd := range c.Findings {
					fmt.Fprintf(&b, "      !!! %s\n", findingText(fd, code))
				}
				for _, d := range c.Details {
					fmt.Fprintf(&b, "      | %s\n", d)
				}
			}
			if len(f.Clients) > 0 {
				fmt.Fprintf(&b, "    What clients do with %s (%s):\n", f.Name, clientsNote)
				for _, im := range f.Clients {
					fmt.Fprintf(&b, "      %s:\n", im.heading())
					if len(im.Lines) == 0 {
						fmt.Fprintf(&b, "        Signers as before.\n")
					}
					for _, l := range im.Lines {
						fmt.Fprintf(&b, "        %s\n", l)
					}
					for _, d := range im.Divergences {
						fmt.Fprintf(&b, "        !!! clients diverge: %s\n", d)
					}
					for _, u := range im.Untrusted {
						fmt.Fprintf(&b, "        !!! not trusted: %s\n", u)
					}
					for _, s := range im.Still {
						fmt.Fprintf(&b, "        ! as before this change: %s\n", s)
					}
				}
			}
		}
		if e.Status == StatusUnchanged {
			continue
		}
		if notes := e.Timeline().Notes(); len(notes) > 0 {
			fmt.Fprintf(&b, "\n  Timeline of %s:\n", e.Name)
			for _, n := range notes {
				fmt.Fprintf(&b, "    %s\n", n)
			}
		}
	}
	return b.Bytes()
}

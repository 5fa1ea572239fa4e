package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/trustc-dev/trustc/internal/text"
	"github.com/trustc-dev/trustc/timeline"
)

// Formats are the output formats Render accepts.
var Formats = []string{"text", "markdown", "json"}

// Render renders calendars in format, one of Formats.
func Render(cals []*Calendar, format string) ([]byte, error) {
	switch format {
	case "text":
		return Text(cals), nil
	case "markdown":
		return Markdown(cals), nil
	case "json":
		b, err := json.MarshalIndent(cals, "", "  ")
		if err != nil {
			return nil, fmt.Errorf("render plan: %w", err)
		}
		return append(b, '\n'), nil
	}
	return nil, fmt.Errorf("unknown format %q", format)
}

func (d Date) heading() string {
	if d.Release {
		return "release due"
	}
	return "no file changes"
}

func (c *Calendar) intro() string {
	if len(c.EarlyClients) == 0 {
		return "No declared client signs with a listed service before its start; every entry is published as declared."
	}
	return fmt.Sprintf("%s signs with a listed service before its start, so each signing entry enters its file in the release at its start.", strings.Join(c.EarlyClients, ", "))
}

// Text renders calendars for a terminal.
func Text(cals []*Calendar) []byte {
	var b bytes.Buffer
	for i, c := range cals {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s: release calendar after %s\n", c.Env, text.Time(c.From))
		fmt.Fprintf(&b, "%s\n", c.intro())
		if len(c.Due) > 0 {
			b.WriteString("\nDue now: the published files lack these releases; run 'trustc generate' and publish:\n")
			for _, d := range c.Due {
				for _, ch := range d.Changes() {
					fmt.Fprintf(&b, "  %s: %s\n", text.Time(d.Time), ch)
				}
			}
		}
		if len(c.Dates) == 0 {
			b.WriteString("Nothing is planned: no window starts or ends later.\n")
			continue
		}
		for _, d := range c.Dates {
			fmt.Fprintf(&b, "\n%s: %s\n", text.Time(d.Time), d.heading())
			for _, e := range d.Events {
				fmt.Fprintf(&b, "  %s: %s %s\n", e.File, e.Entry, e.Kind)
				fmt.Fprintf(&b, "    %s: %s\n", e.Rule, e.Why)
				for _, cl := range e.Clients {
					fmt.Fprintf(&b, "    %s\n", cl)
				}
			}
		}
	}
	return b.Bytes()
}

// Markdown renders calendars for a pull request: a table per environment
// and a Mermaid timeline of the whole plan.
func Markdown(cals []*Calendar) []byte {
	var b bytes.Buffer
	for i, c := range cals {
		if i > 0 {
			b.WriteString("\n")
		}
		markdownSection(&b, c, "###")
		if n := len(c.releases); n > 0 {
			tl := timeline.New(c.releases[n-1].Env, c.From)
			fmt.Fprintf(&b, "\n<details><summary>Timeline of the plan for %s</summary>\n\n```mermaid\n%s```\n\n</details>\n", c.Env, tl.Mermaid())
		}
	}
	return b.Bytes()
}

// markdownSection writes the calendar as a table under a heading of the
// given level, without the timeline; the review embeds it.
func markdownSection(b *bytes.Buffer, c *Calendar, level string) {
	fmt.Fprintf(b, "%s Release calendar of `%s` after %s\n\n", level, c.Env, text.Time(c.From))
	fmt.Fprintf(b, "%s\n\n", c.intro())
	if len(c.Due) > 0 {
		b.WriteString("> [!IMPORTANT]\n> Due now: the published files lack these releases; run `trustc generate` and publish:\n")
		for _, d := range c.Due {
			for _, ch := range d.Changes() {
				fmt.Fprintf(b, "> - %s: %s\n", text.Time(d.Time), mdCell(ch))
			}
		}
		b.WriteString("\n")
	}
	if len(c.Dates) == 0 {
		b.WriteString("Nothing is planned: no window starts or ends later.\n")
		return
	}
	b.WriteString("| date | | file | change | rule: why | clients |\n| --- | --- | --- | --- | --- | --- |\n")
	for _, d := range c.Dates {
		for _, e := range d.Events {
			fmt.Fprintf(b, "| %s | %s | `%s` | %s %s | `%s`: %s | %s |\n", text.Time(d.Time), d.heading(), e.File, mdCell(e.Entry), e.Kind,
				e.Rule, mdCell(e.Why), mdCell(strings.Join(e.Clients, "; ")))
		}
	}
}

func mdCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

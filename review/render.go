package review

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/trustc-dev/trustc/clients"
	"github.com/trustc-dev/trustc/timeline"
)

// clientsNote says once which client behaviour is real and which modelled.
func clientsNote() string {
	return fmt.Sprintf("%s runs as real code; %s and %s are models of their source",
		clients.Signer(clients.SigstoreGo).Release(), clients.Signer(clients.SigstorePython).Release(), clients.Signer(clients.SigstoreJS).Release())
}

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

// Warnings counts everything the review marks as a warning (⚠ in
// markdown, !!! in text): policy findings, what breaks something working
// today, clients that diverge or sign with an untrusted service, and what
// was already so before this change.
func (r *Review) Warnings() int {
	n := markedIn(r.Findings)
	for _, e := range r.Envs {
		for _, f := range e.Files {
			n += len(f.Warnings) + markedIn(f.Findings)
			for _, c := range f.Changes {
				if c.Warning != "" {
					n++
				}
				n += markedIn(c.Findings)
			}
			for _, im := range f.Clients {
				n += len(im.Divergences) + len(im.Untrusted) + len(im.Still)
			}
		}
	}
	return n
}

func markedIn(fs []Finding) int {
	n := 0
	for _, f := range fs {
		if f.marked() {
			n++
		}
	}
	return n
}

// Severities counts the policy findings the review shows by check's
// severity, as check's headline does: "1 error, 2 warnings".
func (r *Review) Severities() string {
	counts := map[string]int{}
	count := func(fs []Finding) {
		for _, f := range fs {
			sev := f.Severity
			if sev == "" {
				sev = "error"
			}
			counts[sev]++
		}
	}
	count(r.Findings)
	for _, e := range r.Envs {
		for _, f := range e.Files {
			count(f.Findings)
			count(f.Elsewhere)
			for _, c := range f.Changes {
				count(c.Findings)
			}
		}
	}
	var parts []string
	for _, sev := range []string{"error", "warning", "note"} {
		if n := counts[sev]; n > 0 {
			parts = append(parts, plural(n, sev))
		}
	}
	return strings.Join(parts, ", ")
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
	if f.Severity != "" && f.Severity != "error" {
		s = "Policy " + f.Severity + " " + code(f.Rule)
	}
	if f.Path != "" {
		s += " at " + code(f.Path)
	}
	return s + ": " + f.Message
}

// mark is m for a finding the review marks, else nothing.
func mark(f Finding, m string) string {
	if f.marked() {
		return m
	}
	return ""
}

// elsewhere counts the findings about entries the change leaves alone.
func elsewhere(f *File, code func(string) string) string {
	if len(f.Elsewhere) == 0 {
		return ""
	}
	var rules []string
	for _, fd := range f.Elsewhere {
		if r := code(fd.Rule); !slices.Contains(rules, r) {
			rules = append(rules, r)
		}
	}
	return fmt.Sprintf("%s (%s) about entries this change leaves alone; %s lists them.",
		plural(len(f.Elsewhere), "policy finding"), strings.Join(rules, ", "), code("trustc check"))
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
func (r *Review) Markdown() []byte { return r.markdown(mdAll) }

// mdCut says what a markdown rendering leaves out to fit a comment.
type mdCut struct {
	noTimelines bool
	noDetails   bool
	// changes is how many changes to show, in review order; negative
	// shows all. Files and environments past the last one shown are left
	// out whole.
	changes int
	notice  string
}

var mdAll = mdCut{changes: -1}

// CommentLimit is the most characters GitHub takes in one comment.
const CommentLimit = 65536

// Comment renders the review as Markdown of at most limit bytes, for one
// pull-request comment (bytes, not characters, so that it fits whatever
// the text). A review that fits is Markdown's. One that does not leaves
// out, until it fits, the timelines, the fields of added and removed
// entries, then every change past as many as fit; it says so at the top,
// and that the rest is in rest (such as "the job summary of this run").
func (r *Review) Comment(limit int, rest string) []byte {
	md := r.Markdown()
	if len(md) <= limit {
		return md
	}
	total, warned := r.changeCounts(-1)
	try := func(c mdCut) ([]byte, bool) {
		var left []string
		if c.noTimelines {
			left = append(left, "the timelines")
		}
		if c.noDetails {
			left = append(left, "the fields of added and removed entries")
		}
		if c.changes >= 0 && c.changes < total {
			_, shownWarned := r.changeCounts(c.changes)
			s := fmt.Sprintf("%d of %d changes", total-c.changes, total)
			if w := warned - shownWarned; w > 0 {
				s += fmt.Sprintf(" (%s among them)", plural(w, "warning"))
			}
			left = append(left, s)
		}
		c.notice = fmt.Sprintf("> [!NOTE]\n> Cut to fit one comment: this leaves out %s. The full review is in %s.\n", joinAnd(left), rest)
		b := r.markdown(c)
		return b, len(b) <= limit
	}
	for _, c := range []mdCut{{noTimelines: true, changes: -1}, {noTimelines: true, noDetails: true, changes: -1}} {
		if b, ok := try(c); ok {
			return b
		}
	}
	// The most changes that fit: rendering grows with every change shown.
	lo, hi := 0, total // lo fits or is 0; hi does not fit
	for lo+1 < hi {
		mid := (lo + hi) / 2
		if _, ok := try(mdCut{noTimelines: true, noDetails: true, changes: mid}); ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	b, ok := try(mdCut{noTimelines: true, noDetails: true, changes: lo})
	if ok {
		return b
	}
	// Even the summary and the findings do not fit: cut at a line.
	tail := []byte(fmt.Sprintf("\n> [!NOTE]\n> Cut to fit one comment. The full review is in %s.\n", rest))
	b = b[:max(0, limit-len(tail))]
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		b = b[:i+1]
	}
	return append(b, tail...)
}

// changeCounts counts the changes among the first n (all when n is
// negative) and those of them with a warning.
func (r *Review) changeCounts(n int) (changes, warned int) {
	for _, e := range r.Envs {
		for _, f := range e.Files {
			for _, c := range f.Changes {
				if n >= 0 && changes == n {
					return changes, warned
				}
				changes++
				if c.Warning != "" || len(c.Findings) > 0 {
					warned++
				}
			}
		}
	}
	return changes, warned
}

// focusRows is the most timeline rows a review draws whole; a larger
// timeline is focused on the changed rows. 40 rows are about 6 KB of
// Mermaid, and every real environment has fewer.
const focusRows = 40

// timeline is what a review draws of an environment: its windows, focused
// on the changed rows when there are many, unless the review is full.
func (r *Review) timeline(e *Env) (tl *timeline.Timeline, notes []string) {
	tl = e.Timeline()
	if r.full {
		return tl, tl.AllNotes()
	}
	if len(tl.Rows) > focusRows {
		tl = tl.Focus()
	}
	return tl, tl.Notes()
}

func (r *Review) markdown(cut mdCut) []byte {
	var b bytes.Buffer
	code := func(s string) string { return "`" + strings.ReplaceAll(s, "`", "'") + "`" }
	fmt.Fprintf(&b, "## trustc review\n\n%s\n", r.Summary())
	if cut.notice != "" {
		fmt.Fprintf(&b, "\n%s", cut.notice)
	}
	if !r.Now.IsZero() {
		fmt.Fprintf(&b, "\nTimes are UTC; \"now\" is %s.\n", formatTime(r.Now))
	}
	if n := r.Warnings(); n > 0 {
		fmt.Fprintf(&b, "\n> [!CAUTION]\n> %s: something that works today breaks, or clients disagree. Marked ⚠ below.\n", plural(n, "warning"))
	}
	if sev := r.Severities(); sev != "" {
		fmt.Fprintf(&b, "\nPolicy findings, as %s reports them: %s.\n", code("trustc check"), sev)
	}
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "\n- %s%s (%s)\n", mark(f, "⚠ "), findingText(f, code), code(f.File))
	}
	shown := 0
	full := func() bool { return cut.changes >= 0 && shown >= cut.changes }
	for _, e := range r.Envs {
		if full() {
			break
		}
		fmt.Fprintf(&b, "\n### Environment %s: %s\n", code(e.Name), e.Status)
		for _, f := range e.Files {
			if full() {
				break
			}
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
				fmt.Fprintf(&b, "- %s%s\n", mark(fd, "⚠ "), findingText(fd, code))
			}
			if s := elsewhere(f, code); s != "" {
				fmt.Fprintf(&b, "- %s\n", s)
			}
			for _, c := range f.Changes {
				if full() {
					break
				}
				shown++
				fmt.Fprintf(&b, "- **%s**\n", c.headline(code))
				if c.Warning != "" {
					fmt.Fprintf(&b, "  - ⚠ **%s**\n", c.Warning)
				}
				for _, s := range c.Impact {
					fmt.Fprintf(&b, "  - %s\n", s)
				}
				for _, fd := range c.Findings {
					fmt.Fprintf(&b, "  - %s%s\n", mark(fd, "⚠ "), findingText(fd, code))
				}
				if len(c.Details) > 0 && !cut.noDetails {
					fmt.Fprintf(&b, "  - Fields: %s\n", strings.Join(c.Details, "; "))
				}
			}
			if len(f.Clients) > 0 && !full() {
				fmt.Fprintf(&b, "\nWhat clients do with %s", code(f.Name))
				if !r.Now.IsZero() {
					fmt.Fprintf(&b, " from now on")
				}
				fmt.Fprintf(&b, " (%s):\n\n", clientsNote())
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
		if e.Status == StatusUnchanged || cut.noTimelines {
			continue
		}
		tl, notes := r.timeline(e)
		marked := ""
		if e.new != nil && e.old != nil {
			marked = " (changed rows in red)"
		}
		if tl.Omitted > 0 {
			marked = fmt.Sprintf(" (changed rows in red; %d of %d rows: the changed ones, their entries' other windows and their neighbours in time; trustc diff -full draws all)",
				len(tl.Rows), len(tl.Rows)+tl.Omitted)
		}
		fmt.Fprintf(&b, "\n<details open><summary>Timeline of %s: trust and signing windows%s</summary>\n\n```mermaid\n%s```\n\n",
			e.Name, marked, tl.Mermaid())
		for _, n := range notes {
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
	if sev := r.Severities(); sev != "" {
		fmt.Fprintf(&b, "Policy findings, as trustc check reports them: %s.\n", sev)
	}
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "%s%s (%s)\n", mark(f, "!!! "), findingText(f, code), f.File)
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
				fmt.Fprintf(&b, "    %s%s\n", mark(fd, "!!! "), findingText(fd, code))
			}
			if s := elsewhere(f, code); s != "" {
				fmt.Fprintf(&b, "    %s\n", s)
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
					fmt.Fprintf(&b, "      %s%s\n", mark(fd, "!!! "), findingText(fd, code))
				}
				for _, d := range c.Details {
					fmt.Fprintf(&b, "      | %s\n", d)
				}
			}
			if len(f.Clients) > 0 {
				fmt.Fprintf(&b, "    What clients do with %s (%s):\n", f.Name, clientsNote())
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
		if _, notes := r.timeline(e); len(notes) > 0 {
			fmt.Fprintf(&b, "\n  Timeline of %s:\n", e.Name)
			for _, n := range notes {
				fmt.Fprintf(&b, "    %s\n", n)
			}
		}
	}
	return b.Bytes()
}

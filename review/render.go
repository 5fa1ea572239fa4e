package review

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/trustc-dev/trustc/clients"
	"github.com/trustc-dev/trustc/internal/doc"
	"github.com/trustc-dev/trustc/internal/text"
	"github.com/trustc-dev/trustc/timeline"
)

// clientsNote says once which client behaviour is real and which modelled.
func clientsNote() string {
	return fmt.Sprintf("%s runs as real code; %s and %s are models of their source",
		clients.Signer(clients.SigstoreGo).Release(), clients.Signer(clients.SigstorePython).Release(), clients.Signer(clients.SigstoreJS).Release())
}

// Formats are the formats Render accepts.
var Formats = doc.Formats

// Render renders the review as markdown, text or json.
func (r *Review) Render(format string) ([]byte, error) {
	return doc.Render(format, "review", func() *doc.Doc { return r.document(mdAll) }, r)
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
			parts = append(parts, fmt.Sprintf("%s: %s, %s in %s", e.Name, e.Status, text.Count(n, "change"), text.Count(files, "file")))
		}
	}
	for _, n := range r.Unchanged {
		parts = append(parts, n+": unchanged")
	}
	return strings.Join(parts, "; ") + "."
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
			parts = append(parts, text.Count(n, sev))
		}
	}
	return strings.Join(parts, ", ")
}

func opWord(op Op) string {
	return strings.ToUpper(string(op[:1])) + string(op[1:])
}

// headline is the change in one line: what, where, from and to, when.
func (c Change) headline() doc.Inline {
	what := opWord(c.Op) + " " + c.What
	if c.Subject != "" {
		what += " " + c.Subject
	}
	var values string
	switch {
	case c.Op == Changed || c.Op == Reordered:
		values = ": " + c.Old + " → " + c.New
	case c.Op == Added && c.New != "":
		values = ": " + c.New
	case c.Op == Removed && c.Old != "":
		values = ": was " + c.Old
	}
	return doc.Line(what+" (", doc.Code(c.Path), ")"+values+"; takes effect "+c.When)
}

func (f Finding) text() doc.Inline {
	policy := "Policy "
	if f.Severity != "" && f.Severity != "error" {
		policy += f.Severity + " "
	}
	if f.Path == "" {
		return doc.Line(policy, doc.Code(f.Rule), ": "+f.Message)
	}
	return doc.Line(policy, doc.Code(f.Rule), " at ", doc.Code(f.Path), ": "+f.Message)
}

// mark is how the review marks f.
func (f Finding) mark() doc.Mark {
	if f.marked() {
		return doc.Warn
	}
	return doc.NoMark
}

// elsewhere counts the findings about entries the change leaves alone.
func elsewhere(f *File) doc.Inline {
	if len(f.Elsewhere) == 0 {
		return nil
	}
	var rules []string
	for _, fd := range f.Elsewhere {
		if !slices.Contains(rules, fd.Rule) {
			rules = append(rules, fd.Rule)
		}
	}
	l := doc.Line(text.Count(len(f.Elsewhere), "policy finding") + " (")
	for i, rule := range rules {
		if i > 0 {
			l = append(l, doc.Line(", ")...)
		}
		l = append(l, doc.Code(rule))
	}
	return append(l, doc.Line(") about entries this change leaves alone; ", doc.Code("trustc check"), " lists them.")...)
}

func (im Impact) heading() string {
	switch {
	case !im.To.IsZero() && im.To.Sub(im.From) <= 1:
		return "At " + text.Time(im.From) + " exactly"
	case im.From.IsZero():
		return "Always"
	}
	if end, ok := text.JustAfter(im.From); ok {
		return "After " + text.Time(end)
	}
	return "From " + text.Time(im.From)
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
				s += fmt.Sprintf(" (%s among them)", text.Count(w, "warning"))
			}
			left = append(left, s)
		}
		c.notice = fmt.Sprintf("Cut to fit one comment: this leaves out %s. The full review is in %s.", text.And(left), rest)
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

func (r *Review) markdown(cut mdCut) []byte { return r.document(cut).Markdown() }

// Text renders the review for a terminal.
func (r *Review) Text() []byte { return r.document(mdAll).Text() }

// document is the review as a report, less what cut leaves out: the
// summary and counts, findings not about one file, then per environment
// each file's warnings, findings and changes, what clients do with it,
// and the environment's timeline.
func (r *Review) document(cut mdCut) *doc.Doc {
	var d doc.Doc
	d.Add(doc.Heading{Level: 2, Text: doc.Line(doc.OnlyMarkdown("trustc review"))},
		doc.Para{Text: doc.Plain(r.Summary())})
	if cut.notice != "" {
		d.Add(doc.Alert{Kind: "NOTE", Items: []doc.Inline{doc.Plain(cut.notice)}})
	}
	if !r.Now.IsZero() {
		d.Add(doc.Para{Text: doc.Line("Times are UTC; ", doc.OnlyMarkdown(`"now"`), doc.OnlyText("now"), " is "+text.Time(r.Now)+".")})
	}
	if n := r.Warnings(); n > 0 {
		d.Add(doc.Alert{Kind: "CAUTION", Items: []doc.Inline{doc.Line(text.Count(n, "warning")+": something that works today breaks, or clients disagree. Marked ", doc.WarnMark(), " below.")}})
	}
	if sev := r.Severities(); sev != "" {
		d.Add(doc.Para{Text: doc.Line("Policy findings, as ", doc.Code("trustc check"), " reports them: "+sev+".")})
	}
	if len(r.Findings) > 0 {
		top := doc.List{Loose: true}
		for _, f := range r.Findings {
			top.Items = append(top.Items, doc.Item{Mark: f.mark(), Text: doc.Line(f.text(), " (", doc.Code(f.File), ")")})
		}
		d.Add(top)
	}
	shown := 0
	full := func() bool { return cut.changes >= 0 && shown >= cut.changes }
	for _, e := range r.Envs {
		if full() {
			break
		}
		d.Add(doc.Heading{Level: 3, Text: doc.Line(doc.OnlyMarkdown("Environment "), doc.Code(e.Name), ": "+string(e.Status))})
		for _, f := range e.Files {
			if full() {
				break
			}
			h := doc.Heading{Level: 4, Text: doc.Line(doc.Code(f.Name), ": "+string(f.Status))}
			if f.Status == StatusFormatting {
				h.Text = append(h.Text, doc.Line(", no semantic change")...)
				d.Add(h)
				continue
			}
			if len(f.Changes) > 0 {
				h.Text = append(h.Text, doc.OnlyMarkdown(", "+text.Count(len(f.Changes), "change")))
			}
			var l doc.List
			for _, w := range f.Warnings {
				l.Items = append(l.Items, doc.Item{Mark: doc.Warn, Text: doc.Line(doc.Strong(w))})
			}
			for _, n := range f.Notes {
				l.Items = append(l.Items, doc.Item{Text: doc.Plain(n)})
			}
			for _, fd := range f.Findings {
				l.Items = append(l.Items, doc.Item{Mark: fd.mark(), Text: fd.text()})
			}
			if s := elsewhere(f); s != nil {
				l.Items = append(l.Items, doc.Item{Text: s})
			}
			for _, c := range f.Changes {
				if full() {
					break
				}
				shown++
				l.Items = append(l.Items, c.item(cut.noDetails))
			}
			d.Add(h, l)
			if len(f.Clients) > 0 && !full() {
				d.Add(r.clients(f))
			}
		}
		if e.Status == StatusUnchanged || cut.noTimelines {
			continue
		}
		d.Add(r.timelineDetails(e))
	}
	return &d
}

// item is a change with its warning, impact, findings and fields below it.
func (c Change) item(noDetails bool) doc.Item {
	it := doc.Item{Text: doc.Line(doc.Strong(c.headline())), Sub: make([]doc.Item, 0, 2+len(c.Impact)+len(c.Findings)+len(c.Details))}
	if c.Warning != "" {
		it.Sub = append(it.Sub, doc.Item{Mark: doc.Warn, Text: doc.Line(doc.Strong(c.Warning))})
	}
	for _, s := range c.Impact {
		it.Sub = append(it.Sub, doc.Item{Text: doc.Plain(s)})
	}
	for _, fd := range c.Findings {
		it.Sub = append(it.Sub, doc.Item{Mark: fd.mark(), Text: fd.text()})
	}
	// A comment has room for one line of fields; a terminal lists them.
	if len(c.Details) > 0 && !noDetails {
		it.Sub = append(it.Sub, doc.Item{Only: doc.MarkdownOnly, Text: doc.Plain("Fields: " + strings.Join(c.Details, "; "))})
	}
	for _, dt := range c.Details {
		it.Sub = append(it.Sub, doc.Item{Only: doc.TextOnly, Text: doc.Plain("| " + dt)})
	}
	return it
}

// clients is what each client does with f from each instant on.
func (r *Review) clients(f *File) doc.List {
	l := doc.List{Title: doc.Line("What clients do with ", doc.Code(f.Name))}
	if !r.Now.IsZero() {
		l.Title = append(l.Title, doc.OnlyMarkdown(" from now on"))
	}
	l.Title = append(l.Title, doc.Line(" ("+clientsNote()+"):")...)
	for _, im := range f.Clients {
		it := doc.Item{Text: doc.Line(doc.Strong(im.heading() + ":"))}
		if len(im.Lines) == 0 {
			it.Sub = append(it.Sub, doc.Item{Text: doc.Plain("Signers as before.")})
		}
		for _, s := range im.Lines {
			it.Sub = append(it.Sub, doc.Item{Text: doc.Plain(s)})
		}
		for _, s := range im.Divergences {
			it.Sub = append(it.Sub, doc.Item{Mark: doc.Warn, Text: doc.Line(doc.OnlyMarkdown(doc.Strong("Clients diverge.")), doc.OnlyText("clients diverge:"), " "+s)})
		}
		for _, s := range im.Untrusted {
			it.Sub = append(it.Sub, doc.Item{Mark: doc.Warn, Text: doc.Line(doc.OnlyMarkdown(doc.Strong("Not trusted:")), doc.OnlyText("not trusted:"), " "+s)})
		}
		for _, s := range im.Still {
			it.Sub = append(it.Sub, doc.Item{Mark: doc.Weak, Text: doc.Line(doc.OnlyMarkdown("As"), doc.OnlyText("as"), " before this change: "+s)})
		}
		l.Items = append(l.Items, it)
	}
	return l
}

// timelineDetails is e's timeline chart and its notes.
func (r *Review) timelineDetails(e *Env) doc.Details {
	tl, notes := r.timeline(e)
	marked := ""
	if e.new != nil && e.old != nil {
		marked = " (changed rows in red)"
	}
	if tl.Omitted > 0 {
		marked = fmt.Sprintf(" (changed rows in red; %d of %d rows: the changed ones, their entries' other windows and their neighbours in time; trustc diff -full draws all)",
			len(tl.Rows), len(tl.Rows)+tl.Omitted)
	}
	dt := doc.Details{
		Level:   3,
		Summary: doc.Line("Timeline of "+e.Name, doc.OnlyMarkdown(": trust and signing windows"+marked), doc.OnlyText(":")),
		Mermaid: tl.Mermaid,
	}
	for _, n := range notes {
		dt.Items = append(dt.Items, doc.Item{Text: doc.Plain(n)})
	}
	return dt
}

package timeline

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/trustc-dev/trustc/internal/text"
)

// mermaidTime is the layout of Mermaid's dateFormat "YYYY-MM-DD HH:mm:ss".
// A "T" or a zone would need escaping in dayjs, which Mermaid parses
// with; the chart is UTC throughout, so neither is needed.
const mermaidTime = "2006-01-02 15:04:05"

// Mermaid renders the timeline as a Mermaid gantt chart, without the
// ```mermaid fence. Trust windows are plain bars, signing windows "active",
// rows a review changed "crit", windows that ended before Now "done". The
// chart's own today marker is off: it would show the reader's clock, not
// Now.
func (tl *Timeline) Mermaid() string {
	var b strings.Builder
	fmt.Fprintf(&b, "gantt\n")
	fmt.Fprintf(&b, "    title %s: trust (verification) and signing windows\n", mermaidText(tl.Env))
	fmt.Fprintf(&b, "    dateFormat YYYY-MM-DD HH:mm:ss\n")
	fmt.Fprintf(&b, "    axisFormat %%Y-%%m\n")
	fmt.Fprintf(&b, "    todayMarker off\n")
	group := ""
	for i, r := range tl.Rows {
		if r.Group != group {
			group = r.Group
			fmt.Fprintf(&b, "    section %s\n", group)
		}
		var tags []string
		if r.Highlight {
			tags = append(tags, "crit")
		}
		if r.Kind == Sign {
			tags = append(tags, "active")
		}
		if !tl.Now.IsZero() && !r.End.IsZero() && r.End.Before(tl.Now) {
			tags = append(tags, "done")
		}
		tags = append(tags, fmt.Sprintf("w%d", i))
		start, end := tl.drawn(r)
		fmt.Fprintf(&b, "    %s :%s, %s, %s\n", mermaidText(rowLabel(r)), strings.Join(tags, ", "),
			start.UTC().Format(mermaidTime), end.UTC().Format(mermaidTime))
	}
	if !tl.Now.IsZero() {
		fmt.Fprintf(&b, "    section now\n")
		fmt.Fprintf(&b, "    now %s :milestone, now, %s, 0d\n", tl.Now.Format("2006-01-02"), tl.Now.Format(mermaidTime))
	}
	return b.String()
}

func rowLabel(r Row) string {
	name := strings.TrimPrefix(strings.TrimPrefix(r.Name, "https://"), "http://")
	var s string
	if r.Kind == Trust {
		s = fmt.Sprintf("%s trusted (%s)", name, r.Path)
	} else {
		s = fmt.Sprintf("%s v%d signing (%s %s)", name, r.Version, r.File, r.Path)
	}
	if r.End.IsZero() {
		s += " open-ended"
	}
	if len(r.Untrusted) > 0 {
		s += " ⚠ not trusted throughout"
	}
	return s
}

// mermaidText drops what ends a gantt task name or starts a comment.
func mermaidText(s string) string { return mermaidEscaper.Replace(s) }

// mermaidEscaper is built once: building a Replacer per task name was a
// third of what rendering a review allocated.
var mermaidEscaper = strings.NewReplacer(":", " ", "#", "", ";", ",", "\n", " ")

// SVG geometry, in user units.
const (
	svgWidth   = 1400.0
	svgLabelW  = 560.0
	svgChartX  = svgLabelW + 10
	svgChartW  = svgWidth - svgChartX - 30
	svgTop     = 78.0
	svgRowH    = 22.0
	svgGroupH  = 28.0
	svgBarH    = 14.0
	svgFooterH = 90.0
)

// Colours, chosen to stay apart for the common forms of colour blindness.
const (
	colourTrust     = "#4c78a8"
	colourSign      = "#54a24b"
	colourUntrusted = "#e45756"
	colourHighlight = "#f58518"
	colourNow       = "#d62728"
	colourGrid      = "#dddddd"
)

// SVG renders the timeline as a standalone SVG document: no scripts, fonts
// or links to fetch, so it opens offline and in any viewer. Every bar has
// a <title> with its exact window.
func (tl *Timeline) SVG() []byte {
	height := svgTop
	group := ""
	for _, r := range tl.Rows {
		if r.Group != group {
			group = r.Group
			height += svgGroupH
		}
		height += svgRowH
	}
	height += svgFooterH

	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%s" height="%s" viewBox="0 0 %s %s" font-family="sans-serif" font-size="12">`+"\n",
		num(svgWidth), num(height), num(svgWidth), num(height))
	fmt.Fprintf(&b, "<title>%s</title>\n", esc(tl.Env+": trust and signing windows"))
	b.WriteString(`<defs><pattern id="waiting" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">` +
		`<rect width="6" height="6" fill="#ffffff"/><line x1="0" y1="0" x2="0" y2="6" stroke="` + colourSign + `" stroke-width="3"/></pattern></defs>` + "\n")
	fmt.Fprintf(&b, `<rect x="0" y="0" width="%s" height="%s" fill="#ffffff"/>`+"\n", num(svgWidth), num(height))
	fmt.Fprintf(&b, `<text x="10" y="24" font-size="18" font-weight="bold">%s</text>`+"\n", esc(tl.Env+": trust (verification) and signing windows"))

	// Year grid and labels.
	for y := tl.From.Year(); y <= tl.To.Year(); y++ {
		x := tl.x(time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC))
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"/>`+"\n", num(x), num(svgTop-12), num(x), num(height-svgFooterH), colourGrid)
		if y < tl.To.Year() {
			fmt.Fprintf(&b, `<text x="%s" y="%s" fill="#555555">%d</text>`+"\n", num(x+4), num(svgTop-16), y)
		}
	}

	y := svgTop
	group = ""
	for _, r := range tl.Rows {
		if r.Group != group {
			group = r.Group
			fmt.Fprintf(&b, `<text x="10" y="%s" font-size="14" font-weight="bold">%s</text>`+"\n", num(y+svgGroupH-8), esc(group))
			y += svgGroupH
		}
		tl.svgRow(&b, r, y)
		y += svgRowH
	}

	if !tl.Now.IsZero() {
		x := tl.x(tl.Now)
		fmt.Fprintf(&b, `<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-width="2" stroke-dasharray="6 4"><title>now: %s</title></line>`+"\n",
			num(x), num(svgTop-30), num(x), num(height-svgFooterH), colourNow, esc(text.Time(tl.Now)))
		fmt.Fprintf(&b, `<text x="%s" y="%s" fill="%s" text-anchor="middle">now %s</text>`+"\n", num(x), num(svgTop-34), colourNow, esc(tl.Now.Format("2006-01-02")))
	}

	// Legend.
	ly := height - svgFooterH + 24
	legend := []struct{ fill, stroke, text string }{
		{colourTrust, "none", "trusted (verifiers accept what was made in this window)"},
		{colourSign, "none", "signed to (signers use this service)"},
		{"url(#waiting)", colourSign, "waiting: trusted, not yet signed to"},
		{colourUntrusted, "none", "signed to without a trust window at that URL"},
		{"#ffffff", colourHighlight, "changed in this review"},
	}
	// Two legend lines of fixed slots: text widths are unknown without a
	// font, so nothing is placed after a text of unknown length.
	for i, l := range legend {
		lx := 10 + float64(i%3)*460
		row := ly + float64(i/3)*20
		fmt.Fprintf(&b, `<rect x="%s" y="%s" width="18" height="%s" fill="%s" stroke="%s" stroke-width="2"/>`+"\n", num(lx), num(row-11), num(svgBarH), l.fill, l.stroke)
		fmt.Fprintf(&b, `<text x="%s" y="%s">%s</text>`+"\n", num(lx+24), num(row), esc(l.text))
	}
	fmt.Fprintf(&b, `<text x="10" y="%s" fill="#555555">%s</text>`+"\n", num(ly+44),
		esc(fmt.Sprintf("Axis %s to %s (UTC). Open-ended windows run to the right edge. Hover a bar for its exact window.", tl.From.Format("2006-01-02"), tl.To.Format("2006-01-02"))))
	b.WriteString("</svg>\n")
	return b.Bytes()
}

func (tl *Timeline) svgRow(b *bytes.Buffer, r Row, y float64) {
	weight := "normal"
	if r.Highlight {
		weight = "bold"
	}
	name := strings.TrimPrefix(r.Name, "https://")
	where := r.Path
	if r.Kind == Sign {
		name = fmt.Sprintf("%s v%d", name, r.Version)
		where = r.File + " " + r.Path
	}
	fmt.Fprintf(b, `<text x="20" y="%s" font-weight="%s">%s</text>`+"\n", num(y+svgBarH), weight, esc(name))
	fmt.Fprintf(b, `<text x="%s" y="%s" fill="#777777" font-size="10" text-anchor="end">%s</text>`+"\n", num(svgLabelW), num(y+svgBarH), esc(where))

	barY := y + (svgRowH-svgBarH)/2
	start, end := tl.drawn(r)
	title := fmt.Sprintf("%s %s (%s %s): %s", r.Name, r.Kind, r.File, r.Path, windowText(r.Start, r.End))

	if r.Kind == Sign && !r.TrustStart.IsZero() && r.TrustStart.Before(start) {
		x0, x1 := tl.x(r.TrustStart), tl.x(start)
		fmt.Fprintf(b, `<rect x="%s" y="%s" width="%s" height="%s" fill="url(#waiting)" stroke="%s" stroke-width="1"><title>%s</title></rect>`+"\n",
			num(x0), num(barY), num(width(x0, x1)), num(svgBarH), colourSign,
			esc(fmt.Sprintf("%s waiting: trusted from %s, signed to from %s (%s)", r.Name, text.Time(r.TrustStart), text.Time(r.Start), text.Coarse(r.Start.Sub(r.TrustStart)))))
	}
	fill := colourTrust
	if r.Kind == Sign {
		fill = colourSign
	}
	stroke := "none"
	if r.Highlight {
		stroke = colourHighlight
	}
	x0, x1 := tl.x(start), tl.x(end)
	fmt.Fprintf(b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s" stroke="%s" stroke-width="2"><title>%s</title></rect>`+"\n",
		num(x0), num(barY), num(width(x0, x1)), num(svgBarH), fill, stroke, esc(title))
	if r.End.IsZero() {
		// An arrowhead says the window has no end.
		fmt.Fprintf(b, `<path d="M %s %s l 8 %s l -8 %s z" fill="%s"/>`+"\n", num(x1), num(barY-2), num(svgBarH/2+2), num(svgBarH/2+2), fill)
	}
	for _, u := range r.Untrusted {
		ux0, ux1 := tl.spanX(u)
		fmt.Fprintf(b, `<rect x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s</title></rect>`+"\n",
			num(ux0), num(barY+svgBarH/4), num(width(ux0, ux1)), num(svgBarH/2), colourUntrusted,
			esc(fmt.Sprintf("%s is signed to %s without a trust window at its URL", r.Name, formatSpan(u))))
	}
}

// drawn is the stretch of the axis r's bar covers: its window, with an open
// end drawn to the edge of the range.
func (tl *Timeline) drawn(r Row) (start, end time.Time) {
	start, end = r.Start, r.End
	if start.IsZero() {
		start = tl.From
	}
	if end.IsZero() {
		end = tl.To
	}
	return start, end
}

func windowText(start, end time.Time) string {
	if !start.IsZero() && end.IsZero() {
		// A bar drawn to the chart's right edge has no end there.
		return text.Window(start, end) + ", open-ended"
	}
	return text.Window(start, end)
}

// x maps a time to the chart's horizontal axis.
func (tl *Timeline) x(t time.Time) float64 {
	total := tl.To.Sub(tl.From).Seconds()
	return svgChartX + t.Sub(tl.From).Seconds()/total*svgChartW
}

// spanX is where an untrusted stretch is drawn: from its start, or From
// when it has none or began before the chart, to its end, or To when it
// has none. The Chromium test finds the red overlays where it says.
func (tl *Timeline) spanX(s Span) (x0, x1 float64) {
	start, end := s.Start, s.End
	if start.IsZero() || start.Before(tl.From) {
		start = tl.From
	}
	if end.IsZero() {
		end = tl.To
	}
	return tl.x(start), tl.x(end)
}

// width keeps an instant-long window visible.
func width(x0, x1 float64) float64 {
	if x1-x0 < 1 {
		return 1
	}
	return x1 - x0
}

// num formats a coordinate with one decimal, the same on every platform.
func num(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

func esc(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

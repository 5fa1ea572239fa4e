package timeline

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/trustc-dev/trustc/internal/text"
)

// listed is how many notes of one kind about one list are written out one
// by one; beyond it they are summarised by count and the extreme one. A
// review's size must follow the change, not the environment: 1000
// services that all overlap make 10^5 pairs.
const listed = 3

// Notes says in words what the picture shows: waiting periods, signing
// without trust, gaps in a signing config's service lists and overlaps of
// same-version services, which is where clients pick differently. Notes
// of one kind about one list are summarised past the first few (how many,
// and the shortest wait, the widest gap or overlap); AllNotes lists them
// all. Either covers every row, also after Focus.
func (tl *Timeline) Notes() []string { return tl.notes(false) }

// AllNotes is Notes without summaries: one note per waiting service,
// untrusted stretch, gap and overlapping pair.
func (tl *Timeline) AllNotes() []string { return tl.notes(true) }

func (tl *Timeline) rows() []Row {
	if tl.all != nil {
		return tl.all
	}
	return tl.Rows
}

// signList is one signing config's service list of one group.
type signList struct {
	file, group string
	rows        []Row
}

func (tl *Timeline) signLists() []*signList {
	type key struct{ file, group string }
	byKey := map[key]*signList{}
	var lists []*signList
	for _, r := range tl.rows() {
		if r.Kind != Sign {
			continue
		}
		k := key{r.File, r.Group}
		l := byKey[k]
		if l == nil {
			l = &signList{file: r.File, group: r.Group}
			byKey[k] = l
			lists = append(lists, l)
		}
		l.rows = append(l.rows, r)
	}
	slices.SortFunc(lists, func(a, b *signList) int {
		return cmp.Or(strings.Compare(a.file, b.file), cmp.Compare(slices.Index(groupOrder, a.group), slices.Index(groupOrder, b.group)))
	})
	return lists
}

func (tl *Timeline) notes(all bool) []string {
	var out []string
	// Waiting and untrusted notes, in row order; a list with more than
	// listed of one kind gets one summary where its first note would be.
	type key struct{ file, group, kind string }
	count := map[key]int{}
	for _, r := range tl.rows() {
		if r.Kind != Sign {
			continue
		}
		if waits(r) {
			count[key{r.File, r.Group, "waiting"}]++
		}
		count[key{r.File, r.Group, "untrusted"}] += len(r.Untrusted)
	}
	summarised := map[key]bool{}
	for _, r := range tl.rows() {
		if r.Kind != Sign {
			continue
		}
		if k := (key{r.File, r.Group, "waiting"}); waits(r) {
			switch {
			case all || count[k] <= listed:
				out = append(out, fmt.Sprintf("Waiting: %s is trusted from %s and signed to from %s (%s, %s), %s later.",
					r.Name, text.Time(r.TrustStart), text.Time(r.Start), r.File, r.Path, text.Coarse(r.Start.Sub(r.TrustStart))))
			case !summarised[k]:
				summarised[k] = true
				out = append(out, tl.waitingSummary(r.File, r.Group, count[k]))
			}
		}
		k := key{r.File, r.Group, "untrusted"}
		for _, u := range r.Untrusted {
			switch {
			case all || count[k] <= listed:
				out = append(out, fmt.Sprintf("No trust: %s (%s, %s) is signed to %s, when no trusted-root entry has its URL.",
					r.Name, r.File, r.Path, formatSpan(u)))
			case !summarised[k]:
				summarised[k] = true
				out = append(out, tl.untrustedSummary(r.File, r.Group, count[k]))
			}
		}
	}
	for _, l := range tl.signLists() {
		out = append(out, l.gaps(all)...)
		out = append(out, l.overlaps(all)...)
	}
	return out
}

// waits reports whether a signing row starts after its trust window does.
func waits(r Row) bool { return !r.TrustStart.IsZero() && r.TrustStart.Before(r.Start) }

func (tl *Timeline) waitingSummary(file, group string, n int) string {
	var short *Row
	for _, r := range tl.rows() {
		if r.Kind == Sign && r.File == file && r.Group == group && waits(r) {
			if short == nil || r.Start.Sub(r.TrustStart) < short.Start.Sub(short.TrustStart) {
				short = &r
			}
		}
	}
	return fmt.Sprintf("Waiting: %s signs to %d %s after they are trusted; the shortest wait is %s: %s, trusted from %s and signed to from %s (%s).",
		file, n, plainGroup(group), text.Coarse(short.Start.Sub(short.TrustStart)), short.Name, text.Time(short.TrustStart), text.Time(short.Start), short.Path)
}

func (tl *Timeline) untrustedSummary(file, group string, n int) string {
	var widest Span
	var at *Row
	for _, r := range tl.rows() {
		if r.Kind != Sign || r.File != file || r.Group != group {
			continue
		}
		for _, u := range r.Untrusted {
			if at == nil || wider(u, widest) {
				widest, at = u, &r
			}
		}
	}
	return fmt.Sprintf("No trust: %s signs to %s %d times when no trusted-root entry has their URL; the widest: %s (%s) %s.",
		file, plainGroup(group), n, at.Name, at.Path, formatSpan(widest))
}

// plainGroup is a group's name inside a sentence.
func plainGroup(g string) string {
	switch g {
	case GroupCA, GroupTSA:
		return strings.ToLower(g)
	}
	return g
}

// wider reports whether a lasts longer than b; an open end is longest,
// and of two open spans the earlier start.
func wider(a, b Span) bool {
	switch {
	case a.End.IsZero() && b.End.IsZero():
		return a.Start.Before(b.Start)
	case a.End.IsZero():
		return true
	case b.End.IsZero():
		return false
	}
	return a.End.Sub(a.Start) > b.End.Sub(b.Start)
}

func (l *signList) gaps(all bool) []string {
	spans := make([]Span, 0, len(l.rows))
	first := l.rows[0].Start
	for _, r := range l.rows {
		spans = append(spans, Span{r.Start, r.End})
		if r.Start.Before(first) {
			first = r.Start
		}
	}
	gaps := uncovered(Span{first, time.Time{}}, spans)
	what := plainGroup(l.group)
	if all || len(gaps) <= listed {
		out := make([]string, len(gaps))
		for i, g := range gaps {
			out[i] = fmt.Sprintf("Gap: %s lists no %s %s.", l.file, what, formatSpan(g))
		}
		return out
	}
	widest := gaps[0]
	for _, g := range gaps[1:] {
		if wider(g, widest) {
			widest = g
		}
	}
	return []string{fmt.Sprintf("Gaps: %s lists no %s %d times; the widest %s.", l.file, what, len(gaps), formatSpan(widest))}
}

// overlaps reports the pairs of same-version services a list offers at
// once. Rows are swept in start order, so finding the pairs costs
// O(n log n) plus one step per pair, and a summary (how many, the widest)
// needs no pair at all.
func (l *signList) overlaps(all bool) []string {
	var versions []uint32
	byVersion := map[uint32][]int{}
	for i, r := range l.rows {
		if _, ok := byVersion[r.Version]; !ok {
			versions = append(versions, r.Version)
		}
		byVersion[r.Version] = append(byVersion[r.Version], i)
	}
	slices.Sort(versions)
	var out []string
	for _, v := range versions {
		idx := byVersion[v]
		slices.SortStableFunc(idx, func(a, b int) int { return l.rows[a].Start.Compare(l.rows[b].Start) })
		limit := -1
		if !all {
			limit = listed + 1
		}
		pairs := l.pairs(idx, limit)
		if all || len(pairs) <= listed {
			// In list order, as the file declares them.
			slices.SortFunc(pairs, func(a, b [2]int) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) })
			for _, p := range pairs {
				a, b := l.rows[p[0]], l.rows[p[1]]
				o, _ := overlap(Span{a.Start, a.End}, Span{b.Start, b.End})
				out = append(out, fmt.Sprintf("Overlap: %s lists %s and %s (both v%d) %s; clients pick between them differently.",
					l.file, a.Name, b.Name, v, formatSpan(o)))
			}
			continue
		}
		n, a, b, o := l.widestOverlap(idx)
		out = append(out, fmt.Sprintf("Overlaps: %s lists two v%d %s at once in %d pairs; clients pick between them differently. The widest: %s and %s %s.",
			l.file, v, plainGroup(l.group), n, a.Name, b.Name, formatSpan(o)))
	}
	return out
}

// pairs lists overlapping pairs of the rows at idx (sorted by start) as
// row indices, smaller first; it stops after limit pairs unless limit is
// negative. A row overlaps the later-starting rows that start by its end.
func (l *signList) pairs(idx []int, limit int) [][2]int {
	var out [][2]int
	for i, a := range idx {
		ra := l.rows[a]
		for _, b := range idx[i+1:] {
			if rb := l.rows[b]; !ra.End.IsZero() && rb.Start.After(ra.End) {
				break
			}
			out = append(out, [2]int{min(a, b), max(a, b)})
			if limit >= 0 && len(out) >= limit {
				return out
			}
		}
	}
	return out
}

// widestOverlap counts the overlapping pairs of the rows at idx (sorted by
// start) and finds the widest. A row's pairs with earlier-starting rows
// are all of them but those that ended before it starts; its widest is
// with the earlier row that ends last.
func (l *signList) widestOverlap(idx []int) (n int, a, b Row, widest Span) {
	ends := make([]time.Time, 0, len(idx))
	for _, i := range idx {
		if e := l.rows[i].End; !e.IsZero() {
			ends = append(ends, e)
		}
	}
	slices.SortFunc(ends, time.Time.Compare)
	found := false
	last := -1 // the earlier row that ends last
	for j, i := range idx {
		r := l.rows[i]
		ended, _ := slices.BinarySearchFunc(ends, r.Start, time.Time.Compare) // rows ending before r starts
		n += j - ended
		if last >= 0 {
			p := l.rows[last]
			if o, ok := overlap(Span{p.Start, p.End}, Span{r.Start, r.End}); ok && (!found || wider(o, widest)) {
				found, widest = true, o
				a, b = p, r
			}
		}
		if last < 0 || !l.rows[last].End.IsZero() && (r.End.IsZero() || r.End.After(l.rows[last].End)) {
			last = i
		}
	}
	return n, a, b, widest
}

// Focus returns the timeline cut to what a reviewer of the highlighted rows
// needs to see: those rows, the other windows of their entries (the rows of
// the same group and URL, such as a log's trust window beside its signing
// windows) and, among the rows of a highlighted row's group, kind and
// file, the one that starts just before it and the one just after (the
// service it takes over from and the one that takes over from it). The
// notes still speak of every row. Without a highlighted row, or when
// nothing would be left out, it returns tl.
func (tl *Timeline) Focus() *Timeline {
	type entry struct{ group, url string }
	type lane struct {
		group string
		kind  Kind
		file  string
	}
	keep := make([]bool, len(tl.Rows))
	entries := map[entry]bool{}
	lanes := map[lane][]int{}
	any := false
	for i, r := range tl.Rows {
		l := lane{r.Group, r.Kind, r.File}
		lanes[l] = append(lanes[l], i)
		if r.Highlight {
			any = true
			keep[i] = true
			entries[entry{r.Group, strings.TrimSuffix(r.Name, "/")}] = true
		}
	}
	if !any {
		return tl
	}
	for _, idx := range lanes {
		slices.SortStableFunc(idx, func(a, b int) int { return tl.Rows[a].Start.Compare(tl.Rows[b].Start) })
		for j, i := range idx {
			if !tl.Rows[i].Highlight {
				continue
			}
			if j > 0 {
				keep[idx[j-1]] = true
			}
			if j+1 < len(idx) {
				keep[idx[j+1]] = true
			}
		}
	}
	out := *tl
	out.Rows = nil
	for i, r := range tl.Rows {
		if keep[i] || entries[entry{r.Group, strings.TrimSuffix(r.Name, "/")}] {
			out.Rows = append(out.Rows, r)
		}
	}
	if len(out.Rows) == len(tl.Rows) {
		return tl
	}
	out.Omitted = len(tl.Rows) - len(out.Rows)
	out.all = tl.rows()
	return &out
}

// overlap is the stretch two closed spans share; zero ends are open.
func overlap(a, b Span) (Span, bool) {
	start := a.Start
	if b.Start.After(start) {
		start = b.Start
	}
	end := a.End
	if end.IsZero() || (!b.End.IsZero() && b.End.Before(end)) {
		end = b.End
	}
	if !end.IsZero() && end.Before(start) {
		return Span{}, false
	}
	return Span{start, end}, true
}

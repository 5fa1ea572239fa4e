package timeline

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	protocommon "github.com/sigstore/protobuf-specs/gen/pb-go/common/v1"
	prototrustroot "github.com/sigstore/protobuf-specs/gen/pb-go/trustroot/v1"
	"github.com/trustc-dev/trustc/internal/text"
	"github.com/trustc-dev/trustc/release"
)

// Kind says whether a window is for verifying or for signing.
type Kind string

// The kinds of window.
const (
	Trust Kind = "trust" // a trusted-root entry: what verifiers accept
	Sign  Kind = "sign"  // a signing-config service: what signers use
)

// Groups in display order; each row belongs to one.
const (
	GroupRekor = "Rekor logs"
	GroupCT    = "CT logs"
	GroupCA    = "Certificate authorities"
	GroupTSA   = "Timestamp authorities"
	GroupOIDC  = "OIDC providers"
)

var groupOrder = []string{GroupRekor, GroupCT, GroupCA, GroupTSA, GroupOIDC}

// Row is one window.
type Row struct {
	Group string `json:"group"`
	// Name is the URL or URI, or the subject of a CA without one.
	Name string `json:"name"`
	File string `json:"file"`
	// Path locates the entry in File, e.g. "tlogs[1]".
	Path string `json:"path"`
	Kind Kind   `json:"kind"`
	// Version is a service's major API version; zero for trust rows.
	Version uint32 `json:"majorApiVersion,omitempty"`
	// Start and End bound the window; zero is an open end.
	Start time.Time `json:"start,omitzero"`
	End   time.Time `json:"end,omitzero"`
	// Highlight marks a row a review changed.
	Highlight bool `json:"highlight,omitempty"`
	// TrustStart, on a signing row, is the start of the newest trust
	// window at the same URL that began by the time signing starts; zero
	// when there is none. Between the two, the service waits.
	TrustStart time.Time `json:"trustStart,omitzero"`
	// Untrusted, on a signing row, lists the parts of its window that no
	// trust window at the same URL covers.
	Untrusted []Span `json:"untrusted,omitempty"`
}

// Span is a closed stretch of time; a zero End is open.
type Span struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end,omitzero"`
}

// Timeline is one environment's windows.
type Timeline struct {
	Env string `json:"env"`
	// Now is marked on the axis; zero draws no mark.
	Now  time.Time `json:"now,omitzero"`
	Rows []Row     `json:"rows"`
	// From and To are the drawn range: whole years around every window
	// boundary and Now, with a year to spare on the right for open ends.
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// Omitted counts the rows Focus left out.
	Omitted int `json:"omitted,omitempty"`

	// all holds every row when Focus left some out: the notes speak of
	// the whole environment.
	all []Row
}

// New lays out env's windows.
func New(env *release.Env, now time.Time) *Timeline { return NewWithFronts(env, now, nil) }

// NewWithFronts lays out env's windows, with fronts mapping a Rekor
// signing URL that fronts log shards to the shards' base URLs: signing to
// a front is trusted while one of its shards is.
func NewWithFronts(env *release.Env, now time.Time, fronts map[string][]string) *Timeline {
	tl := &Timeline{Env: env.Name, Now: now.UTC()}
	if f := env.TrustedRoot; f != nil {
		tr := f.Msg
		for i, l := range tr.GetTlogs() {
			tl.addTrust(GroupRekor, l.GetBaseUrl(), f.Name, fmt.Sprintf("tlogs[%d]", i), l.GetPublicKey().GetValidFor())
		}
		for i, ca := range tr.GetCertificateAuthorities() {
			tl.addTrust(GroupCA, release.AuthorityName(ca), f.Name, fmt.Sprintf("certificateAuthorities[%d]", i), ca.GetValidFor())
		}
		for i, l := range tr.GetCtlogs() {
			tl.addTrust(GroupCT, l.GetBaseUrl(), f.Name, fmt.Sprintf("ctlogs[%d]", i), l.GetPublicKey().GetValidFor())
		}
		for i, ca := range tr.GetTimestampAuthorities() {
			tl.addTrust(GroupTSA, release.AuthorityName(ca), f.Name, fmt.Sprintf("timestampAuthorities[%d]", i), ca.GetValidFor())
		}
	}
	for _, f := range env.SigningConfigs {
		for _, l := range []struct {
			group, field string
			services     []*prototrustroot.Service
		}{
			{GroupCA, "caUrls", f.Msg.GetCaUrls()},
			{GroupOIDC, "oidcUrls", f.Msg.GetOidcUrls()},
			{GroupRekor, "rekorTlogUrls", f.Msg.GetRekorTlogUrls()},
			{GroupTSA, "tsaUrls", f.Msg.GetTsaUrls()},
		} {
			for i, s := range l.services {
				start, end := release.Window(s.GetValidFor())
				tl.Rows = append(tl.Rows, Row{Group: l.group, Name: s.GetUrl(), File: f.Name, Path: fmt.Sprintf("%s[%d]", l.field, i),
					Kind: Sign, Version: s.GetMajorApiVersion(), Start: start, End: end})
			}
		}
	}
	tl.relate(fronts)
	slices.SortStableFunc(tl.Rows, func(a, b Row) int {
		return cmp.Or(
			cmp.Compare(slices.Index(groupOrder, a.Group), slices.Index(groupOrder, b.Group)),
			strings.Compare(a.Name, b.Name),
			strings.Compare(string(b.Kind), string(a.Kind)), // trust before sign
			strings.Compare(a.File, b.File),
			a.Start.Compare(b.Start),
			strings.Compare(a.Path, b.Path),
		)
	})
	tl.span()
	return tl
}

func (tl *Timeline) addTrust(group, name, file, path string, v *protocommon.TimeRange) {
	start, end := release.Window(v)
	tl.Rows = append(tl.Rows, Row{Group: group, Name: name, File: file, Path: path, Kind: Trust, Start: start, End: end})
}

// relate fills TrustStart and Untrusted on signing rows from the trust
// rows of the same group and URL. OIDC providers have no trust rows. The
// trust rows are indexed by group and URL first: comparing every row with
// every row cost 10000 services 10^8 comparisons.
func (tl *Timeline) relate(fronts map[string][]string) {
	type key struct{ group, url string }
	trusted := map[key][]Span{}
	for _, o := range tl.Rows {
		if o.Kind == Trust {
			k := key{o.Group, strings.TrimSuffix(o.Name, "/")}
			trusted[k] = append(trusted[k], Span{o.Start, o.End})
		}
	}
	for i := range tl.Rows {
		r := &tl.Rows[i]
		if r.Kind != Sign || r.Group == GroupOIDC {
			continue
		}
		u := strings.TrimSuffix(r.Name, "/")
		spans := trusted[key{r.Group, u}]
		if shards := fronts[u]; r.Group == GroupRekor && len(shards) > 0 {
			spans = nil
			for _, sh := range shards {
				spans = append(spans, trusted[key{r.Group, strings.TrimSuffix(sh, "/")}]...)
			}
		}
		for _, o := range spans {
			// The newest trust window begun by the time signing
			// starts: a CA URL with an older chain is not waiting.
			if !o.Start.After(r.Start) && (r.TrustStart.IsZero() || o.Start.After(r.TrustStart)) {
				r.TrustStart = o.Start
			}
		}
		r.Untrusted = uncovered(Span{r.Start, r.End}, slices.Clone(spans))
	}
}

// uncovered returns the parts of s that no span of cover holds. Ends are
// inclusive, so a gap between spans that touch is empty.
func uncovered(s Span, cover []Span) []Span {
	slices.SortFunc(cover, func(a, b Span) int { return a.Start.Compare(b.Start) })
	var out []Span
	cur := s.Start // the first instant not yet known to be covered
	open := true   // cur is still inside s
	for _, c := range cover {
		if !open {
			break
		}
		if !s.End.IsZero() && c.Start.After(s.End) {
			break
		}
		if c.Start.After(cur) {
			gapEnd := c.Start.Add(-time.Nanosecond)
			if !s.End.IsZero() && gapEnd.After(s.End) {
				gapEnd = s.End
			}
			out = append(out, Span{cur, gapEnd})
		}
		if c.End.IsZero() {
			open = false
			break
		}
		if next := c.End.Add(time.Nanosecond); next.After(cur) {
			cur = next
		}
		if !s.End.IsZero() && cur.After(s.End) {
			open = false
		}
	}
	if open {
		out = append(out, Span{cur, s.End})
	}
	return out
}

// span sets From and To to whole years around every boundary and Now.
func (tl *Timeline) span() {
	var lo, hi time.Time
	see := func(t time.Time) {
		if t.IsZero() {
			return
		}
		if lo.IsZero() || t.Before(lo) {
			lo = t
		}
		if hi.IsZero() || t.After(hi) {
			hi = t
		}
	}
	for _, r := range tl.Rows {
		see(r.Start)
		see(r.End)
	}
	see(tl.Now)
	if lo.IsZero() {
		lo, hi = time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	tl.From = time.Date(lo.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	tl.To = time.Date(hi.Year()+2, 1, 1, 0, 0, 0, 0, time.UTC)
}

// Highlight marks the rows at path in file, or inside it (path "tlogs[1]"
// marks "tlogs[1]"; path "tlogs[1].publicKey.validFor.end" marks it too).
func (tl *Timeline) Highlight(file, path string) {
	for i := range tl.Rows {
		r := &tl.Rows[i]
		if r.File == file && (path == r.Path || strings.HasPrefix(path, r.Path+".")) {
			r.Highlight = true
		}
	}
}

// formatSpan words a closed span. Spans computed next to inclusive window
// ends begin 1ns after one end and stop 1ns before the next start; they
// read as "after" and "before" those instants rather than as nanoseconds.
func formatSpan(s Span) string {
	if s.Start.Equal(s.End) {
		return "at " + text.Time(s.Start) + " exactly"
	}
	from := "from " + text.Time(s.Start)
	end, after := text.JustAfter(s.Start)
	if after {
		from = "after " + text.Time(end)
	}
	start, before := text.JustBefore(s.End)
	switch {
	case s.End.IsZero() && after:
		return from
	case s.End.IsZero():
		return from + " on"
	case before:
		return from + " and before " + text.Time(start)
	}
	return from + " through " + text.Time(s.End)
}

package timeline

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var t0 = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

func hours(n int) time.Time { return t0.Add(time.Duration(n) * time.Hour) }

// signRow is a Rekor v1 signing row of signing_config.v0.2.json from
// start to end hours after t0; a negative end is open.
func signRow(i, start, end int) Row {
	r := Row{Group: GroupRekor, Name: fmt.Sprintf("https://log%d.example.dev", i), File: "signing_config.v0.2.json",
		Path: fmt.Sprintf("rekorTlogUrls[%d]", i), Kind: Sign, Version: 1, Start: hours(start)}
	if end >= 0 {
		r.End = hours(end)
	}
	return r
}

// TestWidestOverlapMatchesPairs checks the sweep's count and widest pair
// against every pair compared with every pair, on random windows.
func TestWidestOverlapMatchesPairs(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for run := range 200 {
		n := 2 + rng.IntN(12)
		l := &signList{file: "f", group: GroupRekor}
		for i := range n {
			start := rng.IntN(50)
			end := -1
			if rng.IntN(4) > 0 {
				end = start + rng.IntN(20)
			}
			l.rows = append(l.rows, signRow(i, start, end))
		}
		idx := make([]int, n)
		for i := range idx {
			idx[i] = i
		}
		// Sorted by start, as overlaps sorts them.
		for i := 1; i < n; i++ {
			for j := i; j > 0 && l.rows[idx[j]].Start.Before(l.rows[idx[j-1]].Start); j-- {
				idx[j], idx[j-1] = idx[j-1], idx[j]
			}
		}
		wantN, var0 := 0, Span{}
		found := false
		for i := range n {
			for j := i + 1; j < n; j++ {
				a, b := l.rows[i], l.rows[j]
				if o, ok := overlap(Span{a.Start, a.End}, Span{b.Start, b.End}); ok {
					wantN++
					if !found || wider(o, var0) {
						found, var0 = true, o
					}
				}
			}
		}
		gotN, _, _, got := l.widestOverlap(idx)
		if gotN != wantN || len(l.pairs(idx, -1)) != wantN {
			t.Fatalf("run %d: %d pairs by sweep, %d listed, want %d", run, gotN, len(l.pairs(idx, -1)), wantN)
		}
		if found && (wider(var0, got) || wider(got, var0)) {
			t.Fatalf("run %d: widest overlap %v, want one as wide as %v", run, got, var0)
		}
	}
}

// TestNotesSummarise checks that notes of one kind about one list are
// written out up to listed and summarised past it, and that AllNotes
// keeps every one.
func TestNotesSummarise(t *testing.T) {
	open := func(n int) []Row {
		var rows []Row
		for i := range n {
			r := signRow(i, i, -1)
			r.TrustStart = hours(i - 24)
			rows = append(rows, r)
		}
		return rows
	}
	for _, tc := range []struct {
		name    string
		rows    []Row
		want    []string
		wantAll int
	}{
		{"two services, written out", open(2), []string{
			"Waiting: https://log0.example.dev is trusted from 2024-12-31T00:00:00Z and signed to from 2025-01-01T00:00:00Z (signing_config.v0.2.json, rekorTlogUrls[0]), 1 day later.",
			"Waiting: https://log1.example.dev is trusted from 2024-12-31T01:00:00Z and signed to from 2025-01-01T01:00:00Z (signing_config.v0.2.json, rekorTlogUrls[1]), 1 day later.",
			"Overlap: signing_config.v0.2.json lists https://log0.example.dev and https://log1.example.dev (both v1) from 2025-01-01T01:00:00Z on; clients pick between them differently.",
		}, 3},
		{"five services, summarised", open(5), []string{
			"Waiting: signing_config.v0.2.json signs to 5 Rekor logs after they are trusted; the shortest wait is 1 day: https://log0.example.dev, trusted from 2024-12-31T00:00:00Z and signed to from 2025-01-01T00:00:00Z (rekorTlogUrls[0]).",
			"Overlaps: signing_config.v0.2.json lists two v1 Rekor logs at once in 10 pairs; clients pick between them differently. The widest: https://log0.example.dev and https://log1.example.dev from 2025-01-01T01:00:00Z on.",
		}, 5 + 10},
		{"rotation: gaps summarised with the widest", []Row{signRow(0, 0, 1), signRow(1, 3, 4), signRow(2, 10, 11), signRow(3, 12, 13), signRow(4, 20, -1)}, []string{
			"Gaps: signing_config.v0.2.json lists no Rekor logs 4 times; the widest after 2025-01-01T13:00:00Z and before 2025-01-01T20:00:00Z.",
		}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tl := &Timeline{Rows: tc.rows}
			if diff := cmp.Diff(tc.want, tl.Notes()); diff != "" {
				t.Errorf("Notes (-want +got):\n%s", diff)
			}
			if got := len(tl.AllNotes()); got != tc.wantAll {
				t.Errorf("AllNotes has %d notes, want %d:\n%s", got, tc.wantAll, strings.Join(tl.AllNotes(), "\n"))
			}
		})
	}
}

// TestFocus checks which rows a focused timeline keeps: the changed row,
// its entry's other windows and its neighbours in time in its own lane.
func TestFocus(t *testing.T) {
	var rows []Row
	for i := range 6 {
		trust := signRow(i, i*10-5, -1)
		trust.Kind, trust.File, trust.Path, trust.Version = Trust, "trusted_root.json", fmt.Sprintf("tlogs[%d]", i), 0
		rows = append(rows, trust, signRow(i, i*10, i*10+10))
	}
	tl := &Timeline{Rows: rows}
	tl.Rows[7].Highlight = true // log3's signing row
	var got []string
	f := tl.Focus()
	for _, r := range f.Rows {
		got = append(got, fmt.Sprintf("%s %s", r.Kind, r.Path))
	}
	want := []string{"sign rekorTlogUrls[2]", "trust tlogs[3]", "sign rekorTlogUrls[3]", "sign rekorTlogUrls[4]"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("focused rows (-want +got):\n%s", diff)
	}
	if f.Omitted != len(rows)-len(want) {
		t.Errorf("Omitted = %d, want %d", f.Omitted, len(rows)-len(want))
	}
	if diff := cmp.Diff(tl.Notes(), f.Notes()); diff != "" {
		t.Errorf("focusing changed the notes (-whole +focused):\n%s", diff)
	}
	tl.Rows[7].Highlight = false
	if tl.Focus() != tl {
		t.Error("Focus without a highlighted row left rows out")
	}
}

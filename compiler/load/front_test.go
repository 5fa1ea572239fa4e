package load

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trustc-dev/trustc/compiler/model"
)

func TestFrontShards(t *testing.T) {
	day := func(s string) time.Time {
		d, err := time.Parse(time.DateOnly, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	log := func(name string, api int, start, end string, signed bool) *model.RekorLog {
		l := &model.RekorLog{Service: model.Service{Name: name, API: model.Value[int]{V: api}}}
		l.Verify.Start.V = day(start)
		if end != "" {
			l.Verify.End.V = day(end)
		}
		if signed {
			l.Sign = []model.SignWindow{{Config: "main"}}
		}
		return l
	}
	logs := []*model.RekorLog{
		log("v1", 1, "2021-01-01", "", false),
		log("old", 2, "2025-01-01", "2025-06-01", false),
		log("shard", 2, "2025-05-01", "", false),
		log("named", 2, "2025-05-01", "", true),
	}
	// front signs from each start, in its signing configs' order.
	front := func(api int, starts ...string) *model.RekorFront {
		f := &model.RekorFront{Service: model.Service{API: model.Value[int]{V: api}}}
		for _, s := range starts {
			w := model.SignWindow{Config: "main"}
			w.Start.V = day(s)
			f.Sign = append(f.Sign, w)
		}
		return f
	}
	for _, tc := range []struct {
		name   string
		front  *model.RekorFront
		start  string
		want   []string
		direct bool
	}{
		{"logs trusted at the start, not named directly", front(2, "2025-05-15"), "2025-05-15", []string{"old", "shard"}, false},
		{"a window that has ended is no shard", front(2, "2025-07-01"), "2025-07-01", []string{"shard"}, false},
		{"the API version must match", front(1, "2025-07-01"), "2025-07-01", []string{"v1"}, false},
		{"trust from the first instant of a window", front(2, "2025-05-01"), "2025-05-01", []string{"old", "shard"}, false},
		{"nothing trusted yet", front(2, "2024-01-01"), "2024-01-01", nil, false},
		{"the earliest signing start counts", front(2, "2025-07-01", "2025-05-15"), "2025-05-15", []string{"old", "shard"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			shards, start, direct := FrontShards(logs, tc.front)
			var got []string
			for _, l := range shards {
				got = append(got, l.Name)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" || direct != tc.direct || !start.Equal(day(tc.start)) {
				t.Errorf("FrontShards: start %v, want %s; direct %v, want %v; shards (-want +got):\n%s", start, tc.start, direct, tc.direct, diff)
			}
		})
	}
	// Only named logs are trusted: they front it, and direct says so.
	named := []*model.RekorLog{log("named", 2, "2025-05-01", "", true)}
	if shards, _, direct := FrontShards(named, front(2, "2025-05-02")); len(shards) != 1 || !direct {
		t.Errorf("FrontShards of named logs only = %d shards, direct %v; want 1, true", len(shards), direct)
	}
}

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
	for _, tc := range []struct {
		name   string
		api    int
		start  string
		want   []string
		direct bool
	}{
		{"logs trusted at the start, not named directly", 2, "2025-05-15", []string{"old", "shard"}, false},
		{"a window that has ended is no shard", 2, "2025-07-01", []string{"shard"}, false},
		{"the API version must match", 1, "2025-07-01", []string{"v1"}, false},
		{"trust from the first instant of a window", 2, "2025-05-01", []string{"old", "shard"}, false},
		{"nothing trusted yet", 2, "2024-01-01", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			shards, direct := FrontShards(logs, tc.api, day(tc.start))
			var got []string
			for _, l := range shards {
				got = append(got, l.Name)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" || direct != tc.direct {
				t.Errorf("FrontShards: direct %v, want %v; shards (-want +got):\n%s", direct, tc.direct, diff)
			}
		})
	}
	// Only named logs are trusted: they front it, and direct says so.
	named := []*model.RekorLog{log("named", 2, "2025-05-01", "", true)}
	if shards, direct := FrontShards(named, 2, day("2025-05-02")); len(shards) != 1 || !direct {
		t.Errorf("FrontShards of named logs only = %d shards, direct %v; want 1, true", len(shards), direct)
	}
}

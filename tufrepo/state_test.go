package tufrepo_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/trustc-dev/trustc/tufrepo"
)

func TestStateCheck(t *testing.T) {
	seen := tufrepo.Versions{Root: 2, Timestamp: 10, Snapshot: 8, Targets: 5}
	for _, tc := range []struct {
		name string
		got  tufrepo.Versions
		want string
	}{
		{"same", seen, ""},
		{"newer", tufrepo.Versions{Root: 3, Timestamp: 11, Snapshot: 9, Targets: 6}, ""},
		{"timestamp back", tufrepo.Versions{Root: 2, Timestamp: 9, Snapshot: 8, Targets: 5},
			"rollback: repo serves timestamp v9 after v10; older metadata, however validly signed, may be replayed, and clients that saw the newer versions refuse it"},
		{"all back", tufrepo.Versions{Root: 1, Timestamp: 1, Snapshot: 1, Targets: 1},
			"rollback: repo serves root v1 after v2, timestamp v1 after v10, snapshot v1 after v8, targets v1 after v5; older metadata, however validly signed, may be replayed, and clients that saw the newer versions refuse it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &tufrepo.State{Repositories: map[string]tufrepo.Versions{"repo": seen}}
			err := s.Check("repo", tc.got)
			got := ""
			if err != nil {
				got = err.Error()
				if !errors.Is(err, tufrepo.ErrRollback) {
					t.Errorf("error %v is not ErrRollback", err)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Check (-want +got):\n%s", diff)
			}
			if err := s.Check("other repo", tc.got); err != nil {
				t.Errorf("Check of a repository never seen: %v", err)
			}
		})
	}
}

// TestStateRoundTrip records, writes and reads back: the highest version
// of each role is kept, whichever run saw it.
func TestStateRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	s, err := tufrepo.ReadState(path)
	if err != nil {
		t.Fatalf("ReadState of a missing file: %v", err)
	}
	s.Record("a", tufrepo.Versions{Root: 1, Timestamp: 5, Snapshot: 5, Targets: 3})
	s.Record("a", tufrepo.Versions{Root: 2, Timestamp: 4, Snapshot: 6, Targets: 3})
	s.Record("b", tufrepo.Versions{Root: 1, Timestamp: 1, Snapshot: 1, Targets: 1})
	if err := s.Write(path); err != nil {
		t.Fatal(err)
	}
	back, err := tufrepo.ReadState(path)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]tufrepo.Versions{
		"a": {Root: 2, Timestamp: 5, Snapshot: 6, Targets: 3},
		"b": {Root: 1, Timestamp: 1, Snapshot: 1, Targets: 1},
	}
	if diff := cmp.Diff(want, back.Repositories); diff != "" {
		t.Errorf("state read back (-want +got):\n%s", diff)
	}
	des, _ := os.ReadDir(filepath.Dir(path))
	if len(des) != 1 {
		t.Errorf("%d files beside the state after Write, want only it", len(des))
	}
}

func TestParseStateErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"repositories": {"r": {"root": 0, "timestamp": 1, "snapshot": 1, "targets": 1}}}`, `parse: repository "r": version 0; versions start at 1`},
		{`{"repositories": {}, "extra": 1}`, `parse: json: unknown field "extra"`},
		{`{"repositories": {}} {}`, "parse: data after the JSON object"},
		{`[]`, "parse: json: cannot unmarshal array into Go value of type tufrepo.State"},
		{``, "parse: EOF"},
	} {
		_, err := tufrepo.ParseState([]byte(tc.in))
		got := fmt.Sprint(err) // "<nil>" for none
		if got != tc.want {
			t.Errorf("ParseState(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestStateKey(t *testing.T) {
	abs, err := filepath.Abs("repo")
	if err != nil {
		t.Fatal(err)
	}
	for _, loc := range []string{"repo", "./repo", "repo/", abs} {
		if got := tufrepo.StateKey(loc); got != filepath.ToSlash(abs) {
			t.Errorf("StateKey(%q) = %q, want %q", loc, got, abs)
		}
	}
	if got := tufrepo.StateKey("https://tuf-repo-cdn.sigstore.dev/"); got != "https://tuf-repo-cdn.sigstore.dev" {
		t.Errorf("StateKey of a URL with a trailing slash = %q", got)
	}
}

// FuzzParseState feeds arbitrary bytes to the state parser: errors, never
// panics, and what parses has only positive versions and survives Check.
func FuzzParseState(f *testing.F) {
	f.Add([]byte(`{"repositories": {"https://tuf-repo-cdn.sigstore.dev": {"root": 13, "timestamp": 200, "snapshot": 180, "targets": 14}}}`))
	f.Add([]byte(`{"repositories": {}}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"repositories": {"r": {"root": -1}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := tufrepo.ParseState(b)
		if err != nil {
			return
		}
		for key, v := range s.Repositories {
			if v.Root < 1 || v.Timestamp < 1 || v.Snapshot < 1 || v.Targets < 1 {
				t.Fatalf("ParseState accepted version below 1 for %q: %+v", key, v)
			}
			if err := s.Check(key, v); err != nil {
				t.Fatalf("Check of the recorded versions themselves: %v", err)
			}
		}
	})
}

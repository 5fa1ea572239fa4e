package asof_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trustc-dev/trustc/compiler/asof"
	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/internal/timetest"
)

func at(s string) model.Value[time.Time] {
	return model.Value[time.Time]{V: timetest.Parse(s)}
}

// env holds one Rekor log signed to in main from 2027-05-01 and in optIn
// from 2027-02-01, and a CA signed to in main since 2022.
func env(clients ...string) *model.Environment {
	e := &model.Environment{Name: "test"}
	for _, c := range clients {
		e.Policy.Clients = append(e.Policy.Clients, model.Value[string]{V: c})
	}
	e.Rekor = []*model.RekorLog{{Service: model.Service{Name: "new", Sign: []model.SignWindow{
		{Config: "main", Window: model.Window{Start: at("2027-05-01T00:00:00Z")}},
		{Config: "optIn", Window: model.Window{Start: at("2027-02-01T00:00:00Z")}},
	}}, Verify: model.Window{Start: at("2027-01-01T00:00:00Z")}}}
	e.CAs = []*model.Authority{{Service: model.Service{Name: "ca", Sign: []model.SignWindow{
		{Config: "main", Window: model.Window{Start: at("2022-01-01T00:00:00Z")}},
	}}}}
	return e
}

// signed lists "service/config" for every signing window of e.
func signed(e *model.Environment) []string {
	var out []string
	for _, s := range asof.SignWindows(e) {
		out = append(out, s.Service.Name+"/"+s.Config)
	}
	return out
}

func TestRelease(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     *model.Environment
		now     string
		want    []string
		staged  bool
		instant []string
	}{
		{"no release time: the whole plan", env("sigstore-js"), "", []string{"new/main", "new/optIn", "ca/main"}, false, nil},
		{"no early client: nothing withheld", env("sigstore-go"), "2026-12-01T00:00:00Z", []string{"new/main", "new/optIn", "ca/main"}, false, nil},
		{"before both starts", env("sigstore-go", "sigstore-js"), "2026-12-01T00:00:00Z", []string{"ca/main"}, true,
			[]string{"2027-02-01T00:00:00Z", "2027-05-01T00:00:00Z"}},
		{"the instant before opt-in", env("sigstore-js"), "2027-01-31T23:59:59Z", []string{"ca/main"}, true,
			[]string{"2027-02-01T00:00:00Z", "2027-05-01T00:00:00Z"}},
		{"at the opt-in start", env("sigstore-js"), "2027-02-01T00:00:00Z", []string{"new/optIn", "ca/main"}, true,
			[]string{"2027-05-01T00:00:00Z"}},
		{"at the main start", env("sigstore-js"), "2027-05-01T00:00:00Z", []string{"new/main", "new/optIn", "ca/main"}, false, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var now time.Time
			if tc.now != "" {
				now = at(tc.now).V
			}
			plan := tc.env
			before := signed(plan)
			got := asof.Release(plan, now)
			if diff := cmp.Diff(tc.want, signed(got)); diff != "" {
				t.Errorf("signing windows (-want +got):\n%s", diff)
			}
			if staged := got != plan; staged != tc.staged {
				t.Errorf("staged: %v, want %v", staged, tc.staged)
			}
			if tc.staged && got.Plan != plan {
				t.Errorf("the release does not point at its plan")
			}
			if diff := cmp.Diff(before, signed(plan)); diff != "" {
				t.Errorf("the plan changed (-before +after):\n%s", diff)
			}
			if again := asof.Release(got, now); tc.staged && cmp.Diff(signed(got), signed(again)) != "" {
				t.Errorf("staging a release again gives %v, want %v", signed(again), signed(got))
			}
			var instants []string
			for _, i := range asof.Instants(plan, now) {
				instants = append(instants, i.Format(time.RFC3339))
			}
			if diff := cmp.Diff(tc.instant, instants); diff != "" {
				t.Errorf("instants (-want +got):\n%s", diff)
			}
			if !got.Rekor[0].Verify.Start.V.Equal(plan.Rekor[0].Verify.Start.V) {
				t.Errorf("trust changed: %v, want %v", got.Rekor[0].Verify, plan.Rekor[0].Verify)
			}
		})
	}
}

// TestReleaseUnpublishedFile: a signing config whose every entry is
// withheld is not published until its first entry enters; one the plan
// never fills stays, for no-gaps to refuse.
func TestReleaseUnpublishedFile(t *testing.T) {
	e := env("sigstore-js")
	for _, n := range []string{"main", "optIn", "later", "empty"} {
		e.SigningConfigs = append(e.SigningConfigs, &model.SigningConfig{Name: n})
	}
	e.Rekor[0].Sign = append(e.Rekor[0].Sign, model.SignWindow{Config: "later", Window: model.Window{Start: at("2027-06-01T00:00:00Z")}})
	for _, tc := range []struct {
		now  string
		want []string
	}{
		{"2026-12-01T00:00:00Z", []string{"main", "empty"}},
		{"2027-02-01T00:00:00Z", []string{"main", "optIn", "empty"}},
		{"2027-06-01T00:00:00Z", []string{"main", "optIn", "later", "empty"}},
	} {
		var got []string
		for _, sc := range asof.Release(e, at(tc.now).V).SigningConfigs {
			got = append(got, sc.Name)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("signing configs as of %s (-want +got):\n%s", tc.now, diff)
		}
	}
}

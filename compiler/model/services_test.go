package model

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestServices(t *testing.T) {
	env := &Environment{
		Rekor:       []*RekorLog{{Service: Service{Name: "log1"}}, {Service: Service{Name: "log2"}}},
		RekorFronts: []*RekorFront{{Service: Service{Name: "global"}}},
		CAs:         []*Authority{{Service: Service{Name: "fulcio"}}},
		TSAs:        []*Authority{{Service: Service{Name: "tsa"}}},
		OIDC:        []*OIDCProvider{{Service: Service{Name: "oauth"}}},
	}
	tests := []struct {
		name string
		stop int // stop after this many; 0: never
		want []string
	}{
		{"every kind in schema order", 0, []string{"rekor log1", "rekor log2", "rekorFronts global", "ca fulcio", "tsa tsa", "oidc oauth"}},
		{"stopped inside a kind", 1, []string{"rekor log1"}},
		{"stopped at a kind's end", 3, []string{"rekor log1", "rekor log2", "rekorFronts global"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for kind, s := range env.Services() {
				got = append(got, kind+" "+s.Name)
				if len(got) == tc.stop {
					break
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Services (-want +got):\n%s", diff)
			}
		})
	}
	// Services yields the services themselves, so that callers change them.
	for _, s := range env.Services() {
		s.WaitingPeriodExempt.V = "x"
	}
	if env.CAs[0].WaitingPeriodExempt.V != "x" {
		t.Error("Services yielded a copy of the CA's service")
	}
}

// TestAuthorityGroups pins the kinds, list names and order that check,
// plan and the importer rely on: CAs first, each group holding the
// environment's own slices, empty groups kept.
func TestAuthorityGroups(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  *Environment
		want []string
	}{
		{"both kinds", &Environment{
			CAs:  []*Authority{{Service: Service{Name: "fulcio"}}, {Service: Service{Name: "fulcio2"}}},
			TSAs: []*Authority{{Service: Service{Name: "tsa"}}},
		}, []string{"ca certificateAuthorities fulcio", "ca certificateAuthorities fulcio2", "tsa timestampAuthorities tsa"}},
		{"no TSA", &Environment{
			CAs: []*Authority{{Service: Service{Name: "fulcio"}}},
		}, []string{"ca certificateAuthorities fulcio", "tsa timestampAuthorities (none)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, g := range tc.env.AuthorityGroups() {
				if len(g.Authorities) == 0 {
					got = append(got, g.Kind+" "+g.List+" (none)")
				}
				for _, a := range g.Authorities {
					got = append(got, g.Kind+" "+g.List+" "+a.Name)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("AuthorityGroups (-want +got):\n%s", diff)
			}
		})
	}
}

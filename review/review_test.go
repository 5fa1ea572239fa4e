package review

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	prototrustroot "github.com/sigstore/protobuf-specs/gen/pb-go/trustroot/v1"
	"github.com/trustc-dev/trustc/internal/published"
	"github.com/trustc-dev/trustc/internal/timetest"
	"github.com/trustc-dev/trustc/release"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func realReleases(t *testing.T) map[string]*release.Release {
	out := map[string]*release.Release{"staging": published.Staging(t)}
	for _, v := range published.ProductionVersions {
		out[fmt.Sprintf("production-v%d", v)] = published.Production(t, v)
	}
	out["both"] = published.Merge(published.Production(t, 14), published.Staging(t))
	return out
}

func TestDiffSelfIsEmpty(t *testing.T) {
	for name, rel := range realReleases(t) {
		t.Run(name, func(t *testing.T) {
			r := Diff(rel, rel, Options{Now: snapshotDay})
			if !r.Empty() {
				t.Errorf("diff(a, a) is not empty: %s", r.Text())
			}
			if got, want := r.Summary(), "No changes."; got != want {
				t.Errorf("summary = %q, want %q", got, want)
			}
		})
	}
}

// reformat rewrites a JSON file without changing its meaning: reindented
// with tabs, or (sorted) every object's keys in alphabetical order on one
// line.
func reformat(t *testing.T, b []byte, sorted bool) []byte {
	t.Helper()
	if sorted {
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatal(err)
		}
		out, err := json.Marshal(v) // encoding/json sorts map keys
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, "", "\t"); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func reformatRelease(t *testing.T, rel *release.Release, sorted bool) *release.Release {
	t.Helper()
	out := &release.Release{}
	for _, e := range rel.Envs {
		ne := &release.Env{Name: e.Name}
		var err error
		if ne.TrustedRoot, err = release.ParseTrustedRoot(e.TrustedRoot.Name, reformat(t, e.TrustedRoot.Bytes, sorted)); err != nil {
			t.Fatal(err)
		}
		for _, f := range e.SigningConfigs {
			nf, err := release.ParseSigningConfig(f.Name, reformat(t, f.Bytes, sorted))
			if err != nil {
				t.Fatal(err)
			}
			ne.SigningConfigs = append(ne.SigningConfigs, nf)
		}
		if e.Legacy != nil {
			if ne.Legacy, err = release.ParseLegacySigningConfig(e.Legacy.Name, reformat(t, e.Legacy.Bytes, sorted)); err != nil {
				t.Fatal(err)
			}
		}
		out.Envs = append(out.Envs, ne)
	}
	return out
}

func TestReformatIsFormattingOnly(t *testing.T) {
	for name, rel := range realReleases(t) {
		for _, sorted := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/sorted=%v", name, sorted), func(t *testing.T) {
				r := Diff(rel, reformatRelease(t, rel, sorted), Options{Now: snapshotDay})
				if !r.FormattingOnly() {
					t.Fatalf("not formatting only:\n%s", r.Text())
				}
				for _, e := range r.Envs {
					for _, f := range e.Files {
						if f.Status != StatusFormatting || len(f.Changes) != 0 {
							t.Errorf("%s/%s: status %s, %d changes", e.Name, f.Name, f.Status, len(f.Changes))
						}
					}
				}
				md := string(r.Markdown())
				if !strings.Contains(md, "Formatting only, no semantic change.") {
					t.Errorf("markdown does not say formatting only:\n%s", md)
				}
			})
		}
	}
}

// withTrustedRoot returns rel with env's trusted root replaced by m.
func withTrustedRoot(t testing.TB, rel *release.Release, m *prototrustroot.TrustedRoot) *release.Release {
	t.Helper()
	b, err := protojson.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	e := *rel.Envs[0]
	e.TrustedRoot = &release.TrustedRootFile{Name: release.TrustedRootName, Bytes: b, Msg: m}
	return &release.Release{Envs: []*release.Env{&e}}
}

// TestWindowMoves checks that a moved window is one change of its field,
// with when it bites and whether it breaks bundles that exist.
func TestWindowMoves(t *testing.T) {
	base := published.Production(t, 14)
	now := snapshotDay
	for _, tc := range []struct {
		name    string
		edit    func(*prototrustroot.TrustedRoot)
		want    []string // "op path: old -> new; when"
		warning bool
		// flagged are the unchanged signing configs that now send signers
		// to a service the trusted root no longer covers.
		flagged []string
	}{{
		name: "end a log in the future",
		edit: func(tr *prototrustroot.TrustedRoot) {
			tr.Tlogs[0].PublicKey.ValidFor.End = timestamppb.New(timetest.Parse("2027-01-01T00:00:00Z"))
		},
		want:    []string{"changed tlogs[0].publicKey.validFor.end: (unset) -> 2027-01-01T00:00:00Z; after 2027-01-01T00:00:00Z"},
		flagged: []string{"signing_config.v0.2.json", "signing_config_rekor_v2.v0.2.json"},
	}, {
		name: "end a log in the past",
		edit: func(tr *prototrustroot.TrustedRoot) {
			tr.Tlogs[0].PublicKey.ValidFor.End = timestamppb.New(timetest.Parse("2026-01-01T00:00:00Z"))
		},
		want:    []string{"changed tlogs[0].publicKey.validFor.end: (unset) -> 2026-01-01T00:00:00Z; on publication"},
		warning: true,
		flagged: []string{"signing_config.v0.2.json", "signing_config_rekor_v2.v0.2.json"},
	}, {
		name: "start a log earlier",
		edit: func(tr *prototrustroot.TrustedRoot) {
			tr.Tlogs[1].PublicKey.ValidFor.Start = timestamppb.New(timetest.Parse("2025-09-01T00:00:00Z"))
		},
		want: []string{"changed tlogs[1].publicKey.validFor.start: 2025-09-23T00:00:00Z -> 2025-09-01T00:00:00Z; on publication"},
	}, {
		name: "reorder logs",
		edit: func(tr *prototrustroot.TrustedRoot) {
			tr.Tlogs[0], tr.Tlogs[1] = tr.Tlogs[1], tr.Tlogs[0]
		},
		want: []string{"reordered tlogs: https://rekor.sigstore.dev, https://log2025-1.rekor.sigstore.dev -> https://log2025-1.rekor.sigstore.dev, https://rekor.sigstore.dev; on publication"},
	}, {
		name: "correct a log's id: same key, same URL",
		edit: func(tr *prototrustroot.TrustedRoot) {
			tr.Tlogs[1].LogId.KeyId = []byte("another key id")
		},
		want: []string{"changed tlogs[1].logId.keyId: zxGZFVvd0FEmjR8WrFwMdcAJ9vtaY/QXf44Y1wUeP6A= -> YW5vdGhlciBrZXkgaWQ=; on publication"},
	}, {
		name: "rotate a log's key at the same URL",
		edit: func(tr *prototrustroot.TrustedRoot) {
			tr.Tlogs[1].PublicKey.RawBytes = tr.Tlogs[0].PublicKey.RawBytes
		},
		want: []string{
			"added tlogs[1]:  -> trusted from 2025-09-23T00:00:00Z on; on publication",
			"removed tlogs[1]: trusted from 2025-09-23T00:00:00Z on -> ; on publication",
		},
		warning: true,
	}, {
		name: "reorder a chain root first",
		edit: func(tr *prototrustroot.TrustedRoot) {
			c := tr.CertificateAuthorities[1].CertChain.Certificates
			c[0], c[1] = c[1], c[0]
		},
		want: []string{"changed certificateAuthorities[1].certChain: leaf first -> root first; on publication"},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			m := proto.Clone(base.Envs[0].TrustedRoot.Msg).(*prototrustroot.TrustedRoot)
			tc.edit(m)
			r := Diff(base, withTrustedRoot(t, base, m), Options{Now: now})
			if len(r.Envs) != 1 || r.Envs[0].Files[0].Name != release.TrustedRootName {
				t.Fatalf("want the trusted root changed, got:\n%s", r.Text())
			}
			var got, flagged []string
			warned := false
			for _, c := range r.Envs[0].Files[0].Changes {
				got = append(got, fmt.Sprintf("%s %s: %s -> %s; %s", c.Op, c.Path, c.Old, c.New, c.When))
				warned = warned || c.Warning != ""
			}
			for _, f := range r.Envs[0].Files[1:] {
				if f.Status != StatusUnchanged || len(f.Clients) == 0 || len(f.Clients[0].Untrusted) == 0 {
					t.Errorf("%s: status %s, clients %+v; want unchanged with an untrusted service", f.Name, f.Status, f.Clients)
				}
				flagged = append(flagged, f.Name)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.flagged, flagged); diff != "" {
				t.Errorf("flagged signing configs (-want +got):\n%s", diff)
			}
			if warned != tc.warning {
				t.Errorf("warning = %v, want %v:\n%s", warned, tc.warning, r.Text())
			}
		})
	}
}

func TestFindingsArePlaced(t *testing.T) {
	old, new := published.Production(t, 12), published.Production(t, 14)
	findings := []Finding{
		{Rule: "log-waits", File: "production/trusted_root.json", Path: "tlogs[1].publicKey.validFor.start", Message: "on the change"},
		{Rule: "file-rule", File: "production/trusted_root.json", Path: "mediaType", Message: "on the file"},
		{Rule: "old-ct-log", File: "production/trusted_root.json", Path: "ctlogs[0]", Message: "on an entry nothing changed"},
		{Rule: "untouched", File: "signing_config.v0.2.json", Path: "caUrls[0]", Message: "on an unchanged file"},
		{Rule: "elsewhere", File: "nowhere/trusted_root.json", Message: "on no file"},
		{Rule: "source", File: "environments/production/services.cue", Message: "in a file neither release has"},
	}
	r := Diff(old, new, Options{Now: snapshotDay, Findings: findings})
	got := map[string]string{}
	for _, e := range r.Envs {
		for _, f := range e.Files {
			for _, fd := range f.Findings {
				got[fd.Rule] = "file " + e.Name + "/" + f.Name + " (" + string(f.Status) + ")"
			}
			for _, fd := range f.Elsewhere {
				got[fd.Rule] = "counted on " + e.Name + "/" + f.Name
			}
			for _, c := range f.Changes {
				for _, fd := range c.Findings {
					got[fd.Rule] = "change " + e.Name + "/" + f.Name + " " + c.Path
				}
			}
		}
	}
	for _, fd := range r.Findings {
		got[fd.Rule] = "review"
	}
	want := map[string]string{
		"log-waits":  "change production/trusted_root.json tlogs[1]",
		"file-rule":  "file production/trusted_root.json (changed)",
		"old-ct-log": "counted on production/trusted_root.json",
		"untouched":  "file production/signing_config.v0.2.json (unchanged)",
		"elsewhere":  "review",
		"source":     "review",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("placement (-want +got):\n%s", diff)
	}
	md := string(r.Markdown())
	for _, f := range findings {
		if shown := strings.Contains(md, f.Message); shown != (f.Rule != "old-ct-log") {
			t.Errorf("markdown shows finding %q: %v", f.Message, shown)
		}
	}
	if want := "- 1 policy finding (`old-ct-log`) about entries this change leaves alone; `trustc check` lists them.\n"; !strings.Contains(md, want) {
		t.Errorf("markdown lacks %q:\n%s", want, md)
	}
	// Findings alone make a review non-empty, even of identical releases.
	if Diff(old, old, Options{Findings: findings[:1]}).Empty() {
		t.Error("a review with a finding is empty")
	}
}

// TestRenderFormats checks the format names the CLI passes through.
func TestRenderFormats(t *testing.T) {
	r := Diff(published.Production(t, 12), published.Production(t, 13), Options{Now: snapshotDay})
	for _, f := range Formats {
		if _, err := r.Render(f); err != nil {
			t.Errorf("Render(%q): %v", f, err)
		}
	}
	if _, err := r.Render("yaml"); err == nil || err.Error() != `render review: unknown format "yaml" (want markdown, text or json)` {
		t.Errorf("Render(yaml) error = %v", err)
	}
}

package timeline

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/trustc-dev/trustc/internal/goldenfile"
	"github.com/trustc-dev/trustc/internal/published"
	"github.com/trustc-dev/trustc/internal/timetest"
	"github.com/trustc-dev/trustc/release"
)

// now is the snapshot date of the reference data.
var now = time.Date(2026, 8, 21, 0, 0, 0, 0, time.UTC)

type named struct {
	name string
	env  *release.Env
}

func realEnvs(t *testing.T) []named {
	var out []named
	for _, v := range published.ProductionVersions {
		out = append(out, named{fmt.Sprintf("production-v%d", v), published.Production(t, v).Envs[0]})
	}
	return append(out, named{"staging", published.Staging(t).Envs[0]})
}

func TestGolden(t *testing.T) {
	for _, e := range realEnvs(t) {
		if e.name != "production-v14" && e.name != "staging" {
			continue
		}
		tl := New(e.env, now)
		goldenfile.Testdata(t, e.name+".mermaid", []byte(tl.Mermaid()))
		goldenfile.Testdata(t, e.name+".svg", tl.SVG())
		goldenfile.Testdata(t, e.name+".notes.txt", []byte(strings.Join(tl.Notes(), "\n")+"\n"))
	}
}

// TestSVGStandalone parses every real environment's SVG as XML and checks
// that it is one svg element in the SVG namespace that needs nothing from
// outside: no script, image, foreignObject, or href.
func TestSVGStandalone(t *testing.T) {
	for _, e := range realEnvs(t) {
		t.Run(e.name, func(t *testing.T) {
			tl := New(e.env, now)
			tl.Highlight("trusted_root.json", "tlogs[0].publicKey.validFor.start")
			dec := xml.NewDecoder(bytes.NewReader(tl.SVG()))
			depth, roots, rects, titles := 0, 0, 0, 0
			for {
				tok, err := dec.Token()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatalf("not well-formed: %v", err)
				}
				switch tok := tok.(type) {
				case xml.StartElement:
					if depth == 0 {
						roots++
						if tok.Name.Space != "http://www.w3.org/2000/svg" || tok.Name.Local != "svg" {
							t.Errorf("root element %v, want svg in the SVG namespace", tok.Name)
						}
					}
					switch tok.Name.Local {
					case "script", "image", "foreignObject", "use", "style":
						t.Errorf("element %s needs outside resources or runs code", tok.Name.Local)
					case "rect":
						rects++
					case "title":
						titles++
					}
					for _, a := range tok.Attr {
						if a.Name.Local == "href" || strings.Contains(a.Value, "url(http") {
							t.Errorf("attribute %s=%q refers outside the document", a.Name.Local, a.Value)
						}
					}
					depth++
				case xml.EndElement:
					depth--
				}
			}
			if roots != 1 {
				t.Errorf("%d root elements, want 1", roots)
			}
			// Each row is at least one rect with a title.
			if rects < len(tl.Rows) || titles < len(tl.Rows) {
				t.Errorf("%d rects and %d titles for %d rows", rects, titles, len(tl.Rows))
			}
		})
	}
}

// TestMermaidLines checks every line against the gantt grammar we emit, so
// a URL or name cannot break the chart.
func TestMermaidLines(t *testing.T) {
	task := regexp.MustCompile(`^    [^:#;\n]+ :(crit, )?(active, )?(done, )?w\d+, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d$`)
	fixed := regexp.MustCompile(`^(gantt|    title [^:#;]+: trust \(verification\) and signing windows|    dateFormat YYYY-MM-DD HH:mm:ss|    axisFormat %Y-%m|    todayMarker off|    section [A-Za-z ]+|    now \d{4}-\d\d-\d\d :milestone, now, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d, 0d)$`)
	for _, e := range realEnvs(t) {
		tl := New(e.env, now)
		tl.Highlight("signing_config.v0.2.json", "rekorTlogUrls[0]")
		lines := strings.Split(strings.TrimSuffix(tl.Mermaid(), "\n"), "\n")
		tasks := 0
		for _, l := range lines {
			switch {
			case task.MatchString(l):
				tasks++
			case fixed.MatchString(l):
			default:
				t.Errorf("%s: line %q is not one the gantt grammar allows here", e.name, l)
			}
		}
		if tasks != len(tl.Rows) {
			t.Errorf("%s: %d tasks for %d rows", e.name, tasks, len(tl.Rows))
		}
	}
}

func TestUncovered(t *testing.T) {
	for _, tc := range []struct {
		name  string
		s     Span
		cover []Span
		want  []string
	}{
		{"no cover", Span{timetest.Parse("2025-01-01T00:00:00Z"), timetest.Parse("2025-02-01T00:00:00Z")}, nil,
			[]string{"from 2025-01-01T00:00:00Z through 2025-02-01T00:00:00Z"}},
		{"covered", Span{timetest.Parse("2025-01-01T00:00:00Z"), time.Time{}}, []Span{{timetest.Parse("2024-01-01T00:00:00Z"), time.Time{}}}, nil},
		{"trusted later", Span{timetest.Parse("2025-01-01T00:00:00Z"), time.Time{}}, []Span{{timetest.Parse("2025-03-01T00:00:00Z"), time.Time{}}},
			[]string{"from 2025-01-01T00:00:00Z and before 2025-03-01T00:00:00Z"}},
		{"touching ends leave no gap", Span{timetest.Parse("2025-01-01T00:00:00Z"), time.Time{}},
			[]Span{{timetest.Parse("2025-01-01T00:00:00Z"), timetest.Parse("2025-02-01T00:00:00Z")}, {timetest.Parse("2025-02-01T00:00:00Z"), time.Time{}}}, nil},
		{"gap between windows", Span{timetest.Parse("2025-01-01T00:00:00Z"), time.Time{}},
			[]Span{{timetest.Parse("2025-01-01T00:00:00Z"), timetest.Parse("2025-02-01T00:00:00Z")}, {timetest.Parse("2025-03-01T00:00:00Z"), timetest.Parse("2025-04-01T00:00:00Z")}},
			[]string{"after 2025-02-01T00:00:00Z and before 2025-03-01T00:00:00Z", "after 2025-04-01T00:00:00Z"}},
		{"trust ends before signing ends", Span{timetest.Parse("2025-01-01T00:00:00Z"), timetest.Parse("2025-06-01T00:00:00Z")},
			[]Span{{timetest.Parse("2024-01-01T00:00:00Z"), timetest.Parse("2025-05-01T00:00:00Z")}},
			[]string{"after 2025-05-01T00:00:00Z through 2025-06-01T00:00:00Z"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, u := range uncovered(tc.s, tc.cover) {
				got = append(got, formatSpan(u))
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("uncovered (-want +got):\n%s", diff)
			}
		})
	}
}

// TestNotesOnRealFiles pins what the notes must say about the two real
// situations a reviewer must not miss: log2025-1's waiting period in
// production and staging's signing to a Rekor URL the trusted root lacks.
func TestNotesOnRealFiles(t *testing.T) {
	prod := strings.Join(New(published.Production(t, 14).Envs[0], now).Notes(), "\n")
	for _, want := range []string{
		"Waiting: https://log2025-1.rekor.sigstore.dev is trusted from 2025-09-23T00:00:00Z and signed to from 2026-01-01T00:00:00Z (signing_config_rekor_v2.v0.2.json, rekorTlogUrls[0]), 100 days later.",
	} {
		if !strings.Contains(prod, want) {
			t.Errorf("production notes lack %q; got:\n%s", want, prod)
		}
	}
	staging := strings.Join(New(published.Staging(t).Envs[0], now).Notes(), "\n")
	for _, want := range []string{
		"No trust: https://global.rekor.sigstage.dev (signing_config.v0.2.json, rekorTlogUrls[0]) is signed to from 2026-06-12T00:00:00Z on, when no trusted-root entry has its URL.",
		"Overlap: signing_config_rekor_v2.v0.2.json lists https://log2025-alpha2.rekor.sigstage.dev and https://log2025-alpha3.rekor.sigstage.dev (both v2) at 2025-09-22T11:00:00Z exactly; clients pick between them differently.",
	} {
		if !strings.Contains(staging, want) {
			t.Errorf("staging notes lack %q; got:\n%s", want, staging)
		}
	}
}

package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/trustc-dev/trustc/importer"
	"github.com/trustc-dev/trustc/internal/goldenfile"
	"github.com/trustc-dev/trustc/internal/published"
	"github.com/trustc-dev/trustc/internal/refdata"
	"github.com/trustc-dev/trustc/internal/treetest"
)

// realFlaws are the flaws of Sigstore's published history (docs/policy.md
// explains each): the transitions check must refuse, with the rules it
// must refuse them under. Every other transition must pass. "input" is a
// release whose files no client can parse (trustc import refuses it too).
var realFlaws = map[string][]string{
	"production v10 → v11": {"nothing-disappears"}, // the GitHub TSA removed while trusted
	"production v11 → v12": {"waiting-period"},     // TSA trusted and signed to in one release
	"staging v9 → v10":     {"input"},              // signing_config.json without its mediaType
	"staging v12 → v13":    {"waiting-period"},     // TSA trusted and signed to in one release
	"staging v18 → v19":    {"input"},              // an invalid timestamp in trusted_root.json
	"staging v20 → v21":    {"waiting-period"},     // log2025-alpha3 trusted and signed to in one release
	// log2025-alpha2 listed in the main file a week before its start
	// (sigstore-js signs to a listed log at once) and 12 days after its
	// declared trust start, under the 14-day floor import writes; v19, the
	// base, is unreadable, so only the declared dates judge it.
	"staging v19 → v20": {"client-traps", "waiting-period"},
}

// cueFlaws are the transitions whose CUE route refuses other rules than
// realFlaws says: through CUE, trustc compiles the release of the
// publication day, which withholds a signing entry until its start
// (package asof), so sigstore-js is never sent to log2025-alpha2 early;
// the waiting period is still judged, in the release due at its start.
var cueFlaws = map[string][]string{
	"staging v19 → v20": {"waiting-period"},
}

// TestHistoryVerdicts checks every consecutive transition of Sigstore's
// published history (internal/published: production and staging, each
// release at the moment it was published) as a user types it: in DIR mode,
// "trustc check -base vNN vMM" on the two published directories, whose
// names differ; and through CUE, after "trustc import" of the new release,
// "trustc check -base vNN" on the imported repository. DIR mode is given
// the policy import writes (Sigstore's clients, a 7-day buffer). Both must give the
// same verdict, refuse exactly the real flaws (realFlaws) and pass the
// rest; the findings are compared with testdata/history.golden.
func TestHistoryVerdicts(t *testing.T) {
	t.Parallel() // the longest tests of the package; they share nothing
	if testing.Short() {
		t.Skip("imports and checks every published release")
	}
	data := refdata.Dir(t)
	var golden strings.Builder
	golden.WriteString("# trustc check on every published transition; regenerate with go test ./internal/cli -run TestHistoryVerdicts -update\n")
	for _, env := range []string{"production", "staging"} {
		rs := published.Releases(t, env)
		for i, next := range rs[1:] {
			prev := rs[i]
			name := fmt.Sprintf("%s v%d → v%d", env, prev.Version, next.Version)
			// The base's release time comes from its TUF metadata, as for
			// a user who passes only the two directories.
			times := []string{"-now", stamp(next.Published)}

			// DIR mode with the policy trustc import writes by default
			// (importer.DefaultPolicy), so that both routes judge alike.
			policy := []string{"-buffer", "7d"}
			for _, c := range importer.DefaultPolicy.Clients {
				policy = append(policy, "-client", c)
			}
			dirCode, dirOut := runCheckJSON(t, slices.Concat([]string{"check", "-base", prev.Dir}, times, policy, []string{next.Dir}))
			repo := treetest.CopyModule(t, "cue.mod", "schema")
			cueCode, cueOut := -1, []finding(nil)
			var stderr bytes.Buffer
			if code := Run(append([]string{"import", "-C", repo, "-env", env, "-allow-findings"}, trustFiles(t, next.Dir)...), &bytes.Buffer{}, &stderr); code != exitOK {
				cueCode, cueOut = code, []finding{{Severity: "error", Rule: "input", Message: strings.TrimSpace(stderr.String())}}
			} else {
				cueCode, cueOut = runCheckJSON(t, append([]string{"check", "-C", repo, "-base", prev.Dir}, times...))
			}

			fmt.Fprintf(&golden, "\n== %s (published %s)\n", name, stamp(next.Published))
			writeFindings(&golden, "dir", dirCode, dirOut, data, repo)
			writeFindings(&golden, "cue", cueCode, cueOut, data, repo)

			for _, route := range []struct {
				name string
				code int
				out  []finding
			}{{"DIR mode", dirCode, dirOut}, {"CUE after import", cueCode, cueOut}} {
				want := realFlaws[name]
				if w, ok := cueFlaws[name]; ok && route.name == "CUE after import" {
					want = w
				}
				got := blockingRules(route.out)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s, %s: rules refused (-want +got):\n%s", name, route.name, diff)
				}
				if wantCode := map[bool]int{true: exitFail, false: exitOK}[len(want) > 0]; route.code != wantCode {
					t.Errorf("%s, %s: exit %d, want %d", name, route.name, route.code, wantCode)
				}
			}
		}
	}
	goldenfile.Testdata(t, "history.golden", []byte(golden.String()))
}

type finding struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Path     string `json:"path"`
	Message  string `json:"message"`
	Fix      string `json:"fix"`
}

// runCheckJSON runs trustc check with -format json. A release that cannot
// be read at all gives no JSON; its message is the one finding.
func runCheckJSON(t *testing.T, args []string) (int, []finding) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(append(args, "-format", "json"), &stdout, &stderr)
	if stdout.Len() == 0 {
		return code, []finding{{Severity: "error", Rule: "input", Message: strings.TrimSpace(stderr.String())}}
	}
	var out []finding
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("trustc %s: %v\n%s", strings.Join(args, " "), err, stdout.String())
	}
	return code, out
}

// trustFiles lists the trust files of a published release directory, as a
// user would pass them to trustc import.
func trustFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for _, n := range []string{"trusted_root.json", "signing_config.json"} {
		if _, err := os.Stat(filepath.Join(dir, n)); err == nil {
			out = append(out, filepath.Join(dir, n))
		}
	}
	more, _ := filepath.Glob(filepath.Join(dir, "signing_config*.v0.2.json"))
	slices.Sort(more)
	return append(out, more...)
}

func blockingRules(fs []finding) []string {
	var out []string
	for _, f := range fs {
		if f.Severity == "error" {
			out = append(out, f.Rule)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func writeFindings(w *strings.Builder, route string, code int, fs []finding, data, repo string) {
	fmt.Fprintf(w, "%s: exit %d\n", route, code)
	// trustc import prints positions relative to the directory it runs in.
	cwd, _ := os.Getwd()
	rel, _ := filepath.Rel(cwd, data)
	clean := strings.NewReplacer(filepath.ToSlash(data)+"/history/", "", filepath.ToSlash(repo)+"/", "", data+"/history/", "", repo+"/", "", filepath.ToSlash(rel)+"/history/", "")
	for _, f := range fs {
		at := ""
		if f.File != "" {
			at = fmt.Sprintf(" %s:%d:%d", clean.Replace(f.File), f.Line, f.Column)
		}
		if f.Path != "" {
			at += " " + f.Path
		}
		msg := f.Message
		if f.Fix != "" {
			msg += "; " + f.Fix
		}
		fmt.Fprintf(w, "  %s %s%s: %s\n", f.Severity, f.Rule, at, clean.Replace(msg))
	}
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

package rehearsal

import (
	"fmt"
	"strings"
	"time"
)

// Report is what a rehearsal did and saw.
type Report struct {
	Started    time.Time
	Duration   time.Duration
	Builds     []Build
	ServicesUp time.Duration
	Services   []string
	Clients    []string
	// Missing lists clients that were not run, and why.
	Missing      []string
	InitCommand  string
	InitServices string
	Steps        []*StepResult
	RogueProbe   ProbeRun
	Unsafe       *UnsafeResult
	// Problems is every result that was not as expected.
	Problems []string
}

// StepResult is one release of the rollout.
type StepResult struct {
	N             int
	Title         string
	SigningConfig string
	Want          string
	Time          time.Time
	// CUE is what the step adds to the environment trustc init wrote.
	CUE    string
	Review string
	Probe  ProbeRun
	Runs   []*ClientRun
}

// ClientRun is one client at one step.
type ClientRun struct {
	Client      string
	SignedTo    string
	SignError   string
	SignTime    time.Duration
	Verified    int
	Total       int
	Failed      []string
	VerifyError string
	VerifyTime  time.Duration
}

// ProbeRun is one trustc probe.
type ProbeRun struct {
	Code           int
	Stdout, Stderr string
}

// UnsafeResult is the release that drops B from the trusted root.
type UnsafeResult struct {
	N           int
	Time        time.Time
	Refusal     string
	RefusalCode int
	Review      string
	Runs        []*ClientRun
}

// Summary is the report's last line.
func (r *Report) Summary() string {
	if len(r.Problems) == 0 {
		return fmt.Sprintf("rehearsal: %d steps, %d clients, all as expected", len(r.Steps), len(r.Clients))
	}
	return fmt.Sprintf("rehearsal: %d steps, %d clients, %d results not as expected", len(r.Steps), len(r.Clients), len(r.Problems))
}

// Markdown renders the report.
func (r *Report) Markdown() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	w("# trustc rehearsal\n\nStarted %s, took %s.\n\n", r.Started.UTC().Format(time.RFC3339), r.Duration.Round(time.Second))
	w("## Builds\n\n| program | version | built in |\n| --- | --- | --- |\n")
	for _, bd := range r.Builds {
		d := bd.Duration.Round(time.Second).String()
		if bd.Cached {
			d = "cached"
		}
		w("| %s | %s | %s |\n", bd.Tool.Package, bd.Tool.Version, d)
	}
	w("\n## Services (all on 127.0.0.1, TLS from a throwaway CA; up in %s)\n\n", r.ServicesUp.Round(time.Millisecond))
	for _, s := range r.Services {
		w("- %s\n", s)
	}
	w("\nNo CT log runs (tesseract was not tried): Fulcio issues certificates without SCTs, and every verifier is told not to require them.\n")
	w("\nClients: %s.\n", strings.Join(r.Clients, ", "))
	for _, m := range r.Missing {
		w("Not run: %s.\n", m)
	}
	w("\nThe environment was written by\n\n```\n%s\n```\n\nas\n\n```cue\n%s```\n", r.InitCommand, r.InitServices)

	w("\n## Rollout\n\nEach step is the next TUF version. Every client signs with the step's signing config, then verifies every bundle made so far by every client.\n\n")
	w("| step | release | client | signing config | log signed to (want) | bundles verified | sign, verify |\n| --- | --- | --- | --- | --- | --- | --- |\n")
	for _, s := range r.Steps {
		for _, c := range s.Runs {
			to := c.SignedTo
			if c.SignError != "" {
				to = "sign failed"
			}
			w("| %d | %s | %s | %s | %s (%s) | %s | %s, %s |\n", s.N, s.Title, c.Client, s.SigningConfig, to, s.Want, verified(c), secs(c.SignTime), secs(c.VerifyTime))
		}
	}
	if u := r.Unsafe; u != nil {
		for _, c := range u.Runs {
			w("| %d | unsafe: B dropped from the trusted root | %s | (verifies only) | — | %s | —, %s |\n", u.N, c.Client, verified(c), secs(c.VerifyTime))
		}
	}
	w("\n## Probes\n\n")
	for _, s := range r.Steps {
		w("Step %d: trustc probe exit %d.\n\n%s\n", s.N, s.Probe.Code, s.Probe.Stdout)
	}
	w("Against log C, whose key is not A's, served under A's name: exit %d.\n\n%s\n```\n%s```\n", r.RogueProbe.Code, r.RogueProbe.Stdout, r.RogueProbe.Stderr)
	if u := r.Unsafe; u != nil {
		w("\n## The unsafe release\n\ntrustc generate refused it (exit %d):\n\n```\n%s```\n\nForced through (the previous release removed, so no rule compares against it) and published as TUF version %d, bundles in log B fail and bundles in A still verify:\n\n", u.RefusalCode, u.Refusal, u.N)
		for _, c := range u.Runs {
			for _, f := range c.Failed {
				w("- %s: %s\n", c.Client, f)
			}
		}
		w("\n<details><summary>trustc diff of the forced release</summary>\n\n%s\n</details>\n", u.Review)
	}
	w("\n## Reviews (trustc diff of each step)\n\n")
	for _, s := range r.Steps {
		w("<details><summary>Step %d: %s</summary>\n\nenvironments/lab/rollout.cue:\n\n```cue\n%s```\n\n%s\n</details>\n\n", s.N, s.Title, s.CUE, s.Review)
	}
	if len(r.Problems) > 0 {
		w("## Not as expected\n\n")
		for _, p := range r.Problems {
			w("- %s\n", p)
		}
		w("\n")
	}
	w("%s\n", r.Summary())
	return b.String()
}

func verified(c *ClientRun) string {
	if c.VerifyError != "" {
		return "could not verify: " + c.VerifyError
	}
	return fmt.Sprintf("%d/%d", c.Verified, c.Total)
}

func secs(d time.Duration) string { return fmt.Sprintf("%.1fs", d.Seconds()) }

package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	cueerrors "cuelang.org/go/cue/errors"

	"github.com/trustc-dev/trustc/compiler/model"
)

// problem is one reported problem in machine-readable form.
type problem struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Column   int    `json:"column,omitempty"`
	Path     string `json:"path,omitempty"`
	Message  string `json:"message"`
	Fix      string `json:"fix,omitempty"`
}

// problems flattens err into problems, positions relative to root.
func problems(err error, root string) []problem {
	var out []problem
	for _, e := range model.Problems(err) {
		p := problem{Rule: e.Rule, Severity: e.Severity.String(), Path: strings.Join(e.Path(), "."), Message: e.Message, Fix: e.Fix}
		if pos := e.Position(); pos.IsValid() {
			pp := pos.Position()
			p.File = relPath(root, pp.Filename)
			p.Line, p.Column = pp.Line, pp.Column
		}
		out = append(out, p)
	}
	return out
}

func relPath(root, path string) string {
	if rel, err := filepath.Rel(root, path); err == nil && !strings.HasPrefix(rel, "..") {
		path = rel
	}
	return filepath.ToSlash(path)
}

// report prints err in the chosen format: text (headline and one problem
// per entry with its position, as CUE prints errors), json (an array of
// problems, on stdout: it is the command's data) or github (workflow
// commands that GitHub Actions shows on the pull request's lines). It is
// the one printer of problems.
func report(stdout, stderr io.Writer, format, headline string, err error, root string) {
	switch format {
	case "json":
		ps := problems(err, root)
		if ps == nil {
			ps = []problem{}
		}
		b, _ := json.MarshalIndent(ps, "", "  ")
		fmt.Fprintf(stdout, "%s\n", b)
	case "github":
		for _, p := range problems(err, root) {
			msg := p.Message
			if p.Fix != "" {
				msg += "; " + p.Fix
			}
			if p.Path != "" {
				msg = p.Path + ": " + msg
			}
			cmd := map[string]string{"error": "error", "warning": "warning", "note": "notice"}[p.Severity]
			fmt.Fprintf(stderr, "::%s file=%s,line=%d,col=%d,title=trustc %s::%s\n", cmd, ghEscapeProp(p.File), p.Line, p.Column, p.Rule, ghEscape(msg))
		}
	default:
		printErr(stderr, headline, err, root)
	}
}

// printErr prints a headline that counts errors and warnings, then every
// problem in err, one per line with its CUE file:line:col relative to root.
func printErr(w io.Writer, headline string, err error, root string) {
	if err == nil {
		return
	}
	fmt.Fprintf(w, "%s: %s:\n", headline, counts(model.Problems(err)))
	details := cueerrors.Details(err, &cueerrors.Config{Cwd: root, ToSlash: true})
	for _, line := range strings.SplitAfter(details, "\n") {
		if line != "" {
			fmt.Fprint(w, "  "+line)
		}
	}
}

// counts says "2 errors, 1 warning" (and the notes, when there are any).
func counts(ps []*model.Problem) string {
	n := map[model.Severity]int{}
	for _, p := range ps {
		n[p.Severity]++
	}
	plural := func(k int, what string) string {
		if k == 1 {
			return "1 " + what
		}
		return fmt.Sprintf("%d %ss", k, what)
	}
	s := plural(n[model.Error], "error") + ", " + plural(n[model.Warning], "warning")
	if n[model.Note] > 0 {
		s += ", " + plural(n[model.Note], "note")
	}
	return s
}

// GitHub workflow commands escape %, CR and LF in messages, and also ':'
// and ',' in properties.
func ghEscape(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func ghEscapeProp(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

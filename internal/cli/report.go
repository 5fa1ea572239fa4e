package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	cueerrors "cuelang.org/go/cue/errors"

	"github.com/trustc-dev/trustc/compiler/check"
)

// problem is one reported problem in machine-readable form.
type problem struct {
	Rule    string `json:"rule"`
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

// problems flattens err into problems, positions relative to root.
func problems(err error, root string) []problem {
	var out []problem
	for _, e := range cueerrors.Errors(err) {
		p := problem{Path: strings.Join(e.Path(), ".")}
		format, args := e.Msg()
		p.Message = fmt.Sprintf(format, args...)
		if v, ok := e.(*check.Violation); ok {
			p.Rule, p.Message = v.Rule, v.Message
		} else {
			p.Rule = "input"
			for _, r := range check.Rules {
				if rest, ok := strings.CutPrefix(p.Message, r+": "); ok {
					p.Rule, p.Message = r, rest
				}
			}
		}
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
// problems) or github (workflow-command annotations that GitHub Actions
// shows on the pull request's lines).
func report(w io.Writer, format, headline string, err error, root string) {
	switch format {
	case "json":
		ps := problems(err, root)
		if ps == nil {
			ps = []problem{}
		}
		b, _ := json.MarshalIndent(ps, "", "  ")
		fmt.Fprintf(w, "%s\n", b)
	case "github":
		for _, p := range problems(err, root) {
			msg := p.Message
			if p.Path != "" {
				msg = p.Path + ": " + msg
			}
			fmt.Fprintf(w, "::error file=%s,line=%d,col=%d,title=trustc %s::%s\n", ghEscapeProp(p.File), p.Line, p.Column, p.Rule, ghEscape(msg))
		}
	default:
		printErr(w, headline, err, root)
	}
}

// GitHub workflow commands escape %, CR and LF in messages, and also ':'
// and ',' in properties.
func ghEscape(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func ghEscapeProp(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

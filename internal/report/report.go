package report

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"

	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/internal/errlist"
)

// Problem is one problem in machine-readable form, as -format json prints
// it. File is relative to the root the problems were listed against.
type Problem struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Column   int    `json:"column,omitempty"`
	Path     string `json:"path,omitempty"`
	Message  string `json:"message"`
	Fix      string `json:"fix,omitempty"`
}

// entry is a problem with every position it names: its own first, then
// the other places a CUE conflict involves, as errors.Positions lists them.
type entry struct {
	*model.Problem
	at []token.Pos
	// file is at[0]'s file as printed (see shown).
	file string
}

// entries flattens err into problems, duplicates dropped as
// errors.Sanitize drops them, and ordered by file relative to root, then
// offset in it, then as Sanitize orders them (by path and message); a
// problem without a position comes first, as in Sanitize. Sanitize alone
// orders by absolute file name, so problems in two directories (a head in
// one, its base in another) would come out in an order that depends on
// where each directory lies on the machine; the relative name is what is
// printed and does not. Every format lists these, so text, json and github
// show the same problems in the same order.
func entries(err error, root string) []entry {
	errs := cueerrors.Errors(cueerrors.Sanitize(errlist.Join(cueerrors.Errors(err))))
	out := make([]entry, 0, len(errs))
	rel := map[string]string{} // problems crowd into few files
	for _, e := range errs {
		en := entry{Problem: model.ProblemOf(e), at: cueerrors.Positions(e)}
		if len(en.at) > 0 {
			name := en.at[0].Filename()
			r, ok := rel[name]
			if !ok {
				r = shown(root, name)
				rel[name] = r
			}
			en.file = r
		}
		out = append(out, en)
	}
	slices.SortStableFunc(out, entry.compare)
	return out
}

// compare orders a before b by file as printed, then offset; without a
// position, first.
func (a entry) compare(b entry) int {
	if len(a.at) == 0 || len(b.at) == 0 {
		return cmp.Compare(min(len(a.at), 1), min(len(b.at), 1))
	}
	if c := strings.Compare(a.file, b.file); c != 0 {
		return c
	}
	return cmp.Compare(a.at[0].Offset(), b.at[0].Offset())
}

// Problems lists the problems in err, positions relative to root.
func Problems(err error, root string) []Problem {
	var out []Problem
	for _, e := range entries(err, root) {
		p := Problem{Rule: e.Rule, Severity: e.Severity.String(), Path: strings.Join(e.Path(), "."), Message: e.Message, Fix: e.Fix}
		if len(e.at) > 0 {
			pp := e.at[0].Position()
			p.File = Rel(root, pp.Filename)
			p.Line, p.Column = pp.Line, pp.Column
		}
		out = append(out, p)
	}
	return out
}

// Rel is path relative to root and slash-separated, or path itself when it
// lies outside root.
func Rel(root, path string) string {
	if rel, err := filepath.Rel(root, path); err == nil && !strings.HasPrefix(rel, "..") {
		path = rel
	}
	return filepath.ToSlash(path)
}

// Text prints a headline that counts errors and warnings, then each
// problem in err indented beneath it (see Lines). Nothing for no error.
func Text(w io.Writer, headline string, err error, root string) {
	if err == nil {
		return
	}
	es := entries(err, root)
	fmt.Fprintf(w, "%s: %s:\n", headline, counts(es))
	lines(w, "  ", es, root)
}

// Lines prints each problem in err on one line, after indent, in the
// layout of compilers and go vet, which editors' problem matchers read:
//
//	FILE:LINE:COL: PATH: MESSAGE
//
// FILE relative to root as cue prints it (./environments/...). A problem
// without a position drops "FILE:LINE:COL: ", one without a path drops
// "PATH: ". The message carries the severity (unless error), the rule
// (unless input) and the fix. Each further position of the problem (a CUE
// conflict names every value involved) follows on its own line, indented.
func Lines(w io.Writer, indent string, err error, root string) {
	lines(w, indent, entries(err, root), root)
}

func lines(w io.Writer, indent string, es []entry, root string) {
	for _, e := range es {
		var b strings.Builder
		b.WriteString(indent)
		if len(e.at) > 0 {
			b.WriteString(where(e.at[0], root) + ": ")
		}
		if path := strings.Join(e.Path(), "."); path != "" {
			b.WriteString(path + ": ")
		}
		b.WriteString(e.Error())
		b.WriteString("\n")
		for i := 1; i < len(e.at); i++ {
			b.WriteString(indent + "    " + where(e.at[i], root) + "\n")
		}
		io.WriteString(w, b.String())
	}
}

// where is pos as FILE:LINE:COL, FILE as shown names it.
func where(pos token.Pos, root string) string {
	pp := pos.Position()
	file := shown(root, pp.Filename)
	switch {
	case !pp.IsValid():
		return file
	case file == "":
		return fmt.Sprintf("%d:%d", pp.Line, pp.Column)
	}
	return fmt.Sprintf("%s:%d:%d", file, pp.Line, pp.Column)
}

// shown is file as the text format names it: relative to root and
// starting with "." as errors.Print writes it (editors such as VS Code
// link a path only when it does), or absolute when no relative name exists
// (another volume).
func shown(root, file string) string {
	if rel, err := filepath.Rel(root, file); err == nil {
		file = rel
		// Outside root it starts with "..", which is marked already; a
		// name inside that starts with a dot (.trustc-tmp-…) is not.
		if rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			file = "." + string(filepath.Separator) + rel
		}
	}
	return filepath.ToSlash(file)
}

// counts says "2 errors, 1 warning" (and the notes, when there are any).
func counts(es []entry) string {
	n := map[model.Severity]int{}
	for _, e := range es {
		n[e.Severity]++
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

// JSON prints the problems in err as a JSON array ([] for none).
func JSON(w io.Writer, err error, root string) {
	ps := Problems(err, root)
	if ps == nil {
		ps = []Problem{}
	}
	b, _ := json.MarshalIndent(ps, "", "  ")
	fmt.Fprintf(w, "%s\n", b)
}

// GitHub prints the problems in err as workflow commands, which GitHub
// Actions shows on the pull request's lines.
func GitHub(w io.Writer, err error, root string) {
	for _, p := range Problems(err, root) {
		msg := p.Message
		if p.Fix != "" {
			msg += "; " + p.Fix
		}
		if p.Path != "" {
			msg = p.Path + ": " + msg
		}
		cmd := map[string]string{"error": "error", "warning": "warning", "note": "notice"}[p.Severity]
		fmt.Fprintf(w, "::%s file=%s,line=%d,col=%d,title=trustc %s::%s\n", cmd, ghEscapeProp(p.File), p.Line, p.Column, p.Rule, ghEscape(msg))
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

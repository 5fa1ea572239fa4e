package importer

import (
	"fmt"
	"strings"

	"cuelang.org/go/cue/errors"

	"github.com/trustc-dev/trustc/compiler/load"
	"github.com/trustc-dev/trustc/compiler/model"
)

// InputError is every problem found in the inputs, each a model.Problem
// (rule "input") at its file:line:col and JSON path, as trustc check
// reports problems in published JSON. A flag of trustc init has no
// position: its problem names the flag.
type InputError struct {
	Problems errors.Error
}

func (e *InputError) Error() string {
	var lines []string
	for _, p := range model.Problems(e.Problems) {
		line := p.Error()
		if path := p.Src.String(); path != "" {
			line = path + ": " + line
		}
		if pos := p.Position(); pos.IsValid() {
			line = pos.String() + ": " + line
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// errs collects input problems. files are the parsed inputs by the name
// the caller gave, which positions a problem at a JSON path of one.
type errs struct {
	list  errors.Error
	files map[string]*load.JSONFile
}

func newErrs() *errs { return &errs{files: map[string]*load.JSONFile{}} }

// add records a problem at path of file. A file that is no parsed input (a
// flag of trustc init, or several files at once) has no position: the
// message names it.
func (c *errs) add(file, path, format string, args ...any) {
	if f := c.files[file]; f != nil {
		c.append(f.Src(path).Errorf(format, args...))
		return
	}
	msg := fmt.Sprintf(format, args...)
	if path != "" {
		msg = path + ": " + msg
	}
	c.append(model.Src{}.Errorf("%s: %s", file, msg))
}

// src is where path of file is; nothing for a file that is no parsed input.
func (c *errs) src(file, path string) model.Src {
	if f := c.files[file]; f != nil {
		return f.Src(path)
	}
	return model.Src{}
}

func (c *errs) append(err error) { c.list = errors.Append(c.list, errors.Promote(err, "")) }

func (c *errs) err() error {
	if c.list == nil {
		return nil
	}
	return &InputError{Problems: c.list}
}

// FindingsError is returned when the imported environment breaks policy
// (compiler.Compile reports something) and findings were not allowed. Callers
// branch on it to suggest -allow-findings.
type FindingsError struct {
	// Findings are the compiler's errors, each with its CUE path.
	Findings errors.Error
}

func (e *FindingsError) Error() string {
	return fmt.Sprintf("the environment breaks %d policy rule(s)", len(errors.Errors(e.Findings)))
}

// Describe renders one finding as "path: message", without the position:
// positions point into files compiled as an overlay, not written yet.
func Describe(e errors.Error) string {
	format, args := e.Msg()
	msg := fmt.Sprintf(format, args...)
	if p := e.Path(); len(p) > 0 {
		return strings.Join(p, ".") + ": " + msg
	}
	return msg
}

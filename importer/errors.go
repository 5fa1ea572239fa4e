package importer

import (
	"fmt"
	"strings"

	"cuelang.org/go/cue/errors"
)

// Error is a problem in one input file, at a JSON path such as
// "tlogs[1].publicKey.rawBytes". A flag of trustc init counts as a file,
// named after the flag.
type Error struct {
	File string
	Path string // empty for the whole file
	Msg  string
}

func (e *Error) Error() string {
	if e.Path == "" {
		return e.File + ": " + e.Msg
	}
	return e.File + ": " + e.Path + ": " + e.Msg
}

// Errors is every problem found in the inputs, in file order and, within a
// file, in document order.
type Errors []*Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// errs collects input problems.
type errs struct{ list Errors }

func (c *errs) add(file, path, format string, args ...any) {
	c.list = append(c.list, &Error{File: file, Path: path, Msg: fmt.Sprintf(format, args...)})
}

func (c *errs) err() error {
	if len(c.list) == 0 {
		return nil
	}
	return c.list
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

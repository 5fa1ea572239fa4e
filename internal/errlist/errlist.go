// Package errlist collects cue/errors problems in linear time.
//
// cue/errors.Append checks that the error is not already in the list
// (slices.Contains) before appending it, so collecting n problems one at a
// time costs n²/2 comparisons: 100k problems took 50 s on the shared
// machine, and an import reporting that many policy findings runs the
// checks three times. List appends to a plain slice and turns it into
// cue/errors' own list type once, at the end, so errors.Errors,
// errors.Sanitize and errors.Print treat the result exactly as they treat
// a list built by Append.
//
// TODO(net): report the quadratic Append upstream (cuelang.org/go
// cue/errors appendToList) and drop this package once it is linear.
package errlist

import (
	"reflect"

	"cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"
)

// List is a list of problems being collected; the zero value is empty.
type List struct {
	errs []errors.Error
}

// Add appends err, or each problem in it if it is a list; nil adds
// nothing.
func (l *List) Add(err errors.Error) {
	if err == nil {
		return
	}
	l.errs = append(l.errs, errors.Errors(err)...)
}

// Err returns the problems as one cue/errors.Error: nil for none, the
// problem itself for one, a cue/errors list otherwise.
func (l *List) Err() errors.Error {
	return Join(l.errs)
}

// listType is cue/errors' unexported list type, []errors.Error
// underneath, learnt from a list Append builds.
var listType = reflect.TypeOf(errors.Append(errors.Newf(token.NoPos, "a"), errors.Newf(token.NoPos, "b")))

// Join makes one cue/errors.Error of errs, as repeated errors.Append
// would (without its check for the same error twice, which Sanitize
// does by position, path and message), in time linear in len(errs).
func Join(errs []errors.Error) errors.Error {
	switch len(errs) {
	case 0:
		return nil
	case 1:
		return errs[0]
	}
	if listType.Kind() != reflect.Slice || !reflect.TypeOf(errs).ConvertibleTo(listType) {
		// cue/errors changed its list type; fall back to the slow path.
		var out errors.Error
		for _, e := range errs {
			out = errors.Append(out, e)
		}
		return out
	}
	return reflect.ValueOf(append([]errors.Error(nil), errs...)).Convert(listType).Interface().(errors.Error)
}

package importer

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/trustc-dev/trustc/internal/text"
)

// The importer reads JSON twice. protojson decides what a file means, as
// every Sigstore client does, but its errors name a line and column
// ("proto: (line 12:7): invalid value for bytes field rawBytes"), not the
// field a person has to fix. So a file is first walked as a JSON tree
// against the message descriptor, which reports each problem at its JSON
// path; protojson then parses what the walk accepted.

type jsonKind int

const (
	jsonNull jsonKind = iota
	jsonBool
	jsonNumber
	jsonString
	jsonArray
	jsonObject
)

func (k jsonKind) String() string {
	return [...]string{"null", "a boolean", "a number", "a string", "an array", "an object"}[k]
}

// jsonNode is a JSON value that keeps its object keys in document order.
type jsonNode struct {
	kind  jsonKind
	text  string // string value, or number literal
	keys  []string
	elems []*jsonNode // object values (parallel to keys) or array elements
}

func (n *jsonNode) member(key string) *jsonNode {
	for i, k := range n.keys {
		if k == key {
			return n.elems[i]
		}
	}
	return nil
}

// maxDepth bounds nesting. Every Sigstore file is at most six levels deep;
// the bound keeps hostile input from recursing without end.
const maxDepth = 32

// parseJSON reads exactly one JSON value. Errors say where, as line and
// column, since there is no path yet.
func parseJSON(data []byte) (*jsonNode, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	n, err := readValue(dec, 0)
	if err == nil {
		if _, extra := dec.Token(); extra != io.EOF {
			err = fmt.Errorf("data after the top-level value")
			if extra != nil {
				err = extra
			}
		}
	}
	if err != nil {
		return nil, positioned(data, dec, err)
	}
	return n, nil
}

func positioned(data []byte, dec *json.Decoder, err error) error {
	off := dec.InputOffset()
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		off = syn.Offset
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		err = errors.New("unexpected end of JSON input")
		off = int64(len(data))
	}
	line, col := 1, 1
	for _, b := range data[:min(int(off), len(data))] {
		if b == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Errorf("invalid JSON at line %d, column %d: %v", line, col, err)
}

func readValue(dec *json.Decoder, depth int) (*jsonNode, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("values nested more than %d deep", maxDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case nil:
		return &jsonNode{kind: jsonNull}, nil
	case bool:
		return &jsonNode{kind: jsonBool, text: strconv.FormatBool(t)}, nil
	case json.Number:
		return &jsonNode{kind: jsonNumber, text: string(t)}, nil
	case string:
		return &jsonNode{kind: jsonString, text: t}, nil
	case json.Delim:
		switch t {
		case '[':
			n := &jsonNode{kind: jsonArray}
			for dec.More() {
				e, err := readValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				n.elems = append(n.elems, e)
			}
			_, err := dec.Token()
			return n, err
		case '{':
			n := &jsonNode{kind: jsonObject}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := readValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, k.(string))
				n.elems = append(n.elems, v)
			}
			_, err := dec.Token()
			return n, err
		}
	}
	return nil, fmt.Errorf("unexpected %v", tok)
}

// walker checks a JSON tree against a message descriptor the way protojson
// reads it, reporting each problem at its path.
type walker struct {
	file string
	errs *errs
}

func (w *walker) fail(path, format string, args ...any) {
	w.errs.add(w.file, path, format, args...)
}

func join(path, key string) string {
	if !isJSONName(key) {
		key = strconv.Quote(key)
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

func isJSONName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

func (w *walker) message(n *jsonNode, md protoreflect.MessageDescriptor, path string) {
	if n.kind == jsonNull {
		return
	}
	if n.kind != jsonObject {
		w.fail(path, "want an object, got %s", n.kind)
		return
	}
	seen := map[protoreflect.FieldNumber]string{}
	for i, key := range n.keys {
		p := join(path, key)
		// protojson accepts a field by its JSON name or its proto name.
		fd := md.Fields().ByJSONName(key)
		if fd == nil {
			fd = md.Fields().ByTextName(key)
		}
		if fd == nil {
			w.fail(p, "unknown field (%s has %s); trustc reads only what it can reproduce", md.Name(), fieldNames(md))
			continue
		}
		if prev, dup := seen[fd.Number()]; dup {
			w.fail(p, "field given twice (also as %q)", prev)
			continue
		}
		seen[fd.Number()] = key
		w.field(n.elems[i], fd, p)
	}
}

func fieldNames(md protoreflect.MessageDescriptor) string {
	var names []string
	for i := range md.Fields().Len() {
		names = append(names, md.Fields().Get(i).JSONName())
	}
	return strings.Join(names, ", ")
}

func (w *walker) field(n *jsonNode, fd protoreflect.FieldDescriptor, path string) {
	if !fd.IsList() {
		w.singular(n, fd, path)
		return
	}
	if n.kind == jsonNull {
		return
	}
	if n.kind != jsonArray {
		w.fail(path, "want an array, got %s", n.kind)
		return
	}
	for i, e := range n.elems {
		if e.kind == jsonNull {
			w.fail(index(path, i), "null in a list")
			continue
		}
		w.singular(e, fd, index(path, i))
	}
}

const timestampName = "google.protobuf.Timestamp"

func (w *walker) singular(n *jsonNode, fd protoreflect.FieldDescriptor, path string) {
	if n.kind == jsonNull {
		return // protojson reads null as "not set"
	}
	want := func(k jsonKind) bool {
		if n.kind != k {
			w.fail(path, "want %s, got %s", k, n.kind)
			return false
		}
		return true
	}
	switch fd.Kind() {
	case protoreflect.MessageKind:
		if fd.Message().FullName() == timestampName {
			if want(jsonString) {
				if _, err := parseTimestamp(n.text); err != nil {
					w.fail(path, "%v", err)
				}
			}
			return
		}
		w.message(n, fd.Message(), path)
	case protoreflect.StringKind:
		want(jsonString)
	case protoreflect.BytesKind:
		if want(jsonString) {
			if _, err := decodeBase64(n.text); err != nil {
				w.fail(path, "not base64: %v", err)
			}
		}
	case protoreflect.BoolKind:
		want(jsonBool)
	case protoreflect.EnumKind:
		ed := fd.Enum()
		switch n.kind {
		case jsonString:
			if ed.Values().ByName(protoreflect.Name(n.text)) == nil {
				w.fail(path, "%q is not a %s", n.text, ed.Name())
			}
		case jsonNumber:
			if _, err := strconv.ParseInt(n.text, 10, 32); err != nil {
				w.fail(path, "%s is not a %s number", n.text, ed.Name())
			}
		default:
			w.fail(path, "want a %s name, got %s", ed.Name(), n.kind)
		}
	case protoreflect.Uint32Kind, protoreflect.Int32Kind, protoreflect.Uint64Kind, protoreflect.Int64Kind:
		// protojson also accepts integers written as strings.
		if n.kind != jsonNumber && n.kind != jsonString {
			w.fail(path, "want a number, got %s", n.kind)
			return
		}
		if err := checkInt(n.text, fd.Kind()); err != nil {
			w.fail(path, "%v", err)
		}
	default:
		w.fail(path, "field of kind %v is not supported", fd.Kind())
	}
}

func checkInt(text string, kind protoreflect.Kind) error {
	f, err := strconv.ParseFloat(text, 64)
	if err != nil || f != math.Trunc(f) {
		return fmt.Errorf("%q is not an integer", text)
	}
	lo, hi := float64(math.MinInt32), float64(math.MaxInt32)
	switch kind {
	case protoreflect.Uint32Kind:
		lo, hi = 0, math.MaxUint32
	case protoreflect.Uint64Kind:
		lo, hi = 0, math.MaxUint64
	case protoreflect.Int64Kind:
		lo, hi = math.MinInt64, math.MaxInt64
	}
	if f < lo || f > hi {
		return fmt.Errorf("%s is out of range for %v", text, kind)
	}
	return nil
}

// parseTimestamp reads a protojson Timestamp: RFC 3339, at most nine
// fractional digits, years 1 to 9999.
func parseTimestamp(s string) (time.Time, error) {
	t, err := text.ParseTime(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 timestamp like 2025-09-23T00:00:00Z", s)
	}
	if y := t.Year(); y < 1 || y > 9999 {
		return time.Time{}, fmt.Errorf("%q is outside the years 0001 to 9999", s)
	}
	if i := strings.IndexByte(s, '.'); i >= 0 {
		digits := strings.IndexFunc(s[i+1:], func(r rune) bool { return r < '0' || r > '9' })
		if digits > 9 {
			return time.Time{}, fmt.Errorf("%q has more than nine fractional digits", s)
		}
	}
	return t, nil
}

// decodeBase64 accepts what protojson accepts: standard or URL-safe
// alphabet, padded or not.
func decodeBase64(s string) ([]byte, error) {
	enc := base64.StdEncoding
	if strings.ContainsAny(s, "-_") {
		enc = base64.URLEncoding
	}
	if len(s)%4 != 0 {
		enc = enc.WithPadding(base64.NoPadding)
	}
	return enc.DecodeString(s)
}

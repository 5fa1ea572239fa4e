package load

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

	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"
	prototrustroot "github.com/sigstore/protobuf-specs/gen/pb-go/trustroot/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/internal/jsonpos"
	"github.com/trustc-dev/trustc/internal/text"
	"github.com/trustc-dev/trustc/release"
)

// Published JSON is read twice. protojson decides what a file means, as
// every Sigstore client does, but its errors name a line and column
// ("proto: (line 12:7): invalid value for bytes field rawBytes"), not the
// field a person has to fix, and it stops at the first. So a file is first
// walked as a JSON tree against the message descriptor, which reports every
// problem at its file:line:col and JSON path; protojson then parses what
// the walk accepted. trustc import reads its inputs this way, and trustc
// check explains a published file that does not parse with the same
// problems.

// JSONFile is one published file as ReadJSON decoded it: exactly one of
// TrustedRoot, SigningConfig and Legacy is set.
type JSONFile struct {
	// Name is the file's name in the release (trusted_root.json).
	Name string
	// Doc locates each JSON path of the file.
	Doc           *jsonpos.Doc
	TrustedRoot   *release.TrustedRootFile
	SigningConfig *release.SigningConfigFile
	Legacy        *release.LegacySigningConfigFile
}

// Src is where the value at a JSON path ("tlogs[1].publicKey") is: its
// file, line and column and the path; the empty path is the whole file.
func (f *JSONFile) Src(path string) model.Src {
	s := model.Src{Pos: f.Doc.Pos(path)}
	if path != "" {
		s.Path = []string{path}
	}
	return s
}

// ReadJSON decodes a published trust file, telling its kind by its
// mediaType, and reports every problem in it as a model.Problem at its
// file:line:col and JSON path. posName names the file in positions (an
// absolute path prints relative to the directory the user is in); name is
// the file's name in the release.
func ReadJSON(posName, name string, data []byte) (*JSONFile, error) {
	tree, err := parseJSON(posName, data)
	if err != nil {
		return nil, err
	}
	doc, err := jsonpos.New(posName, data)
	if err != nil {
		// parseJSON accepted it; jsonpos reads the same grammar.
		return nil, fmt.Errorf("index %s: %w", name, err)
	}
	f := &JSONFile{Name: name, Doc: doc}
	w := &walker{f: f}
	if tree.kind != jsonObject {
		w.fail("", "want a JSON object, got %s", tree.kind)
		return nil, w.errs
	}
	mt := tree.member("mediaType")
	if mt == nil || mt.kind != jsonString {
		w.fail("mediaType", "missing; every Sigstore trust file names its media type")
		return nil, w.errs
	}
	switch mt.text {
	case release.TrustedRootMediaType01Legacy, release.TrustedRootMediaType01, release.TrustedRootMediaType02:
		m := &prototrustroot.TrustedRoot{}
		if w.decode(tree, data, m) {
			f.TrustedRoot = &release.TrustedRootFile{Name: name, Bytes: data, Msg: m}
		}
	case release.SigningConfigMediaType02:
		m := &prototrustroot.SigningConfig{}
		if w.decode(tree, data, m) {
			f.SigningConfig = &release.SigningConfigFile{Name: name, Bytes: data, Msg: m}
		}
	case release.SigningConfigMediaType01:
		if m := w.legacy(tree); m != nil {
			f.Legacy = &release.LegacySigningConfigFile{Name: name, Bytes: data, Msg: m}
		}
	default:
		w.fail("mediaType", "unknown media type %q; want a trusted root (%s or %s), a signing config (%s) or a legacy signing config (%s)",
			mt.text, release.TrustedRootMediaType01Legacy, release.TrustedRootMediaType02, release.SigningConfigMediaType02, release.SigningConfigMediaType01)
	}
	if w.errs != nil {
		return nil, w.errs
	}
	return f, nil
}

// decode walks tree against m's descriptor, then parses it with protojson.
func (w *walker) decode(tree *jsonNode, data []byte, m proto.Message) bool {
	w.message(tree, m.ProtoReflect().Descriptor(), "")
	if w.errs != nil {
		return false
	}
	if err := protojson.Unmarshal(data, m); err != nil {
		// The walk mirrors protojson; anything it let through lands here.
		w.fail("", "%v", err)
		return false
	}
	return true
}

// legacy reads a v0.1 signing config, which protobuf-specs v0.5 no longer
// describes, field by field.
func (w *walker) legacy(tree *jsonNode) *release.LegacySigningConfig {
	m := &release.LegacySigningConfig{}
	str := func(n *jsonNode, p string) string {
		if n.kind != jsonString {
			w.fail(p, "want a string, got %s", n.kind)
		}
		return n.text
	}
	strs := func(n *jsonNode, p string) []string {
		if n.kind != jsonArray {
			w.fail(p, "want an array of strings, got %s", n.kind)
			return nil
		}
		var out []string
		for i, el := range n.elems {
			out = append(out, str(el, index(p, i)))
		}
		return out
	}
	seen := map[string]bool{}
	for i, k := range tree.keys {
		v, p := tree.elems[i], join("", k)
		if seen[k] {
			w.fail(p, "field given twice")
			continue
		}
		seen[k] = true
		switch k {
		case "mediaType":
			m.MediaType = str(v, p)
		case "caUrl":
			m.CAURL = str(v, p)
		case "oidcUrl":
			m.OIDCURL = str(v, p)
		case "tlogUrls":
			m.TlogURLs = strs(v, p)
		case "tsaUrls":
			m.TSAURLs = strs(v, p)
		default:
			w.fail(p, "unknown field (a v0.1 signing config has mediaType, caUrl, oidcUrl, tlogUrls, tsaUrls)")
		}
	}
	if w.errs != nil {
		return nil
	}
	return m
}

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

// parseJSON reads exactly one JSON value. Its error is a problem at the
// line and column where the JSON breaks, since there is no path yet.
func parseJSON(name string, data []byte) (*jsonNode, error) {
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
		return nil, positioned(name, data, dec, err)
	}
	return n, nil
}

func positioned(name string, data []byte, dec *json.Decoder, err error) error {
	off := dec.InputOffset()
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		off = syn.Offset
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		err = errors.New("unexpected end of JSON input")
		off = int64(len(data))
	}
	f := token.NewFile(name, -1, len(data))
	f.SetLinesForContent(data)
	return model.Src{Pos: f.Pos(min(int(off), len(data)), token.NoRelPos)}.Errorf("invalid JSON: %v", err)
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
	f    *JSONFile
	errs cueerrors.Error
}

func (w *walker) fail(path, format string, args ...any) {
	w.errs = cueerrors.Append(w.errs, w.f.Src(path).Errorf(format, args...))
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

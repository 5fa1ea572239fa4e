package emit

import (
	"bytes"
	"encoding/json"
	"fmt"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// Canonical returns m in trustc's canonical JSON form:
//
//   - protojson field names (lowerCamelCase) in proto declaration order,
//     unset fields omitted;
//   - enums by name, bytes as standard padded base64;
//   - timestamps as RFC 3339 UTC with 0, 3, 6 or 9 fractional digits, the
//     fewest that keep the value ("…:27Z", "…:59.999Z");
//   - two-space indentation, `"key": value`, one value per line, and a
//     trailing newline.
//
// protojson deliberately randomises its whitespace so that nobody depends
// on it, so its output is compacted and re-indented here: the bytes then
// depend only on the message.
func Canonical(m proto.Message) ([]byte, error) {
	raw, err := protojson.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("marshal %s: %w", m.ProtoReflect().Descriptor().FullName(), err)
	}
	return indent(raw)
}

// indent re-indents any JSON document into the canonical layout,
// keeping its key order. json.Indent drops the whitespace between tokens
// itself, so one pass does it; only whitespace after the document, which
// Indent keeps, is trimmed first.
func indent(raw []byte) ([]byte, error) {
	var out bytes.Buffer
	out.Grow(2*len(raw) + 1)
	if err := json.Indent(&out, bytes.TrimRight(raw, " \t\r\n"), "", "  "); err != nil {
		return nil, fmt.Errorf("indent json: %w", err)
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

package doc

import (
	"encoding/json"
	"fmt"
)

// Formats are the formats every report renders in.
var Formats = []string{"markdown", "text", "json"}

// Render renders a report in format: its document, which d builds, as
// Markdown or text, or its data v as indented JSON with a trailing
// newline. what names the report in errors ("review").
func Render(format, what string, d func() *Doc, v any) ([]byte, error) {
	switch format {
	case "markdown":
		return d().Markdown(), nil
	case "text":
		return d().Text(), nil
	case "json":
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return nil, fmt.Errorf("render %s: %w", what, err)
		}
		return append(b, '\n'), nil
	}
	return nil, fmt.Errorf("render %s: unknown format %q (want markdown, text or json)", what, format)
}

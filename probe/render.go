package probe

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Formats are the output formats Render accepts.
var Formats = []string{"markdown", "json"}

// Render writes the report as markdown (a table, one row per service) or
// as JSON.
func (r *Report) Render(format string) ([]byte, error) {
	switch format {
	case "json":
		b, err := json.MarshalIndent(r, "", "  ")
		if err != nil {
			return nil, err
		}
		return append(b, '\n'), nil
	case "markdown":
		var buf bytes.Buffer
		fmt.Fprintf(&buf, "## probe: %s at %s\n\n", r.Env, r.Time.UTC().Format(time.RFC3339))
		buf.WriteString("| kind | name | url | check | status | detail |\n| --- | --- | --- | --- | --- | --- |\n")
		fails := 0
		for _, x := range r.Results {
			if x.Status == Fail {
				fails++
			}
			fmt.Fprintf(&buf, "| %s | %s | %s | %s | %s | %s |\n", x.Kind, cell(x.Name), cell(x.URL), x.Check, x.Status, cell(x.Detail))
		}
		if fails == 0 {
			fmt.Fprintf(&buf, "\n%d services probed, all match the release\n", len(r.Results))
		} else {
			fmt.Fprintf(&buf, "\n%d services probed, %d do not match the release\n", len(r.Results), fails)
		}
		return buf.Bytes(), nil
	}
	return nil, fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats, " or "))
}

// cell escapes what would break a markdown table row.
func cell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

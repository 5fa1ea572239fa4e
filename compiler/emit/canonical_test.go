package emit

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestIndent checks that the layout depends only on the tokens: protojson
// varies its whitespace from build to build, and the legacy encoder ends
// with a newline.
func TestIndent(t *testing.T) {
	const want = "{\n  \"a\": [\n    1,\n    {}\n  ],\n  \"b\": \"x : y, z\",\n  \"c\": []\n}\n"
	for _, tc := range []struct {
		name string
		in   string
	}{
		{"compact", `{"a":[1,{}],"b":"x : y, z","c":[]}`},
		{"protojson spacing", `{"a": [1, {}], "b":"x : y, z",  "c":[ ]}`},
		{"already indented", want},
		{"encoder newline", "{\"a\":[1,{}],\"b\":\"x : y, z\",\"c\":[]}\n"},
		{"surrounding whitespace", " \n\t{\"a\":[1,{ }],\"b\":\"x : y, z\",\"c\":[]} \r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := indent([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, string(got)); diff != "" {
				t.Errorf("indent (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := indent([]byte(`{"a":`)); err == nil {
		t.Error("indent accepted truncated JSON")
	}
}

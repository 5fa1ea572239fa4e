package doc

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPrinters(t *testing.T) {
	gantt := func() string { return "gantt\n" }
	for _, tc := range []struct {
		name           string
		doc            Doc
		markdown, text string
	}{
		{
			name: "title, alert after it, section",
			doc: Doc{Blocks: []Block{
				Heading{Level: 2, Text: Line("prod at T")},
				Alert{Kind: "WARNING", Items: []Inline{Line(OnlyMarkdown(Strong("Diverge."), " See below."), OnlyText("DIVERGE"))}},
				Heading{Level: 3, Text: Line("Signing")},
				Para{Text: Line("CA ", Code("a`b"), OnlyMarkdown("."))},
			}},
			markdown: "## prod at T\n\n> [!WARNING]\n> **Diverge.** See below.\n\n### Signing\n\nCA `a'b`.\n",
			text:     "prod at T\n\n!!! DIVERGE\n\nSigning\n  CA a`b\n",
		},
		{
			name: "title only Markdown has",
			doc: Doc{Blocks: []Block{
				Heading{Level: 2, Text: Line(OnlyMarkdown("review"))},
				Para{Text: Line("Summary.")},
				Alert{Kind: "CAUTION", Items: []Inline{Line("1 warning. Marked ", WarnMark(), " below.")}},
				List{Loose: true, Items: []Item{{Mark: Warn, Text: Line("a")}, {Text: Line("b")}}},
			}},
			markdown: "## review\n\nSummary.\n\n> [!CAUTION]\n> 1 warning. Marked ⚠ below.\n\n- ⚠ a\n\n- b\n",
			text:     "Summary.\n!!! 1 warning. Marked !!! below.\n!!! a\nb\n",
		},
		{
			name: "nested items, titled list, details",
			doc: Doc{Blocks: []Block{
				Heading{Level: 3, Text: Line("env")},
				Heading{Level: 4, Text: Line(Code("f"), ": changed", OnlyMarkdown(", 1 change"))},
				List{Items: []Item{{Text: Line(Strong("Added ", Code("x"))), Sub: []Item{
					{Mark: Weak, Text: Line("old")},
					{Only: MarkdownOnly, Text: Line("Fields: a; b")},
					{Only: TextOnly, Text: Line("| a")},
				}}}},
				List{Title: Line("Clients:"), Items: []Item{{Text: Line(Strong("Always:")), Sub: []Item{{Text: Line("same")}}}}},
				Details{Level: 3, Summary: Line("Timeline", OnlyMarkdown(" of windows"), OnlyText(":")), Mermaid: gantt, Items: []Item{{Text: Line("note")}}},
				Details{Level: 3, Summary: Line("Empty"), Mermaid: gantt},
			}},
			markdown: "### env\n\n#### `f`: changed, 1 change\n\n- **Added `x`**\n  - ⚠ old\n  - Fields: a; b\n\nClients:\n\n- **Always:**\n  - same\n" +
				"\n<details open><summary>Timeline of windows</summary>\n\n```mermaid\ngantt\n```\n\n- note\n\n</details>\n" +
				"\n<details open><summary>Empty</summary>\n\n```mermaid\ngantt\n```\n\n\n</details>\n",
			text: "env\n\n  f: changed\n    Added x\n      ! old\n      | a\n    Clients:\n      Always:\n        same\n\n  Timeline:\n    note\n",
		},
		{
			name: "tables",
			doc: Doc{Blocks: []Block{
				Heading{Level: 3, Text: Line("T")},
				Table{Head: []Inline{Line(OnlyMarkdown("Client"), OnlyText("client")), Line("CA"), Line("TSA")}, Rows: []Row{
					{Cells: []Inline{Line("go"), Line("a|b"), Line("c")}},
					{Cells: []Inline{Line("js"), Line("refuses")}},
				}},
				Table{Marked: true, Head: []Inline{Line("entry")}, Rows: []Row{{Mark: Warn, Cells: []Inline{Line("x")}}, {Cells: []Inline{Line("long entry")}}}},
			}},
			markdown: "### T\n\n| Client | CA | TSA |\n| --- | --- | --- |\n| go | a\\|b | c |\n| js | refuses | |\n" +
				"\n| | entry |\n| --- | --- |\n| ⚠ | x |\n|  | long entry |\n",
			text: "T\n  client  CA       TSA\n  go      a|b      c\n  js      refuses  \n       entry\n  !!!  x\n       long entry\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.markdown, string(tc.doc.Markdown())); diff != "" {
				t.Errorf("Markdown (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.text, string(tc.doc.Text())); diff != "" {
				t.Errorf("Text (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRender(t *testing.T) {
	d := func() *Doc { return &Doc{Blocks: []Block{Para{Text: Line("p")}}} }
	for _, tc := range []struct {
		format, want, wantErr string
	}{
		{format: "markdown", want: "p\n"},
		{format: "text", want: "p\n"},
		{format: "json", want: "{\n  \"a\": 1\n}\n"},
		{format: "yaml", wantErr: `render thing: unknown format "yaml" (want markdown, text or json)`},
	} {
		t.Run(tc.format, func(t *testing.T) {
			got, err := Render(tc.format, "thing", d, map[string]int{"a": 1})
			if gotErr := fmt.Sprint(err); err != nil || tc.wantErr != "" {
				if gotErr != tc.wantErr {
					t.Fatalf("error = %s, want %s", gotErr, tc.wantErr)
				}
				return
			}
			if string(got) != tc.want {
				t.Errorf("Render(%s) = %q, want %q", tc.format, got, tc.want)
			}
		})
	}
}

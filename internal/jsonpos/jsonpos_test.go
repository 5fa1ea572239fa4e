package jsonpos

import (
	"testing"
)

func TestPos(t *testing.T) {
	doc := []byte("{\n  \"a\": [\n    {\"b\": 1},\n    {\"b\" : \"x\"}\n  ],\n  \"c\":true\n}\n")
	d, err := New("f.json", doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		path      string
		line, col int
	}{
		{"", 1, 1},
		{"a", 2, 8},
		{"a[0]", 3, 5},
		{"a[0].b", 3, 11},
		{"a[1].b", 4, 12},
		{"a[1].missing", 4, 5},
		{"c", 6, 7},
		{"nope.deeper", 1, 1},
	} {
		p := d.Pos(tc.path).Position()
		if p.Line != tc.line || p.Column != tc.col || p.Filename != "f.json" {
			t.Errorf("Pos(%q) = %s, want f.json:%d:%d", tc.path, p, tc.line, tc.col)
		}
	}
}

func TestBadJSON(t *testing.T) {
	for _, in := range []string{"", "{", `{"a":}`, "[1,"} {
		if _, err := New("f.json", []byte(in)); err == nil {
			t.Errorf("New(%q) succeeded", in)
		}
	}
}

// Package jsonpos maps JSON paths ("tlogs[1].publicKey.validFor.end") to
// positions in a JSON document, so that problems in published files are
// reported at a file, line and column like problems in CUE are.
package jsonpos

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"cuelang.org/go/cue/token"
)

// Doc is an indexed JSON document.
type Doc struct {
	file    *token.File
	data    []byte
	offsets map[string]int
}

// New indexes data, read from the file named name.
func New(name string, data []byte) (*Doc, error) {
	f := token.NewFile(name, -1, len(data))
	f.SetLinesForContent(data)
	d := &Doc{file: f, data: data, offsets: map[string]int{}}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := d.value(dec, ""); err != nil {
		return nil, fmt.Errorf("index %s: %w", name, err)
	}
	return d, nil
}

// Pos returns the position of the value at path, or of its nearest indexed
// ancestor, or of the document.
func (d *Doc) Pos(path string) token.Pos {
	for {
		if off, ok := d.offsets[path]; ok {
			return d.file.Pos(off, token.NoRelPos)
		}
		if path == "" {
			return d.file.Pos(0, token.NoRelPos)
		}
		path = parent(path)
	}
}

func parent(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		switch path[i] {
		case '.':
			return path[:i]
		case '[':
			return path[:i]
		}
	}
	return ""
}

// value records the offset of the value starting at the decoder's position.
func (d *Doc) value(dec *json.Decoder, path string) error {
	// InputOffset is the end of the previous token; the value starts after
	// any white space and a separating ':' or ','.
	start := int(dec.InputOffset())
	for start < len(d.data) && bytes.IndexByte([]byte(" \t\r\n:,"), d.data[start]) >= 0 {
		start++
	}
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return io.ErrUnexpectedEOF
		}
		return err
	}
	d.offsets[path] = start
	switch tok {
	case json.Delim('{'):
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return err
			}
			key, _ := kt.(string)
			child := key
			if path != "" {
				child = path + "." + key
			}
			if err := d.value(dec, child); err != nil {
				return err
			}
		}
		_, err = dec.Token()
		return err
	case json.Delim('['):
		for i := 0; dec.More(); i++ {
			if err := d.value(dec, path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
		_, err = dec.Token()
		return err
	}
	return nil
}

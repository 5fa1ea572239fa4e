package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"
	"github.com/google/go-cmp/cmp"

	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/internal/errlist"
)

// TestText: the text format, one problem a line, for every shape a
// problem takes: no position, one, several (a CUE conflict); a path or
// none; every severity counted in the headline.
func TestText(t *testing.T) {
	root := filepath.FromSlash("/repo")
	content := "{\n  \"tlogs\": [\n    {\"hashAlgorithm\": \"SHA2_999\"}\n  ]\n}\n"
	f := token.NewFile(filepath.Join(root, "pub", "trusted_root.json"), -1, len(content))
	f.SetLinesForContent([]byte(content))
	at := func(path string) model.Src {
		var p []string
		if path != "" {
			p = strings.Split(path, ".")
		}
		return model.Src{Pos: f.Pos(strings.Index(content, `"SHA2_999"`), token.NoRelPos), Path: p}
	}
	nowhere := func(path string) model.Src { s := at(path); s.Pos = token.NoPos; return s }
	conflict := cuecontext.New().CompileString("a: 1\na: 2\n", cue.Filename(filepath.Join(root, "environments", "x", "x.cue"))).Err()
	if conflict == nil {
		t.Fatal("CUE took a: 1 & 2")
	}
	outside := token.NewFile(filepath.FromSlash("/elsewhere/a.cue"), -1, 10)
	outside.SetLinesForContent([]byte("0123456789"))
	dotted := token.NewFile(filepath.Join(root, ".trustc-tmp-x"), -1, 10)
	dotted.SetLinesForContent([]byte("0123456789"))
	// A base release beside the root: absolutely it sorts after
	// /repo/pub/..., relatively (../srv/base/...) before it.
	base := token.NewFile(filepath.FromSlash("/srv/base/trusted_root.json"), -1, 10)
	base.SetLinesForContent([]byte("0123456789"))

	tests := []struct {
		name string
		errs []error
		want string
		// json is each problem as Problems lists it: "FILE:LINE:COL PATH
		// SEVERITY/RULE".
		json []string
	}{
		{
			name: "position and path",
			errs: []error{at("tlogs.0.hashAlgorithm").Errorf(`"SHA2_999" is not a HashAlgorithm`)},
			want: `check: 1 error, 0 warnings:
  ./pub/trusted_root.json:3:23: tlogs.0.hashAlgorithm: "SHA2_999" is not a HashAlgorithm
`,
			json: []string{"pub/trusted_root.json:3:23 tlogs.0.hashAlgorithm error/input"},
		},
		{
			name: "position, no path",
			errs: []error{at("").Rulef(model.RuleMaterial, "key too weak")},
			want: `check: 1 error, 0 warnings:
  ./pub/trusted_root.json:3:23: material: key too weak
`,
			json: []string{"pub/trusted_root.json:3:23  error/material"},
		},
		{
			name: "path, no position",
			errs: []error{nowhere("policy.buffer").Warnf(model.RuleWaitingPeriod, "buffer is short")},
			want: `check: 0 errors, 1 warning:
  policy.buffer: warning: waiting-period: buffer is short
`,
			json: []string{":0:0 policy.buffer warning/waiting-period"},
		},
		{
			name: "neither: a Go error promoted",
			errs: []error{cueerrors.Promote(errors.New("read golden: permission denied"), "")},
			want: `check: 1 error, 0 warnings:
  read golden: permission denied
`,
			json: []string{":0:0  error/input"},
		},
		{
			name: "several positions: the first in front, the others beneath",
			errs: []error{conflict},
			want: `check: 1 error, 0 warnings:
  ./environments/x/x.cue:1:4: a: conflicting values 2 and 1
      ./environments/x/x.cue:2:4
`,
			json: []string{"environments/x/x.cue:1:4 a error/input"},
		},
		{
			name: "outside the root: the path as it is",
			errs: []error{model.Src{Pos: outside.Pos(3, token.NoRelPos)}.Errorf("stray")},
			want: `check: 1 error, 0 warnings:
  ../elsewhere/a.cue:1:4: stray
`,
			// json names a file outside the root absolutely: a tool
			// resolves it without knowing the root.
			json: []string{"/elsewhere/a.cue:1:4  error/input"},
		},
		{
			name: "a name inside the root that starts with a dot",
			errs: []error{model.Src{Pos: dotted.Pos(0, token.NoRelPos)}.Errorf("a temporary tree")},
			want: `check: 1 error, 0 warnings:
  ./.trustc-tmp-x:1:1: a temporary tree
`,
			json: []string{".trustc-tmp-x:1:1  error/input"},
		},
		{
			name: "sorted by position, duplicates once, every severity counted",
			errs: []error{
				&model.Problem{Rule: model.RuleImmutable, Severity: model.Note, Src: nowhere("rekor"), Message: "base log id corrected", Fix: "nothing to do"},
				at("tlogs.0").Rulef(model.RuleWellFormed, "out of order"),
				nowhere("policy").Warnf(model.RuleClientTraps, "no client named"),
				at("tlogs.0").Rulef(model.RuleWellFormed, "out of order"),
			},
			want: `check: 1 error, 1 warning, 1 note:
  policy: warning: client-traps: no client named
  rekor: note: immutable: base log id corrected; nothing to do
  ./pub/trusted_root.json:3:23: tlogs.0: well-formed: out of order
`,
			json: []string{":0:0 policy warning/client-traps", ":0:0 rekor note/immutable", "pub/trusted_root.json:3:23 tlogs.0 error/well-formed"},
		},
		{
			name: "sorted by the file as printed, not where it lies on the machine",
			errs: []error{
				at("tlogs.0").Rulef(model.RuleWellFormed, "out of order"),
				model.Src{Pos: base.Pos(0, token.NoRelPos)}.Errorf("in the base release"),
			},
			want: `check: 2 errors, 0 warnings:
  ../srv/base/trusted_root.json:1:1: in the base release
  ./pub/trusted_root.json:3:23: tlogs.0: well-formed: out of order
`,
			json: []string{"/srv/base/trusted_root.json:1:1  error/input", "pub/trusted_root.json:3:23 tlogs.0 error/well-formed"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var list []cueerrors.Error
			for _, e := range tt.errs {
				list = append(list, cueerrors.Errors(e)...)
			}
			err := errlist.Join(list)
			var got bytes.Buffer
			Text(&got, "check", err, root)
			if diff := cmp.Diff(tt.want, got.String()); diff != "" {
				t.Errorf("Text (-want +got):\n%s", diff)
			}
			// json and github list the same problems, in the same
			// order, at the first position.
			var gotJSON []string
			for _, p := range Problems(err, root) {
				gotJSON = append(gotJSON, fmt.Sprintf("%s:%d:%d %s %s/%s", p.File, p.Line, p.Column, p.Path, p.Severity, p.Rule))
			}
			if diff := cmp.Diff(tt.json, gotJSON); diff != "" {
				t.Errorf("Problems (-want +got):\n%s", diff)
			}
		})
	}
}

// BenchmarkText prints 100,000 problems spread over a head and its base,
// in two directories, as a check of a large generated release lists them.
func BenchmarkText(b *testing.B) {
	const n = 100_000
	var list []cueerrors.Error
	for i, dir := range []string{"/repo", "/srv/base"} {
		content := strings.Repeat("0123456789\n", n)
		f := token.NewFile(filepath.FromSlash(dir+"/trusted_root.json"), -1, len(content))
		f.SetLinesForContent([]byte(content))
		for k := i; k < n; k += 2 {
			list = append(list, model.Src{Pos: f.Pos(11*(n-1-k), token.NoRelPos), Path: []string{"tlogs", fmt.Sprint(k)}}.Rulef(model.RuleWellFormed, "out of order"))
		}
	}
	err := errlist.Join(list)
	for b.Loop() {
		Text(io.Discard, "check", err, filepath.FromSlash("/repo"))
	}
}

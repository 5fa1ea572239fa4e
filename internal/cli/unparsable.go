package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	cueerrors "cuelang.org/go/cue/errors"

	"github.com/trustc-dev/trustc/compiler/load"
	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/internal/jsonpos"
	"github.com/trustc-dev/trustc/internal/safefile"
)

var (
	// parseErr is how release reports a published file it cannot parse:
	// "ENV: parse FILE: REASON".
	parseErr = regexp.MustCompile(`^(?:(\S+): )?parse (\S+): (.*)$`)
	// protoAt is protojson's position of the value it rejects (protobuf-go
	// writes its prefix with a space or a no-break space, at random).
	protoAt = regexp.MustCompile(`^proto:[\s\x{00a0}]*\(line (\d+):(\d+)\):[\s\x{00a0}]*(.*)$`)
)

// unparsable turns a published file that does not parse (release.Read's
// error) into problems at its file and, where protojson refuses a value,
// every problem the reader of published JSON finds, each at its line,
// column and JSON path: staging v19's invalid timestamp is
// trusted_root.json:26:18 tlogs[1].publicKey.validFor.end. ok is false for
// errors of another kind (a missing directory).
func unparsable(dir string, err error, sev model.Severity) ([]*model.Problem, bool) {
	m := parseErr.FindStringSubmatch(err.Error())
	if m == nil {
		return nil, false
	}
	env, file, reason := m[1], m[2], m[3]
	path := filepath.Join(dir, file)
	if _, serr := os.Stat(path); serr != nil && env != "" {
		path = filepath.Join(dir, env, file)
	}
	p := &model.Problem{Rule: model.RuleInput, Severity: sev, Message: "parse " + file + ": " + reason}
	data, rerr := safefile.ReadFile(path, safefile.MaxJSON)
	if rerr != nil {
		return []*model.Problem{p}, true
	}
	doc, derr := jsonpos.New(path, data)
	if derr != nil {
		return []*model.Problem{p}, true
	}
	p.Src.Pos = doc.Pos("")
	if strings.HasPrefix(reason, "mediaType ") {
		p.Src = model.Src{Pos: doc.Pos("mediaType"), Path: []string{"mediaType"}}
	}
	if at := protoAt.FindStringSubmatch(reason); at != nil {
		// The compiler's JSON reader says what protojson refuses in the
		// words trustc import uses, at the same file:line:col and path.
		if _, jerr := load.ReadJSON(path, file, data); jerr != nil {
			if ps := model.Problems(cueerrors.Sanitize(cueerrors.Promote(jerr, ""))); len(ps) > 0 {
				for _, q := range ps {
					q.Severity = sev
				}
				return ps, true
			}
		}
		line, _ := strconv.Atoi(at[1])
		col, _ := strconv.Atoi(at[2])
		jp, pos := doc.At(line, col)
		p.Src = model.Src{Pos: pos}
		if jp != "" {
			p.Src.Path = []string{jp}
		}
		p.Message = "parse " + file + ": " + at[3]
	}
	return []*model.Problem{p}, true
}

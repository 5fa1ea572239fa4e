package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"

	cueerrors "cuelang.org/go/cue/errors"

	"github.com/trustc-dev/trustc/compiler/load"
	"github.com/trustc-dev/trustc/compiler/model"
	"github.com/trustc-dev/trustc/internal/safefile"
)

// parseErr is how release reports a published file it cannot parse:
// "ENV: parse FILE: REASON".
var parseErr = regexp.MustCompile(`^(?:(\S+): )?parse (\S+): (.*)$`)

// unparsable turns a published file that does not parse (release.Read's
// error) into problems: every problem the reader of published JSON finds,
// each at its line, column and JSON path, in the words trustc import uses
// (staging v19's invalid timestamp is trusted_root.json:26:18
// tlogs[1].publicKey.validFor.end). A file that reader accepts is wrong
// only for its place (a signing config named trusted_root.json): release's
// reason, at the media type, says so. ok is false for errors of another
// kind (a missing directory).
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
	jf, jerr := load.ReadJSON(path, file, data)
	if jerr != nil {
		ps := model.Problems(cueerrors.Sanitize(cueerrors.Promote(jerr, "")))
		for _, q := range ps {
			q.Severity = sev
		}
		return ps, true
	}
	p.Src = jf.Src("")
	if strings.HasPrefix(reason, "mediaType ") {
		p.Src = jf.Src("mediaType")
	}
	return []*model.Problem{p}, true
}

// Package scaffold lays out a new trust repository for trustc init: the
// cue.mod, the schema trustc ships, a Makefile, the example CI workflow and
// a README, around the environment the importer writes. With them the
// trustc binary is all a repository needs: nothing of trustc's sources.
package scaffold

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"text/template"

	"cuelang.org/go/mod/module"

	"github.com/trustc-dev/trustc"
	"github.com/trustc-dev/trustc/schema"
)

// LanguageVersion is the CUE language version a new repository's cue.mod
// declares: the one trustc's own cue.mod declares (a test keeps them equal).
const LanguageVersion = "v0.17.0"

// Marker is the file whose presence makes a directory a trust repository
// already; trustc init then writes only the environment.
const Marker = "cue.mod/module.cue"

// Paths are the files Files writes, besides the schema's; trustc init
// refuses a directory that holds any of them.
var Paths = []string{Marker, "Makefile", ".github/workflows/trustc.yml"}

// Kept are the files Files writes that a directory may already hold (a
// repository created on a forge starts with them); trustc init keeps
// those and writes the rest.
var Kept = []string{"README.md", ".gitignore"}

// CheckModule checks a CUE module path such as example.com/trust@v0, with
// the rules cue itself applies.
func CheckModule(p string) error {
	if err := module.CheckPath(p); err != nil {
		return err
	}
	if _, _, ok := module.SplitPathVersion(p); !ok {
		return fmt.Errorf("module path %q has no major version; add one, as in %s@v0", p, p)
	}
	return nil
}

// Files returns the files of a new repository whose CUE module is mod and
// whose first environment is env, by slash-separated path: everything but
// the environment itself and golden/.
func Files(mod, env string) (map[string][]byte, error) {
	if err := CheckModule(mod); err != nil {
		return nil, err
	}
	files := map[string][]byte{
		Marker:                         fmt.Appendf(nil, "module: %q\nlanguage: {\n\tversion: %q\n}\n", mod, LanguageVersion),
		".github/workflows/trustc.yml": trustc.Workflow,
		".gitignore":                   []byte("# trustc diff -svg writes review timelines here in CI.\n/timelines/\n"),
	}
	err := fs.WalkDir(schema.FS, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(schema.FS, p)
		files[path.Join("schema", p)] = b
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("read embedded schema: %w", err)
	}
	for name, t := range templates {
		var b bytes.Buffer
		if err := t.Execute(&b, struct{ Module, Env string }{mod, env}); err != nil {
			return nil, fmt.Errorf("render %s: %w", name, err)
		}
		files[name] = b.Bytes()
	}
	return files, nil
}

var templates = map[string]*template.Template{
	"Makefile":  template.Must(template.New("Makefile").Parse(makefile)),
	"README.md": template.Must(template.New("README.md").Parse(readme)),
}

// The Makefile runs trustc from PATH, or the version go.mod pins once the
// repository tracks trustc as a Go tool: then every maintainer and CI run
// the same trustc.
const makefile = `# Trust configuration compiled by trustc. Two commands:
#   make generate   compile every environment into golden/
#   make test       what CI checks: golden/ is current, every policy rule holds
#
# trustc is the one on PATH, or, once go.mod tracks it
# (go get -tool github.com/trustc-dev/trustc/cmd/trustc@<version>), that one.
TRUSTC ?= $(if $(wildcard go.mod),go tool trustc,trustc)
# Rules 6 to 9 compare golden/ with the release where this branch left main;
# before the first commit on main run 'make test CHECK_FLAGS=-no-base'.
CHECK_FLAGS ?=

.PHONY: generate test

generate:
	$(TRUSTC) generate

test:
	$(TRUSTC) generate -check
	$(TRUSTC) check $(CHECK_FLAGS)
`

const readme = `# Sigstore trust configuration

This repository describes a Sigstore deployment in CUE and compiles it, with
[trustc](https://github.com/trustc-dev/trustc), into the files Sigstore
clients download from TUF: ` + "`trusted_root.json`" + ` and the signing configs.

| path | what it holds |
| --- | --- |
| ` + "`environments/{{.Env}}/`" + ` | the environment: services, windows, policy, and the PEM material they name |
| ` + "`golden/{{.Env}}/`" + ` | the compiled files, committed; only ` + "`make generate`" + ` writes them |
| ` + "`schema/`" + ` | the schema trustc checks every environment against (CUE module ` + "`{{.Module}}`" + `) |
| ` + "`.github/workflows/trustc.yml`" + ` | CI: golden/ current, a review of every change, every policy rule |

## Commands

` + "```" + `sh
make generate   # compile every environment into golden/
make test       # what CI checks
trustc diff     # what a change does to which clients, and when
trustc at -env {{.Env}} 2026-01-01T00:00:00Z   # what clients use at an instant
` + "```" + `

Install trustc with ` + "`go install github.com/trustc-dev/trustc/cmd/trustc@latest`" + `,
or pin it for everyone with ` + "`go mod init`" + ` and
` + "`go get -tool github.com/trustc-dev/trustc/cmd/trustc@<version>`" + `; the
Makefile and the workflow then use that version.

Start a change by editing ` + "`environments/{{.Env}}/`" + `, run ` + "`make generate`" + `,
review with ` + "`trustc diff`" + `, and commit the CUE and golden/ together.
`

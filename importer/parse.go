package importer

import (
	"path"
	"strings"
	"unicode"

	prototrustroot "github.com/sigstore/protobuf-specs/gen/pb-go/trustroot/v1"

	"github.com/trustc-dev/trustc/compiler/load"
	"github.com/trustc-dev/trustc/release"
)

// Input is one file to import.
type Input struct {
	// Name is how messages refer to the file: the path as the user gave it.
	Name string
	// Path names the file in positions (file:line:col); empty: Name. An
	// absolute path prints relative to the directory trustc runs in.
	Path string
	Data []byte
}

// inputs are the parsed files of one environment.
type inputs struct {
	root    *rootIn
	configs []*configIn
	legacy  *legacyIn
	names   []string // published base names, in argument order
	// files are the files above as the reader of published JSON decoded
	// them, for load.FromJSON.
	files []*load.JSONFile
}

type rootIn struct {
	file string // as given, for errors
	base string // base name
	msg  *prototrustroot.TrustedRoot
}

type configIn struct {
	file string
	base string
	name string // short name, a key of signingConfigs
	msg  *prototrustroot.SigningConfig
}

type legacyIn struct {
	file string
	base string
	msg  *release.LegacySigningConfig
}

// parseInputs reads every file with the compiler's reader of published
// JSON, which tells them apart by mediaType, and reports every problem in
// every file. The problems of the plan built from them are positioned in
// the same files (e.files).
func parseInputs(e *errs, files []Input) *inputs {
	in := &inputs{}
	for _, f := range files {
		base := path.Base(strings.ReplaceAll(f.Name, `\`, "/"))
		in.names = append(in.names, base)
		pos := f.Path
		if pos == "" {
			pos = f.Name
		}
		jf, err := load.ReadJSON(pos, base, f.Data)
		if err != nil {
			e.append(err)
			continue
		}
		e.files[f.Name] = jf
		switch {
		case jf.TrustedRoot != nil:
			if in.root != nil {
				e.add(f.Name, "", "a second trusted root (the first is %s); import one environment at a time", in.root.file)
				continue
			}
			in.root = &rootIn{file: f.Name, base: base, msg: jf.TrustedRoot.Msg}
			in.files = append(in.files, jf)
		case jf.SigningConfig != nil:
			in.configs = append(in.configs, &configIn{file: f.Name, base: base, msg: jf.SigningConfig.Msg})
			in.files = append(in.files, jf)
		case jf.Legacy != nil:
			if in.legacy != nil {
				e.add(f.Name, "", "a second v0.1 signing config (the first is %s)", in.legacy.file)
				continue
			}
			in.legacy = &legacyIn{file: f.Name, base: base, msg: jf.Legacy.Msg}
			in.files = append(in.files, jf)
		}
	}
	if e.list == nil && in.root == nil {
		e.add(strings.Join(in.names, ", "), "", "no trusted root among the files; trustc import needs one")
	}
	nameConfigs(e, in.configs)
	return in
}

// nameConfigs gives each signing config its short name, from its file
// name: signing_config.v0.2.json is main, signing_config_rekor_v2.v0.2.json
// is rekorV2, signing_config_<x>.v0.2.json is <x> in lowerCamelCase.
func nameConfigs(e *errs, configs []*configIn) {
	byName := map[string]*configIn{}
	byBase := map[string]*configIn{}
	for _, c := range configs {
		if prev := byBase[c.base]; prev != nil {
			e.add(c.file, "", "published under the same name as %s; a release holds one file of each name", prev.file)
			continue
		}
		byBase[c.base] = c
		c.name = ConfigName(c.base)
		if prev := byName[c.name]; prev != nil {
			e.add(c.file, "", "its short name %q is taken by %s; rename one of the files", c.name, prev.file)
			continue
		}
		byName[c.name] = c
	}
}

// ConfigName is the short name trustc gives a signing config published as
// file.
func ConfigName(file string) string {
	s := strings.TrimSuffix(file, ".json")
	s = strings.TrimSuffix(s, ".v0.2")
	s = strings.TrimPrefix(s, "signing_config")
	words := strings.FieldsFunc(s, func(r rune) bool { return !(r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r))) })
	if len(words) == 0 {
		return "main"
	}
	var b strings.Builder
	for i, w := range words {
		if i == 0 {
			b.WriteString(strings.ToLower(w[:1]) + w[1:])
		} else {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	name := b.String()
	if name[0] >= '0' && name[0] <= '9' {
		name = "config" + name
	}
	return name
}

package importer

import (
	"path"
	"strings"
	"unicode"

	prototrustroot "github.com/sigstore/protobuf-specs/gen/pb-go/trustroot/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/trustc-dev/trustc/release"
)

// Input is one file to import.
type Input struct {
	// Name is how errors refer to the file: the path as the user gave it.
	Name string
	Data []byte
}

// inputs are the parsed files of one environment.
type inputs struct {
	root    *rootIn
	configs []*configIn
	legacy  *legacyIn
	names   []string // published base names, in argument order
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

// parseInputs reads every file, telling them apart by mediaType, and
// reports every problem in every file.
func parseInputs(files []Input) (*inputs, error) {
	e := &errs{}
	in := &inputs{}
	for _, f := range files {
		base := path.Base(strings.ReplaceAll(f.Name, `\`, "/"))
		in.names = append(in.names, base)
		tree, err := parseJSON(f.Data)
		if err != nil {
			e.add(f.Name, "", "%v", err)
			continue
		}
		if tree.kind != jsonObject {
			e.add(f.Name, "", "want a JSON object, got %s", tree.kind)
			continue
		}
		mt := tree.member("mediaType")
		if mt == nil || mt.kind != jsonString {
			e.add(f.Name, "mediaType", "missing; every Sigstore trust file names its media type")
			continue
		}
		switch mt.text {
		case release.TrustedRootMediaType01Legacy, release.TrustedRootMediaType01, release.TrustedRootMediaType02:
			m := &prototrustroot.TrustedRoot{}
			if !decode(e, f, tree, m) {
				continue
			}
			if in.root != nil {
				e.add(f.Name, "", "a second trusted root (the first is %s); import one environment at a time", in.root.file)
				continue
			}
			in.root = &rootIn{file: f.Name, base: base, msg: m}
		case release.SigningConfigMediaType02:
			m := &prototrustroot.SigningConfig{}
			if !decode(e, f, tree, m) {
				continue
			}
			in.configs = append(in.configs, &configIn{file: f.Name, base: base, msg: m})
		case release.SigningConfigMediaType01:
			l := legacy(e, f, tree)
			if l == nil {
				continue
			}
			if in.legacy != nil {
				e.add(f.Name, "", "a second v0.1 signing config (the first is %s)", in.legacy.file)
				continue
			}
			in.legacy = &legacyIn{file: f.Name, base: base, msg: l}
		default:
			e.add(f.Name, "mediaType", "unknown media type %q; want a trusted root (%s or %s), a signing config (%s) or a legacy signing config (%s)",
				mt.text, release.TrustedRootMediaType01Legacy, release.TrustedRootMediaType02, release.SigningConfigMediaType02, release.SigningConfigMediaType01)
		}
	}
	if e.err() == nil && in.root == nil {
		e.add(strings.Join(in.names, ", "), "", "no trusted root among the files; trustc import needs one")
	}
	nameConfigs(e, in.configs)
	if err := e.err(); err != nil {
		return nil, err
	}
	return in, nil
}

// decode walks tree against m's descriptor, then parses it with protojson.
func decode(e *errs, f Input, tree *jsonNode, m proto.Message) bool {
	before := len(e.list)
	w := &walker{file: f.Name, errs: e}
	w.message(tree, m.ProtoReflect().Descriptor(), "")
	if len(e.list) > before {
		return false
	}
	if err := protojson.Unmarshal(f.Data, m); err != nil {
		// The walk mirrors protojson; anything it let through lands here.
		e.add(f.Name, "", "%v", err)
		return false
	}
	return true
}

// legacy reads a v0.1 signing config, which protobuf-specs v0.5 no longer
// describes, field by field.
func legacy(e *errs, f Input, tree *jsonNode) *release.LegacySigningConfig {
	before := len(e.list)
	m := &release.LegacySigningConfig{}
	str := func(n *jsonNode, p string) string {
		if n.kind != jsonString {
			e.add(f.Name, p, "want a string, got %s", n.kind)
		}
		return n.text
	}
	strs := func(n *jsonNode, p string) []string {
		if n.kind != jsonArray {
			e.add(f.Name, p, "want an array of strings, got %s", n.kind)
			return nil
		}
		var out []string
		for i, el := range n.elems {
			out = append(out, str(el, index(p, i)))
		}
		return out
	}
	seen := map[string]bool{}
	for i, k := range tree.keys {
		v, p := tree.elems[i], join("", k)
		if seen[k] {
			e.add(f.Name, p, "field given twice")
			continue
		}
		seen[k] = true
		switch k {
		case "mediaType":
			m.MediaType = str(v, p)
		case "caUrl":
			m.CAURL = str(v, p)
		case "oidcUrl":
			m.OIDCURL = str(v, p)
		case "tlogUrls":
			m.TlogURLs = strs(v, p)
		case "tsaUrls":
			m.TSAURLs = strs(v, p)
		default:
			e.add(f.Name, p, "unknown field (a v0.1 signing config has mediaType, caUrl, oidcUrl, tlogUrls, tsaUrls)")
		}
	}
	if len(e.list) > before {
		return nil
	}
	return m
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

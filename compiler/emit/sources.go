package emit

import (
	"fmt"
	"slices"

	"github.com/trustc-dev/trustc/compiler/model"
)

// Source says where a declared value lands in the emitted files: the file,
// the JSON path inside it (as review and jsonpos spell paths, e.g.
// "tlogs[1].publicKey.validFor.end"; empty for the file as a whole) and the
// value's Src in the input.
type Source struct {
	File string
	Path string
	Src  model.Src
}

// SourceMap is every Source of one environment, trusted root first, then
// the signing configs in declaration order, then the legacy file.
type SourceMap []Source

// Sources maps the values env declares to the places Environment emits
// them, so that a problem reported at a CUE field can be shown beside the
// published entry it changes. The builders Environment uses record each
// value as they write it, so a path names the entry clients will read.
//
// A value emitted in several places (a service's URL in the trusted root
// and in each signing config) has one Source per place.
func Sources(env *model.Environment) SourceMap {
	var m SourceMap
	r := &recorder{m: &m}
	trustedRoot(env, r)
	for _, sc := range env.SigningConfigs {
		signingConfig(env, sc, r)
	}
	// Services that are not trusted-root entries (OIDC providers, Rekor
	// fronts) are, as a whole, their first signing-config entry.
	for _, s := range slices.Concat(oidcServices(env.OIDC), frontServices(env)) {
		for _, src := range m {
			if len(s.Sign) > 0 && slices.Equal(src.Src.Path, s.Sign[0].Src.Path) {
				r.in(src.File)
				r.add(src.Path, s.Src)
				break
			}
		}
	}
	if env.Legacy != nil {
		legacySigningConfig(env.Legacy, r)
	}
	return m
}

// recorder notes where the builders write each declared value: in which
// file, at which JSON path. A nil recorder notes nothing, which is how
// Environment builds.
type recorder struct {
	m      *SourceMap
	file   string
	prefix string // JSON path of the entry being written
}

// in starts recording the values of file.
func (r *recorder) in(file string) {
	if r != nil {
		r.file = file
	}
}

// at is a recorder for entry i of list inside the current entry.
func (r *recorder) at(list string, i int) *recorder {
	if r == nil {
		return nil
	}
	return &recorder{m: r.m, file: r.file, prefix: fmt.Sprintf("%s%s[%d]", r.prefix, list, i)}
}

// add records that the value declared at src is written at path (after
// the entry's own path). Values the CUE does not declare (defaults) have
// no Src path and are not recorded.
func (r *recorder) add(path string, src model.Src) {
	if r != nil && len(src.Path) > 0 {
		*r.m = append(*r.m, Source{File: r.file, Path: r.prefix + path, Src: src})
	}
}

func (r *recorder) window(path string, w model.Window) {
	r.add(path, w.Src)
	r.add(path+".start", w.Start.Src)
	if w.HasEnd() {
		r.add(path+".end", w.End.Src)
	}
}

func frontServices(env *model.Environment) []*model.Service {
	out := make([]*model.Service, len(env.RekorFronts))
	for i, f := range env.RekorFronts {
		out[i] = &f.Service
	}
	return out
}

// Lookup finds where the value at path (a Src path, as rules report it)
// lands: the Source declared at exactly that path, else the one at its
// longest leading part, so that a problem in a field trustc does not
// publish (a waiting period, a shard name) lands on the entry or file it
// belongs to. Among equally good matches the first wins: the trusted
// root's entry before a signing config's. ok is false when no declared
// value encloses path (policy settings, for example, are published
// nowhere).
func (m SourceMap) Lookup(path []string) (s Source, ok bool) {
	best := -1
	for _, src := range m {
		n := len(src.Src.Path)
		if n <= best || n > len(path) || !slices.Equal(src.Src.Path, path[:n]) {
			continue
		}
		s, best, ok = src, n, true
		if n == len(path) {
			break
		}
	}
	return s, ok
}

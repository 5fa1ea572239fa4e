package load

import (
	"path/filepath"
	"slices"
	"strings"

	cueload "cuelang.org/go/cue/load"
)

// Overlay holds files, by slash path relative to the repository root, that
// a load reads instead of the disk: 'trustc import' compiles what it is
// about to write without writing it anywhere first.
//
// An environment directory the overlay holds any file of replaces the one
// on disk whole (an import with -force replaces the environment, and a file
// it does not write must not be compiled with it); any other file replaces
// or adds that one file.
type Overlay map[string][]byte

// envDirs lists the environments whose directory o replaces, sorted.
func (o Overlay) envDirs() []string {
	var out []string
	for p := range o {
		if rest, ok := strings.CutPrefix(p, EnvironmentsDir+"/"); ok {
			if env, _, ok := strings.Cut(rest, "/"); ok && !slices.Contains(out, env) {
				out = append(out, env)
			}
		}
	}
	slices.Sort(out)
	return out
}

// cueOverlay is o for cue/load, which overlays files by absolute path but
// lists a directory's files from disk as well: a CUE file on disk in a
// directory o replaces is overlaid with one whose build attribute excludes
// it, so that cue/load ignores it.
func (o Overlay) cueOverlay(root string, onDisk func(env string) []string) map[string]cueload.Source {
	if len(o) == 0 {
		return nil
	}
	out := map[string]cueload.Source{}
	for _, env := range o.envDirs() {
		for _, name := range onDisk(env) {
			if strings.HasSuffix(name, ".cue") {
				out[filepath.Join(root, EnvironmentsDir, env, name)] = cueload.FromString("@if(trustc_replaced_by_overlay)\n")
			}
		}
	}
	for name, b := range o {
		out[filepath.Join(root, filepath.FromSlash(name))] = cueload.FromBytes(b)
	}
	return out
}

package tufrepo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/trustc-dev/trustc/release"
)

// HashAlgorithm is the one digest listed for each target. Sigstore's
// targets.json has listed sha256 alone since targets version 11 (version 10
// also had sha512). One digest also fixes the consistent-snapshot file name:
// go-tuf's updater prefixes a target with whichever hash it meets first in
// a map, so a second digest would make the name it asks for random.
const HashAlgorithm = "sha256"

// Target is one file a repository serves.
type Target struct {
	// Name is the target path, slash-separated, e.g. "trusted_root.json".
	Name string
	Data []byte
	// Custom is the optional TUF "custom" object, e.g.
	// {"sigstore":{"status":"Active","usage":"Fulcio","uri":"..."}}.
	Custom json.RawMessage
}

// TargetFile returns the targets metadata entry for t: length, sha256 and
// custom, as Sigstore's root-signing publishes them.
func TargetFile(t Target) (*metadata.TargetFiles, error) {
	if err := checkName(t.Name); err != nil {
		return nil, err
	}
	tf, err := metadata.TargetFile().FromBytes(t.Name, t.Data, HashAlgorithm)
	if err != nil {
		return nil, fmt.Errorf("hash target %s: %w", t.Name, err)
	}
	if t.Custom != nil {
		custom, err := compactObject(t.Custom)
		if err != nil {
			return nil, fmt.Errorf("target %s: custom: %w", t.Name, err)
		}
		tf.Custom = &custom
	}
	return tf, nil
}

// TargetsFromEnv lists what an environment publishes through TUF, sorted by
// name: its trust files, without custom metadata as Sigstore publishes
// them, and its legacy targets (env.Targets) with theirs.
func TargetsFromEnv(env *release.Env) []Target {
	var out []Target
	for _, f := range env.Files() {
		out = append(out, Target{Name: f.Name, Data: f.Bytes})
	}
	for _, t := range env.Targets {
		out = append(out, Target{Name: t.Name, Data: t.Bytes, Custom: t.Custom})
	}
	slices.SortFunc(out, func(a, b Target) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// checkName rejects target names that could not be served as a file below
// targets/: the name becomes part of a path on disk and in a URL.
func checkName(name string) error {
	if name == "" || name == "." || !fs.ValidPath(name) || strings.Contains(name, `\`) {
		return fmt.Errorf("target name %q: want a relative slash-separated path without . or .. elements", name)
	}
	return nil
}

// compactObject checks that raw is one JSON object, as the TUF spec requires
// of "custom", and drops its whitespace so the bytes signed do not depend on
// how the caller formatted it.
func compactObject(raw json.RawMessage) (json.RawMessage, error) {
	var obj map[string]any
	if err := json.Unmarshal(raw, &obj); err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	if obj == nil {
		return nil, fmt.Errorf("parse: want a JSON object, got null")
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	return buf.Bytes(), nil
}

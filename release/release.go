package release

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	prototrustroot "github.com/sigstore/protobuf-specs/gen/pb-go/trustroot/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

// File names Sigstore's TUF repositories publish.
const (
	TrustedRootName         = "trusted_root.json"
	LegacySigningConfigName = "signing_config.json"
)

// Media types of the files a release holds.
const (
	TrustedRootMediaType01Legacy = "application/vnd.dev.sigstore.trustedroot+json;version=0.1"
	TrustedRootMediaType01       = "application/vnd.dev.sigstore.trustedroot.v0.1+json"
	TrustedRootMediaType02       = "application/vnd.dev.sigstore.trustedroot.v0.2+json"
	SigningConfigMediaType01     = "application/vnd.dev.sigstore.signingconfig.v0.1+json"
	SigningConfigMediaType02     = "application/vnd.dev.sigstore.signingconfig.v0.2+json"
)

// Release is a set of environments, sorted by name.
type Release struct {
	Envs []*Env
}

// Env looks up an environment by name. A nil release, such as the old side
// of a first release, has none.
func (r *Release) Env(name string) *Env {
	if r == nil {
		return nil
	}
	for _, e := range r.Envs {
		if e.Name == name {
			return e
		}
	}
	return nil
}

// Env is one environment's files.
type Env struct {
	Name        string
	TrustedRoot *TrustedRootFile
	// SigningConfigs are the v0.2 signing configs, sorted by file name.
	SigningConfigs []*SigningConfigFile
	// Legacy is the v0.1 signing_config.json, nil where none is published.
	Legacy *LegacySigningConfigFile
	// Targets are the keys and certificates published as TUF targets of
	// their own beside the trust files (the environment's tufTargets),
	// sorted by name. Only a compiled release has them: they are material
	// under environments/, not compiled output, so golden/ and Files leave
	// them out and Read never fills them in.
	Targets []*Target
}

// Target is a file published as a TUF target with custom metadata, for
// clients that predate trusted_root.json and pick keys and certificates by
// that metadata (cosign's legacy TUF client).
type Target struct {
	Name  string
	Bytes []byte
	// Custom is the target's TUF "custom" object as JSON, for example
	// {"sigstore":{"status":"Active","uri":"https://rekor.sigstore.dev","usage":"Rekor"}}.
	Custom []byte
}

// TargetCustom is the custom object Sigstore's root-signing gives a
// legacy target. Fields are in the order its serialiser (sorted keys)
// writes them.
type TargetCustom struct {
	Sigstore TargetSigstore `json:"sigstore"`
}

// TargetSigstore is the "sigstore" member of TargetCustom.
type TargetSigstore struct {
	// Status is "Active" or "Expired".
	Status string `json:"status"`
	// URI is the service that uses the file; absent for usage "Unknown".
	URI string `json:"uri,omitempty"`
	// Usage is "Rekor", "CTFE", "Fulcio", "TSA" or "Unknown".
	Usage string `json:"usage"`
}

// SigningConfig looks up a v0.2 signing config by file name.
func (e *Env) SigningConfig(name string) *SigningConfigFile {
	for _, f := range e.SigningConfigs {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// Files lists every file of the environment with its bytes, sorted by name.
func (e *Env) Files() []NamedBytes {
	var out []NamedBytes
	if e.TrustedRoot != nil {
		out = append(out, NamedBytes{e.TrustedRoot.Name, e.TrustedRoot.Bytes})
	}
	for _, f := range e.SigningConfigs {
		out = append(out, NamedBytes{f.Name, f.Bytes})
	}
	if e.Legacy != nil {
		out = append(out, NamedBytes{e.Legacy.Name, e.Legacy.Bytes})
	}
	slices.SortFunc(out, func(a, b NamedBytes) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// NamedBytes is a file name and its content.
type NamedBytes struct {
	Name  string
	Bytes []byte
}

// TrustedRootFile is a trusted_root.json.
type TrustedRootFile struct {
	Name  string
	Bytes []byte
	Msg   *prototrustroot.TrustedRoot
}

// SigningConfigFile is a v0.2 signing config.
type SigningConfigFile struct {
	Name  string
	Bytes []byte
	Msg   *prototrustroot.SigningConfig
}

// LegacySigningConfigFile is a v0.1 signing_config.json.
type LegacySigningConfigFile struct {
	Name  string
	Bytes []byte
	Msg   *LegacySigningConfig
}

// LegacySigningConfig is the v0.1 signing config. protobuf-specs v0.5 no
// longer has its fields (ca_url, oidc_url, tlog_urls, tsa_urls are reserved
// in SigningConfig), so it is a plain struct; the JSON field order is the
// one Sigstore published.
type LegacySigningConfig struct {
	MediaType string   `json:"mediaType"`
	CAURL     string   `json:"caUrl,omitempty"`
	OIDCURL   string   `json:"oidcUrl,omitempty"`
	TlogURLs  []string `json:"tlogUrls,omitempty"`
	TSAURLs   []string `json:"tsaUrls,omitempty"`
}

// ParseTrustedRoot parses a trusted root. Unknown fields are errors: a field
// we cannot see is a field a review would silently miss.
func ParseTrustedRoot(name string, b []byte) (*TrustedRootFile, error) {
	var m prototrustroot.TrustedRoot
	if err := protojson.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("parse %s: %w", name, err)
	}
	switch m.GetMediaType() {
	case TrustedRootMediaType01Legacy, TrustedRootMediaType01, TrustedRootMediaType02:
	default:
		return nil, fmt.Errorf("parse %s: mediaType %q is not a trusted root media type", name, m.GetMediaType())
	}
	return &TrustedRootFile{Name: name, Bytes: b, Msg: &m}, nil
}

// ParseSigningConfig parses a v0.2 signing config.
func ParseSigningConfig(name string, b []byte) (*SigningConfigFile, error) {
	var m prototrustroot.SigningConfig
	if err := protojson.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("parse %s: %w", name, err)
	}
	if m.GetMediaType() != SigningConfigMediaType02 {
		return nil, fmt.Errorf("parse %s: mediaType %q is not %s", name, m.GetMediaType(), SigningConfigMediaType02)
	}
	return &SigningConfigFile{Name: name, Bytes: b, Msg: &m}, nil
}

// ParseLegacySigningConfig parses a v0.1 signing config.
func ParseLegacySigningConfig(name string, b []byte) (*LegacySigningConfigFile, error) {
	var m LegacySigningConfig
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("parse %s: %w", name, err)
	}
	if m.MediaType != SigningConfigMediaType01 {
		return nil, fmt.Errorf("parse %s: mediaType %q is not %s", name, m.MediaType, SigningConfigMediaType01)
	}
	return &LegacySigningConfigFile{Name: name, Bytes: b, Msg: &m}, nil
}

// ReadEnv reads one environment from the top of fsys: trusted_root.json,
// every signing_config*.v0.2.json and signing_config.json. Other files (TUF
// metadata, PEM targets) are ignored.
func ReadEnv(fsys fs.FS, name string) (*Env, error) {
	env := &Env{Name: name}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	for _, de := range entries {
		if de.IsDir() {
			continue
		}
		n := de.Name()
		var parse func([]byte) error
		switch {
		case n == TrustedRootName:
			parse = func(b []byte) (err error) { env.TrustedRoot, err = ParseTrustedRoot(n, b); return err }
		case n == LegacySigningConfigName:
			parse = func(b []byte) (err error) { env.Legacy, err = ParseLegacySigningConfig(n, b); return err }
		case strings.HasPrefix(n, "signing_config") && strings.HasSuffix(n, ".v0.2.json"):
			parse = func(b []byte) error {
				f, err := ParseSigningConfig(n, b)
				if err == nil {
					env.SigningConfigs = append(env.SigningConfigs, f)
				}
				return err
			}
		default:
			continue
		}
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		if err := parse(b); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	if env.TrustedRoot == nil {
		return nil, fmt.Errorf("%s: no %s", name, TrustedRootName)
	}
	slices.SortFunc(env.SigningConfigs, func(a, b *SigningConfigFile) int { return strings.Compare(a.Name, b.Name) })
	return env, nil
}

// Read reads a release from fsys. A directory that holds trusted_root.json
// is one environment named envName; otherwise each subdirectory holding a
// trusted_root.json is an environment named after it (golden/ layout).
func Read(fsys fs.FS, envName string) (*Release, error) {
	if _, err := fs.Stat(fsys, TrustedRootName); err == nil {
		env, err := ReadEnv(fsys, envName)
		if err != nil {
			return nil, err
		}
		return &Release{Envs: []*Env{env}}, nil
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, err
	}
	rel := &Release{}
	for _, de := range entries {
		if !de.IsDir() {
			continue
		}
		if _, err := fs.Stat(fsys, path.Join(de.Name(), TrustedRootName)); err != nil {
			continue
		}
		sub, err := fs.Sub(fsys, de.Name())
		if err != nil {
			return nil, err
		}
		env, err := ReadEnv(sub, de.Name())
		if err != nil {
			return nil, err
		}
		rel.Envs = append(rel.Envs, env)
	}
	if len(rel.Envs) == 0 {
		return nil, fmt.Errorf("no %s in the directory or its subdirectories", TrustedRootName)
	}
	return rel, nil
}

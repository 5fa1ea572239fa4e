package refdata

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// notPinned are the files of Dir that describe the reference data rather
// than copy it.
var notPinned = []string{"README.md", ManifestName, "extract.py"}

// verify returns every way fsys (the reference data) departs from m: a file
// whose length or sha256 differs from its entry, a file without an entry,
// an entry without a file, and a release whose files are not the ones its
// own signed targets metadata lists.
func verify(fsys fs.FS, m *Manifest) []string {
	var problems []string
	bad := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }

	pinned := map[string]File{}
	for i, f := range m.Files {
		if _, dup := pinned[f.Path]; dup {
			bad("%s: listed twice", f.Path)
		}
		if i > 0 && m.Files[i-1].Path >= f.Path {
			bad("%s: manifest files not sorted by path", f.Path)
		}
		pinned[f.Path] = f
		b, err := fs.ReadFile(fsys, f.Path)
		if err != nil {
			bad("%s: in the manifest, not on disk", f.Path)
			continue
		}
		if int64(len(b)) != f.Length {
			bad("%s: %d bytes, manifest says %d", f.Path, len(b), f.Length)
		}
		if got := sum(b); got != f.SHA256 {
			bad("%s: sha256 %s, manifest says %s", f.Path, got, f.SHA256)
		}
	}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || slices.Contains(notPinned, p) {
			return err
		}
		if _, ok := pinned[p]; !ok {
			bad("%s: on disk, not in the manifest", p)
		}
		return nil
	})
	if err != nil {
		bad("walk: %v", err)
	}

	last := map[string]Release{}
	for _, r := range m.Releases {
		if prev, ok := last[r.Env]; ok && (r.Version <= prev.Version || r.Published.Before(prev.Published)) {
			bad("%s v%d: not after v%d in version and date", r.Env, r.Version, prev.Version)
		}
		last[r.Env] = r
		if want := fmt.Sprintf("history/%s/v%02d", r.Env, r.Version); r.Dir != want {
			bad("%s v%d: dir %s, want %s", r.Env, r.Version, r.Dir, want)
		}
		var onDisk []string
		entries, _ := fs.ReadDir(fsys, r.Dir)
		for _, e := range entries {
			onDisk = append(onDisk, e.Name())
		}
		if want := slices.Sorted(slices.Values(r.Files)); !slices.Equal(onDisk, want) {
			bad("%s: holds %v, manifest lists %v", r.Dir, onDisk, want)
		}
		problems = append(problems, signed(fsys, r)...)
	}
	return problems
}

// signed checks a release's files against its own targets.json, so that the
// manifest cannot vouch for a file the release never published.
func signed(fsys fs.FS, r Release) []string {
	b, err := fs.ReadFile(fsys, path.Join(r.Dir, "targets.json"))
	if err != nil {
		return []string{fmt.Sprintf("%s: %v", r.Dir, err)}
	}
	var md struct {
		Signed struct {
			Version int `json:"version"`
			Targets map[string]struct {
				Length int64             `json:"length"`
				Hashes map[string]string `json:"hashes"`
			} `json:"targets"`
		} `json:"signed"`
	}
	if err := json.Unmarshal(b, &md); err != nil {
		return []string{fmt.Sprintf("%s/targets.json: %v", r.Dir, err)}
	}
	var problems []string
	if md.Signed.Version != r.Version {
		problems = append(problems, fmt.Sprintf("%s/targets.json: version %d, want %d", r.Dir, md.Signed.Version, r.Version))
	}
	for _, name := range r.Files {
		if name == "targets.json" {
			continue
		}
		t, ok := md.Signed.Targets[name]
		if !ok {
			problems = append(problems, fmt.Sprintf("%s/%s: not a target of its targets.json", r.Dir, name))
			continue
		}
		data, err := fs.ReadFile(fsys, path.Join(r.Dir, name))
		if err != nil {
			continue // reported against the manifest already
		}
		if int64(len(data)) != t.Length || sum(data) != t.Hashes["sha256"] {
			problems = append(problems, fmt.Sprintf("%s/%s: differs from its targets.json entry", r.Dir, name))
		}
	}
	for name := range md.Signed.Targets {
		if !slices.Contains(r.Files, name) && path.Base(name) == name {
			problems = append(problems, fmt.Sprintf("%s: target %s of its targets.json is missing", r.Dir, name))
		}
	}
	slices.Sort(problems)
	return problems
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestPinned checks the reference data in the repository against its
// manifest: nothing edited, added or lost.
func TestPinned(t *testing.T) {
	m := ReadManifest(t)
	if len(m.Files) == 0 || len(m.Releases) == 0 {
		t.Fatalf("manifest lists %d files and %d releases", len(m.Files), len(m.Releases))
	}
	for _, p := range verify(os.DirFS(Dir(t)), m) {
		t.Error(p)
	}
}

// TestVerify shows that verify catches each kind of tampering, on a small
// release made up for the purpose.
func TestVerify(t *testing.T) {
	root := []byte(`{"mediaType":"x"}` + "\n")
	other := []byte(`{"mediaType":"y"}` + "\n")
	targets := func(tr []byte) []byte {
		return fmt.Appendf(nil, `{"signed":{"version":3,"targets":{"trusted_root.json":{"length":%d,"hashes":{"sha256":%q}},"registry.npmjs.org/keys.json":{"length":1,"hashes":{"sha256":"00"}}}}}`, len(tr), sum(tr))
	}
	entry := func(p string, b []byte) File { return File{Path: p, Length: int64(len(b)), SHA256: sum(b)} }
	good := func() (fstest.MapFS, *Manifest) {
		fsys := fstest.MapFS{
			"README.md":                             {Data: []byte("about\n")},
			"history/staging/v03/targets.json":      {Data: targets(root)},
			"history/staging/v03/trusted_root.json": {Data: root},
		}
		m := &Manifest{
			Releases: []Release{{Env: "staging", Version: 3, Dir: "history/staging/v03", Published: time.Unix(0, 0), Files: []string{"targets.json", "trusted_root.json"}}},
			Files: []File{
				entry("history/staging/v03/targets.json", targets(root)),
				entry("history/staging/v03/trusted_root.json", root),
			},
		}
		return fsys, m
	}
	for _, tc := range []struct {
		name   string
		tamper func(fstest.MapFS, *Manifest)
		want   []string
	}{
		{"untouched", func(fstest.MapFS, *Manifest) {}, nil},
		{"file edited", func(fsys fstest.MapFS, _ *Manifest) {
			fsys["history/staging/v03/trusted_root.json"] = &fstest.MapFile{Data: []byte(`{"mediaType":"z"}` + "\n")}
		}, []string{
			"history/staging/v03/trusted_root.json: sha256 " + sum([]byte(`{"mediaType":"z"}`+"\n")) + ", manifest says " + sum(root),
			"history/staging/v03/trusted_root.json: differs from its targets.json entry",
		}},
		{"file and manifest edited together", func(fsys fstest.MapFS, m *Manifest) {
			fsys["history/staging/v03/trusted_root.json"] = &fstest.MapFile{Data: other}
			m.Files[1] = entry("history/staging/v03/trusted_root.json", other)
		}, []string{"history/staging/v03/trusted_root.json: differs from its targets.json entry"}},
		{"file grown", func(fsys fstest.MapFS, _ *Manifest) {
			fsys["history/staging/v03/trusted_root.json"] = &fstest.MapFile{Data: append(slices.Clone(root), ' ')}
		}, []string{
			"history/staging/v03/trusted_root.json: 19 bytes, manifest says 18",
			"history/staging/v03/trusted_root.json: sha256 " + sum(append(slices.Clone(root), ' ')) + ", manifest says " + sum(root),
			"history/staging/v03/trusted_root.json: differs from its targets.json entry",
		}},
		{"file added", func(fsys fstest.MapFS, _ *Manifest) {
			fsys["staging/trusted_root.json"] = &fstest.MapFile{Data: root}
		}, []string{"staging/trusted_root.json: on disk, not in the manifest"}},
		{"file removed", func(fsys fstest.MapFS, _ *Manifest) {
			delete(fsys, "history/staging/v03/trusted_root.json")
		}, []string{
			"history/staging/v03/trusted_root.json: in the manifest, not on disk",
			"history/staging/v03: holds [targets.json], manifest lists [targets.json trusted_root.json]",
		}},
		{"target missing from the release", func(fsys fstest.MapFS, m *Manifest) {
			delete(fsys, "history/staging/v03/trusted_root.json")
			m.Files = m.Files[:1]
			m.Releases[0].Files = []string{"targets.json"}
		}, []string{"history/staging/v03: target trusted_root.json of its targets.json is missing"}},
		{"release out of order", func(_ fstest.MapFS, m *Manifest) {
			m.Releases = append(m.Releases, m.Releases[0])
		}, []string{"staging v3: not after v3 in version and date"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fsys, m := good()
			tc.tamper(fsys, m)
			if diff := cmp.Diff(tc.want, verify(fsys, m)); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

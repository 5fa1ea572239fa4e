package load_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trustc-dev/trustc/compiler/load"
	"github.com/trustc-dev/trustc/internal/fixture"
	"github.com/trustc-dev/trustc/internal/report"
)

// TestOverlay checks that an overlay is read as the disk would be: an
// environment it holds replaces the one on disk whole, and its files get
// the checks scan gives files on disk.
func TestOverlay(t *testing.T) {
	production := map[string][]byte{}
	if err := fs.WalkDir(fixture.Production, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		production[p], err = fs.ReadFile(fixture.Production, p)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// as is the production files as an overlay of environment env, with
	// edit applied to a copy.
	as := func(env string, edit func(map[string][]byte)) load.Overlay {
		files := map[string][]byte{}
		for name, b := range production {
			files[name] = b
		}
		if edit != nil {
			edit(files)
		}
		o := load.Overlay{}
		for name, b := range files {
			o[load.EnvironmentsDir+"/"+env+"/"+name] = b
		}
		return o
	}
	for _, tc := range []struct {
		name    string
		disk    map[string]string // files written below environments/ first
		overlay load.Overlay
		env     string
		want    string // a problem's text, "" for none
	}{
		{name: "a new environment", overlay: as("copy", nil), env: "copy"},
		{
			name:    "replaces the environment on disk whole",
			disk:    map[string]string{"production/stray.cue": "package production\nbogus: 1\n", "production/leak.pem": "-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n"},
			overlay: as("production", nil),
			env:     "production",
		},
		{
			name:    "leaves other environments out of its scan",
			disk:    map[string]string{".trustc-tmp-other-1/a.cue": "package other\n"},
			overlay: as("copy", nil),
			env:     "copy",
		},
		{
			name: "a private key",
			overlay: as("copy", func(f map[string][]byte) {
				f["rekor.pub"] = []byte("-----BEGIN EC PRIVATE KEY-----\nAAAA\n-----END EC PRIVATE KEY-----\n")
			}),
			env:  "copy",
			want: "./environments/copy/rekor.pub:1:1: material: this file holds a private key",
		},
		{
			name:    "over the size bound",
			overlay: as("copy", func(f map[string][]byte) { f["big.pem"] = bytes.Repeat([]byte("A"), 1<<20+1) }),
			env:     "copy",
			want:    "./environments/copy/big.pem: file too large",
		},
		{
			name:    "a name outside the repository",
			overlay: load.Overlay{"environments/../x.cue": []byte("package x\n")},
			env:     "production",
			want:    `./x.cue: "environments/../x.cue" is not a clean slash path`,
		},
		{
			name:    "material is the overlay's",
			disk:    map[string]string{"copy/rekor.pub": string(production["rekor.pub"])},
			overlay: as("copy", func(f map[string][]byte) { delete(f, "rekor.pub") }),
			env:     "copy",
			want:    `material file "rekor.pub" does not exist`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := fixture.Repo(t)
			for name, b := range tc.disk {
				p := filepath.Join(root, load.EnvironmentsDir, filepath.FromSlash(name))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(b), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			envs, err := load.EnvironmentsWith(root, tc.overlay, tc.env)
			var buf strings.Builder
			report.Lines(&buf, "", err, root)
			got := buf.String()
			if tc.want == "" {
				if err != nil {
					t.Fatalf("problems, want none:\n%s", got)
				}
				if len(envs) != 1 || envs[0].Name != tc.env {
					t.Fatalf("loaded %d environments, want %s", len(envs), tc.env)
				}
				if key := envs[0].Rekor[0].Key; !bytes.Equal(key.Bytes, production[key.File.V]) {
					t.Errorf("rekor key %s: not the overlay's bytes", key.File.V)
				}
				return
			}
			if !strings.Contains(got, tc.want) {
				t.Errorf("problems do not name %q:\n%s", tc.want, got)
			}
		})
	}
}

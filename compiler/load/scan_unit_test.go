package load

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"cuelang.org/go/cue/errors"
	"github.com/google/go-cmp/cmp"

	"github.com/trustc-dev/trustc/internal/treetest"
)

// TestScanLinks pins where a symbolic link under environments/ may lead:
// inside its environment's directory (or inside environments/, for an
// entry directly in it), never to another environment or beyond.
func TestScanLinks(t *testing.T) {
	for _, tc := range []struct {
		name   string
		link   string // below environments/
		target string
		want   string // the problem's file and message, "" for none
	}{
		{"file in its environment", "prod/b.pub", "a.pub", ""},
		{"directory in its environment", "prod/certs", "sub", ""},
		{"entry of environments/ to an environment's file", "shared.pub", "prod/a.pub", ""},
		{"another environment's file", "prod/c.pub", "../stage/a.pub", "environments/prod/c.pub: a symbolic link leading outside environments/prod/ (or an absolute one); copy the file in instead"},
		{"another environment", "prod/stage", "../stage", "environments/prod/stage: a symbolic link leading outside environments/prod/ (or an absolute one); copy the file in instead"},
		{"absolute", "prod/d.pub", "/etc/hostname", "environments/prod/d.pub: a symbolic link leading outside environments/prod/ (or an absolute one); copy the file in instead"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			envs := filepath.Join(root, EnvironmentsDir)
			treetest.Write(t, envs, map[string]string{"prod/a.pub": "public\n", "prod/sub/x.pub": "public\n", "stage/a.pub": "public\n"})
			if err := os.Symlink(tc.target, filepath.Join(envs, tc.link)); err != nil {
				t.Fatal(err)
			}
			_, err := scan(root)
			var got []string
			for _, e := range errors.Errors(err) {
				// The message no longer names the file: its position does.
				rel, _ := filepath.Rel(root, e.Position().Filename())
				format, args := e.Msg()
				got = append(got, filepath.ToSlash(rel)+": "+fmt.Sprintf(format, args...))
			}
			var want []string
			if tc.want != "" {
				want = []string{tc.want}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("scan problems (-want +got):\n%s", diff)
			}
		})
	}
}

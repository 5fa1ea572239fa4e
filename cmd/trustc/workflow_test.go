package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/trustc-dev/trustc/internal/refdata"
)

// shellOperator is where a command of a run block ends: a redirection or
// an operator.
var shellOperator = regexp.MustCompile(`\s+(\d?>|\|\|?|&&|;)`)

// TestWorkflowCommandsTested keeps the example workflow honest without
// GitHub: every action it uses is pinned by full commit SHA, and every
// trustc command it runs is run, as written (with BASE_REF=main), by
// testdata/script/workflow.txtar, where only -now may follow it.
func TestWorkflowCommandsTested(t *testing.T) {
	root := refdata.ModuleRoot(t)
	wf, err := os.ReadFile(filepath.Join(root, ".github", "workflows", "trustc.yml"))
	if err != nil {
		t.Fatal(err)
	}
	script, err := os.ReadFile(filepath.Join("testdata", "script", "workflow.txtar"))
	if err != nil {
		t.Fatal(err)
	}

	pinned := regexp.MustCompile(`^\s*(?:-\s+)?uses:\s+[\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+(\.\d+)*$`)
	uses, commands := 0, 0
	for _, line := range strings.Split(string(wf), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(strings.TrimPrefix(trimmed, "- "), "uses:") {
			uses++
			if !pinned.MatchString(line) {
				t.Errorf("not pinned by full commit SHA with its tag in a comment: %s", trimmed)
			}
		}
		// A one-line step ("run: trustc ...") or a line of a run block.
		trimmed = strings.TrimPrefix(trimmed, "run: ")
		if !strings.HasPrefix(trimmed, "trustc ") {
			continue
		}
		commands++
		// The command ends where the shell's redirections and operators
		// begin.
		cmd := shellOperator.Split(trimmed, 2)[0]
		cmd = strings.NewReplacer(`"`, "", "$BASE_REF", "main").Replace(cmd)
		want := regexp.MustCompile(`(?m)^!? ?exec ` + regexp.QuoteMeta(cmd) + `( -now \S+)?$`)
		if !want.Match(script) {
			t.Errorf("workflow.txtar does not run the workflow's %q", cmd)
		}
	}
	if uses < 3 || commands < 3 {
		t.Errorf("found %d uses and %d trustc commands; the workflow's layout changed under this test", uses, commands)
	}
}

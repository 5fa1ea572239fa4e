package cli

import (
	"io"

	"github.com/trustc-dev/trustc/internal/report"
)

// printProblems prints err in the chosen format: text (a headline, then
// one problem a line), json (an array of problems, on stdout: it is the
// command's data) or github (workflow commands, on stderr). All three are
// internal/report's, the one printer of problems.
func printProblems(stdout, stderr io.Writer, format, headline string, err error, root string) {
	switch format {
	case "json":
		report.JSON(stdout, err, root)
	case "github":
		report.GitHub(stderr, err, root)
	default:
		report.Text(stderr, headline, err, root)
	}
}

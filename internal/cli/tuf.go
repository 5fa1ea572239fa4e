package cli

import (
	"crypto"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/trustc-dev/trustc/compiler"
	"github.com/trustc-dev/trustc/compiler/load"
	"github.com/trustc-dev/trustc/internal/report"
	"github.com/trustc-dev/trustc/internal/safefile"
	"github.com/trustc-dev/trustc/internal/text"
	"github.com/trustc-dev/trustc/plan"
	"github.com/trustc-dev/trustc/release"
	"github.com/trustc-dev/trustc/tufrepo"
)

// runTUF dispatches the tuf subcommands. There is one today; the group
// leaves room for the rest of a repository's life (rotating keys,
// refreshing timestamps) without crowding the top level.
func runTUF(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "build" {
		return runTUFBuild(args[1:], stdout, stderr)
	}
	help := len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help")
	if len(args) > 0 && !help {
		fmt.Fprintf(stderr, "trustc tuf: unknown command %q\n", args[0])
	}
	fmt.Fprintln(stderr, "usage: trustc tuf build [flags]")
	fmt.Fprintln(stderr, "\nRun 'trustc tuf build -h' for its flags.")
	if help {
		return exitOK
	}
	return exitUsage
}

// tufRoles are the top-level TUF roles, in the order flags and output
// list them.
var tufRoles = []string{"root", "targets", "snapshot", "timestamp"}

// roleFlags are one role's flags.
type roleFlags struct {
	keys    listFlag
	version int64
	expires string
}

func runTUFBuild(args []string, stdout, stderr io.Writer) int {
	c := newSubcmd("tuf build", "-env name -out dir (-generate-keys dir | -root-key file -targets-key file -snapshot-key file -timestamp-key file) [flags]", stderr)
	golden, envName, now := c.reviewFlags("`name` of the environment to publish", "expiries count from and are checked against")
	out := c.String("out", "", "`dir`ectory to write the repository to; replaced if it holds an earlier repository")
	genKeys := c.String("generate-keys", "", "generate a fresh Ed25519 key per role and write them as PKCS#8 PEM to `dir` (a test rig; never under environments/)")
	defaults := map[string]string{"root": "365d", "targets": "365d", "snapshot": "30d", "timestamp": "7d"}
	roles := map[string]*roleFlags{}
	for _, r := range tufRoles {
		rf := &roleFlags{}
		roles[r] = rf
		c.Var(&rf.keys, r+"-key", "PKCS#8 PEM `file` of an Ed25519 or ECDSA P-256 key signing "+r+"; repeat for more keys (all sign; threshold is their number)")
		c.Int64Var(&rf.version, r+"-version", 1, r+" metadata `version`")
		c.StringVar(&rf.expires, r+"-expires", defaults[r], r+" expiry: an RFC 3339 `time`, or a duration after -now such as 720h or 30d")
	}
	if code, ok := c.parse(args); !ok {
		return code
	}
	if code, ok := c.noArgs(); !ok {
		return code
	}
	if *envName == "" || *out == "" {
		return c.usagef("-env and -out are required")
	}
	var missing []string
	anyKeys := false
	for _, r := range tufRoles {
		if len(roles[r].keys) == 0 {
			missing = append(missing, "-"+r+"-key")
		} else {
			anyKeys = true
		}
	}
	switch {
	case *genKeys != "" && anyKeys:
		return c.usagef("-generate-keys and -<role>-key flags exclude each other")
	case *genKeys == "" && len(missing) > 0:
		return c.usagef("no key for %s; give every role a key or use -generate-keys dir", strings.Join(missing, ", "))
	}
	ref, err := referenceTime(*now)
	if err != nil {
		return c.usagef("-now: %v", err)
	}
	opts := tufrepo.Options{ReferenceTime: ref}
	for _, r := range tufRoles {
		exp, err := expiry(roles[r].expires, ref)
		if err != nil {
			return c.usagef("-%s-expires: %v", r, err)
		}
		*optsRole(&opts, r) = tufrepo.Role{Version: roles[r].version, Expires: exp}
	}
	absRoot, code, ok := c.repo()
	if !ok {
		return code
	}
	goldenDir := inRepo(absRoot, *golden)
	if *genKeys != "" {
		inside, err := under(*genKeys, filepath.Join(absRoot, load.EnvironmentsDir))
		if err != nil {
			return c.failf("-generate-keys: %v", err)
		}
		if inside {
			return c.usagef("-generate-keys %s: private keys never go under %s, whose files are published", *genKeys, load.EnvironmentsDir)
		}
		// Both directories are replaced whole by a later run, which
		// would delete the keys unseen (issue 12).
		for _, d := range []struct{ dir, what string }{
			{goldenDir, "trustc generate replaces " + *golden},
			{*out, "trustc tuf build replaces -out " + *out},
		} {
			inside, err := under(*genKeys, d.dir)
			if err != nil {
				return c.failf("-generate-keys: %v", err)
			}
			if inside {
				return c.usagef("-generate-keys %s: the next %s whole, deleting the keys; keep them elsewhere", *genKeys, d.what)
			}
		}
	}
	// Refused before keys are generated and written, so that nothing is.
	if err := tufrepo.CheckOutput(*out); err != nil {
		return c.failf("nothing written: %v", err)
	}

	// Sign nothing generate would refuse: every rule, the time-dependent
	// ones at -now, and the rules across releases against golden/. A
	// golden/ that does not read as a release is refused as stale.
	env, ok := reviewedEnv("trustc tuf build", "nothing written: ", absRoot, releaseOptions(ref, goldenDir), *golden, goldenDir, *envName, stderr)
	if !ok {
		return exitFail
	}

	if *genKeys != "" {
		if opts.Signers, err = generateKeys(*genKeys); err != nil {
			return c.failf("nothing written: %v", err)
		}
	} else {
		for _, r := range tufRoles {
			for _, path := range roles[r].keys {
				s, err := tufrepo.LoadSigner(path)
				if err != nil {
					return c.failf("nothing written: %s key: %v", r, err)
				}
				*signersRole(&opts.Signers, r) = append(*signersRole(&opts.Signers, r), s)
			}
		}
	}

	targets := tufrepo.TargetsFromEnv(env)
	if err := tufrepo.Build(*out, targets, opts); err != nil {
		return c.failf("nothing written: %v", err)
	}
	if *genKeys != "" {
		fmt.Fprintf(stdout, "keys: %s\n", strings.Join(keyFiles(*genKeys), " "))
	}
	fmt.Fprintf(stdout, "%s: %d targets signed into %s\n", *envName, len(targets), *out)
	for _, t := range targets {
		custom := ""
		if t.Custom != nil {
			custom = "  " + string(t.Custom)
		}
		fmt.Fprintf(stdout, "  %-34s %6d bytes%s\n", t.Name, len(t.Data), custom)
	}
	for _, r := range tufRoles {
		ro := *optsRole(&opts, r)
		fmt.Fprintf(stdout, "%-9s v%d, expires %s\n", r, ro.Version, ro.Expires.UTC().Truncate(time.Second).Format(time.RFC3339))
	}
	fmt.Fprintf(stdout, "clients start from %s\n", filepath.Join(*out, strconv.FormatInt(opts.Root.Version, 10)+".root.json"))
	return exitOK
}

// reviewFlags adds the flags of the commands that publish a reviewed
// release, or verify its publication (tuf build, verify-published): -C,
// whose CUE they compile, golden/, the environment, and -now, the
// reference time, "what" it is. Their -now is parsed by referenceTime,
// after the flags.
func (c *subcmd) reviewFlags(envUsage, what string) (golden, envName, now *string) {
	c.repoFlag("environments/ and cue.mod/")
	golden = c.String("golden", "golden", "compiled release `dir`ectory (relative paths are relative to -C); golden/<env> must be what the CUE compiles to")
	envName = c.String("env", "", envUsage)
	now = c.String("now", "", "reference `time` (RFC 3339) "+what+" (default the current time)")
	return golden, envName, now
}

// reviewedEnv compiles one environment with opts and checks that
// golden/<env> is exactly what it compiles to: golden/ is committed and
// reviewed, so a repository publishes, and is verified against, only what
// was reviewed. The legacy targets are material under environments/,
// reviewed there. On a problem it prints cmd: prefix..., and ok is false.
func reviewedEnv(cmd, prefix, absRoot string, opts compiler.Options, golden, goldenDir, envName string, stderr io.Writer) (env *release.Env, ok bool) {
	res, err := compiler.Compile(compiler.Dir(absRoot, envName), opts)
	if err != nil {
		report.Text(stderr, cmd+": "+strings.TrimSuffix(prefix, ": "), compiler.Report(res, err), absRoot)
		return nil, false
	}
	env = res.Release.Env(envName)
	want := map[string][]byte{}
	for _, f := range env.Files() {
		want[f.Name] = f.Bytes
	}
	drift, err := Drift(safefile.DirFS(filepath.Join(goldenDir, envName), safefile.MaxJSON), want)
	if err != nil {
		fmt.Fprintf(stderr, "%s: read %s: %v\n", cmd, filepath.Join(golden, envName), err)
		return nil, false
	}
	if len(drift) > 0 {
		printStale(stderr, strings.TrimSuffix(cmd+": "+prefix, ": "), filepath.ToSlash(filepath.Join(golden, envName)), drift)
		// A release of a later day of the plan, published now, would
		// send early clients to entries before their start: say so.
		if len(res.Envs) == 1 {
			if at, ahead, err := plan.Ahead(res.Envs[0], opts.Now, sameFiles(os.DirFS(filepath.Join(goldenDir, envName)))); err == nil && ahead {
				fmt.Fprintf(stderr, "  %s holds the release due %s, ahead of its day: clients that use listed services early would sign to entries before their start\n", filepath.ToSlash(filepath.Join(golden, envName)), text.Time(at))
			}
		}
		return nil, false
	}
	return env, true
}

func optsRole(o *tufrepo.Options, role string) *tufrepo.Role {
	return byRole(role, &o.Root, &o.Targets, &o.Snapshot, &o.Timestamp)
}

func signersRole(s *tufrepo.Signers, role string) *[]crypto.Signer {
	return byRole(role, &s.Root, &s.Targets, &s.Snapshot, &s.Timestamp)
}

// byRole picks role's one of four values given in tufRoles order.
func byRole[T any](role string, root, targets, snapshot, timestamp *T) *T {
	switch role {
	case "root":
		return root
	case "targets":
		return targets
	case "snapshot":
		return snapshot
	default:
		return timestamp
	}
}

// keyFiles are where -generate-keys writes each role's key.
func keyFiles(dir string) []string {
	var out []string
	for _, r := range tufRoles {
		out = append(out, filepath.Join(dir, r+".pem"))
	}
	return out
}

// generateKeys makes a fresh key per role and writes each to dir before
// anything is signed, so that no repository exists whose keys were lost.
// Existing key files are never overwritten.
func generateKeys(dir string) (tufrepo.Signers, error) {
	signers, err := tufrepo.GenerateSigners()
	if err != nil {
		return tufrepo.Signers{}, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return tufrepo.Signers{}, fmt.Errorf("write keys: %w", err)
	}
	files := keyFiles(dir)
	for i, r := range tufRoles {
		pemBytes, err := tufrepo.MarshalSigner((*signersRole(&signers, r))[0])
		if err != nil {
			return tufrepo.Signers{}, err
		}
		f, err := os.OpenFile(files[i], os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return tufrepo.Signers{}, fmt.Errorf("write keys: %w", err)
		}
		_, werr := f.Write(pemBytes)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return tufrepo.Signers{}, fmt.Errorf("write keys: %w", werr)
		}
	}
	return signers, nil
}

// under reports whether path is dir or below it, after resolving symbolic
// links in the part of path that exists.
func under(path, dir string) (bool, error) {
	p, err := resolve(path)
	if err != nil {
		return false, err
	}
	d, err := resolve(dir)
	if err != nil {
		return false, err
	}
	rel, err := filepath.Rel(d, p)
	if err != nil {
		return false, nil // on another volume
	}
	return rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)), nil
}

// resolve makes path absolute and resolves symbolic links in its longest
// existing prefix.
func resolve(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	var rest []string
	for p := abs; ; p = filepath.Dir(p) {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Join(append([]string{r}, rest...)...), nil
		}
		if filepath.Dir(p) == p {
			return abs, nil
		}
		rest = append([]string{filepath.Base(p)}, rest...)
	}
}

// referenceTime parses -now; empty means the clock, which only the CLI
// reads (compile and tufrepo take time as a parameter).
func referenceTime(s string) (time.Time, error) {
	if s == "" {
		return time.Now().UTC(), nil
	}
	t, err := text.ParseTime(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is no RFC 3339 time such as 2026-08-21T00:00:00Z", s)
	}
	if err := checkEpoch(t); err != nil {
		return time.Time{}, err
	}
	return t, nil
}

// expiry reads an RFC 3339 time, or a duration after ref: a Go duration
// (720h) or a whole number of days (30d), since TUF expiries are usually
// counted in days. Durations are load.ParseDuration's, so both accept the
// same days and bound them the same way.
func expiry(s string, ref time.Time) (time.Time, error) {
	if t, err := text.ParseTime(s); err == nil {
		return t, nil
	}
	d, err := load.ParseDuration(s)
	if errors.Is(err, load.ErrDurationTooLong) {
		return time.Time{}, fmt.Errorf("%q is longer than %d days, the most trustc can count", s, load.MaxDays)
	}
	if err != nil || d <= 0 {
		return time.Time{}, fmt.Errorf("%q is neither an RFC 3339 time nor a positive duration such as 720h or 30d", s)
	}
	return ref.Add(d), nil
}

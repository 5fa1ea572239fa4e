package tufrepo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"github.com/trustc-dev/trustc/internal/safefile"
	"github.com/trustc-dev/trustc/release"
)

// Kind says how a published file departs from the expected one.
type Kind string

const (
	// Missing: expected, but the repository lists no such target.
	Missing Kind = "missing"
	// Extra: the repository publishes a trust file (a trusted root or
	// signing config) that is not expected.
	Extra Kind = "extra"
	// Differs: published with other bytes than expected.
	Differs Kind = "differs"
	// Unavailable: listed in signed metadata, but the repository did not
	// serve bytes matching it.
	Unavailable Kind = "unavailable"
)

// File is what a file's bytes are known by.
type File struct {
	Length int64
	SHA256 string
}

func fileOf(b []byte) *File {
	sum := sha256.Sum256(b)
	return &File{Length: int64(len(b)), SHA256: hex.EncodeToString(sum[:])}
}

// Finding is one difference between a repository and the expected files.
type Finding struct {
	Kind Kind
	Name string
	// Published is what the repository serves, nil if nothing.
	Published *File
	// Expected is the expected file, nil if none.
	Expected *File
	// Err says why an Unavailable target could not be fetched.
	Err string
}

// Report is the outcome of Compare.
type Report struct {
	Location       string
	RootVersion    int64
	TargetsVersion int64
	// Matched lists the files published exactly as expected.
	Matched []string
	// Findings are sorted by name.
	Findings []Finding
	// Ignored lists published targets that are no trust files (legacy
	// keys and certificates such as rekor.pub). A release directory holds
	// trust files only, so there is nothing to compare them with.
	Ignored []string
}

// IsTrustFile reports whether a target is one of the files a release
// holds, named as release.ReadEnv reads them: those are the files whose
// presence Compare checks both ways.
func IsTrustFile(name string) bool {
	return name == release.TrustedRootName || name == release.LegacySigningConfigName ||
		(strings.HasPrefix(name, "signing_config") && strings.HasSuffix(name, ".v0.2.json"))
}

// Compare checks a published repository against the release environment in
// goldenDir (read with release.ReadEnv, so a golden/<env> directory or any
// directory of published JSON).
func Compare(ctx context.Context, src Source, goldenDir string) (*Report, error) {
	env, err := release.ReadEnv(safefile.DirFS(goldenDir, safefile.MaxJSON), goldenDir)
	if err != nil {
		return nil, fmt.Errorf("compare: read expected files: %w", err)
	}
	return CompareFiles(ctx, src, env.Files())
}

// CompareFiles checks a published repository against expected files, by
// target name. Every expected file must be published with the same bytes;
// a published trust file (IsTrustFile) must be expected. A repository whose
// metadata does not verify is an error, not a finding: nothing it lists can
// be trusted.
func CompareFiles(ctx context.Context, src Source, expected []release.NamedBytes) (*Report, error) {
	repo, err := Open(ctx, src)
	if err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	defer repo.Close()

	rep := &Report{Location: src.Location, RootVersion: repo.RootVersion(), TargetsVersion: repo.TargetsVersion()}
	want := map[string][]byte{}
	for _, f := range expected {
		want[f.Name] = f.Bytes
	}
	for _, name := range repo.Targets() {
		if _, ok := want[name]; !ok {
			if IsTrustFile(name) {
				rep.Findings = append(rep.Findings, Finding{Kind: Extra, Name: name, Published: listed(repo, name)})
			} else {
				rep.Ignored = append(rep.Ignored, name)
			}
		}
	}
	for _, f := range expected {
		exp := fileOf(f.Bytes)
		if repo.Target(f.Name) == nil {
			rep.Findings = append(rep.Findings, Finding{Kind: Missing, Name: f.Name, Expected: exp})
			continue
		}
		got, err := repo.Fetch(ctx, f.Name)
		if err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("compare: %w", ctx.Err())
			}
			rep.Findings = append(rep.Findings, Finding{Kind: Unavailable, Name: f.Name, Published: listed(repo, f.Name), Expected: exp, Err: err.Error()})
			continue
		}
		if !bytes.Equal(got, f.Bytes) {
			rep.Findings = append(rep.Findings, Finding{Kind: Differs, Name: f.Name, Published: fileOf(got), Expected: exp})
			continue
		}
		rep.Matched = append(rep.Matched, f.Name)
	}
	slices.Sort(rep.Matched)
	slices.SortStableFunc(rep.Findings, func(a, b Finding) int { return strings.Compare(a.Name, b.Name) })
	return rep, nil
}

// listed is a target as its signed metadata describes it.
func listed(repo *Repository, name string) *File {
	tf := repo.Target(name)
	return &File{Length: tf.Length, SHA256: tf.Hashes[HashAlgorithm].String()}
}

// Text renders the report for people: a headline, then one block per
// finding with both sides' length and sha256.
func (r *Report) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (root v%d, targets v%d): ", r.Location, r.RootVersion, r.TargetsVersion)
	switch n := len(r.Findings); n {
	case 0:
		fmt.Fprintf(&b, "no drift, %d %s as expected\n", len(r.Matched), plural(len(r.Matched), "file", "files"))
	default:
		fmt.Fprintf(&b, "%d %s, %d %s as expected\n", n, plural(n, "difference", "differences"), len(r.Matched), plural(len(r.Matched), "file", "files"))
	}
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "%s %s\n", f.Kind, f.Name)
		if f.Published != nil {
			fmt.Fprintf(&b, "  published %s\n", f.Published)
		}
		if f.Expected != nil {
			fmt.Fprintf(&b, "  expected  %s\n", f.Expected)
		}
		if f.Err != "" {
			fmt.Fprintf(&b, "  error     %s\n", f.Err)
		}
	}
	if len(r.Ignored) > 0 {
		fmt.Fprintf(&b, "not compared (not trust files): %s\n", strings.Join(r.Ignored, ", "))
	}
	return b.String()
}

func (f *File) String() string {
	return fmt.Sprintf("sha256:%s %d bytes", f.SHA256, f.Length)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

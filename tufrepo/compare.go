package tufrepo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// Kind says how a published target departs from the expected one.
type Kind string

const (
	// Missing: expected, but the repository lists no such target.
	Missing Kind = "missing"
	// Extra: the repository publishes a target that is not expected.
	Extra Kind = "extra"
	// Differs: published with other bytes than expected.
	Differs Kind = "differs"
	// Custom: published with the expected bytes but other custom
	// metadata, which legacy clients (cosign's rekor.pub, ctfe.pub) read to
	// find a key's usage and status.
	Custom Kind = "custom"
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

// Finding is one difference between a repository and the expected targets.
type Finding struct {
	Kind Kind
	Name string
	// Published is what the repository serves, nil if nothing.
	Published *File
	// Expected is the expected file, nil if none.
	Expected *File
	// PublishedCustom and ExpectedCustom are a Custom finding's custom
	// metadata, compact JSON, empty for none.
	PublishedCustom, ExpectedCustom string
	// Err says why an Unavailable target could not be fetched.
	Err string
}

// Report is the outcome of Compare.
type Report struct {
	Location string
	// Versions are the metadata versions the client verified.
	Versions Versions
	// Matched lists the targets published exactly as expected.
	Matched []string
	// Findings are sorted by name.
	Findings []Finding
}

// Compare checks a published repository against the targets expected of
// it, by name: what Build is given for the release (TargetsFromEnv), the
// trust files and the legacy key and certificate targets alike. Every
// expected target must be published with the same bytes and the same
// custom metadata, and every published top-level target must be expected.
// A repository whose metadata does not verify is an error, not a finding:
// nothing it lists can be trusted.
func Compare(ctx context.Context, src Source, expected []Target) (*Report, error) {
	repo, err := Open(ctx, src)
	if err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	defer repo.Close()

	rep := &Report{Location: src.Location, Versions: repo.Versions()}
	want := map[string]bool{}
	for _, t := range expected {
		want[t.Name] = true
	}
	for _, name := range repo.Targets() {
		if !want[name] {
			rep.Findings = append(rep.Findings, Finding{Kind: Extra, Name: name, Published: listed(repo, name)})
		}
	}
	for _, t := range expected {
		exp := fileOf(t.Data)
		tf := repo.Target(t.Name)
		if tf == nil {
			rep.Findings = append(rep.Findings, Finding{Kind: Missing, Name: t.Name, Expected: exp})
			continue
		}
		got, err := repo.Fetch(ctx, t.Name)
		if err != nil {
			if ctx.Err() != nil {
				return nil, fmt.Errorf("compare: %w", ctx.Err())
			}
			rep.Findings = append(rep.Findings, Finding{Kind: Unavailable, Name: t.Name, Published: listed(repo, t.Name), Expected: exp, Err: err.Error()})
			continue
		}
		if !bytes.Equal(got, t.Data) {
			rep.Findings = append(rep.Findings, Finding{Kind: Differs, Name: t.Name, Published: fileOf(got), Expected: exp})
			continue
		}
		if pub, want := customOf(tf.Custom), customOf(rawPtr(t.Custom)); !sameJSON(pub, want) {
			rep.Findings = append(rep.Findings, Finding{Kind: Custom, Name: t.Name, PublishedCustom: pub, ExpectedCustom: want})
			continue
		}
		rep.Matched = append(rep.Matched, t.Name)
	}
	slices.Sort(rep.Matched)
	slices.SortStableFunc(rep.Findings, func(a, b Finding) int { return strings.Compare(a.Name, b.Name) })
	return rep, nil
}

func rawPtr(r json.RawMessage) *json.RawMessage {
	if r == nil {
		return nil
	}
	return &r
}

// customOf is custom metadata as compact JSON, or "" for none.
func customOf(r *json.RawMessage) string {
	if r == nil || len(*r) == 0 {
		return ""
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, *r); err != nil {
		return string(*r)
	}
	return buf.String()
}

// sameJSON compares custom metadata by meaning: the signed bytes may order
// keys differently from the expected ones.
func sameJSON(a, b string) bool {
	if a == "" || b == "" {
		return a == b
	}
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return a == b
	}
	return reflect.DeepEqual(x, y)
}

// listed is a target as its signed metadata describes it.
func listed(repo *Repository, name string) *File {
	tf := repo.Target(name)
	return &File{Length: tf.Length, SHA256: tf.Hashes[HashAlgorithm].String()}
}

// Text renders the report for people: a headline, then one block per
// finding with both sides' length and sha256 (or custom metadata).
func (r *Report) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (root v%d, targets v%d): ", r.Location, r.Versions.Root, r.Versions.Targets)
	switch n := len(r.Findings); n {
	case 0:
		fmt.Fprintf(&b, "no drift, %d %s as expected\n", len(r.Matched), plural(len(r.Matched), "target", "targets"))
	default:
		fmt.Fprintf(&b, "%d %s, %d %s as expected\n", n, plural(n, "difference", "differences"), len(r.Matched), plural(len(r.Matched), "target", "targets"))
	}
	for _, f := range r.Findings {
		fmt.Fprintf(&b, "%s %s\n", f.Kind, f.Name)
		if f.Published != nil {
			fmt.Fprintf(&b, "  published %s\n", f.Published)
		}
		if f.Expected != nil {
			fmt.Fprintf(&b, "  expected  %s\n", f.Expected)
		}
		if f.Kind == Custom {
			fmt.Fprintf(&b, "  published custom %s\n", orNone(f.PublishedCustom))
			fmt.Fprintf(&b, "  expected  custom %s\n", orNone(f.ExpectedCustom))
		}
		if f.Err != "" {
			fmt.Fprintf(&b, "  error     %s\n", f.Err)
		}
	}
	return b.String()
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
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

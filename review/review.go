package review

import (
	"bytes"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	prototrustroot "github.com/sigstore/protobuf-specs/gen/pb-go/trustroot/v1"
	"github.com/trustc-dev/trustc/clients"
	"github.com/trustc-dev/trustc/release"
	"github.com/trustc-dev/trustc/timeline"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Options tunes a review.
type Options struct {
	// Now is when the review is read: client impact is computed from Now
	// on, window changes before Now are retroactive, and timelines mark
	// it. Zero means all of time and no mark.
	Now time.Time
	// Findings are policy-check results to show beside what they concern.
	Findings []Finding
	// Full draws every timeline row and lists every timeline note. By
	// default a changed environment's timeline shows the changed rows and
	// their neighbours, and notes past the first few of a kind are
	// summarised, so that the review's size follows the change, not the
	// environment.
	Full bool
	// Fronts gives, per environment name, the Rekor signing URLs that
	// front log shards (the CUE's rekorFronts, or -front): signers that
	// use one are trusted while one of its shards is, as check judges
	// them.
	Fronts map[string]clients.Fronts
}

// Finding is one result of a policy check, produced by the caller.
type Finding struct {
	Rule string `json:"rule"`
	// File is the file's slash-separated path, "env/name" (the golden/
	// layout) or just "name" when the review has one environment.
	File string `json:"file"`
	// Path is the JSON path inside the file, e.g. "tlogs[1].publicKey";
	// a finding whose path lies in a change is shown with that change.
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
	// Severity is check's: "error" (also when empty), "warning" for
	// SHOULD-level advice, "note" for what concerns no change (the base).
	Severity string `json:"severity,omitempty"`
}

// marked reports whether the review marks the finding as a warning: an
// error or a warning is marked, a note is not.
func (f Finding) marked() bool { return f.Severity != "note" }

// Op is what happened to an entry or field.
type Op string

// The operations.
const (
	Added     Op = "added"
	Removed   Op = "removed"
	Changed   Op = "changed"
	Reordered Op = "reordered"
)

// Status is what happened to an environment or file as a whole.
type Status string

// The statuses.
const (
	StatusAdded      Status = "added"
	StatusRemoved    Status = "removed"
	StatusChanged    Status = "changed"
	StatusFormatting Status = "formatting only"
	StatusUnchanged  Status = "unchanged"
)

// Review is the semantic difference between two releases.
type Review struct {
	Now time.Time `json:"now,omitzero"`
	// Envs lists environments with any difference or finding, by name.
	Envs []*Env `json:"envs,omitempty"`
	// Unchanged lists environments whose files are byte-identical.
	Unchanged []string `json:"unchanged,omitempty"`
	// Findings holds findings that name no file of the review.
	Findings []Finding `json:"findings,omitempty"`

	full bool
}

// Env is one environment's part of a review.
type Env struct {
	Name   string  `json:"name"`
	Status Status  `json:"status"`
	Files  []*File `json:"files"`

	old, new *release.Env
	now      time.Time
	fronts   clients.Fronts
}

// File is one file's part of a review.
type File struct {
	Name   string `json:"name"`
	Status Status `json:"status"`
	// Changes are in file order: top-level fields as the schema orders
	// them, entries as the new file lists them, removals after.
	Changes []Change `json:"changes,omitempty"`
	// Warnings concern the whole file, such as a client that refuses it.
	Warnings []string `json:"warnings,omitempty"`
	// Notes concern the whole file and break nothing.
	Notes []string `json:"notes,omitempty"`
	// Clients says what signers do differently under a changed signing
	// config, from Now on.
	Clients  []Impact  `json:"clients,omitempty"`
	Findings []Finding `json:"findings,omitempty"`
	// Elsewhere are findings about entries of the file that no change of
	// the review touches, at their URL or anywhere else: the review
	// counts them rather than repeat what every review of the release
	// would say ('trustc check' lists them).
	Elsewhere []Finding `json:"findingsElsewhere,omitempty"`
}

// Change is one semantic difference.
type Change struct {
	Op Op `json:"op"`
	// What is the kind of thing, e.g. "Rekor log" or "TSA service".
	What string `json:"what"`
	// Subject names the entry: URL, URI or CA subject.
	Subject string `json:"subject,omitempty"`
	// Path is the JSON path in the new file (in the old one for a
	// removal), e.g. "tlogs[1].publicKey.validFor.end".
	Path string `json:"path"`
	// Field is the part of Path inside the entry.
	Field string `json:"field,omitempty"`
	Old   string `json:"old,omitempty"`
	New   string `json:"new,omitempty"`
	// Details lists every field of an added or removed entry.
	Details []string `json:"details,omitempty"`
	// Effective is the first instant a client behaves differently; zero
	// means as soon as clients fetch the release. When says it in words.
	Effective time.Time `json:"effective,omitzero"`
	When      string    `json:"when"`
	// Impact says who is affected and how.
	Impact []string `json:"impact,omitempty"`
	// Warning is set when the change breaks something that works today.
	Warning  string    `json:"warning,omitempty"`
	Findings []Finding `json:"findings,omitempty"`
}

// Impact is what signers do during one stretch of time under a changed
// signing config.
type Impact struct {
	// From is the stretch's first instant; To, when set, the instant the
	// next stretch starts.
	From time.Time `json:"from,omitzero"`
	To   time.Time `json:"to,omitzero"`
	// Lines say, per role, who signs with what, and before with what.
	Lines []string `json:"lines"`
	// Divergences say where clients that should agree do not.
	Divergences []string `json:"divergences,omitempty"`
	// Untrusted names services signed with that no trusted-root entry at
	// their URL covers.
	Untrusted []string `json:"untrusted,omitempty"`
	// Still holds divergences and untrusted services the old file had at
	// the same time: not caused by this change, still worth knowing.
	Still []string `json:"still,omitempty"`
}

// Empty reports whether the review found nothing: no difference, not even
// formatting, and no finding.
func (r *Review) Empty() bool { return len(r.Envs) == 0 && len(r.Findings) == 0 }

// FormattingOnly reports whether there are differences and all of them
// are formatting.
func (r *Review) FormattingOnly() bool {
	n := 0
	for _, e := range r.Envs {
		switch e.Status {
		case StatusFormatting:
			n++
		case StatusUnchanged:
		default:
			return false
		}
	}
	return n > 0
}

// Timeline lays out the environment's windows after the change (before
// it, for a removed environment), with the changed rows highlighted.
func (e *Env) Timeline() *timeline.Timeline {
	env := e.new
	if env == nil {
		env = e.old
	}
	tl := timeline.NewWithFronts(env, e.now, e.fronts)
	// In a new environment everything is new; marking it all says nothing.
	if e.new != nil && e.old != nil {
		for _, f := range e.Files {
			for _, c := range f.Changes {
				if c.Op != Removed {
					tl.Highlight(f.Name, c.Path)
				}
			}
		}
	}
	return tl
}

// Diff reviews the change from old to new. Either may be nil: a first
// release, or the end of one.
func Diff(old, new *release.Release, opts Options) *Review {
	r := &Review{Now: opts.Now.UTC(), full: opts.Full}
	if opts.Now.IsZero() {
		r.Now = time.Time{}
	}
	for _, name := range EnvNames(old, new) {
		oe, ne := old.Env(name), new.Env(name)
		e := diffEnv(name, oe, ne, r.Now, normalFronts(opts.Fronts[name]))
		if e == nil {
			r.Unchanged = append(r.Unchanged, name)
			continue
		}
		r.Envs = append(r.Envs, e)
	}
	r.placeFindings(opts.Findings, old, new)
	return r
}

// EnvNames lists the environments of any of rels, nil ones skipped, in
// name order: the order a review, and anything printed beside it, takes
// them in.
func EnvNames(rels ...*release.Release) []string {
	var names []string
	for _, r := range rels {
		if r == nil {
			continue
		}
		for _, e := range r.Envs {
			if !slices.Contains(names, e.Name) {
				names = append(names, e.Name)
			}
		}
	}
	slices.Sort(names)
	return names
}

// fileKind tells the three kinds of trust file apart.
type fileKind int

const (
	kindTrustedRoot fileKind = iota
	kindSigningConfig
	kindLegacy
)

// envFile is one file of an environment, whatever its kind.
type envFile struct {
	name  string
	kind  fileKind
	bytes []byte
	msg   protoreflect.Message
	// legacy is set for the v0.1 file, which is not a protobuf message.
	legacy *release.LegacySigningConfig
	sc     *prototrustroot.SigningConfig
	tr     *prototrustroot.TrustedRoot
}

func filesOf(e *release.Env) []envFile {
	if e == nil {
		return nil
	}
	var out []envFile
	if f := e.TrustedRoot; f != nil {
		out = append(out, envFile{name: f.Name, kind: kindTrustedRoot, bytes: f.Bytes, msg: f.Msg.ProtoReflect(), tr: f.Msg})
	}
	for _, f := range e.SigningConfigs {
		out = append(out, envFile{name: f.Name, kind: kindSigningConfig, bytes: f.Bytes, msg: f.Msg.ProtoReflect(), sc: f.Msg})
	}
	if f := e.Legacy; f != nil {
		out = append(out, envFile{name: f.Name, kind: kindLegacy, bytes: f.Bytes, legacy: f.Msg})
	}
	return out
}

// normalFronts drops trailing slashes, as URLs are compared everywhere.
func normalFronts(f clients.Fronts) clients.Fronts {
	if len(f) == 0 {
		return nil
	}
	out := clients.Fronts{}
	for u, shards := range f {
		for _, s := range shards {
			out[strings.TrimSuffix(u, "/")] = append(out[strings.TrimSuffix(u, "/")], strings.TrimSuffix(s, "/"))
		}
	}
	return out
}

func diffEnv(name string, oe, ne *release.Env, now time.Time, fronts clients.Fronts) *Env {
	e := &Env{Name: name, old: oe, new: ne, now: now, fronts: fronts}
	of, nf := filesOf(oe), filesOf(ne)
	var names []string
	for _, f := range append(slices.Clone(of), nf...) {
		if !slices.Contains(names, f.name) {
			names = append(names, f.name)
		}
	}
	// The trusted root first: signing configs refer to it.
	slices.SortFunc(names, func(a, b string) int {
		ra, rb := a == release.TrustedRootName, b == release.TrustedRootName
		switch {
		case ra && !rb:
			return -1
		case rb && !ra:
			return 1
		}
		return strings.Compare(a, b)
	})
	for _, n := range names {
		var o, nw *envFile
		if i := slices.IndexFunc(of, func(f envFile) bool { return f.name == n }); i >= 0 {
			o = &of[i]
		}
		if i := slices.IndexFunc(nf, func(f envFile) bool { return f.name == n }); i >= 0 {
			nw = &nf[i]
		}
		if o != nil && nw != nil && bytes.Equal(o.bytes, nw.bytes) {
			continue
		}
		e.Files = append(e.Files, (&fileCtx{env: e, old: o, new: nw, now: now}).review())
	}
	e.Files = append(e.Files, untrustedUnder(e, of, nf, now)...)
	switch {
	case len(e.Files) == 0:
		return nil
	case oe == nil:
		e.Status = StatusAdded
	case ne == nil:
		e.Status = StatusRemoved
	default:
		e.Status = StatusFormatting
		for _, f := range e.Files {
			if f.Status != StatusFormatting {
				e.Status = StatusChanged
			}
		}
	}
	return e
}

// untrustedUnder reviews the signing configs a change left alone when the
// trusted root changed under them: a signer that keeps using a service
// whose trust window the change ended or removed writes entries that
// verifiers reject, and no diff of the signing config would show it.
func untrustedUnder(e *Env, of, nf []envFile, now time.Time) []*File {
	rootChanged := slices.ContainsFunc(e.Files, func(f *File) bool {
		return f.Name == release.TrustedRootName && f.Status != StatusFormatting
	})
	if !rootChanged || e.old == nil || e.new == nil {
		return nil
	}
	moved := movedTrust(e.old.TrustedRoot, e.new.TrustedRoot)
	var out []*File
	for i := range nf {
		n := &nf[i]
		if n.kind != kindSigningConfig || slices.ContainsFunc(e.Files, func(f *File) bool { return f.Name == n.name }) {
			continue
		}
		// Whether a service is trusted depends only on the trust entries
		// at its URL; a file that uses none whose windows changed is
		// trusted as before, and replaying every client at every window
		// boundary to find that out cost 10000 services minutes.
		if !usesAny(n.sc, moved, e.fronts) {
			continue
		}
		j := slices.IndexFunc(of, func(f envFile) bool { return f.name == n.name })
		if j < 0 {
			continue
		}
		var imps []Impact
		for _, im := range (&fileCtx{env: e, old: &of[j], new: n, now: now}).impact() {
			if len(im.Untrusted) > 0 {
				im.Lines, im.Divergences, im.Still = nil, nil, nil
				imps = append(imps, im)
			}
		}
		if len(imps) > 0 {
			out = append(out, &File{Name: n.name, Status: StatusUnchanged, Clients: imps,
				Notes: []string{"Unchanged, but the trusted root changed under it."}})
		}
	}
	return out
}

// trustKey is a trusted-root entry as signers' trust is judged: its list,
// URL and window.
type trustKey struct {
	section, url string
	window       span
}

// movedTrust returns the URLs of Rekor logs, CAs and TSAs whose set of
// trust windows differs between two trusted roots; a nil root has none.
func movedTrust(a, b *release.TrustedRootFile) map[string]bool {
	count := map[trustKey]int{}
	add := func(f *release.TrustedRootFile, d int) {
		if f == nil {
			return
		}
		m := f.Msg.ProtoReflect()
		for _, section := range []string{"tlogs", "certificateAuthorities", "timestampAuthorities"} {
			for _, entry := range listOf(m, m.Descriptor().Fields().ByJSONName(section)) {
				u := str(entry, "base_url")
				if section != "tlogs" {
					u = str(entry, "uri")
				}
				count[trustKey{section, strings.TrimSuffix(u, "/"), windowOf(entry)}] += d
			}
		}
	}
	add(a, 1)
	add(b, -1)
	moved := map[string]bool{}
	for k, n := range count {
		if n != 0 {
			moved[k.url] = true
		}
	}
	return moved
}

// usesAny reports whether a signing config lists a CA, Rekor or TSA
// service at one of urls, or a front of a shard at one.
func usesAny(sc *prototrustroot.SigningConfig, urls map[string]bool, fronts clients.Fronts) bool {
	for _, l := range [][]*prototrustroot.Service{sc.GetCaUrls(), sc.GetRekorTlogUrls(), sc.GetTsaUrls()} {
		for _, s := range l {
			u := strings.TrimSuffix(s.GetUrl(), "/")
			if urls[u] || slices.ContainsFunc(fronts[u], func(shard string) bool { return urls[shard] }) {
				return true
			}
		}
	}
	return false
}

// placeFindings puts each finding beside the change whose path contains
// it, else on its file (listed as unchanged if it did not change), else on
// the review.
func (r *Review) placeFindings(findings []Finding, old, new *release.Release) {
	names := EnvNames(old, new)
	for _, f := range findings {
		p := path.Clean(f.File)
		dir, name := path.Split(p)
		envName := path.Base(strings.TrimSuffix(dir, "/"))
		if dir == "" && len(names) == 1 {
			envName = names[0]
		}
		file := r.fileFor(envName, name, old, new)
		if file == nil {
			r.Findings = append(r.Findings, f)
			continue
		}
		placed := false
		for i := range file.Changes {
			c := &file.Changes[i]
			if f.Path != "" && (f.Path == c.Path || strings.HasPrefix(f.Path, c.Path+".") || strings.HasPrefix(f.Path, c.Path+"[")) {
				c.Findings = append(c.Findings, f)
				placed = true
				break
			}
		}
		switch {
		case placed:
		case r.aboutUnchanged(envName, file, f, old, new):
			file.Elsewhere = append(file.Elsewhere, f)
		default:
			file.Findings = append(file.Findings, f)
		}
	}
}

var findingEntry = regexp.MustCompile(`^([A-Za-z]+)\[(\d+)\]`)

// aboutUnchanged reports whether a finding concerns a list entry that no
// change of its environment touches: not the entry itself, and no entry
// at the same URL in any file (a trust window that moved under an
// unchanged signing entry makes that entry's finding the change's).
func (r *Review) aboutUnchanged(envName string, file *File, f Finding, old, new *release.Release) bool {
	m := findingEntry.FindStringSubmatch(f.Path)
	if m == nil {
		return false
	}
	i, _ := strconv.Atoi(m[2])
	var entry protoreflect.Message
	for _, env := range []*release.Env{new.Env(envName), old.Env(envName)} {
		for _, ef := range filesOf(env) {
			if ef.name != file.Name || ef.msg == nil {
				continue
			}
			fd := ef.msg.Descriptor().Fields().ByJSONName(m[1])
			if fd == nil || !fd.IsList() || fd.Message() == nil {
				continue
			}
			if l := ef.msg.Get(fd).List(); i < l.Len() {
				entry = l.Get(i).Message()
			}
		}
		if entry != nil {
			break
		}
	}
	if entry == nil {
		return false
	}
	subject := strings.TrimSuffix(subjectOf(entry), "/")
	for _, e := range r.Envs {
		if e.Name != envName {
			continue
		}
		for _, ff := range e.Files {
			for _, c := range ff.Changes {
				if strings.TrimSuffix(c.Subject, "/") == subject {
					return false
				}
			}
		}
	}
	return true
}

// fileFor finds the reviewed file, adding it (and its environment) as
// unchanged when a finding concerns a file the change did not touch. A
// name neither release has (a CUE source file, say) is no file of the
// review: listing it as an unchanged trust file would mislead.
func (r *Review) fileFor(envName, name string, old, new *release.Release) *File {
	oe, ne := old.Env(envName), new.Env(envName)
	if !hasFile(oe, name) && !hasFile(ne, name) {
		return nil
	}
	var e *Env
	for _, x := range r.Envs {
		if x.Name == envName {
			e = x
		}
	}
	if e == nil {
		e = &Env{Name: envName, Status: StatusUnchanged, old: oe, new: ne, now: r.Now}
		r.Envs = append(r.Envs, e)
		slices.SortFunc(r.Envs, func(a, b *Env) int { return strings.Compare(a.Name, b.Name) })
		r.Unchanged = slices.DeleteFunc(r.Unchanged, func(n string) bool { return n == envName })
	}
	for _, file := range e.Files {
		if file.Name == name {
			return file
		}
	}
	file := &File{Name: name, Status: StatusUnchanged}
	e.Files = append(e.Files, file)
	return file
}

func hasFile(e *release.Env, name string) bool {
	if e == nil {
		return false
	}
	return slices.ContainsFunc(e.Files(), func(f release.NamedBytes) bool { return f.Name == name })
}

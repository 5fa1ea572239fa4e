package tufrepo

import (
	"bytes"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/trustc-dev/trustc/internal/atomicdir"
	"github.com/trustc-dev/trustc/internal/safefile"
)

// Role sets one top-level role's metadata.
type Role struct {
	// Version defaults to 1.
	Version int64
	// Expires is required; Build truncates it to whole seconds in UTC, the
	// form TUF timestamps take.
	Expires time.Time
	// Threshold defaults to the number of the role's signers.
	Threshold int
}

// Options sets how Build signs.
type Options struct {
	// ReferenceTime is "now" for the build: metadata that has expired by
	// then is refused, as a client would refuse it.
	ReferenceTime time.Time
	Signers       Signers
	Root          Role
	Targets       Role
	Snapshot      Role
	Timestamp     Role
}

// role pairs a role's name with its options and signers.
type role struct {
	name    string
	opts    Role
	signers []crypto.Signer
}

func (o Options) roles() []role {
	return []role{
		{metadata.ROOT, o.Root, o.Signers.Root},
		{metadata.TARGETS, o.Targets, o.Signers.Targets},
		{metadata.SNAPSHOT, o.Snapshot, o.Signers.Snapshot},
		{metadata.TIMESTAMP, o.Timestamp, o.Signers.Timestamp},
	}
}

// Build writes a signed TUF repository serving targets to dir.
//
// The layout is what Sigstore's CDN serves and what go-tuf's updater and
// sigstore-go's pkg/tuf ask for with consistent snapshots on:
//
//	<v>.root.json  <v>.targets.json  <v>.snapshot.json  timestamp.json
//	targets/<sha256>.<name>
//
// A client's trust anchor is <v>.root.json. Only that root is written: a
// client holding an older root cannot walk to it, since a rotated root must
// also be signed by the keys it replaces, which Build does not hold.
// Metadata is serialised as
// python-tuf (tuf-on-ci) serialises Sigstore's: sorted keys, one-space
// indent, no trailing newline. Ed25519 and ECDSA in-memory keys sign
// deterministically, so fixed keys, targets and options give the same bytes.
//
// The repository is assembled in a temporary directory beside dir and
// renamed into place; on error dir is left as it was. An existing dir is
// replaced only if it is empty or holds a timestamp.json, so a mistyped
// path cannot swallow an unrelated directory, and only if it holds no
// <v>.root.json of the version written with other bytes.
func Build(dir string, targets []Target, opts Options) error {
	files, err := buildFiles(targets, opts)
	if err != nil {
		return err
	}
	if err := checkNoRollback(filepath.Clean(dir), opts); err != nil {
		return err
	}
	return writeAtomic(dir, files)
}

// checkNoRollback refuses to replace a repository with lower versions of
// any role than it holds: a client that saw the higher version refuses
// the lower one (TUF client workflow 5.3 to 5.6), so the rebuilt
// repository would be a rollback to it. Root, targets and snapshot
// versions come from the versioned file names, timestamp's from
// timestamp.json; a timestamp.json that does not parse says nothing.
func checkNoRollback(dir string, opts Options) error {
	des, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("write repository: %w", err)
	}
	held := map[string]int64{}
	for _, de := range des {
		v, role, ok := versionedName(de.Name())
		if ok && v > held[role] {
			held[role] = v
		}
	}
	if b, err := readAtMostFile(filepath.Join(dir, "timestamp.json"), timestampMaxLength); err == nil {
		if ts, err := metadata.Timestamp().FromBytes(b); err == nil {
			held[metadata.TIMESTAMP] = ts.Signed.Version
		}
	}
	for _, r := range opts.roles() {
		v := r.opts.Version
		if v == 0 {
			v = 1
		}
		if h := held[r.name]; v < h {
			return fmt.Errorf("write repository: %s holds %s v%d; writing v%d over it would roll back every client that saw v%d, so give %s version %d or more", dir, r.name, h, v, h, r.name, h)
		}
	}
	return nil
}

// versionedName parses "<v>.<role>.json" for root, targets and snapshot.
func versionedName(name string) (v int64, role string, ok bool) {
	n, rest, ok := strings.Cut(name, ".")
	if !ok {
		return 0, "", false
	}
	role, ok = strings.CutSuffix(rest, ".json")
	if !ok || (role != metadata.ROOT && role != metadata.TARGETS && role != metadata.SNAPSHOT) {
		return 0, "", false
	}
	v, err := strconv.ParseInt(n, 10, 64)
	if err != nil || v < 1 {
		return 0, "", false
	}
	return v, role, true
}

// timestampMaxLength is go-tuf's default bound on timestamp.json.
const timestampMaxLength = 16384

// readAtMostFile reads a regular file of at most maxLength bytes. The
// file type is checked before opening: opening a FIFO would block.
func readAtMostFile(path string, maxLength int64) ([]byte, error) {
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAtMost(f, path, maxLength)
}

// file is one file of a repository, by slash-separated path.
type file struct {
	name string
	data []byte
}

func buildFiles(targets []Target, opts Options) ([]file, error) {
	if opts.ReferenceTime.IsZero() {
		return nil, errors.New("build repository: no reference time")
	}
	roles := opts.roles()
	for i := range roles {
		r := &roles[i]
		if r.opts.Version == 0 {
			r.opts.Version = 1
		}
		if r.opts.Threshold == 0 {
			r.opts.Threshold = len(r.signers)
		}
		r.opts.Expires = r.opts.Expires.UTC().Truncate(time.Second)
		if err := checkRole(*r, opts.ReferenceTime); err != nil {
			return nil, fmt.Errorf("build repository: %w", err)
		}
	}
	rootRole, targetsRole, snapshotRole, timestampRole := roles[0], roles[1], roles[2], roles[3]

	root := metadata.Root(rootRole.opts.Expires)
	root.Signed.Version = rootRole.opts.Version
	for _, r := range roles {
		for _, s := range r.signers {
			k, _, err := keyOf(s)
			if err != nil {
				return nil, fmt.Errorf("build repository: %s key: %w", r.name, err)
			}
			if err := root.Signed.AddKey(k, r.name); err != nil {
				return nil, fmt.Errorf("build repository: add %s key: %w", r.name, err)
			}
		}
		root.Signed.Roles[r.name].Threshold = r.opts.Threshold
	}

	tmd := metadata.Targets(targetsRole.opts.Expires)
	tmd.Signed.Version = targetsRole.opts.Version
	var files []file
	for _, t := range targets {
		if _, dup := tmd.Signed.Targets[t.Name]; dup {
			return nil, fmt.Errorf("build repository: target %s listed twice", t.Name)
		}
		tf, err := TargetFile(t)
		if err != nil {
			return nil, fmt.Errorf("build repository: %w", err)
		}
		tmd.Signed.Targets[t.Name] = tf
		files = append(files, file{targetPath(t.Name, tf), t.Data})
	}

	// Snapshot and timestamp name only versions, as tuf-on-ci writes them:
	// with consistent snapshots the version already fixes the file fetched.
	smd := metadata.Snapshot(snapshotRole.opts.Expires)
	smd.Signed.Version = snapshotRole.opts.Version
	smd.Signed.Meta = map[string]*metadata.MetaFiles{"targets.json": metadata.MetaFile(tmd.Signed.Version)}

	tsmd := metadata.Timestamp(timestampRole.opts.Expires)
	tsmd.Signed.Version = timestampRole.opts.Version
	tsmd.Signed.Meta = map[string]*metadata.MetaFiles{"snapshot.json": metadata.MetaFile(smd.Signed.Version)}

	if err := sign(root, rootRole.signers); err != nil {
		return nil, fmt.Errorf("build repository: sign root: %w", err)
	}
	if err := sign(tmd, targetsRole.signers); err != nil {
		return nil, fmt.Errorf("build repository: sign targets: %w", err)
	}
	if err := sign(smd, snapshotRole.signers); err != nil {
		return nil, fmt.Errorf("build repository: sign snapshot: %w", err)
	}
	if err := sign(tsmd, timestampRole.signers); err != nil {
		return nil, fmt.Errorf("build repository: sign timestamp: %w", err)
	}

	// Check as a client would before anything is written: a repository
	// whose own root does not accept it must never be published.
	for _, c := range []struct {
		name string
		md   any
	}{{metadata.ROOT, root}, {metadata.TARGETS, tmd}, {metadata.SNAPSHOT, smd}, {metadata.TIMESTAMP, tsmd}} {
		if err := root.VerifyDelegate(c.name, c.md); err != nil {
			return nil, fmt.Errorf("build repository: verify %s: %w", c.name, err)
		}
	}

	for _, m := range []struct {
		name string
		md   any
	}{
		{strconv.FormatInt(root.Signed.Version, 10) + ".root.json", root},
		{strconv.FormatInt(tmd.Signed.Version, 10) + ".targets.json", tmd},
		{strconv.FormatInt(smd.Signed.Version, 10) + ".snapshot.json", smd},
		{"timestamp.json", tsmd},
	} {
		b, err := marshal(m.md)
		if err != nil {
			return nil, fmt.Errorf("build repository: encode %s: %w", m.name, err)
		}
		files = append(files, file{m.name, b})
	}
	return files, nil
}

func checkRole(r role, ref time.Time) error {
	if len(r.signers) == 0 {
		return fmt.Errorf("%s: no signers", r.name)
	}
	if r.opts.Version < 1 {
		return fmt.Errorf("%s: version %d: want 1 or more", r.name, r.opts.Version)
	}
	if r.opts.Threshold < 1 || r.opts.Threshold > len(r.signers) {
		return fmt.Errorf("%s: threshold %d with %d signers: want 1 to %d", r.name, r.opts.Threshold, len(r.signers), len(r.signers))
	}
	if r.opts.Expires.IsZero() {
		return fmt.Errorf("%s: no expiry", r.name)
	}
	if !r.opts.Expires.After(ref) {
		return fmt.Errorf("%s: expires %s, not after the reference time %s; clients would reject it",
			r.name, r.opts.Expires.Format(time.RFC3339), ref.UTC().Format(time.RFC3339))
	}
	seen := map[string]bool{}
	for _, s := range r.signers {
		_, id, err := keyOf(s)
		if err != nil {
			return fmt.Errorf("%s: %w", r.name, err)
		}
		if seen[id] {
			return fmt.Errorf("%s: key %s listed twice", r.name, id)
		}
		seen[id] = true
	}
	return nil
}

func sign[T metadata.Roles](md *metadata.Metadata[T], signers []crypto.Signer) error {
	for _, s := range signers {
		if _, err := md.Sign(tufSigner{s}); err != nil {
			return err
		}
	}
	return nil
}

// marshal serialises metadata as python-tuf's JSONSerializer does, which is
// how Sigstore's root-signing publishes it. go-tuf's types marshal through
// maps, so keys come out sorted.
func marshal(md any) ([]byte, error) {
	return json.MarshalIndent(md, "", " ")
}

// targetPath is where a consistent-snapshot client fetches a target:
// <dir>/<sha256>.<base> below targets/.
func targetPath(name string, tf *metadata.TargetFiles) string {
	dir, base := path.Split(name)
	return path.Join("targets", dir, tf.Hashes[HashAlgorithm].String()+"."+base)
}

// writeAtomic replaces dir with files at once (atomicdir.Replace): a
// failed or killed build leaves the old repository or the new one, never a
// mix that clients would refuse or, worse, half accept.
func writeAtomic(dir string, files []file) error {
	dir = filepath.Clean(dir)
	if err := checkReplaceable(dir); err != nil {
		return err
	}
	if err := checkRootKept(dir, files); err != nil {
		return err
	}
	tree := make(map[string][]byte, len(files))
	for _, f := range files {
		tree[f.name] = f.data
	}
	if err := atomicdir.Replace(dir, tree); err != nil {
		return fmt.Errorf("write repository: %w", err)
	}
	return nil
}

// CheckOutput refuses, as Build would, any dir but a missing directory, an
// empty one or an earlier repository. Callers that write something else
// first (keys) ask before they do.
func CheckOutput(dir string) error { return checkReplaceable(dir) }

// checkReplaceable refuses to replace anything but a missing directory, an
// empty one or an earlier repository.
func checkReplaceable(dir string) error {
	fi, err := os.Stat(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("write repository: %w", err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("write repository: %s is not a directory", dir)
	}
	des, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("write repository: %w", err)
	}
	if len(des) == 0 {
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, "timestamp.json")); err != nil {
		return fmt.Errorf("write repository: refuse to replace %s: not empty and holds no timestamp.json", dir)
	}
	return nil
}

// checkRootKept refuses to replace dir's <v>.root.json with other bytes.
// A root version is signed once: clients that trusted the old bytes keep
// them and, finding the same version again, never take the new one, while
// new clients trust the new one, so the two would disagree on the keys.
// Rebuilding with the same keys and options writes the same bytes and is
// allowed.
func checkRootKept(dir string, files []file) error {
	for _, f := range files {
		if !strings.HasSuffix(f.name, ".root.json") || strings.Contains(f.name, "/") {
			continue
		}
		old, err := safefile.ReadFile(filepath.Join(dir, f.name), safefile.MaxJSON)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("write repository: %w", err)
		}
		if !bytes.Equal(old, f.data) {
			return fmt.Errorf("write repository: %s already holds a different %s; a root version is signed once, so give the new root a higher version", dir, f.name)
		}
	}
	return nil
}

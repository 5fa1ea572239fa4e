package tufrepo

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Versions are the versions of a repository's top-level metadata.
type Versions struct {
	Root      int64 `json:"root"`
	Timestamp int64 `json:"timestamp"`
	Snapshot  int64 `json:"snapshot"`
	Targets   int64 `json:"targets"`
}

// State is what a verifier remembers between runs: the highest metadata
// versions it has verified, per repository. A TUF client keeps its last
// trusted metadata for the same reason (spec §5.3-5.6: a new version must
// not be lower than the trusted one): without it, a repository, or anyone
// between it and the client, can serve an older, validly signed and still
// unexpired release, a rollback, and every check on signatures passes.
// cosign and sigstore-js refuse one from their caches; verify-published,
// which starts from root.json each time, refuses it from this file.
type State struct {
	// Repositories is keyed by StateKey(location).
	Repositories map[string]Versions `json:"repositories"`
}

// MaxStateSize bounds a state file: a few hundred bytes per repository.
const MaxStateSize = 1 << 20

// ErrRollback is returned by State.Check for versions lower than recorded.
var ErrRollback = errors.New("rollback")

// StateKey is the key a location's versions are kept under: a local
// directory as an absolute slash-separated path, a URL without trailing
// slashes, so that "repo", "./repo" and "repo/" are one repository.
func StateKey(location string) string {
	if strings.HasPrefix(location, "http://") || strings.HasPrefix(location, "https://") || strings.HasPrefix(location, "file://") {
		return strings.TrimRight(location, "/")
	}
	if abs, err := filepath.Abs(location); err == nil {
		return filepath.ToSlash(abs)
	}
	return location
}

// ReadState reads a state file; one that does not exist yet is an empty
// state, since the first run has seen nothing.
func ReadState(path string) (*State, error) {
	// Stat before opening: opening a FIFO would block.
	fi, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return &State{Repositories: map[string]Versions{}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read state: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("read state %s: not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read state: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, MaxStateSize+1))
	if err != nil {
		return nil, fmt.Errorf("read state: %w", err)
	}
	if len(b) > MaxStateSize {
		return nil, fmt.Errorf("read state %s: larger than %d bytes", path, MaxStateSize)
	}
	s, err := ParseState(b)
	if err != nil {
		return nil, fmt.Errorf("read state %s: %w", path, err)
	}
	return s, nil
}

// ParseState parses a state file's bytes: one JSON object, no unknown
// fields, versions of 1 or more.
func ParseState(b []byte) (*State, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var s State
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	if dec.More() {
		return nil, errors.New("parse: data after the JSON object")
	}
	if s.Repositories == nil {
		s.Repositories = map[string]Versions{}
	}
	for key, v := range s.Repositories {
		for _, n := range []int64{v.Root, v.Timestamp, v.Snapshot, v.Targets} {
			if n < 1 {
				return nil, fmt.Errorf("parse: repository %q: version %d; versions start at 1", key, n)
			}
		}
	}
	return &s, nil
}

// Check refuses versions of the repository at key lower than those
// recorded, naming every role that went back.
func (s *State) Check(key string, got Versions) error {
	seen, ok := s.Repositories[key]
	if !ok {
		return nil
	}
	var back []string
	for _, r := range []struct {
		role      string
		got, seen int64
	}{
		{"root", got.Root, seen.Root},
		{"timestamp", got.Timestamp, seen.Timestamp},
		{"snapshot", got.Snapshot, seen.Snapshot},
		{"targets", got.Targets, seen.Targets},
	} {
		if r.got < r.seen {
			back = append(back, fmt.Sprintf("%s v%d after v%d", r.role, r.got, r.seen))
		}
	}
	if len(back) > 0 {
		return fmt.Errorf("%w: %s serves %s; older metadata, however validly signed, may be replayed, and clients that saw the newer versions refuse it", ErrRollback, key, strings.Join(back, ", "))
	}
	return nil
}

// Record keeps the highest of the recorded and the given versions.
func (s *State) Record(key string, got Versions) {
	seen := s.Repositories[key]
	s.Repositories[key] = Versions{
		Root:      max(seen.Root, got.Root),
		Timestamp: max(seen.Timestamp, got.Timestamp),
		Snapshot:  max(seen.Snapshot, got.Snapshot),
		Targets:   max(seen.Targets, got.Targets),
	}
}

// Write writes the state to path through a temporary file beside it and a
// rename, so an interrupted run leaves the old state, never half of one.
func (s *State) Write(path string) (err error) {
	// encoding/json sorts map keys, so the bytes are a function of the
	// state.
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	b = append(b, '\n')
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	defer func() {
		if err != nil {
			os.Remove(f.Name())
		}
	}()
	if _, err := f.Write(b); err != nil {
		f.Close()
		return fmt.Errorf("write state: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write state: %w", err)
	}
	return nil
}

package tufrepo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"
	"github.com/theupdateframework/go-tuf/v2/metadata/config"
	"github.com/theupdateframework/go-tuf/v2/metadata/updater"

	"github.com/trustc-dev/trustc/internal/safefile"
)

// Source is a published repository and the root to start trusting it from.
type Source struct {
	// Location is the repository base, where <v>.root.json and
	// timestamp.json live: an http or https URL, a file URL or a local
	// directory. Targets are fetched from Location/targets.
	Location string
	// Root is the trusted initial root.json, obtained out of band. The
	// client walks from it through every newer <v>.root.json published.
	Root []byte
	// Time is the reference time metadata expiry is checked against.
	Time time.Time
	// HTTPClient fetches http and https locations; nil means
	// http.DefaultClient.
	HTTPClient *http.Client
}

// Repository is a source's metadata, refreshed and verified by go-tuf's
// updater, the client sigstore-go's pkg/tuf wraps. Like the updater, it is
// not safe for concurrent use.
type Repository struct {
	up      *updater.Updater
	fetch   *fetcher
	scratch string
}

// Open runs the TUF client workflow against src: root rotation, timestamp,
// snapshot and top-level targets, each checked for signatures, versions and
// expiry at src.Time. Close it when done.
func Open(ctx context.Context, src Source) (*Repository, error) {
	if src.Time.IsZero() {
		return nil, errors.New("open repository: no reference time")
	}
	if len(src.Root) == 0 {
		return nil, errors.New("open repository: no trusted root")
	}
	f, metaURL, targetsURL, err := newFetcher(src)
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", src.Location, err)
	}
	cfg, err := config.New(metaURL, src.Root)
	if err != nil {
		return nil, fmt.Errorf("open repository %s: %w", src.Location, err)
	}
	cfg.RemoteTargetsURL = targetsURL
	cfg.Fetcher = f
	cfg.DisableLocalCache = true
	// go-tuf looks for <LocalMetadataDir>/timestamp.json and friends even
	// with caching off; left empty that is the working directory. Point it
	// at an empty directory of our own so only the source is read.
	scratch, err := os.MkdirTemp("", "tufrepo-")
	if err != nil {
		if f.root != nil {
			f.root.Close()
		}
		return nil, fmt.Errorf("open repository %s: %w", src.Location, err)
	}
	cfg.LocalMetadataDir = scratch
	r := &Repository{fetch: f, scratch: scratch}
	r.up, err = updater.New(cfg)
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("open repository %s: load trusted root: %w", src.Location, err)
	}
	// The updater reads the clock when created; this is the only way to make
	// expiry a function of the caller's time.
	r.up.UnsafeSetRefTime(src.Time.UTC())
	f.ctx = ctx
	if err := r.up.Refresh(); err != nil {
		r.Close()
		return nil, fmt.Errorf("open repository %s: refresh metadata: %w", src.Location, err)
	}
	return r, nil
}

// Close removes the updater's scratch directory and releases a local
// source.
func (r *Repository) Close() error {
	var errs []error
	if r.fetch.root != nil {
		errs = append(errs, r.fetch.root.Close())
	}
	errs = append(errs, os.RemoveAll(r.scratch))
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close repository: %w", err)
	}
	return nil
}

// TargetsVersion is the version of the targets metadata in force.
func (r *Repository) TargetsVersion() int64 {
	return r.up.GetTrustedMetadataSet().Targets[metadata.TARGETS].Signed.Version
}

// RootVersion is the version of the newest root the client reached.
func (r *Repository) RootVersion() int64 {
	return r.up.GetTrustedMetadataSet().Root.Signed.Version
}

// Targets lists the top-level targets, sorted by name. Targets of
// delegated roles (Sigstore delegates registry.npmjs.org/*) are not listed.
func (r *Repository) Targets() []string {
	var names []string
	for name := range r.up.GetTopLevelTargets() {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Target returns the metadata entry for a top-level target, or nil.
func (r *Repository) Target(name string) *metadata.TargetFiles {
	return r.up.GetTopLevelTargets()[name]
}

// Fetch downloads a target and checks it against its length and hashes.
func (r *Repository) Fetch(ctx context.Context, name string) ([]byte, error) {
	r.fetch.ctx = ctx
	tf, err := r.up.GetTargetInfo(name)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", name, err)
	}
	_, b, err := r.up.DownloadTarget(tf, "", "")
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", name, err)
	}
	return b, nil
}

// fetcher implements go-tuf's fetcher.Fetcher over HTTP or a local
// directory, answering a missing file as an HTTP server would (404), which
// is how the updater learns it has reached the newest root.
type fetcher struct {
	ctx    context.Context
	client *http.Client
	// root confines reads to a local repository; nil for HTTP.
	root *os.Root
	base string
}

func newFetcher(src Source) (f *fetcher, metaURL, targetsURL string, err error) {
	loc := src.Location
	if strings.HasPrefix(loc, "http://") || strings.HasPrefix(loc, "https://") {
		targetsURL, err := url.JoinPath(loc, "targets")
		if err != nil {
			return nil, "", "", fmt.Errorf("parse location: %w", err)
		}
		client := src.HTTPClient
		if client == nil {
			client = http.DefaultClient
		}
		return &fetcher{client: client}, loc, targetsURL, nil
	}
	if strings.HasPrefix(loc, "file://") {
		u, err := url.Parse(loc)
		if err != nil {
			return nil, "", "", fmt.Errorf("parse location: %w", err)
		}
		// file://repo would otherwise parse as host "repo", empty path: the
		// working directory.
		if u.Host != "" && u.Host != "localhost" {
			return nil, "", "", fmt.Errorf("parse location: file URL with host %q; want file:///absolute/path", u.Host)
		}
		loc = filepath.FromSlash(u.Path)
	}
	dir, err := filepath.Abs(loc)
	if err != nil {
		return nil, "", "", err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, "", "", err
	}
	// The updater joins names onto these with "/"; the fetcher maps them
	// back to paths below root.
	base := filepath.ToSlash(dir)
	return &fetcher{root: root, base: base}, base, base + "/targets", nil
}

// DownloadFile is fetcher.Fetcher's method; the timeout argument is
// deprecated there and ignored here, the context bounds a download instead.
func (f *fetcher) DownloadFile(urlPath string, maxLength int64, _ time.Duration) ([]byte, error) {
	ctx := f.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var body io.ReadCloser
	if f.root != nil {
		rel, ok := strings.CutPrefix(urlPath, f.base+"/")
		if !ok {
			return nil, fmt.Errorf("read %s: outside %s", urlPath, f.base)
		}
		// A FIFO would hang the walk; safefile refuses it at once.
		file, err := safefile.OpenIn(f.root, rel)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &metadata.ErrDownloadHTTP{StatusCode: http.StatusNotFound, URL: urlPath}
		}
		if err != nil {
			return nil, err
		}
		body = file
	} else {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, urlPath, nil)
		if err != nil {
			return nil, err
		}
		resp, err := f.client.Do(req)
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return nil, &metadata.ErrDownloadHTTP{StatusCode: resp.StatusCode, URL: urlPath}
		}
		body = resp.Body
	}
	defer body.Close()
	// Read one byte past the limit to tell "exactly maxLength" from "more".
	b, err := io.ReadAll(io.LimitReader(body, maxLength+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", urlPath, err)
	}
	if int64(len(b)) > maxLength {
		return nil, &metadata.ErrDownloadLengthMismatch{Msg: fmt.Sprintf("%s is longer than the %d bytes expected", urlPath, maxLength)}
	}
	return b, nil
}

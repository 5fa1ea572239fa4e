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
	// http.DefaultClient. Open uses a copy that refuses redirects to
	// another scheme or host, whatever the client's own CheckRedirect.
	HTTPClient *http.Client
	// FileTimeout bounds each file's request, headers and body together;
	// zero means DefaultFileTimeout. The context bounds the whole run.
	FileTimeout time.Duration
}

// DefaultFileTimeout is how long one file may take to arrive. The largest
// file a client fetches is a few hundred kilobytes; a server that has not
// sent it in this time is broken or stalling on purpose (announcing a
// Content-Length it never sends), and without a per-file bound one such
// response would hold the run for the whole context's deadline.
const DefaultFileTimeout = 20 * time.Second

// maxRedirects is net/http's default limit, which a custom CheckRedirect
// must enforce itself.
const maxRedirects = 10

// sameOrigin is a CheckRedirect that follows redirects only to the same
// scheme and host (port included). A client walking from a trusted root
// checks signatures, not where the bytes came from; but a repository named
// by the user must not send trustc to a host the user never named, and a
// redirect from https to http would drop TLS.
func sameOrigin(req *http.Request, via []*http.Request) error {
	if len(via) >= maxRedirects {
		return fmt.Errorf("stopped after %d redirects", maxRedirects)
	}
	from := via[0].URL
	switch {
	case req.URL.Host != from.Host:
		return fmt.Errorf("refuse redirect from %s to %s: another host; name the repository at its own location", from.Redacted(), req.URL.Redacted())
	case req.URL.Scheme != from.Scheme:
		return fmt.Errorf("refuse redirect from %s to %s: another scheme; name the repository at its own location", from.Redacted(), req.URL.Redacted())
	}
	return nil
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

// Versions are the versions of the top-level metadata the client reached,
// root being the newest root it walked to.
func (r *Repository) Versions() Versions {
	set := r.up.GetTrustedMetadataSet()
	return Versions{
		Root:      set.Root.Signed.Version,
		Timestamp: set.Timestamp.Signed.Version,
		Snapshot:  set.Snapshot.Signed.Version,
		Targets:   set.Targets[metadata.TARGETS].Signed.Version,
	}
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
	// timeout bounds each HTTP file (see Source.FileTimeout).
	timeout time.Duration
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
		client := http.Client{}
		if src.HTTPClient != nil {
			client = *src.HTTPClient
		}
		client.CheckRedirect = sameOrigin
		timeout := src.FileTimeout
		if timeout <= 0 {
			timeout = DefaultFileTimeout
		}
		return &fetcher{client: &client, timeout: timeout}, loc, targetsURL, nil
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
		// The deadline covers the body too: it is read before cancel runs.
		fileCtx, cancel := context.WithTimeout(ctx, f.timeout)
		defer cancel()
		req, err := http.NewRequestWithContext(fileCtx, http.MethodGet, urlPath, nil)
		if err != nil {
			return nil, err
		}
		resp, err := f.client.Do(req)
		if err != nil {
			return nil, f.timeoutErr(ctx, fileCtx, urlPath, err)
		}
		if resp.StatusCode != http.StatusOK {
			resp.Body.Close()
			return nil, &metadata.ErrDownloadHTTP{StatusCode: resp.StatusCode, URL: urlPath}
		}
		if resp.ContentLength > maxLength {
			resp.Body.Close()
			return nil, &metadata.ErrDownloadLengthMismatch{Msg: fmt.Sprintf("%s announces %d bytes, more than the %d expected", urlPath, resp.ContentLength, maxLength)}
		}
		body = resp.Body
		defer body.Close()
		b, err := readAtMost(body, urlPath, maxLength)
		if err != nil {
			return nil, f.timeoutErr(ctx, fileCtx, urlPath, err)
		}
		return b, nil
	}
	defer body.Close()
	return readAtMost(body, urlPath, maxLength)
}

// timeoutErr says plainly when a file ran out of its own time, rather
// than net/http's "context deadline exceeded".
func (f *fetcher) timeoutErr(ctx, fileCtx context.Context, urlPath string, err error) error {
	if ctx.Err() == nil && errors.Is(fileCtx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("read %s: not complete after %s; the server is stalling", urlPath, f.timeout)
	}
	return err
}

// readAtMost reads body, refusing more than maxLength bytes.
func readAtMost(body io.Reader, urlPath string, maxLength int64) ([]byte, error) {
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

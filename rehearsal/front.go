package rehearsal

import (
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"
)

// FrontAddr is where the Rekor logs are served. Port 443, so that each
// log's URL is https://HOST with no port: trustc derives a Rekor v2 log's
// id over the URL's host, port and path, while sigstore-go v1.3.0 verifies
// checkpoints under the bare host name, so only a port-less, path-less URL
// satisfies both. Two logs then need two host names that reach 127.0.0.1
// without touching /etc/hosts: "localhost" and "127.0.0.1".
const FrontAddr = "127.0.0.1:443"

// front serves each Rekor v2 log under its host name as a production log
// is laid out: writes (POST /api/v2/log/entries) go to the rekor-tiles
// server, reads (/checkpoint, /tile/...) are the tiles it writes, served
// from its storage directory (the POSIX server does not serve them
// itself). Which log answers a host name can be switched, to stage a log
// whose key does not match the trusted root.
type front struct {
	mu     sync.Mutex
	routes map[string]http.Handler
	server *http.Server
}

// logBackend is one rekor-tiles server and its storage.
type logBackend struct {
	Name       string
	Hostname   string // its checkpoint origin (--hostname)
	Addr       string // its HTTPS address
	StorageDir string
}

func (b *logBackend) handler(p *pki) http.Handler {
	target, _ := url.Parse("https://" + b.Addr)
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.Transport = httpClient(p).Transport
	proxy.ErrorLog = log.New(io.Discard, "", 0)
	files := http.FileServer(http.Dir(b.StorageDir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && (r.URL.Path == "/checkpoint" || strings.HasPrefix(r.URL.Path, "/tile/")) {
			w.Header().Set("Cache-Control", "no-cache")
			files.ServeHTTP(w, r)
			return
		}
		proxy.ServeHTTP(w, r)
	})
}

func startFront(p *pki) (*front, error) {
	ln, err := net.Listen("tcp", FrontAddr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s (the Rekor logs need port 443; run as root or grant CAP_NET_BIND_SERVICE): %w", FrontAddr, err)
	}
	f := &front{routes: map[string]http.Handler{}}
	f.server = &http.Server{
		Handler:           f,
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{p.Cert}},
		ReadHeaderTimeout: 10 * time.Second,
	}
	go f.server.ServeTLS(ln, "", "")
	return f, nil
}

func (f *front) route(host string, h http.Handler) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.routes[host] = h
}

func (f *front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	f.mu.Lock()
	h := f.routes[host]
	f.mu.Unlock()
	if h == nil {
		http.Error(w, "no log at "+host, http.StatusNotFound)
		return
	}
	h.ServeHTTP(w, r)
}

func (f *front) close() { f.server.Close() }

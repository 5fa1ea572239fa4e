package rehearsal

import (
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// procs are the server processes the rehearsal started. Each runs in its
// own process group and gets SIGKILL if the rehearsal dies (Pdeathsig), so
// nothing outlives it.
type procs struct {
	logDir string
	env    []string
	list   []*proc
}

type proc struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
}

func (ps *procs) start(name, bin string, args ...string) error {
	f, err := os.Create(filepath.Join(ps.logDir, name+".log"))
	if err != nil {
		return err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = ps.env
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		f.Close()
		return fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, done: make(chan struct{})}
	go func() { cmd.Wait(); f.Close(); close(p.done) }()
	ps.list = append(ps.list, p)
	return nil
}

// exited reports a server that stopped on its own, with its log's tail.
func (ps *procs) exited() error {
	for _, p := range ps.list {
		select {
		case <-p.done:
			return fmt.Errorf("%s exited (%v): %s", p.name, p.cmd.ProcessState, ps.tail(p.name))
		default:
		}
	}
	return nil
}

func (ps *procs) tail(name string) string {
	b, _ := os.ReadFile(filepath.Join(ps.logDir, name+".log"))
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

// stop sends SIGTERM to every group, and SIGKILL to those still running
// after five seconds.
func (ps *procs) stop() {
	for _, p := range ps.list {
		syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	}
	deadline := time.After(5 * time.Second)
	for _, p := range ps.list {
		select {
		case <-p.done:
		case <-deadline:
			syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
			<-p.done
		}
	}
}

// freePort is a port on 127.0.0.1 nothing listens on at the moment.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// httpClient trusts only the rehearsal's CA.
func httpClient(p *pki) *http.Client {
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: p.Pool}}}
}

// waitFor polls url until it answers 200, a server exits, or a minute
// passes, and returns the body.
func waitFor(ctx context.Context, c *http.Client, ps *procs, url string) ([]byte, error) {
	deadline := time.Now().Add(time.Minute)
	var last error
	for time.Now().Before(deadline) {
		if err := ps.exited(); err != nil {
			return nil, err
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := c.Do(req)
		if err == nil {
			b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return b, nil
			}
			err = fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(b))
		}
		last = err
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	return nil, fmt.Errorf("%s did not answer within a minute: %v", url, last)
}

// run runs a command to completion with the rehearsal's environment and
// returns its stdout, stderr and exit code; err is only for a command that
// could not run or ran past its timeout.
func run(ctx context.Context, env []string, dir string, timeout time.Duration, bin string, args ...string) (stdout, stderr string, code int, err error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env, cmd.Dir = env, dir
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	err = cmd.Run()
	if ctx.Err() != nil {
		return o.String(), e.String(), -1, fmt.Errorf("%s %s: %w after %s", filepath.Base(bin), strings.Join(args, " "), ctx.Err(), timeout)
	}
	var exit *exec.ExitError
	if err != nil && !asExit(err, &exit) {
		return o.String(), e.String(), -1, fmt.Errorf("%s: %w", filepath.Base(bin), err)
	}
	return o.String(), e.String(), cmd.ProcessState.ExitCode(), nil
}

func asExit(err error, target **exec.ExitError) bool {
	e, ok := err.(*exec.ExitError)
	if ok {
		*target = e
	}
	return ok
}

package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// StopTimeout is how long Stop waits after SIGTERM before it sends SIGKILL.
const StopTimeout = 5 * time.Second

// MigrationsTimeout bounds `gatewayd migrations bootstrap`.
const MigrationsTimeout = 2 * time.Minute

// logTail bounds how much of each captured file a failed test's log gets.
const logTail = 64 << 10

// Gatewayd is a gatewayd daemon run by a test.
type Gatewayd struct {
	// Prefix is the daemon's prefix directory; ConfPath is <Prefix>/gatewayd.conf.
	Prefix, ConfPath string
	// Base URLs, without a trailing slash: AdminURL "http://127.0.0.1:A",
	// ProxyURL "http://127.0.0.1:P", ProxyTLSURL "https://127.0.0.1:PS", StatusURL "http://127.0.0.1:S".
	AdminURL, ProxyURL, ProxyTLSURL, StatusURL string
	Ports                                      Ports
	// Conf holds the keys written to ConfPath.
	Conf map[string]string
	// Bin is the binary being run.
	Bin string
	// StdoutPath and StderrPath capture the daemon's output across every start.
	StdoutPath, StderrPath string
	// Cmd is the current (latest) `gatewayd start` process.
	Cmd *exec.Cmd

	opts       Options
	adminToken string
	admin      *http.Client

	mu     sync.Mutex
	proc   *process
	starts int
}

type process struct {
	cmd      *exec.Cmd
	done     chan struct{} // closed once Wait returns
	err      error         // Wait's result; read only after done is closed
	stopping bool          // set under Gatewayd.mu when the harness signals it
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// StartGatewayd writes a gatewayd.conf with free loopback ports, runs migrations when the
// database is PostgreSQL, starts `gatewayd start -c <conf>` and waits until GET
// <StatusURL>/status/ready answers 200. The daemon is stopped when the test ends; if the
// test failed, its output and error.log are written to the test log.
func StartGatewayd(t testing.TB, opts Options) *Gatewayd {
	t.Helper()
	bin := opts.Bin
	if bin == "" {
		bin = BuildGatewayd(t)
	}
	prefix := opts.Prefix
	if prefix == "" {
		prefix = t.TempDir()
	}
	prefix, err := filepath.Abs(prefix)
	if err != nil {
		t.Fatalf("harness: prefix: %v", err)
	}
	if err := os.MkdirAll(prefix, 0o755); err != nil {
		t.Fatalf("harness: prefix: %v", err)
	}
	pp := FreePorts(t, 4)
	ports := Ports{Proxy: pp[0], ProxyTLS: pp[1], Admin: pp[2], Status: pp[3]}
	kv, err := ConfFor(prefix, ports, opts)
	if err != nil {
		t.Fatalf("harness: %v", err)
	}
	confPath := filepath.Join(prefix, "gatewayd.conf")
	if err := WriteConf(confPath, kv); err != nil {
		t.Fatalf("harness: writing %s: %v", confPath, err)
	}

	g := &Gatewayd{
		Prefix:      prefix,
		ConfPath:    confPath,
		AdminURL:    loopbackURL("http", ports.Admin),
		ProxyURL:    loopbackURL("http", ports.Proxy),
		ProxyTLSURL: loopbackURL("https", ports.ProxyTLS),
		StatusURL:   loopbackURL("http", ports.Status),
		Ports:       ports,
		Conf:        kv,
		Bin:         bin,
		StdoutPath:  filepath.Join(prefix, "gatewayd.stdout"),
		StderrPath:  filepath.Join(prefix, "gatewayd.stderr"),
		opts:        opts,
		adminToken:  kv["admin_token"],
		admin:       Client(),
	}
	// Registered before anything runs, so a failed start is still cleaned up and explained.
	t.Cleanup(func() { g.cleanup(t) })

	if kv["database"] == "postgres" {
		g.migrate(t)
	}
	g.start(t)
	return g
}

func (g *Gatewayd) env() []string {
	env := make([]string, 0, len(os.Environ())+len(g.opts.Env))
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GATEWAYD_") {
			env = append(env, kv)
		}
	}
	return append(env, g.opts.Env...)
}

func (g *Gatewayd) openOutputs(what string) (stdout, stderr *os.File, err error) {
	open := func(path string) (*os.File, error) {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(f, "=== harness: %s at %s ===\n", what, time.Now().Format(time.RFC3339Nano))
		return f, nil
	}
	if stdout, err = open(g.StdoutPath); err != nil {
		return nil, nil, err
	}
	if stderr, err = open(g.StderrPath); err != nil {
		stdout.Close()
		return nil, nil, err
	}
	return stdout, stderr, nil
}

func (g *Gatewayd) migrate(t testing.TB) {
	t.Helper()
	stdout, stderr, err := g.openOutputs("gatewayd migrations bootstrap")
	if err != nil {
		t.Fatalf("harness: %v", err)
	}
	defer stdout.Close()
	defer stderr.Close()
	ctx, cancel := context.WithTimeout(context.Background(), MigrationsTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, g.Bin, "migrations", "bootstrap", "-c", g.ConfPath)
	cmd.Dir = g.Prefix
	cmd.Env = g.env()
	cmd.SysProcAttr = sysProcAttr()
	cmd.WaitDelay = 5 * time.Second
	var out strings.Builder
	cmd.Stdout = io.MultiWriter(stdout, &out)
	cmd.Stderr = io.MultiWriter(stderr, &out)
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("not done within %v", MigrationsTimeout)
		}
		t.Fatalf("harness: gatewayd migrations bootstrap -c %s: %v\n%s", g.ConfPath, err, out.String())
	}
}

func (g *Gatewayd) start(t testing.TB) {
	t.Helper()
	g.mu.Lock()
	g.starts++
	n := g.starts
	g.mu.Unlock()

	stdout, stderr, err := g.openOutputs(fmt.Sprintf("gatewayd start (#%d)", n))
	if err != nil {
		t.Fatalf("harness: %v", err)
	}
	cmd := exec.Command(g.Bin, "start", "-c", g.ConfPath)
	cmd.Dir = g.Prefix
	cmd.Env = g.env()
	cmd.Stdout = stdout // *os.File: the child writes straight to the file, no copying goroutine
	cmd.Stderr = stderr
	cmd.SysProcAttr = sysProcAttr()
	err = cmd.Start()
	stdout.Close()
	stderr.Close()
	if err != nil {
		t.Fatalf("harness: starting %s: %v", g.Bin, err)
	}
	p := &process{cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	g.mu.Lock()
	g.proc = p
	g.Cmd = cmd
	g.mu.Unlock()

	g.waitReady(t, p)
}

func (g *Gatewayd) readyTimeout() time.Duration {
	if g.opts.ReadyTimeout > 0 {
		return g.opts.ReadyTimeout
	}
	return DefaultReadyTimeout
}

func (g *Gatewayd) waitReady(t testing.TB, p *process) {
	t.Helper()
	timeout := g.readyTimeout()
	deadline := time.Now().Add(timeout)
	probe := &http.Client{
		Timeout:   time.Second,
		Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true},
	}
	url := g.StatusURL + "/status/ready"
	var last string
	for {
		resp, err := probe.Get(url)
		if err == nil {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
			last = resp.Status
		} else {
			last = err.Error()
		}
		if time.Now().After(deadline) {
			t.Fatalf("harness: gatewayd not ready within %v (GET %s: %s)\nstderr:\n%s",
				timeout, url, last, tail(g.StderrPath, 8<<10))
		}
		select {
		case <-p.done:
			t.Fatalf("harness: gatewayd exited before it was ready: %v\nstderr:\n%s",
				p.err, tail(g.StderrPath, 8<<10))
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Running reports whether the current gatewayd process has not exited.
func (g *Gatewayd) Running() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.proc != nil && !g.proc.exited()
}

// Stop sends SIGTERM and waits for the daemon to exit, sending SIGKILL if it has not
// within StopTimeout. It returns nil only for a clean exit (status 0) on SIGTERM.
// Stopping a daemon that has already exited returns how it exited.
func (g *Gatewayd) Stop() error {
	p := g.current(true)
	if p == nil {
		return nil
	}
	if p.exited() {
		return p.err
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return p.err
	case <-time.After(StopTimeout):
	}
	_ = p.cmd.Process.Kill()
	select {
	case <-p.done:
		return fmt.Errorf("gatewayd did not exit within %v of SIGTERM and was killed", StopTimeout)
	case <-time.After(StopTimeout):
		return fmt.Errorf("gatewayd (pid %d) did not exit even after SIGKILL", p.cmd.Process.Pid)
	}
}

// Kill9 kills the daemon with SIGKILL, as a crash or power cut would, and waits for it to go.
func (g *Gatewayd) Kill9() {
	p := g.current(true)
	if p == nil || p.exited() {
		return
	}
	_ = p.cmd.Process.Kill()
	select {
	case <-p.done:
	case <-time.After(StopTimeout):
	}
}

// Restart starts gatewayd again on the same prefix, configuration and ports, stopping the
// running one first (gracefully) if there is one, and waits until it is ready.
func (g *Gatewayd) Restart(t testing.TB) {
	t.Helper()
	g.reportUnexpectedExit(t)
	if g.Running() {
		if err := g.Stop(); err != nil {
			t.Errorf("harness: gatewayd did not shut down cleanly on SIGTERM before restart: %v", err)
		}
	}
	g.admin.CloseIdleConnections()
	g.start(t)
}

// current returns the current process, marking it as being stopped by the harness.
func (g *Gatewayd) current(stopping bool) *process {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.proc != nil && stopping {
		g.proc.stopping = true
	}
	if g.admin != nil {
		g.admin.CloseIdleConnections()
	}
	return g.proc
}

func (g *Gatewayd) cleanup(t testing.TB) {
	g.reportUnexpectedExit(t)
	wasRunning := g.Running()
	if err := g.Stop(); err != nil && wasRunning {
		t.Errorf("harness: gatewayd did not shut down cleanly on SIGTERM: %v", err)
	}
	if t.Failed() {
		t.Logf("harness: gatewayd prefix %s\n%s", g.Prefix, g.logs(logTail))
	}
}

// reportUnexpectedExit fails the test if the daemon died with an error without the harness
// asking it to (a panic, a fatal error), since the test's own checks may not notice.
func (g *Gatewayd) reportUnexpectedExit(t testing.TB) {
	t.Helper()
	g.mu.Lock()
	p := g.proc
	unexpected := p != nil && !p.stopping && p.exited() && p.err != nil
	if unexpected {
		p.stopping = true // report once
	}
	g.mu.Unlock()
	if unexpected {
		t.Errorf("harness: gatewayd exited on its own during the test: %v\nstderr:\n%s", p.err, tail(g.StderrPath, 8<<10))
	}
}

// Logs returns what the daemon has written: captured stdout and stderr, and logs/error.log.
func (g *Gatewayd) Logs() string { return g.logs(-1) }

func (g *Gatewayd) logs(max int64) string {
	var b strings.Builder
	for _, path := range []string{g.StdoutPath, g.StderrPath, filepath.Join(g.Prefix, "logs", "error.log")} {
		fmt.Fprintf(&b, "----- %s -----\n%s", path, tail(path, max))
	}
	return b.String()
}

// tail returns the last max bytes of a file (all of it when max < 0), or why it can't.
func tail(path string, max int64) string {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "(absent)\n"
		}
		return fmt.Sprintf("(%v)\n", err)
	}
	defer f.Close()
	prefix := ""
	if fi, err := f.Stat(); err == nil && max >= 0 && fi.Size() > max {
		if _, err := f.Seek(-max, io.SeekEnd); err == nil {
			prefix = fmt.Sprintf("(... first %d bytes left out ...)\n", fi.Size()-max)
		}
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return fmt.Sprintf("(%v)\n", err)
	}
	s := prefix + string(data)
	if s != "" && !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return s
}

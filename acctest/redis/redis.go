// Package redis starts a throw-away redis-server on loopback for a test:
// no persistence, its own temp directory, killed at cleanup (and tied to the
// test process with a parent-death signal). A missing redis-server fails
// the test; acctest/deps.sh installs it.
package redis

import (
	"bufio"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Server is one running redis-server.
type Server struct {
	Addr string // 127.0.0.1:port
	Port int
	cmd  *exec.Cmd
}

// Start runs redis-server on a free loopback port until the test ends;
// extra are more redis-server flags (e.g. "--requirepass", "pw").
func Start(t testing.TB, extra ...string) *Server {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Fatalf("acctest/redis: redis-server not found (run acctest/deps.sh): %v", err)
	}
	for attempt := 0; attempt < 3; attempt++ {
		port := freePort(t)
		s := &Server{Addr: "127.0.0.1:" + strconv.Itoa(port), Port: port}
		args := []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
			"--dir", t.TempDir(), "--protected-mode", "yes", "--loglevel", "warning"}
		s.cmd = exec.Command(bin, append(args, extra...)...)
		s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := s.cmd.Start(); err != nil {
			t.Fatalf("acctest/redis: starting redis-server: %v", err)
		}
		if s.waitReady(5 * time.Second) {
			t.Cleanup(s.Stop)
			return s
		}
		s.Stop()
	}
	t.Fatalf("acctest/redis: redis-server did not become ready")
	return nil
}

// Stop kills the server (tests of fault tolerance stop it early).
func (s *Server) Stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
		s.cmd = nil
	}
}

func (s *Server) waitReady(d time.Duration) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if reply, err := s.Do("PING"); err == nil && (reply == "+PONG" || strings.HasPrefix(reply, "-NOAUTH")) {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

// Do sends one inline command and returns the first reply line, for
// assertions on keys the code under test wrote.
func (s *Server) Do(args ...string) (string, error) {
	c, err := net.DialTimeout("tcp", s.Addr, time.Second)
	if err != nil {
		return "", err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := c.Write([]byte(b.String())); err != nil {
		return "", err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return strings.TrimRight(line, "\r\n"), err
}

func freePort(t testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("acctest/redis: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Package sshd runs a real OpenSSH server on a loopback port for a test:
// a throwaway host key, a throwaway client key authorized for the current
// user, and a known_hosts file that trusts exactly that host key. Ansible
// (gatewayd_install) and the mapr library connect to it as they would to a
// production host. A missing /usr/sbin/sshd fails the test; acctest/deps.sh
// installs it.
package sshd

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Server is one running sshd.
type Server struct {
	Host string // 127.0.0.1
	Port int
	Addr string // host:port
	// User is the account the client key logs in as (the test's user).
	User string
	// ClientKey is the private key file (OpenSSH format, no passphrase)
	// authorized on the server; ClientPublicKey its public line.
	ClientKey       string
	ClientPublicKey string
	// KnownHosts is a known_hosts file holding the server's host key for
	// "[127.0.0.1]:port"; HostPublicKey is the key line itself.
	KnownHosts    string
	HostPublicKey string
	// Dir holds the keys, config and logs.
	Dir string

	cmd *exec.Cmd
	log string
}

// Start runs sshd until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := "/usr/sbin/sshd"
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("acctest/sshd: %s not found (run acctest/deps.sh): %v", bin, err)
	}
	if _, err := os.Stat("/run/sshd"); err != nil {
		t.Fatalf("acctest/sshd: /run/sshd is missing (acctest/deps.sh creates it): %v", err)
	}
	u, err := user.Current()
	if err != nil {
		t.Fatalf("acctest/sshd: %v", err)
	}
	dir := t.TempDir()
	// sshd insists on private, owner-only directories for keys.
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	s := &Server{Host: "127.0.0.1", User: u.Username, Dir: dir,
		ClientKey: filepath.Join(dir, "client_key"), KnownHosts: filepath.Join(dir, "known_hosts"), log: filepath.Join(dir, "sshd.log")}
	hostKey := filepath.Join(dir, "host_key")
	for _, k := range []string{hostKey, s.ClientKey} {
		if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "acctest", "-f", k).CombinedOutput(); err != nil {
			t.Fatalf("acctest/sshd: ssh-keygen: %v\n%s", err, out)
		}
	}
	s.ClientPublicKey = readTrim(t, s.ClientKey+".pub")
	s.HostPublicKey = readTrim(t, hostKey+".pub")
	authorized := filepath.Join(dir, "authorized_keys")
	writeFile(t, authorized, s.ClientPublicKey+"\n", 0o600)

	for attempt := 0; attempt < 3; attempt++ {
		s.Port = freePort(t)
		s.Addr = net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
		if s.start(t, bin, hostKey, authorized) {
			fields := strings.Fields(s.HostPublicKey)
			writeFile(t, s.KnownHosts, fmt.Sprintf("[%s]:%d %s %s\n", s.Host, s.Port, fields[0], fields[1]), 0o600)
			t.Cleanup(s.Stop)
			return s
		}
	}
	log, _ := os.ReadFile(s.log)
	t.Fatalf("acctest/sshd: sshd did not start:\n%s", log)
	return nil
}

func (s *Server) start(t testing.TB, bin, hostKey, authorized string) bool {
	conf := filepath.Join(s.Dir, "sshd_config")
	writeFile(t, conf, strings.Join([]string{
		"ListenAddress " + s.Addr,
		"HostKey " + hostKey,
		"AuthorizedKeysFile " + authorized,
		"PidFile " + filepath.Join(s.Dir, "sshd.pid"),
		"PasswordAuthentication no",
		"KbdInteractiveAuthentication no",
		"PubkeyAuthentication yes",
		"PermitRootLogin prohibit-password",
		"StrictModes no",
		"UsePAM no",
		"Subsystem sftp internal-sftp",
		"LogLevel VERBOSE",
		"",
	}, "\n"), 0o600)
	s.cmd = exec.Command(bin, "-D", "-e", "-f", conf, "-E", s.log)
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("acctest/sshd: starting sshd: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if banner(s.Addr) {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.Stop()
	return false
}

// banner reports whether an SSH server greets on addr.
func banner(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && strings.HasPrefix(line, "SSH-2.0-")
}

// Stop kills sshd.
func (s *Server) Stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
		s.cmd = nil
	}
}

// Log returns sshd's log so far (for failure messages).
func (s *Server) Log() string {
	b, _ := os.ReadFile(s.log)
	return string(b)
}

// SSHArgs are OpenSSH client options that reach this server with the
// client key and strict host-key checking against KnownHosts.
func (s *Server) SSHArgs() []string {
	return []string{"-p", strconv.Itoa(s.Port), "-i", s.ClientKey, "-o", "IdentitiesOnly=yes",
		"-o", "StrictHostKeyChecking=yes", "-o", "UserKnownHostsFile=" + s.KnownHosts, "-o", "BatchMode=yes"}
}

func readTrim(t testing.TB, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

func writeFile(t testing.TB, path, data string, mode os.FileMode) {
	if err := os.WriteFile(path, []byte(data), mode); err != nil {
		t.Fatal(err)
	}
}

func freePort(t testing.TB) int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("acctest/sshd: %v", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

package mapr_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/gatewayd-toolkit/gatewayd/acctest/sshd"
	"github.com/gatewayd-toolkit/gatewayd/mapr"
	"github.com/gatewayd-toolkit/gatewayd/mapr/maprsim/simtest"
)

// These acceptance tests talk to a real OpenSSH sshd on loopback (acctest/sshd)
// whose "node" is this machine, with maprsim installed in a temp root.

func startSSHD(t *testing.T) (*sshd.Server, mapr.SSHConfig) {
	t.Helper()
	if testing.Short() {
		t.Skip("acceptance test: starts sshd (skipped with -short)")
	}
	s := sshd.Start(t)
	return s, mapr.SSHConfig{Host: s.Host, Port: s.Port, User: s.User, PrivateKeyFile: s.ClientKey,
		KnownHostsFile: s.KnownHosts, KeepAlive: -1}
}

func dial(t *testing.T, s *sshd.Server, cfg mapr.SSHConfig) *mapr.SSHExecutor {
	t.Helper()
	x, err := mapr.DialSSH(testContext(t), cfg)
	if err != nil {
		t.Fatalf("DialSSH: %v\nsshd log:\n%s", err, s.Log())
	}
	t.Cleanup(func() { _ = x.Close() })
	return x
}

func sshNode(t *testing.T) (*sshd.Server, *mapr.SSHExecutor) {
	s, cfg := startSSHD(t)
	return s, dial(t, s, cfg)
}

func TestSSHRunPassesArgumentsThroughTheRemoteShellVerbatim(t *testing.T) {
	_, x := sshNode(t)
	runPassesArgumentsVerbatim(t, x)
}

func TestSSHRunReportsExitStatusStderrAndStdin(t *testing.T) {
	_, x := sshNode(t)
	out, err := x.Run(testContext(t), mapr.Command{Path: "/bin/sh", Args: []string{"-c", `cat; echo "$GREETING" >&2; exit 3`},
		Stdin: []byte("from stdin"), Env: map[string]string{"GREETING": "hi `id`"}})
	if err != nil {
		t.Fatal(err)
	}
	if out.ExitCode != 3 || string(out.Stdout) != "from stdin" || string(out.Stderr) != "hi `id`\n" {
		t.Fatalf("%+v", out)
	}
}

func TestSSHTimeoutAndCancelStopTheRemoteCommand(t *testing.T) {
	_, x := sshNode(t)
	timeoutStopsTheCommand(t, x)
	// The connection is still usable afterwards.
	if out, err := x.Run(testContext(t), mapr.Command{Path: "true"}); err != nil || out.ExitCode != 0 {
		t.Fatalf("after cancellation: %+v %v", out, err)
	}
}

func TestSSHUploadIsAtomicAndIdempotent(t *testing.T) {
	_, x := sshNode(t)
	uploadIsAtomicAndIdempotent(t, x)
}

func TestSSHReadStatRemove(t *testing.T) {
	_, x := sshNode(t)
	filesReadStatRemove(t, x)
}

func TestSSHClusterBootstrapIdempotenceRefusalAndForcedRegenerate(t *testing.T) {
	_, x := sshNode(t)
	clusterScenario(t, x, simtest.Install(t), mapr.Become{})
}

func TestSSHLicenseInstallIsIdempotentAndAbsentRemovesIt(t *testing.T) {
	_, x := sshNode(t)
	licenseScenario(t, x, simtest.Install(t), mapr.Become{})
}

func TestSSHSudoWrapsEveryCommandAndFileRead(t *testing.T) {
	_, x := sshNode(t)
	sudo, log := fakeSudo(t)
	n := simtest.Install(t)
	become := mapr.Become{Sudo: true, SudoPath: sudo}
	licenseScenario(t, x, n, become)
	assertSudoUsed(t, log, "-n -- "+n.Maprcli+" license add -is_file true -license ", "-n -- test -e "+n.ConfDir+"/clusterid")
}

func TestSSHRealSudoWhenInstalled(t *testing.T) {
	_, x := sshNode(t)
	if _, err := exec.LookPath("sudo"); err != nil {
		t.Skip("sudo is not installed; TestSSHSudoWrapsEveryCommandAndFileRead covers the command construction")
	}
	out, err := x.Run(testContext(t), mapr.Command{Path: "id", Args: []string{"-u"}, Sudo: true})
	if err != nil {
		t.Fatal(err)
	}
	if out.ExitCode != 0 {
		t.Skipf("sudo -n is not allowed for this user without a password: %s", out.Stderr)
	}
	if strings.TrimSpace(string(out.Stdout)) != "0" {
		t.Fatalf("sudo id -u = %q", out.Stdout)
	}
}

func TestSSHLicenseParsingSurvivesRawNewlinesInMaprcliJSON(t *testing.T) {
	_, x := sshNode(t)
	n := simtest.Install(t)
	id := bootstrap(t, x, n, mapr.Become{})
	spec := licenseSpec(n, mapr.Become{}, uploadDir(t, n))
	spec.Content = simtest.License(id, "quirky output")
	// Env reaches maprsim through env(1) on the remote side.
	spec.Env = map[string]string{"MAPRSIM_QUIRKS": "raw-newlines"}
	for i, wantChanged := range []bool{true, false} {
		res, err := mapr.EnsureLicense(testContext(t), x, spec)
		if err != nil || res.Changed != wantChanged {
			t.Fatalf("run %d: %+v %v", i+1, res, err)
		}
	}
}

// otherKnownHosts writes a known_hosts file that lists a different key for
// the server's address.
func otherKnownHosts(t *testing.T, s *sshd.Server) string {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "known_hosts")
	line := knownhosts.Line([]string{net.JoinHostPort(s.Host, fmt.Sprint(s.Port))}, key)
	if err := os.WriteFile(p, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func serverFingerprint(t *testing.T, s *sshd.Server) string {
	key, _, _, _, err := ssh.ParseAuthorizedKey([]byte(s.HostPublicKey))
	if err != nil {
		t.Fatal(err)
	}
	return ssh.FingerprintSHA256(key)
}

func TestSSHChangedHostKeyIsRefused(t *testing.T) {
	s, cfg := startSSHD(t)
	cfg.KnownHostsFile = otherKnownHosts(t, s)
	_, err := mapr.DialSSH(testContext(t), cfg)
	var hk *mapr.HostKeyError
	if !errors.As(err, &hk) || !hk.Changed() {
		t.Fatalf("want a changed-host-key refusal, got %v", err)
	}
	for _, want := range []string{"CHANGED", "ssh-ed25519", serverFingerprint(t, s), fmt.Sprintf("[127.0.0.1]:%d", s.Port)} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if strings.Contains(s.Log(), "Accepted publickey") {
		t.Error("the client authenticated to a server whose key it should have refused")
	}
}

func TestSSHUnknownHostIsRefused(t *testing.T) {
	s, cfg := startSSHD(t)
	cfg.KnownHostsFile = filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(cfg.KnownHostsFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := mapr.DialSSH(testContext(t), cfg)
	var hk *mapr.HostKeyError
	if !errors.As(err, &hk) || hk.Changed() || !strings.Contains(err.Error(), "unknown") ||
		!strings.Contains(err.Error(), serverFingerprint(t, s)) {
		t.Fatalf("want an unknown-host refusal naming the fingerprint, got %v", err)
	}
}

func TestSSHInsecureOptOutConnectsAndWarnsLoudly(t *testing.T) {
	s, cfg := startSSHD(t)
	var logs bytes.Buffer
	cfg.KnownHostsFile = ""
	cfg.InsecureIgnoreHostKey = true
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	x := dial(t, s, cfg)
	if _, err := x.Run(testContext(t), mapr.Command{Path: "true"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "HOST KEY VERIFICATION IS DISABLED") ||
		!strings.Contains(logs.String(), serverFingerprint(t, s)) {
		t.Fatalf("no loud warning: %s", logs.String())
	}
}

func TestSSHWrongKeyIsRejectedWithAClearError(t *testing.T) {
	s, cfg := startSSHD(t)
	other := filepath.Join(t.TempDir(), "other")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	cfg.PrivateKeyFile = other
	_, err := mapr.DialSSH(testContext(t), cfg)
	if err == nil || !strings.Contains(err.Error(), "unable to authenticate") || !strings.Contains(err.Error(), "as "+s.User) {
		t.Fatalf("err = %v", err)
	}
}

func TestSSHEncryptedKeyNeedsItsPassphrase(t *testing.T) {
	s, cfg := startSSHD(t)
	key := filepath.Join(t.TempDir(), "enc")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "correct horse", "-f", key).CombinedOutput(); err != nil {
		t.Fatalf("%v %s", err, out)
	}
	authorize(t, s, key+".pub")
	cfg.PrivateKeyFile = key
	if _, err := mapr.DialSSH(testContext(t), cfg); err == nil || !strings.Contains(err.Error(), "encrypted") {
		t.Fatalf("without passphrase: %v", err)
	}
	cfg.Passphrase = "wrong"
	if _, err := mapr.DialSSH(testContext(t), cfg); err == nil {
		t.Fatal("wrong passphrase accepted")
	}
	cfg.Passphrase = "correct horse"
	x := dial(t, s, cfg)
	if out, err := x.Run(testContext(t), mapr.Command{Path: "true"}); err != nil || out.ExitCode != 0 {
		t.Fatalf("%+v %v", out, err)
	}
}

// authorize adds a public key to the test sshd's authorized_keys.
func authorize(t *testing.T, s *sshd.Server, pubFile string) {
	pub, err := os.ReadFile(pubFile)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(s.Dir, "authorized_keys"), os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(pub); err != nil {
		t.Fatal(err)
	}
}

func TestSSHAgentAuthentication(t *testing.T) {
	s, cfg := startSSHD(t)
	sock := startAgent(t)
	add := exec.Command("ssh-add", s.ClientKey)
	add.Env = append(os.Environ(), "SSH_AUTH_SOCK="+sock)
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("ssh-add: %v %s", err, out)
	}
	cfg.PrivateKeyFile = ""
	cfg.AgentSocket = sock
	x := dial(t, s, cfg)
	if out, err := x.Run(testContext(t), mapr.Command{Path: "true"}); err != nil || out.ExitCode != 0 {
		t.Fatalf("%+v %v", out, err)
	}
}

// startAgent runs ssh-agent in the foreground on a private socket until the
// test ends.
func startAgent(t *testing.T) string {
	if _, err := exec.LookPath("ssh-agent"); err != nil {
		t.Fatalf("ssh-agent not installed (openssh-client): %v", err)
	}
	sock := filepath.Join(t.TempDir(), "agent.sock")
	cmd := exec.Command("ssh-agent", "-D", "-a", sock)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, err := os.Stat(sock); err == nil {
			return sock
		}
	}
	t.Fatal("ssh-agent did not create its socket")
	return ""
}

func TestSSHPasswordAuthentication(t *testing.T) {
	if testing.Short() {
		t.Skip("acceptance test")
	}
	// acctest's sshd disables passwords and its user (the test's own) has no
	// password we could know, so this runs against an in-process
	// golang.org/x/crypto/ssh server that checks a password and executes the
	// command line with /bin/sh, as sshd would.
	addr, knownHostsFile := passwordServer(t, "alice", "s3cret")
	host, port, _ := net.SplitHostPort(addr)
	cfg := mapr.SSHConfig{Host: host, Port: atoi(port), User: "alice", Password: "wrong", KnownHostsFile: knownHostsFile, KeepAlive: -1}
	if _, err := mapr.DialSSH(testContext(t), cfg); err == nil || !strings.Contains(err.Error(), "unable to authenticate") {
		t.Fatalf("wrong password: %v", err)
	}
	cfg.Password = "s3cret"
	x, err := mapr.DialSSH(testContext(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	out, err := x.Run(testContext(t), withArgs(printArgv, trickyArgs...))
	if err != nil || strings.Join(splitNUL(out.Stdout), "|") != strings.Join(trickyArgs, "|") {
		t.Fatalf("%q %v", out.Stdout, err)
	}
}

func atoi(s string) int {
	var n int
	_, _ = fmt.Sscan(s, &n)
	return n
}

func passwordServer(t *testing.T, user, password string) (addr, knownHostsFile string) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &ssh.ServerConfig{PasswordCallback: func(c ssh.ConnMetadata, p []byte) (*ssh.Permissions, error) {
		if c.User() == user && string(p) == password {
			return nil, nil
		}
		return nil, errors.New("password rejected")
	}}
	cfg.AddHostKey(signer)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go serveSSH(conn, cfg)
		}
	}()
	knownHostsFile = filepath.Join(t.TempDir(), "known_hosts")
	line := knownhosts.Line([]string{ln.Addr().String()}, signer.PublicKey())
	if err := os.WriteFile(knownHostsFile, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return ln.Addr().String(), knownHostsFile
}

func serveSSH(conn net.Conn, cfg *ssh.ServerConfig) {
	defer conn.Close()
	_, chans, reqs, err := ssh.NewServerConn(conn, cfg)
	if err != nil {
		return
	}
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		if nc.ChannelType() != "session" {
			_ = nc.Reject(ssh.UnknownChannelType, "only sessions")
			continue
		}
		ch, requests, err := nc.Accept()
		if err != nil {
			continue
		}
		go serveSession(ch, requests)
	}
}

func serveSession(ch ssh.Channel, requests <-chan *ssh.Request) {
	defer ch.Close()
	for req := range requests {
		if req.Type != "exec" {
			_ = req.Reply(false, nil)
			continue
		}
		var payload struct{ Command string }
		if err := ssh.Unmarshal(req.Payload, &payload); err != nil {
			_ = req.Reply(false, nil)
			return
		}
		_ = req.Reply(true, nil)
		cmd := exec.Command("/bin/sh", "-c", payload.Command)
		cmd.Stdin, cmd.Stdout, cmd.Stderr = ch, ch, ch.Stderr()
		status := 0
		if err := cmd.Run(); err != nil {
			status = 1
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				status = ee.ExitCode()
			}
		}
		_, _ = ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{uint32(status)}))
		return
	}
}

func TestSSHConnectHonoursTheContext(t *testing.T) {
	if testing.Short() {
		t.Skip("acceptance test")
	}
	// A listener that accepts but never speaks SSH: the handshake must end
	// when the context does, not hang.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { _ = c.Close() })
		}
	}()
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = mapr.DialSSH(ctx, mapr.SSHConfig{Host: host, Port: atoi(port), User: "u", Password: "p", InsecureIgnoreHostKey: true,
		Logger: slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))})
	if err == nil || time.Since(start) > 3*time.Second {
		t.Fatalf("DialSSH returned %v after %v", err, time.Since(start))
	}
}

func TestSSHOperationsHonourACancelledContext(t *testing.T) {
	_, x := sshNode(t)
	fileOpsHonourACancelledContext(t, x)
}

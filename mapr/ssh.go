package mapr

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
)

// SSHConfig says how to reach and authenticate to a node.
type SSHConfig struct {
	Host string
	// Port defaults to 22.
	Port int
	User string

	// KnownHostsFile verifies the server's host key; it defaults to
	// ~/.ssh/known_hosts. An unknown host or a changed key is refused with a
	// *HostKeyError.
	KnownHostsFile string
	// InsecureIgnoreHostKey accepts ANY host key. DANGEROUS: anyone who can
	// intercept the connection receives the credentials, the license and
	// every command. It exists only for throwaway lab hosts; every
	// connection made with it logs a warning naming the key it accepted.
	InsecureIgnoreHostKey bool

	// PrivateKeyFile (or the PEM bytes in PrivateKey) authenticates with a
	// key; Passphrase decrypts it when it is encrypted.
	PrivateKeyFile string
	PrivateKey     []byte
	Passphrase     string
	// UseAgent authenticates with the ssh-agent at AgentSocket or
	// SSH_AUTH_SOCK. The agent is also used when no other method is set.
	UseAgent    bool
	AgentSocket string
	// Password authenticates with a password (also answered to
	// keyboard-interactive prompts).
	Password string

	// ConnectTimeout bounds the TCP connect plus SSH handshake; default 30s.
	ConnectTimeout time.Duration
	// CommandTimeout is the default per-command timeout; default
	// DefaultCommandTimeout.
	CommandTimeout time.Duration
	// KeepAlive sends a keepalive request this often and drops the
	// connection when one goes unanswered for as long; default 30s, negative
	// disables. Without it a silently dead peer hangs a command until its
	// timeout.
	KeepAlive time.Duration

	// Logger receives warnings (insecure host keys, upload fallbacks);
	// default slog.Default().
	Logger *slog.Logger
}

// DefaultConnectTimeout bounds connecting and the SSH handshake.
const DefaultConnectTimeout = 30 * time.Second

// DefaultKeepAlive is the interval between keepalive requests.
const DefaultKeepAlive = 30 * time.Second

func (c SSHConfig) port() int {
	if c.Port == 0 {
		return 22
	}
	return c.Port
}

func (c SSHConfig) addr() string { return net.JoinHostPort(c.Host, strconv.Itoa(c.port())) }

func (c SSHConfig) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.Default()
}

func (c SSHConfig) validate() error {
	switch {
	case c.Host == "":
		return errors.New("ssh: host is required")
	case c.User == "":
		return errors.New("ssh: user is required")
	case c.Port < 0 || c.Port > 65535:
		return fmt.Errorf("ssh: port %d out of range", c.Port)
	case c.InsecureIgnoreHostKey && c.KnownHostsFile != "":
		return errors.New("ssh: known_hosts file and InsecureIgnoreHostKey are mutually exclusive")
	}
	return nil
}

// SSHExecutor runs commands on a node over one SSH connection and moves
// files with SFTP. It is safe for concurrent use.
type SSHExecutor struct {
	cfg    SSHConfig
	client *ssh.Client
	log    *slog.Logger

	closeOnce sync.Once
	done      chan struct{}
}

// DialSSH connects and authenticates to cfg.Host, verifying its host key.
func DialSSH(ctx context.Context, cfg SSHConfig) (*SSHExecutor, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	log := cfg.logger()
	verify, algos, err := hostKeyCallback(cfg, log)
	if err != nil {
		return nil, err
	}
	auth, closeAgent, err := authMethods(cfg)
	if err != nil {
		return nil, err
	}
	defer closeAgent()
	timeout := cfg.ConnectTimeout
	if timeout <= 0 {
		timeout = DefaultConnectTimeout
	}
	clientCfg := &ssh.ClientConfig{User: cfg.User, Auth: auth, HostKeyCallback: verify,
		HostKeyAlgorithms: algos, Timeout: timeout}
	client, err := handshake(ctx, cfg.addr(), clientCfg, timeout)
	if err != nil {
		return nil, describeDialError(err, cfg)
	}
	s := &SSHExecutor{cfg: cfg, client: client, log: log, done: make(chan struct{})}
	s.startKeepAlive()
	return s, nil
}

// handshake dials and runs the SSH handshake under one deadline that the
// context can also cut short.
func handshake(ctx context.Context, addr string, cfg *ssh.ClientConfig, timeout time.Duration) (*ssh.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	c, chans, reqs, err := ssh.NewClientConn(conn, addr, cfg)
	if !stop() || err != nil {
		_ = conn.Close()
		if err == nil || ctx.Err() != nil {
			err = errors.Join(ctx.Err(), err)
		}
		return nil, err
	}
	_ = conn.SetDeadline(time.Time{})
	return ssh.NewClient(c, chans, reqs), nil
}

func describeDialError(err error, cfg SSHConfig) error {
	var hk *HostKeyError
	if errors.As(err, &hk) {
		return hk
	}
	return fmt.Errorf("ssh: connecting to %s as %s: %w", cfg.addr(), cfg.User, err)
}

func (s *SSHExecutor) startKeepAlive() {
	interval := s.cfg.KeepAlive
	if interval == 0 {
		interval = DefaultKeepAlive
	}
	if interval < 0 {
		return
	}
	go func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-s.done:
				return
			case <-t.C:
				if !s.ping(interval) {
					s.log.Warn("ssh: keepalive unanswered, closing connection", "host", s.cfg.addr())
					_ = s.Close()
					return
				}
			}
		}
	}()
}

// ping sends an OpenSSH keepalive and waits up to timeout for any answer
// (a "request failed" reply also proves the peer is alive).
func (s *SSHExecutor) ping(timeout time.Duration) bool {
	answered := make(chan error, 1)
	go func() {
		_, _, err := s.client.SendRequest("keepalive@openssh.com", true, nil)
		answered <- err
	}()
	select {
	case err := <-answered:
		return err == nil
	case <-time.After(timeout):
		return false
	case <-s.done:
		return true
	}
}

// Close closes the connection.
func (s *SSHExecutor) Close() error {
	var err error
	s.closeOnce.Do(func() {
		close(s.done)
		err = s.client.Close()
	})
	return err
}

// Run executes cmd on the node. The command line quotes every argument, so
// the remote shell only ever sees literal words. When the context ends or
// the timeout passes the remote command is stopped (see stopRemote) and the
// session is closed.
func (s *SSHExecutor) Run(ctx context.Context, cmd Command) (Output, error) {
	if err := ctx.Err(); err != nil {
		return Output{}, fmt.Errorf("%s: not started: %w", cmd, err)
	}
	argv, err := cmd.Argv()
	if err != nil {
		return Output{}, fmt.Errorf("%s: %w", cmd, err)
	}
	line, err := CommandLine(append([]string{"/bin/sh", "-c", pidScript, "sh"}, argv...))
	if err != nil {
		return Output{}, fmt.Errorf("%s: %w", cmd, err)
	}
	timeout := commandTimeout(cmd, s.cfg.CommandTimeout)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	sess, err := s.client.NewSession()
	if err != nil {
		return Output{}, fmt.Errorf("%s: opening SSH session on %s: %w", cmd, s.cfg.addr(), err)
	}
	defer sess.Close()
	var stdout, stderr cappedBuffer
	pid := newPIDWriter(&stderr)
	sess.Stdout, sess.Stderr = &stdout, pid
	if cmd.Stdin != nil {
		sess.Stdin = bytes.NewReader(cmd.Stdin)
	}
	if err := sess.Start(line); err != nil {
		return Output{}, fmt.Errorf("%s: starting on %s: %w", cmd, s.cfg.addr(), err)
	}
	// done closes once Wait has returned, which is also when the output
	// copies have finished and the buffers may be read.
	var waitErr error
	done := make(chan struct{})
	go func() { waitErr = sess.Wait(); close(done) }()
	select {
	case <-done:
		out := Output{Stdout: stdout.Bytes(), Stderr: stderr.Bytes()}
		return finishRemote(cmd, out, waitErr, &stdout, &stderr)
	case <-ctx.Done():
	}
	s.stopRemote(sess, pid, done)
	_ = sess.Close()
	select {
	case <-done:
		return Output{Stdout: stdout.Bytes(), Stderr: stderr.Bytes(), ExitCode: -1}, interrupted(cmd, ctx, timeout)
	case <-time.After(killGrace):
		// The session did not settle: its buffers are still being written.
		return Output{ExitCode: -1}, interrupted(cmd, ctx, timeout)
	}
}

// stopRemote ends a command that outlived its context. Closing the channel
// alone does not: the process keeps running until it next writes. SSH
// "signal" requests would, but OpenSSH refuses them for sessions without
// privilege separation (root logins: "session signalling requires privilege
// separation"), so the command's process group and PID, which the wrapper
// script reported, are also signalled from a second session: SIGTERM (sudo
// relays it to a child running as another user), then SIGKILL after
// killGrace.
func (s *SSHExecutor) stopRemote(sess *ssh.Session, pid *pidWriter, done <-chan struct{}) {
	_ = sess.Signal(ssh.SIGTERM)
	s.killRemote(pid.PID(), "TERM")
	select {
	case <-done:
		return
	case <-time.After(killGrace):
	}
	_ = sess.Signal(ssh.SIGKILL)
	s.killRemote(pid.PID(), "KILL")
}

// killRemote signals pid's process group and pid itself from a separate
// session, giving up after killGrace (a dead connection must not hang the
// caller).
func (s *SSHExecutor) killRemote(pid int, signal string) {
	if pid <= 0 {
		return
	}
	// The wrapper is normally the session's process-group leader (sshd runs
	// the login shell under setsid and shells exec a lone command), so the
	// group is signalled to reach the command's children too; the plain PID
	// covers shells that forked instead.
	line, _ := CommandLine([]string{"kill", "-s", signal, "--", "-" + strconv.Itoa(pid), strconv.Itoa(pid)})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		if sess, err := s.client.NewSession(); err == nil {
			_ = sess.Run(line)
			_ = sess.Close()
		}
	}()
	select {
	case <-finished:
	case <-time.After(killGrace):
	}
}

func finishRemote(cmd Command, out Output, waitErr error, bufs ...*cappedBuffer) (Output, error) {
	var exitErr *ssh.ExitError
	var missing *ssh.ExitMissingError
	switch {
	case errors.As(waitErr, &exitErr):
		out.ExitCode = exitErr.ExitStatus()
		if sig := exitErr.Signal(); sig != "" {
			out.ExitCode, out.Signal = -1, sig
		}
	case errors.As(waitErr, &missing):
		return out, fmt.Errorf("%s: the connection ended before the command reported its exit status", cmd)
	case waitErr != nil:
		return out, fmt.Errorf("%s: %w", cmd, waitErr)
	}
	return out, overflow(cmd, bufs...)
}

var _ Executor = (*SSHExecutor)(nil)

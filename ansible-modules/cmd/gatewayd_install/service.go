package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// service runs gatewayd one way or another: a systemd unit, or a
// background process with a pid file.
type service interface {
	kind() string
	// unit is the systemd unit file and its wanted content ("" for none).
	unit() (path, content string)
	running(ctx context.Context) bool
	start(ctx context.Context) error
	stop(ctx context.Context) error
	// enable makes the service start at boot; it reports a change.
	enable(ctx context.Context) (bool, error)
	// reload applies a changed unit file.
	reload(ctx context.Context) error
}

// systemdUsable is sd_booted(3) plus what managing a unit takes: systemd
// is PID 1, systemctl exists, and we may write /etc/systemd/system.
func systemdUsable() bool {
	if _, err := os.Stat("/run/systemd/system"); err != nil {
		return false
	}
	if _, err := exec.LookPath("systemctl"); err != nil {
		return false
	}
	return os.Geteuid() == 0
}

// commandEnv is the environment gatewayd commands run with: without
// GATEWAYD_* variables, which would override keys of the file this
// module manages behind its back.
func commandEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GATEWAYD_") {
			env = append(env, kv)
		}
	}
	return env
}

// runCmd runs a command and returns its combined output; the error names
// the command and quotes the output.
func runCmd(ctx context.Context, name string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = commandEnv()
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	text := strings.TrimSpace(string(out))
	if err != nil {
		return text, fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, text)
	}
	return text, nil
}

// processService runs `gatewayd start --daemon`, which detaches, writes
// <prefix>/gatewayd.pid and returns once the daemon is ready.
type processService struct {
	bin, conf, prefix string
}

func (p processService) kind() string                         { return "process" }
func (p processService) unit() (string, string)               { return "", "" }
func (p processService) enable(context.Context) (bool, error) { return false, nil }
func (p processService) reload(context.Context) error         { return nil }
func (p processService) pidFile() string                      { return filepath.Join(p.prefix, "gatewayd.pid") }
func (p processService) running(ctx context.Context) bool     { return pidAlive(p.pidFile()) }
func (p processService) stop(ctx context.Context) error       { return p.gatewayd(ctx, "stop", "-c", p.conf) }
func (p processService) start(ctx context.Context) error {
	return p.gatewayd(ctx, "start", "--daemon", "-c", p.conf)
}
func (p processService) gatewayd(ctx context.Context, args ...string) error {
	_, err := runCmd(ctx, p.bin, args...)
	if err != nil {
		return fmt.Errorf("%w\nlast lines of %s:\n%s", err, filepath.Join(p.prefix, "logs", "error.log"),
			tailFile(filepath.Join(p.prefix, "logs", "error.log"), 2048))
	}
	return nil
}

// pidAlive reports whether the pid file names a live process.
func pidAlive(path string) bool {
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil || pid <= 0 {
		return false
	}
	err = syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// systemdService manages /etc/systemd/system/<name>.service.
type systemdService struct {
	name, bin, conf, user string
}

func (s systemdService) kind() string { return "systemd" }

func (s systemdService) unit() (string, string) {
	return filepath.Join("/etc/systemd/system", s.name+".service"), unitFile(s.bin, s.conf, s.user)
}

func (s systemdService) running(ctx context.Context) bool {
	_, err := runCmd(ctx, "systemctl", "is-active", "--quiet", s.name)
	return err == nil
}

func (s systemdService) start(ctx context.Context) error {
	_, err := runCmd(ctx, "systemctl", "start", s.name)
	return err
}

func (s systemdService) stop(ctx context.Context) error {
	_, err := runCmd(ctx, "systemctl", "stop", s.name)
	return err
}

func (s systemdService) reload(ctx context.Context) error {
	_, err := runCmd(ctx, "systemctl", "daemon-reload")
	return err
}

func (s systemdService) enable(ctx context.Context) (bool, error) {
	if out, _ := runCmd(ctx, "systemctl", "is-enabled", s.name); out == "enabled" {
		return false, nil
	}
	_, err := runCmd(ctx, "systemctl", "enable", s.name)
	return err == nil, err
}

// unitFile is the systemd unit: gatewayd runs in the foreground (its
// default), SIGHUP rebuilds the snapshot, systemd restarts it on failure.
func unitFile(bin, conf, user string) string {
	var b strings.Builder
	b.WriteString("# written by the gatewayd.toolkit.gatewayd_install Ansible module\n")
	b.WriteString("[Unit]\nDescription=gatewayd API gateway\nAfter=network-online.target\nWants=network-online.target\n\n")
	b.WriteString("[Service]\nType=simple\n")
	fmt.Fprintf(&b, "ExecStart=%s start -c %s\n", bin, conf)
	b.WriteString("ExecReload=/bin/kill -HUP $MAINPID\nKillSignal=SIGTERM\nTimeoutStopSec=30\n")
	b.WriteString("Restart=on-failure\nRestartSec=2\nLimitNOFILE=65536\n")
	if user != "" {
		fmt.Fprintf(&b, "User=%s\n", user)
	}
	b.WriteString("\n[Install]\nWantedBy=multi-user.target\n")
	return b.String()
}

// tailFile returns the end of a file for error messages.
func tailFile(path string, max int64) string {
	f, err := os.Open(path)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Size() > max {
		_, _ = f.Seek(-max, 2)
	}
	buf := make([]byte, max)
	n, _ := f.Read(buf)
	return string(buf[:n])
}

package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// supervisor starts every process of a run and kills them all when the run
// ends, whichever way it ends: each child leads its own process group
// (nginx and HAProxy workers included) and gets SIGKILL if the bench dies
// (Pdeathsig), and stopAll signals every group.
type supervisor struct {
	dir  string // the run's temporary directory
	cred *syscall.Credential
	// pin is false in smoke mode: nothing is pinned to a core.
	pin bool

	mu    sync.Mutex
	procs []*proc
	// commands are the command lines of every contender started, for the report.
	commands []string
}

var lookPath = exec.LookPath

type proc struct {
	name    string
	cmd     *exec.Cmd
	logPath string
	done    chan struct{}
	err     error
}

// Pid is the process id of the started program (taskset execs it, so the
// pid is the program's own).
func (p *proc) Pid() int { return p.cmd.Process.Pid }

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// newSupervisor creates the run's temporary directory. When the bench runs
// as root, contenders run as runAs (default nobody): unprivileged, like a
// packaged service's workers, and unable to touch the system's own files.
func newSupervisor(runAs string, pin bool) (*supervisor, error) {
	dir, err := os.MkdirTemp("", "gatewayd-bench-")
	if err != nil {
		return nil, err
	}
	s := &supervisor{dir: dir, pin: pin}
	if os.Geteuid() == 0 && runAs != "" && runAs != "root" {
		u, err := user.Lookup(runAs)
		if err != nil {
			_ = os.RemoveAll(dir)
			return nil, fmt.Errorf("user %s (contenders never run as root): %w", runAs, err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		s.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}
	}
	if err := s.own(dir); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	return s, nil
}

// mkdir creates a directory under the run directory, owned by the user the
// contenders run as.
func (s *supervisor) mkdir(parts ...string) (string, error) {
	p := filepath.Join(append([]string{s.dir}, parts...)...)
	if err := os.MkdirAll(p, 0o755); err != nil {
		return "", err
	}
	return p, s.own(p)
}

// writeFile writes a file readable by the contenders.
func (s *supervisor) writeFile(path string, data []byte) error {
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return err
	}
	return s.own(path)
}

func (s *supervisor) own(path string) error {
	if err := os.Chmod(path, 0o755); err != nil {
		return err
	}
	if s.cred == nil {
		return nil
	}
	return os.Chown(path, int(s.cred.Uid), int(s.cred.Gid))
}

func (s *supervisor) sysProcAttr(cred bool) *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if cred {
		a.Credential = s.cred
	}
	return a
}

// start runs a long-lived contender in the foreground, pinned to cpus
// ("" = not pinned), with its output in <dir>/<name>.log.
func (s *supervisor) start(name, cpus string, env []string, argv ...string) (*proc, error) {
	if s.pin && cpus != "" {
		argv = append([]string{"taskset", "-c", cpus}, argv...)
	}
	logPath := filepath.Join(s.dir, name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Dir = s.dir
	cmd.Env = append(cleanEnv(), env...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = s.sysProcAttr(true)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	s.mu.Lock()
	s.procs = append(s.procs, p)
	line := strings.Join(quoteArgs(argv), " ")
	if len(env) > 0 {
		line = strings.Join(env, " ") + " " + line
	}
	s.commands = append(s.commands, strings.ReplaceAll(line, s.dir, "$RUN"))
	s.mu.Unlock()
	return p, nil
}

// cleanEnv is the bench's environment without variables that would change
// a contender (a developer's GOGC, GOMAXPROCS or GATEWAYD_*).
func cleanEnv() []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "GATEWAYD_"), k == "GOGC", k == "GOMAXPROCS", k == "GOMEMLIMIT", k == "GODEBUG":
			continue
		}
		out = append(out, kv)
	}
	return out
}

// stop ends one process group: SIGTERM, then SIGKILL after a grace period.
func (s *supervisor) stop(p *proc) {
	if p == nil || p.cmd.Process == nil {
		return
	}
	pgid := p.cmd.Process.Pid
	if !p.exited() {
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(3 * time.Second):
		}
	}
	// Workers of a master that exited are in the same group.
	_ = syscall.Kill(-pgid, syscall.SIGKILL)
	select {
	case <-p.done:
	case <-time.After(3 * time.Second):
	}
}

// stopAll ends every process the run started.
func (s *supervisor) stopAll() {
	s.mu.Lock()
	procs := s.procs
	s.procs = nil
	s.mu.Unlock()
	var wg sync.WaitGroup
	for _, p := range procs {
		wg.Add(1)
		go func() { defer wg.Done(); s.stop(p) }()
	}
	wg.Wait()
}

// close stops everything and removes the run directory unless keep.
func (s *supervisor) close(keep bool) {
	s.stopAll()
	if !keep {
		_ = os.RemoveAll(s.dir)
	}
}

// run executes a short-lived command (wrk, taskset -p) bounded by timeout.
func (s *supervisor) run(ctx context.Context, timeout time.Duration, cpus string, argv ...string) (string, error) {
	if s.pin && cpus != "" {
		argv = append([]string{"taskset", "-c", cpus}, argv...)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.SysProcAttr = s.sysProcAttr(false)
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil && err != nil {
		return string(out), fmt.Errorf("%s: did not finish within %v", strings.Join(argv, " "), timeout)
	}
	if err != nil {
		return string(out), fmt.Errorf("%s: %w\n%s", strings.Join(argv, " "), err, out)
	}
	return string(out), nil
}

// repin moves every thread of a running process to cpus.
func (s *supervisor) repin(ctx context.Context, pid int, cpus string) error {
	_, err := s.run(ctx, 10*time.Second, "", "taskset", "-a", "-p", "-c", cpus, strconv.Itoa(pid))
	return err
}

// freePorts returns n distinct free loopback ports.
func freePorts(n int) ([]int, error) {
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			_ = ln.Close()
		}
	}()
	ports := make([]int, 0, n)
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

// tailFile returns the end of a log, for error messages.
func tailFile(path string, max int) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "(" + err.Error() + ")"
	}
	if len(data) > max {
		data = data[len(data)-max:]
	}
	return string(data)
}

var errStopped = errors.New("interrupted")

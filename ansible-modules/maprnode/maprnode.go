// Package maprnode is what the mapr_license and mapr_cluster modules share
// on top of the module framework: the options that say how to reach the
// MapR node, and the mapr.Executor built from them.
//
// Without `host` the module acts on the machine it runs on (a
// mapr.LocalExecutor): the usual case, where Ansible's own connection
// brought the module to the node. With `host` the module connects to the
// node itself over SSH (mapr.DialSSH, host key verified against
// known_hosts): the case of a task delegated to the controller.
package maprnode

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"os/user"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/ansible-modules/module"
	"github.com/gatewayd-toolkit/gatewayd/mapr"
)

// Defaults of the connection options, in seconds.
const (
	DefaultTimeout        = int(mapr.DefaultCommandTimeout / time.Second)
	DefaultConnectTimeout = int(mapr.DefaultConnectTimeout / time.Second)
)

// sshOnly are the options that only mean something with `host`.
var sshOnly = []string{"port", "user", "private_key_file", "private_key_passphrase", "password", "use_agent",
	"known_hosts_file", "insecure_ignore_host_key", "connect_timeout"}

// Options are the options both MapR modules take: where the node is, how
// to authenticate and verify it, privilege and time limits.
func Options() map[string]module.Option {
	return map[string]module.Option{
		"host":                     {},
		"port":                     {Type: module.Int},
		"user":                     {},
		"private_key_file":         {Type: module.Path},
		"private_key_passphrase":   {NoLog: true},
		"password":                 {NoLog: true},
		"use_agent":                {Type: module.Bool, Default: false},
		"known_hosts_file":         {Type: module.Path},
		"insecure_ignore_host_key": {Type: module.Bool, Default: false},
		"connect_timeout":          {Type: module.Int, Default: DefaultConnectTimeout},
		"sudo":                     {Type: module.Bool, Default: false},
		"sudo_user":                {},
		"timeout":                  {Type: module.Int, Default: DefaultTimeout},
		"env":                      {Type: module.Dict},
	}
}

// Spec merges a module's own options into Options.
func Spec(own map[string]module.Option) map[string]module.Option {
	o := Options()
	for k, v := range own {
		o[k] = v
	}
	return o
}

// Validate checks the combinations the argument spec cannot express.
func Validate(m *module.Module) error {
	var problems []string
	if !m.IsSet("host") {
		var stray []string
		for _, name := range sshOnly {
			if m.IsSet(name) {
				stray = append(stray, name)
			}
		}
		if len(stray) > 0 {
			problems = append(problems, fmt.Sprintf("%s only apply with host: without host the module runs on the "+
				"node itself (where Ansible's connection brought it) and opens no SSH connection of its own",
				strings.Join(stray, ", ")))
		}
	}
	if m.Bool("insecure_ignore_host_key") && m.IsSet("known_hosts_file") {
		problems = append(problems, "parameters are mutually exclusive: known_hosts_file|insecure_ignore_host_key")
	}
	if m.IsSet("sudo_user") && !m.Bool("sudo") {
		problems = append(problems, "sudo_user needs sudo: true")
	}
	if p := m.Int("port"); m.IsSet("port") && (p < 1 || p > 65535) {
		problems = append(problems, fmt.Sprintf("port %d is not between 1 and 65535", p))
	}
	for _, name := range []string{"timeout", "connect_timeout"} {
		if m.Int(name) <= 0 {
			problems = append(problems, name+" must be a positive number of seconds")
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// Become is the privilege escalation the options ask for.
func Become(m *module.Module) mapr.Become {
	return mapr.Become{Sudo: m.Bool("sudo"), SudoUser: m.Str("sudo_user")}
}

// Env is the `env` option as strings.
func Env(m *module.Module) map[string]string {
	d := m.Dict("env")
	if len(d) == 0 {
		return nil
	}
	out := make(map[string]string, len(d))
	for k, v := range d {
		out[k] = fmt.Sprint(v)
	}
	return out
}

// CommandTimeout is the `timeout` option.
func CommandTimeout(m *module.Module) time.Duration {
	return time.Duration(m.Int("timeout")) * time.Second
}

// Context ends when Ansible (or a user) stops the module: the command
// running on the node is then stopped too, rather than left behind.
func Context() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
}

// Node is the executor for the task and a description of where it acts.
type Node struct {
	mapr.Executor
	// Where is "local" or user@host:port.
	Where string
	// Via is "local" or "ssh".
	Via string
}

// Connect validates the connection options and returns the executor: a
// LocalExecutor without host, else an SSH connection whose host key is
// verified. Warnings the mapr library logs (the insecure host-key
// opt-out, non-atomic uploads) become the module's warnings.
func Connect(ctx context.Context, m *module.Module) (*Node, error) {
	if err := Validate(m); err != nil {
		return nil, err
	}
	timeout := CommandTimeout(m)
	if !m.IsSet("host") {
		return &Node{Executor: &mapr.LocalExecutor{CommandTimeout: timeout}, Where: "local", Via: "local"}, nil
	}
	login := m.Str("user")
	if login == "" {
		u, err := user.Current()
		if err != nil {
			return nil, fmt.Errorf("user is not set and the current user is unknown: %w", err)
		}
		login = u.Username
	}
	port := m.Int("port")
	if port == 0 {
		port = 22
	}
	cfg := mapr.SSHConfig{
		Host: m.Str("host"), Port: port, User: login,
		KnownHostsFile:        m.Str("known_hosts_file"),
		InsecureIgnoreHostKey: m.Bool("insecure_ignore_host_key"),
		PrivateKeyFile:        m.Str("private_key_file"),
		Passphrase:            m.Str("private_key_passphrase"),
		UseAgent:              m.Bool("use_agent"),
		Password:              m.Str("password"),
		ConnectTimeout:        time.Duration(m.Int("connect_timeout")) * time.Second,
		CommandTimeout:        timeout,
		Logger:                slog.New(&warnings{m: m, mu: &sync.Mutex{}}),
	}
	where := fmt.Sprintf("%s@%s", login, net.JoinHostPort(cfg.Host, strconv.Itoa(port)))
	x, err := mapr.DialSSH(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", where, err)
	}
	return &Node{Executor: x, Where: where, Via: "ssh"}, nil
}

// warnings is a slog handler that turns the mapr library's warnings into
// the module's warnings, which Ansible prints after the task.
type warnings struct {
	m     *module.Module
	attrs []slog.Attr
	mu    *sync.Mutex
}

func (w *warnings) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelWarn }

func (w *warnings) Handle(_ context.Context, r slog.Record) error {
	attrs := append([]slog.Attr(nil), w.attrs...)
	r.Attrs(func(a slog.Attr) bool { attrs = append(attrs, a); return true })
	var kv []string
	for _, a := range attrs {
		kv = append(kv, a.Key+"="+a.Value.String())
	}
	sort.Strings(kv)
	msg := r.Message
	if len(kv) > 0 {
		msg += " (" + strings.Join(kv, ", ") + ")"
	}
	w.mu.Lock() // keepalive failures are logged from another goroutine
	defer w.mu.Unlock()
	w.m.Warn(msg)
	return nil
}

func (w *warnings) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &warnings{m: w.m, attrs: append(append([]slog.Attr(nil), w.attrs...), attrs...), mu: w.mu}
}

func (w *warnings) WithGroup(string) slog.Handler { return w }

// Result adds what every MapR module returns: where it acted and the
// library's explanation of each decision.
func Result(n *Node, messages []string, r module.Result) module.Result {
	if messages == nil {
		messages = []string{}
	}
	r["messages"] = messages
	if _, ok := r["msg"]; !ok {
		r["msg"] = strings.Join(messages, "; ")
	}
	if n != nil {
		r["node"] = n.Where
	}
	return r
}

// ReadSecretFile reads a file whose content must never be printed and
// registers that content as a no_log value.
func ReadSecretFile(m *module.Module, path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	text := string(b)
	RegisterSecretText(m, text)
	return text, nil
}

// RegisterSecretText masks a multi-line secret (a license) wherever it, its
// trimmed form, or any of its longer lines would appear in the output.
func RegisterSecretText(m *module.Module, text string) {
	m.AddNoLog(text)
	m.AddNoLog(strings.TrimSpace(text))
	for _, line := range strings.Split(text, "\n") {
		// Short lines ("}", "feature: NFS") would mask unrelated words.
		if line = strings.TrimSpace(line); len(line) >= 24 {
			m.AddNoLog(line)
		}
	}
}

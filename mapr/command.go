package mapr

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"
)

// Command is one program invocation, as an argument vector: never a shell
// string. Executors turn it into argv (local) or into a command line in which
// every element is quoted (SSH), so no value is ever interpreted by a shell.
type Command struct {
	// Path is the program: an absolute path, or a name looked up in PATH.
	Path string
	Args []string
	// Env adds variables for this command only. They are set with env(1)
	// after sudo, because sshd drops client variables unless AcceptEnv lists
	// them and sudo's env_reset drops the rest (e.g. MAPR_TICKETFILE_LOCATION
	// for maprcli on a secure cluster).
	Env map[string]string
	// Sudo runs the command through `sudo -n` (never prompting: a sudo that
	// wants a password fails at once instead of hanging), as SudoUser when set.
	Sudo     bool
	SudoUser string
	// SudoPath is the sudo program; empty means "sudo".
	SudoPath string
	// Stdin is fed to the command; nil means no input.
	Stdin []byte
	// Timeout bounds this command; zero means the executor's default.
	Timeout time.Duration
}

// Output is what a finished command left behind. A command that ran and
// exited non-zero is not an error of Run: callers decide what an exit status
// means (maprcli reports its errors in JSON on stdout, for instance).
type Output struct {
	Stdout   []byte
	Stderr   []byte
	ExitCode int
	// Signal is set when the command was killed by a signal (ExitCode is -1).
	Signal string
}

// envName is what a portable environment variable name looks like; anything
// else could be mistaken for a command by env(1).
var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// envPath is env(1); an absolute path so PATH (which sudo's secure_path
// replaces) does not matter.
const envPath = "/usr/bin/env"

// Argv returns the full argument vector the command runs as: sudo first, then
// env with its assignments, then the program and its arguments.
func (c Command) Argv() ([]string, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	argv := make([]string, 0, len(c.Args)+len(c.Env)+8)
	if c.Sudo {
		sudo := c.SudoPath
		if sudo == "" {
			sudo = "sudo"
		}
		argv = append(argv, sudo, "-n")
		if c.SudoUser != "" {
			argv = append(argv, "-u", c.SudoUser)
		}
		argv = append(argv, "--")
	}
	if len(c.Env) > 0 {
		argv = append(argv, envPath)
		for _, k := range sortedKeys(c.Env) {
			argv = append(argv, k+"="+c.Env[k])
		}
	}
	argv = append(argv, c.Path)
	return append(argv, c.Args...), nil
}

func (c Command) validate() error {
	if c.Path == "" {
		return errors.New("command has no program path")
	}
	if len(c.Env) > 0 && strings.Contains(c.Path, "=") {
		// env(1) would take it for another assignment.
		return fmt.Errorf("program path %q contains '=' and cannot follow env assignments", c.Path)
	}
	for k := range c.Env {
		if !envName.MatchString(k) {
			return fmt.Errorf("environment variable name %q is not a valid name", k)
		}
	}
	if c.SudoUser != "" && !c.Sudo {
		return errors.New("sudo user set without sudo")
	}
	if strings.HasPrefix(c.SudoUser, "-") {
		return fmt.Errorf("sudo user %q looks like an option", c.SudoUser)
	}
	return nil
}

// String renders the command for messages and logs, quoted like the SSH
// command line. Values of Env are elided because they may hold secrets.
func (c Command) String() string {
	argv := make([]string, 0, len(c.Args)+1)
	if c.Sudo {
		argv = append(argv, "sudo")
		if c.SudoUser != "" {
			argv = append(argv, "-u", c.SudoUser)
		}
	}
	for _, k := range sortedKeys(c.Env) {
		argv = append(argv, k+"=…")
	}
	argv = append(argv, c.Path)
	argv = append(argv, c.Args...)
	for i, a := range argv {
		if !plainWord(a) {
			argv[i] = Quote(a)
		}
	}
	return strings.Join(argv, " ")
}

// plainWord reports whether a reads the same quoted or not, so String only
// quotes where it helps a human.
func plainWord(a string) bool {
	if a == "" {
		return false
	}
	for _, r := range a {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./:=,@+%…", r)) {
			return false
		}
	}
	return true
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ExitError is a command that ran but did not succeed.
type ExitError struct {
	Command string
	Output  Output
}

func (e *ExitError) Error() string {
	status := fmt.Sprintf("exited with status %d", e.Output.ExitCode)
	if e.Output.Signal != "" {
		status = "was killed by signal " + e.Output.Signal
	}
	msg := firstLines(e.Output.Stderr, 5)
	if msg == "" {
		msg = firstLines(e.Output.Stdout, 5)
	}
	if msg == "" {
		return fmt.Sprintf("%s %s", e.Command, status)
	}
	return fmt.Sprintf("%s %s: %s", e.Command, status, msg)
}

// Check turns a non-zero exit into an *ExitError naming the command.
func (o Output) Check(cmd Command) error {
	if o.ExitCode == 0 && o.Signal == "" {
		return nil
	}
	return &ExitError{Command: cmd.String(), Output: o}
}

// firstLines returns at most n non-empty lines of b, trimmed, joined by "; ".
func firstLines(b []byte, n int) string {
	var lines []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
			if len(lines) == n {
				break
			}
		}
	}
	return strings.Join(lines, "; ")
}

// Package ansible runs real `ansible-playbook` for acceptance tests: the
// collection gatewayd.toolkit assembled once per test process (as `make
// collection` assembles it), a clean Ansible configuration in a temporary
// home (no ansible.cfg, no user collections, no retry files, no colour),
// and the output parsed into the PLAY RECAP and per-task results.
//
//	col, _ := ansible.Collection(t)
//	res := ansible.Run(t, ansible.Options{Collections: col, Playbook: pb, Vars: map[string]any{"admin_url": gw.AdminURL}})
//	if res.Recap["localhost"].Changed != 0 { ... }
package ansible

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/acctest/harness"
	"github.com/gatewayd-toolkit/gatewayd/ansible-modules/collection"
)

// CollectionsEnv names a prebuilt collections directory (holding
// ansible_collections/, e.g. `bin` after `make collection`) to use instead
// of assembling one.
const CollectionsEnv = "GATEWAYD_ANSIBLE_COLLECTIONS"

// PlaybookTimeout bounds one ansible-playbook run.
const PlaybookTimeout = 5 * time.Minute

// Collection returns the directory to use as ANSIBLE_COLLECTIONS_PATH:
// $GATEWAYD_ANSIBLE_COLLECTIONS, or the collection assembled into a
// temporary directory of t (removed when t and its subtests end). Call it
// from a parent test whose parallel subtests share the collection.
func Collection(t testing.TB) (dir string, modules []collection.Module) {
	t.Helper()
	if dir := os.Getenv(CollectionsEnv); dir != "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			t.Fatalf("ansible: %s: %v", CollectionsEnv, err)
		}
		return abs, nil
	}
	dir = t.TempDir()
	mods, err := collection.Assemble(collection.Options{Root: harness.RepoRoot(t), Out: dir})
	if err != nil {
		t.Fatalf("ansible: assembling the collection: %v", err)
	}
	return dir, mods
}

// Options describe one ansible-playbook run.
type Options struct {
	// Collections is the ANSIBLE_COLLECTIONS_PATH (see Collection).
	Collections string
	Playbook    string
	// Inventory is an inventory file, or "" for an implicit localhost.
	Inventory string
	// Vars are extra variables (passed as a JSON file, so types survive).
	Vars  map[string]any
	Check bool
	Diff  bool
	// Env adds environment variables ("KEY=value").
	Env []string
	// ExpectFailure makes a non-zero exit a normal result.
	ExpectFailure bool
}

// Result is a parsed ansible-playbook run.
type Result struct {
	Output   string
	Recap    map[string]Stats
	Tasks    []Task
	Duration time.Duration
	ExitCode int
}

// Stats is one host's PLAY RECAP line.
type Stats struct {
	OK, Changed, Unreachable, Failed, Skipped, Rescued, Ignored int
}

// Task is one task's section of the output.
type Task struct {
	Name string
	// Text is everything printed under the task header.
	Text string
	// Status is "ok", "changed", "failed", "skipping" (of the last host line).
	Status string
	// Result is the task's JSON result (printed with -v), when there is one.
	Result map[string]any
}

// Run runs ansible-playbook with a clean configuration and -v (so every
// task's result is printed as JSON) and fails the test when it fails,
// unless ExpectFailure is set.
func Run(t testing.TB, o Options) *Result {
	t.Helper()
	home := t.TempDir()
	args := []string{"-v", o.Playbook}
	if o.Inventory != "" {
		args = append(args, "-i", o.Inventory)
	} else {
		args = append(args, "-i", "localhost,", "-c", "local")
	}
	if len(o.Vars) > 0 {
		data, err := json.Marshal(o.Vars)
		if err != nil {
			t.Fatalf("ansible: vars: %v", err)
		}
		varsFile := filepath.Join(home, "vars.json")
		if err := os.WriteFile(varsFile, data, 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "-e", "@"+varsFile)
	}
	if o.Check {
		args = append(args, "--check")
	}
	if o.Diff {
		args = append(args, "--diff")
	}
	ctx, cancel := context.WithTimeout(context.Background(), PlaybookTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ansible-playbook", args...)
	cmd.Dir = filepath.Dir(o.Playbook)
	cmd.Env = append(CleanEnv(t, home, o.Collections), o.Env...)
	cmd.WaitDelay = 10 * time.Second
	start := time.Now()
	out, err := cmd.CombinedOutput()
	res := Parse(string(out))
	res.Duration = time.Since(start)
	if cmd.ProcessState != nil {
		res.ExitCode = cmd.ProcessState.ExitCode()
	}
	if ctx.Err() != nil {
		t.Fatalf("ansible-playbook %s did not finish within %v\n%s", filepath.Base(o.Playbook), PlaybookTimeout, out)
	}
	if err != nil && !o.ExpectFailure {
		t.Fatalf("ansible-playbook %s failed: %v\n%s", strings.Join(args, " "), err, out)
	}
	return res
}

// CleanEnv is the environment ansible commands run with: PATH and
// locale from the test process, everything Ansible reads redirected into
// home, and settings that make the output stable and parseable.
func CleanEnv(t testing.TB, home, collections string) []string {
	t.Helper()
	for _, d := range []string{"ansible", "tmp-local", "tmp-remote"} {
		if err := os.MkdirAll(filepath.Join(home, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	// SSH control sockets need a short path (a Unix socket path has ~107
	// bytes; t.TempDir paths are long).
	controlDir, err := os.MkdirTemp("", "ans-cp-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(controlDir) })
	cfg := filepath.Join(home, "ansible.cfg")
	if err := os.WriteFile(cfg, []byte("# empty: every setting comes from the environment\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"LANG=C.UTF-8", "LC_ALL=C.UTF-8",
		"ANSIBLE_CONFIG=" + cfg,
		"ANSIBLE_HOME=" + filepath.Join(home, "ansible"),
		"ANSIBLE_COLLECTIONS_PATH=" + collections,
		"ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=false",
		"ANSIBLE_ROLES_PATH=" + filepath.Join(home, "roles"),
		"ANSIBLE_LOCAL_TEMP=" + filepath.Join(home, "tmp-local"),
		"ANSIBLE_REMOTE_TEMP=" + filepath.Join(home, "tmp-remote"),
		"ANSIBLE_SSH_CONTROL_PATH_DIR=" + controlDir,
		"ANSIBLE_NOCOLOR=1", "ANSIBLE_FORCE_COLOR=0",
		"ANSIBLE_RETRY_FILES_ENABLED=false",
		"ANSIBLE_STDOUT_CALLBACK=default",
		"ANSIBLE_LOAD_CALLBACK_PLUGINS=false",
		"ANSIBLE_GATHERING=explicit",
		"ANSIBLE_PYTHON_INTERPRETER=auto_silent",
		"ANSIBLE_LOCALHOST_WARNING=false",
		"ANSIBLE_INVENTORY_UNPARSED_WARNING=false",
		"ANSIBLE_DEPRECATION_WARNINGS=false",
		"ANSIBLE_HOST_KEY_CHECKING=true",
		"ANSIBLE_TIMEOUT=30",
	}
	// The modules' own environment fallbacks must not see a developer's shell.
	return env
}

var (
	taskHeader = regexp.MustCompile(`^(TASK|RUNNING HANDLER) \[(.*)\] \*+$`)
	recapLine  = regexp.MustCompile(`^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)\s+rescued=(\d+)\s+ignored=(\d+)`)
	hostLine   = regexp.MustCompile(`^(ok|changed|fatal|failed|skipping): \[[^\]]+\](?:: FAILED!)?(?: => (.*))?$`)
)

// Parse splits ansible-playbook output into tasks and the PLAY RECAP.
func Parse(out string) *Result {
	res := &Result{Output: out, Recap: map[string]Stats{}}
	var cur *Task
	var text strings.Builder
	flush := func() {
		if cur != nil {
			cur.Text = text.String()
			res.Tasks = append(res.Tasks, *cur)
		}
		cur = nil
		text.Reset()
	}
	inRecap := false
	for _, line := range strings.Split(out, "\n") {
		switch {
		case taskHeader.MatchString(line):
			flush()
			cur = &Task{Name: taskHeader.FindStringSubmatch(line)[2]}
			continue
		case strings.HasPrefix(line, "PLAY RECAP"):
			flush()
			inRecap = true
			continue
		case strings.HasPrefix(line, "PLAY ["):
			flush()
			continue
		}
		if inRecap {
			if m := recapLine.FindStringSubmatch(line); m != nil {
				n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
				res.Recap[m[1]] = Stats{OK: n(2), Changed: n(3), Unreachable: n(4), Failed: n(5), Skipped: n(6), Rescued: n(7), Ignored: n(8)}
			}
			continue
		}
		if cur == nil {
			continue
		}
		text.WriteString(line + "\n")
		if m := hostLine.FindStringSubmatch(line); m != nil {
			cur.Status = m[1]
			var r map[string]any
			if m[2] != "" && json.Unmarshal([]byte(m[2]), &r) == nil {
				cur.Result = r
			}
		}
	}
	flush()
	return res
}

// Task returns the first task with that name, failing the test if none.
func (r *Result) Task(t testing.TB, name string) Task {
	t.Helper()
	for _, task := range r.Tasks {
		if task.Name == name {
			return task
		}
	}
	t.Fatalf("no task %q in the output:\n%s", name, r.Output)
	return Task{}
}

// DiffLines are the changed lines of the task's --diff output ("-" and
// "+" lines, not the ---/+++ headers).
func (t Task) DiffLines() []string {
	var out []string
	for _, line := range strings.Split(t.Text, "\n") {
		if strings.HasPrefix(line, "---") || strings.HasPrefix(line, "+++") {
			continue
		}
		if strings.HasPrefix(line, "-") || strings.HasPrefix(line, "+") {
			out = append(out, line)
		}
	}
	return out
}

var jsonKey = regexp.MustCompile(`^[-+ ](\s*)"([^"]+)":`)

// DiffFields names the fields the task's diff changes: the key of each
// changed line, or for an element of an array the key that holds the
// array (the nearest less-indented key above it in the hunk).
func (t Task) DiffFields() map[string]bool {
	fields := map[string]bool{}
	type key struct {
		indent int
		name   string
	}
	var stack []key
	for _, line := range strings.Split(t.Text, "\n") {
		if strings.HasPrefix(line, "---") || strings.HasPrefix(line, "+++") || strings.HasPrefix(line, "@@") {
			stack = nil
			continue
		}
		if line == "" || !strings.ContainsAny(line[:1], "-+ ") {
			continue
		}
		indent := len(line[1:]) - len(strings.TrimLeft(line[1:], " "))
		for len(stack) > 0 && stack[len(stack)-1].indent >= indent {
			stack = stack[:len(stack)-1]
		}
		name := ""
		if m := jsonKey.FindStringSubmatch(line); m != nil {
			name = m[2]
			stack = append(stack, key{indent, name})
		} else if len(stack) > 0 {
			name = stack[len(stack)-1].name
		}
		if (line[0] == '-' || line[0] == '+') && name != "" {
			fields[name] = true
		}
	}
	return fields
}

// String renders the recap for failure messages.
func (s Stats) String() string {
	return fmt.Sprintf("ok=%d changed=%d unreachable=%d failed=%d skipped=%d", s.OK, s.Changed, s.Unreachable, s.Failed, s.Skipped)
}

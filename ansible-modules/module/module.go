package module

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Result is a module's return value: `changed`, `msg`, `diff` and the
// module's own keys. Exit and Fail add `failed` and `invocation`.
type Result map[string]any

// Module is one run of a binary module.
type Module struct {
	// Name is the module's name (`_ansible_module_name`, else argv[0]).
	Name string
	// Params holds every option: the task's values converted to their
	// types, defaults for the rest, nil for unset options without one.
	Params map[string]any
	// CheckMode is `_ansible_check_mode`: predict changes, write nothing.
	CheckMode bool
	// Diff is `_ansible_diff`: return diff {before, after}.
	Diff      bool
	Verbosity int

	spec     Spec
	given    map[string]bool
	noLog    []string
	warnings []string
	stdout   io.Writer
	exit     func(int)
}

// New reads the args file named by os.Args[1] and validates it against
// spec. On bad arguments it prints the failure and exits; in check mode
// without SupportsCheckMode it reports skipped and exits.
func New(spec Spec) *Module {
	return NewFrom(spec, os.Args, os.Stdout, os.Exit)
}

// NewFrom is New with its inputs and exit made explicit, for tests. exit
// must not return (a test's exit may panic to unwind).
func NewFrom(spec Spec, argv []string, stdout io.Writer, exit func(int)) *Module {
	m := &Module{Params: map[string]any{}, spec: spec, given: map[string]bool{}, stdout: stdout, exit: exit}
	if len(argv) > 0 {
		m.Name = filepath.Base(argv[0])
	}
	if len(argv) != 2 {
		m.Fail("usage: " + m.Name + " ARGS_FILE (Ansible passes the path of a JSON arguments file)")
	}
	data, err := os.ReadFile(argv[1])
	if err != nil {
		m.Fail(fmt.Sprintf("reading the arguments file: %v", err))
	}
	raw, err := decodeArgs(data)
	if err != nil {
		m.Fail(fmt.Sprintf("the arguments file %s is not a JSON object: %v", argv[1], err))
	}
	m.load(raw)
	return m
}

func decodeArgs(data []byte) (map[string]any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber() // keep integers exact; coerce decides their type
	var raw map[string]any
	if err := d.Decode(&raw); err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, fmt.Errorf("null")
	}
	return raw, nil
}

// load separates Ansible's internal keys, collects no_log values first (so
// even an error about the arguments cannot print a secret), validates,
// and handles check mode for modules that do not support it.
func (m *Module) load(raw map[string]any) {
	user := map[string]any{}
	for k, v := range raw {
		if !strings.HasPrefix(k, "_ansible_") {
			user[k] = v
			continue
		}
		switch k {
		case "_ansible_check_mode":
			m.CheckMode, _ = v.(bool)
		case "_ansible_diff":
			m.Diff, _ = v.(bool)
		case "_ansible_verbosity":
			if n, ok := plain(v).(int); ok {
				m.Verbosity = n
			}
		case "_ansible_module_name":
			if s, ok := v.(string); ok && s != "" {
				m.Name = s
			}
		}
	}
	m.collectNoLog(user)
	params, given, errs := m.spec.validate(m.Name, user)
	m.Params, m.given = params, given
	m.collectNoLog(m.Params) // values from environment fallbacks
	if len(errs) > 0 {
		m.Fail(strings.Join(errs, "; "))
	}
	if m.CheckMode && !m.spec.SupportsCheckMode {
		m.Exit(Result{"skipped": true, "msg": fmt.Sprintf("remote module (%s) does not support check mode", m.Name)})
	}
}

// collectNoLog records the values of no_log options (by any alias).
func (m *Module) collectNoLog(values map[string]any) {
	idx := m.spec.aliasIndex()
	for key, v := range values {
		if name, ok := idx[key]; ok && m.spec.Options[name].NoLog {
			m.AddNoLog(v)
		}
	}
}

// AddNoLog registers a secret discovered at run time (a generated key, a
// password read from a file) so that it is masked like a no_log option.
func (m *Module) AddNoLog(v any) {
	for _, s := range leafStrings(plain(v)) {
		if s != "" && !containsString(m.noLog, s) {
			m.noLog = append(m.noLog, s)
		}
	}
	// Longest first, so a secret containing another is masked whole.
	sort.Slice(m.noLog, func(i, j int) bool { return len(m.noLog[i]) > len(m.noLog[j]) })
}

// IsSet reports whether the task set the option (to something not null),
// directly, by an alias or through its environment fallback.
func (m *Module) IsSet(name string) bool { return m.given[name] }

// Get returns an option's value (nil when unset without a default).
func (m *Module) Get(name string) any { return m.Params[name] }

// Str returns a str or path option ("" when unset).
func (m *Module) Str(name string) string { s, _ := m.Params[name].(string); return s }

// Int returns an int option (0 when unset).
func (m *Module) Int(name string) int { n, _ := m.Params[name].(int); return n }

// Float returns a float option (0 when unset).
func (m *Module) Float(name string) float64 { f, _ := m.Params[name].(float64); return f }

// Bool returns a bool option (false when unset).
func (m *Module) Bool(name string) bool { b, _ := m.Params[name].(bool); return b }

// List returns a list option (nil when unset).
func (m *Module) List(name string) []any { l, _ := m.Params[name].([]any); return l }

// Strings returns a list option's elements as strings.
func (m *Module) Strings(name string) []string {
	var out []string
	for _, v := range m.List(name) {
		out = append(out, fmt.Sprint(v))
	}
	return out
}

// Dict returns a dict option (nil when unset).
func (m *Module) Dict(name string) map[string]any {
	d, _ := m.Params[name].(map[string]any)
	return d
}

// Warn adds a warning Ansible prints after the task.
func (m *Module) Warn(msg string) { m.warnings = append(m.warnings, msg) }

// Exit prints a successful result and exits 0. `diff` is dropped unless
// diff mode is on, so before/after never travel when nobody asked.
func (m *Module) Exit(r Result) {
	if r == nil {
		r = Result{}
	}
	if _, ok := r["changed"]; !ok {
		r["changed"] = false
	}
	r["failed"] = false
	if !m.Diff {
		delete(r, "diff")
	}
	m.print(r, 0)
}

// Fail prints a failed result with msg and exits 1. extra adds return
// values (they are masked like everything else).
func (m *Module) Fail(msg string, extra ...Result) {
	r := Result{}
	for _, e := range extra {
		for k, v := range e {
			r[k] = v
		}
	}
	r["msg"] = msg
	r["failed"] = true
	if _, ok := r["changed"]; !ok {
		r["changed"] = false
	}
	m.print(r, 1)
}

// Failf is Fail with a format.
func (m *Module) Failf(format string, args ...any) { m.Fail(fmt.Sprintf(format, args...)) }

func (m *Module) print(r Result, code int) {
	r["invocation"] = map[string]any{"module_args": m.invocationArgs()}
	if len(m.warnings) > 0 {
		r["warnings"] = append([]string(nil), m.warnings...)
	}
	var buf bytes.Buffer
	if err := m.encodeMasked(&buf, r); err != nil {
		buf.Reset()
		fmt.Fprintf(&buf, `{"failed": true, "changed": false, "msg": %q}`+"\n", m.maskString("encoding the result: "+err.Error()))
		code = 1
	}
	_, _ = m.stdout.Write(buf.Bytes())
	m.exit(code)
}

// encodeMasked writes r as JSON with every no_log value masked. r goes
// through JSON first so that secrets inside typed values (structs, typed
// maps and slices) are masked too.
func (m *Module) encodeMasked(w io.Writer, r Result) error {
	data, err := json.Marshal(r)
	if err != nil {
		return err
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var generic any
	if err := d.Decode(&generic); err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(m.mask(generic))
}

// invocationArgs are the parameters as Python modules report them: no_log
// options replaced by Ansible's placeholder.
func (m *Module) invocationArgs() map[string]any {
	out := map[string]any{}
	for name, v := range m.Params {
		if m.spec.Options[name].NoLog && v != nil {
			v = NoLogPlaceholder
		}
		out[name] = v
	}
	return out
}

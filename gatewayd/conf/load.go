package conf

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// DefaultPaths are tried in order when Load is given no path, as Kong looks
// for /etc/kong/kong.conf. A variable so tests can point it elsewhere.
var DefaultPaths = []string{"/etc/gatewayd/gatewayd.conf"}

// EnvPrefix starts the environment variable that overrides a key:
// GATEWAYD_PROXY_LISTEN overrides proxy_listen.
const EnvPrefix = "GATEWAYD_"

// Load reads the configuration: defaults, then the file at path, then
// GATEWAYD_* variables from environ (as os.Environ returns them). An empty
// path means the first existing file of DefaultPaths, or none.
//
// On failure the error is an Errors listing every problem found, each
// naming where the bad value came from; no Config is returned.
func Load(path string, environ []string) (*Config, error) {
	if path == "" {
		for _, p := range DefaultPaths {
			if st, err := os.Stat(p); err == nil && !st.IsDir() {
				path = p
				break
			}
		}
	}
	return load(path, environ)
}

// Check validates the configuration Load would read, for `gatewayd check`.
func Check(path string, environ []string) error {
	_, err := Load(path, environ)
	return err
}

// Default returns the built-in defaults alone: no file, no environment.
func Default() *Config {
	c, err := load("", nil)
	if err != nil {
		panic("conf: built-in defaults are invalid: " + err.Error())
	}
	return c
}

// source is where a value came from; the zero value is the built-in default.
type source struct {
	file string
	line int
	env  string
}

func (s source) String() string {
	switch {
	case s.env != "":
		return "env " + s.env
	case s.file != "":
		return fmt.Sprintf("%s:%d", s.file, s.line)
	}
	return "default"
}

func (s source) error(key, msg string) *Error {
	return &Error{File: s.file, Line: s.line, Env: s.env, Key: key, Msg: msg}
}

// entry is one `name = value` as written, before the name is looked up.
type entry struct {
	name, raw string
	src       source
}

// setting is the value one layer (file or environment) gives a key.
type setting struct {
	raw   string
	src   source
	alias string // the Kong alias the value was set through; "" for the key's own name
}

type loader struct {
	errs     Errors
	warnings []string
	failed   map[string]bool // keys whose value did not parse; cross-key rules skip them
}

func load(path string, environ []string) (*Config, error) {
	l := &loader{failed: map[string]bool{}}

	var fileLayer map[string]setting
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			// The path is already in the location; keep only the reason.
			msg := err.Error()
			if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
				msg = pe.Err.Error()
			}
			return nil, Errors{{File: path, Msg: "cannot read configuration file: " + msg}}
		}
		fileLayer = l.layer(l.parseFile(path, data))
	}
	envLayer := l.layer(parseEnv(environ))

	c := &Config{File: path, origins: make(map[string]source, len(keys))}
	for _, k := range keys {
		s, ok := envLayer[k.name]
		if !ok {
			s, ok = fileLayer[k.name]
		}
		if !ok {
			s = setting{raw: k.def}
		}
		c.origins[k.name] = s.src
		v, err := parseValue(k, s.raw)
		if err != nil {
			l.failed[k.name] = true
			l.errs = append(l.errs, s.src.error(cmp.Or(s.alias, k.name), err.Error()))
			continue
		}
		assign(k.bind(c), v)
	}

	l.derive(c)
	l.validate(c)

	if len(l.errs) > 0 {
		l.errs.sort()
		return nil, l.errs
	}
	c.Warnings = l.warnings
	return c, nil
}

// parseFile reads kong.conf syntax (penlight's config reader plus Kong's
// comment stripping): `key = value` lines, blank lines, whole-line and
// trailing `#` comments, `\#` for a literal #.
func (l *loader) parseFile(path string, data []byte) []entry {
	text := strings.TrimPrefix(string(data), "\ufeff")
	var out []entry
	for i, line := range strings.Split(text, "\n") {
		src := source{file: path, line: i + 1}
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		name = strings.TrimSpace(name)
		switch {
		case !ok:
			l.errs = append(l.errs, src.error("", fmt.Sprintf("syntax error: expected \"key = value\", got %q", line)))
			continue
		case name == "":
			l.errs = append(l.errs, src.error("", "syntax error: missing key before \"=\""))
			continue
		case !validKeyName(name):
			l.errs = append(l.errs, src.error("", fmt.Sprintf("syntax error: invalid key %q", name)))
			continue
		}
		out = append(out, entry{name: name, raw: stripComment(value), src: src})
	}
	return out
}

func validKeyName(name string) bool {
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return true
}

// stripComment drops a trailing comment (a # not preceded by a backslash)
// and unescapes \#, as Kong's conf_loader does.
func stripComment(v string) string {
	for i := 0; i < len(v); i++ {
		if v[i] == '#' && (i == 0 || v[i-1] != '\\') {
			v = v[:i]
			break
		}
	}
	return strings.TrimSpace(strings.ReplaceAll(v, `\#`, "#"))
}

// parseEnv picks the GATEWAYD_* variables out of environ. Values are
// trimmed but, unlike the file, not comment-stripped: a # in a variable is
// data (Kong behaves the same). Sorted so that results are deterministic.
func parseEnv(environ []string) []entry {
	vals := map[string]string{}
	for _, kv := range environ {
		name, value, ok := strings.Cut(kv, "=")
		if ok && strings.HasPrefix(name, EnvPrefix) && len(name) > len(EnvPrefix) {
			vals[name] = value // the last occurrence wins, as in exec
		}
	}
	names := make([]string, 0, len(vals))
	for name := range vals {
		names = append(names, name)
	}
	slices.Sort(names)
	out := make([]entry, 0, len(names))
	for _, name := range names {
		out = append(out, entry{
			name: strings.ToLower(strings.TrimPrefix(name, EnvPrefix)),
			raw:  strings.TrimSpace(vals[name]),
			src:  source{env: name},
		})
	}
	return out
}

// layer resolves the names of one source's entries against the key table.
func (l *loader) layer(entries []entry) map[string]setting {
	out := map[string]setting{}
	for _, e := range entries {
		k, alias := byName[e.name], ""
		if k == nil {
			if k = byAlias[e.name]; k != nil {
				alias = e.name
			}
		}
		if k == nil {
			switch {
			case isKongOnlyKey(e.name):
				l.warn(e.src, e.name, "Kong setting not supported by gatewayd; ignored")
			case e.src.env != "":
				// Other tools may share the prefix; warn, since a typo
				// here could silently drop a setting such as admin_token.
				l.warn(e.src, e.name, "not a gatewayd setting; ignored")
			default:
				msg := "unknown key"
				if s := suggest(e.name); s != "" {
					msg += " (did you mean " + s + "?)"
				}
				l.errs = append(l.errs, e.src.error(e.name, msg))
			}
			continue
		}
		if k.ignored {
			l.warn(e.src, e.name, "accepted for Kong compatibility; has no effect in gatewayd")
		}
		// Within one source the key's own name beats a Kong alias, and a
		// later line beats an earlier one (appending to the file is a common
		// way to override); both are worth a warning.
		if prev, seen := out[k.name]; seen {
			switch {
			case prev.alias == "" && alias != "":
				l.warn(e.src, e.name, fmt.Sprintf("ignored: %s is also set (%s)", k.name, prev.src))
				continue
			case prev.alias != "" && alias == "":
				l.warn(prev.src, prev.alias, fmt.Sprintf("ignored: %s is also set (%s)", k.name, e.src))
			default:
				l.warn(e.src, e.name, fmt.Sprintf("overrides the value set at %s", prev.src))
			}
		}
		out[k.name] = setting{raw: e.raw, src: e.src, alias: alias}
	}
	return out
}

func (l *loader) warn(src source, key, msg string) {
	l.warnings = append(l.warnings, src.error(key, msg).Error())
}

// fail records a problem with a key that parsed but breaks a rule.
func (l *loader) fail(c *Config, key, msg string) {
	l.errs = append(l.errs, c.origins[key].error(key, msg))
}

// derive fills the fields computed from other fields.
func (l *loader) derive(c *Config) {
	if !l.failed["prefix"] {
		// Made absolute once, here, so that a later chdir (daemonising)
		// cannot move the files.
		abs, err := filepath.Abs(c.Prefix)
		if err != nil {
			l.failed["prefix"] = true
			l.fail(c, "prefix", fmt.Sprintf("cannot make %q absolute: %v", c.Prefix, err))
		} else {
			c.Prefix = abs
		}
	}
	c.LargeClientHeaderBytes = c.LargeClientHeaderBuffers.Bytes()
}

package module

import (
	"fmt"
	"strings"
)

// NoLogPlaceholder replaces a value that is exactly a no_log value, as
// AnsibleModule's remove_values does.
const NoLogPlaceholder = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"

// maskedSubstring replaces a no_log value found inside a longer string.
const maskedSubstring = "********"

// mask returns a copy of v (decoded JSON) with every no_log value masked
// in strings and map keys, at any depth.
func (m *Module) mask(v any) any {
	if len(m.noLog) == 0 {
		return v
	}
	switch t := v.(type) {
	case string:
		return m.maskString(t)
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			out[m.maskString(k)] = m.mask(x)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = m.mask(x)
		}
		return out
	}
	return v
}

func (m *Module) maskString(s string) string {
	for _, secret := range m.noLog {
		if s == secret {
			return NoLogPlaceholder
		}
	}
	for _, secret := range m.noLog {
		s = strings.ReplaceAll(s, secret, maskedSubstring)
	}
	return s
}

// MaskString masks no_log values in s, for text a module writes elsewhere
// (a log line, a file shown in a diff).
func (m *Module) MaskString(s string) string { return m.maskString(s) }

// leafStrings lists the scalar values inside v as strings: a no_log dict
// or list hides every value it holds.
func leafStrings(v any) []string {
	switch t := v.(type) {
	case nil:
		return nil
	case string:
		return []string{t}
	case map[string]any:
		var out []string
		for _, x := range t {
			out = append(out, leafStrings(x)...)
		}
		return out
	case []any:
		var out []string
		for _, x := range t {
			out = append(out, leafStrings(x)...)
		}
		return out
	case bool:
		return nil // masking every "True" would hide nothing and garble everything
	}
	return []string{fmt.Sprint(v)}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

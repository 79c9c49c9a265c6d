package schema

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Errors is a tree of validation errors shaped like the value it describes,
// exactly as Kong renders it in the "fields" member of an error body:
//   - a field's own error is a string: {"host": "required field missing"}
//   - array/set element errors are a slice with nil for valid elements:
//     {"protocols": ["expected one of: ..."]}
//   - record and map errors nest: {"config": {"minute": "expected a number"}}
//   - entity-level errors collect under "@entity" as a slice of strings.
type Errors map[string]any

// EntityKey is the key entity-level (check) errors are collected under.
const EntityKey = "@entity"

// AddEntity appends an entity-level error.
func (e Errors) AddEntity(msg string) {
	list, _ := e[EntityKey].([]any)
	for _, m := range list {
		if m == msg {
			return
		}
	}
	e[EntityKey] = append(list, msg)
}

// Empty reports whether there are no errors.
func (e Errors) Empty() bool { return len(e) == 0 }

// Has reports whether a field has an error.
func (e Errors) Has(field string) bool { _, ok := e[field]; return ok }

// Message renders Kong's schema-violation message: entity errors first, then
// fields sorted by name, nested one level as "field.sub: msg" (deeper values
// pretty-printed the way Kong's pl.pretty does), and 1-based array indexes.
func (e Errors) Message() string {
	parts := e.messageParts()
	if len(parts) == 1 {
		return "schema violation (" + parts[0] + ")"
	}
	return fmt.Sprintf("%d schema violations (%s)", len(parts), strings.Join(parts, "; "))
}

func (e Errors) messageParts() []string {
	var buf []string
	if list, ok := e[EntityKey].([]any); ok {
		for _, m := range list {
			buf = append(buf, fmt.Sprint(m))
		}
	}
	for _, name := range sortedKeys(e) {
		if name == EntityKey {
			continue
		}
		switch v := e[name].(type) {
		case string:
			buf = append(buf, name+": "+v)
		default:
			for _, sub := range luaSortedKeys(v) {
				val := luaIndex(v, sub)
				s, ok := val.(string)
				if !ok {
					s = Pretty(val, "  ")
				}
				buf = append(buf, name+"."+sub+": "+s)
			}
		}
	}
	return buf
}

// luaSortedKeys lists the keys of a nested error value the way Lua's
// table.sort over pl.tablex.keys would: arrays give their 1-based indexes
// of non-nil elements in order.
func luaSortedKeys(v any) []string {
	switch t := v.(type) {
	case map[string]any:
		return sortedKeys(t)
	case Errors:
		return sortedKeys(t)
	case []any:
		var out []string
		for i, x := range t {
			if x != nil {
				out = append(out, strconv.Itoa(i+1))
			}
		}
		return out
	}
	return nil
}

func luaIndex(v any, key string) any {
	switch t := v.(type) {
	case map[string]any:
		return t[key]
	case Errors:
		return t[key]
	case []any:
		i, _ := strconv.Atoi(key)
		return t[i-1]
	}
	return nil
}

func sortedKeys[M ~map[string]V, V any](m M) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Pretty renders a value like Penlight's pl.pretty.write(v, indent), which
// Kong uses inside error messages: with indent "" it is compact
// ({name="svc"}), otherwise one entry per line. Keys are sorted, identifier
// keys are bare, nil renders as null (Kong substitutes ngx.null that way).
func Pretty(v any, indent string) string {
	var b strings.Builder
	prettyWrite(&b, v, indent, "")
	return b.String()
}

func prettyWrite(b *strings.Builder, v any, indent, cur string) {
	switch t := v.(type) {
	case nil:
		b.WriteString("null")
	case string:
		b.WriteString(strconv.Quote(t))
	case bool:
		b.WriteString(strconv.FormatBool(t))
	case float64:
		b.WriteString(formatNumber(t))
	case int:
		b.WriteString(strconv.Itoa(t))
	case Errors:
		prettyMap(b, map[string]any(t), indent, cur)
	case map[string]any:
		prettyMap(b, t, indent, cur)
	case []any:
		entries := make([]func(), 0, len(t))
		for i, x := range t {
			if x == nil {
				// Lua arrays cannot hold nil; Kong's error arrays are sparse
				// tables whose holes pl.pretty prints as [i]=... entries.
				continue
			}
			x, idx := x, i
			hole := false
			for j := 0; j < idx; j++ {
				if t[j] == nil {
					hole = true
				}
			}
			entries = append(entries, func() {
				if hole {
					b.WriteString("[" + strconv.Itoa(idx+1) + "]")
					b.WriteString(eq(indent))
				}
				prettyWrite(b, x, indent, cur+indent)
			})
		}
		prettyEntries(b, entries, indent, cur)
	default:
		fmt.Fprint(b, t)
	}
}

func prettyMap(b *strings.Builder, m map[string]any, indent, cur string) {
	entries := make([]func(), 0, len(m))
	for _, k := range sortedKeys(m) {
		k := k
		entries = append(entries, func() {
			if isIdent(k) {
				b.WriteString(k)
			} else {
				b.WriteString("[" + strconv.Quote(k) + "]")
			}
			b.WriteString(eq(indent))
			prettyWrite(b, m[k], indent, cur+indent)
		})
	}
	prettyEntries(b, entries, indent, cur)
}

func eq(indent string) string {
	if indent == "" {
		return "="
	}
	return " = "
}

func prettyEntries(b *strings.Builder, entries []func(), indent, cur string) {
	if len(entries) == 0 {
		b.WriteString("{}")
		return
	}
	b.WriteString("{")
	for i, write := range entries {
		if i > 0 {
			b.WriteString(",")
		}
		if indent != "" {
			b.WriteString("\n" + cur + indent)
		}
		write()
	}
	if indent != "" {
		b.WriteString("\n" + cur)
	}
	b.WriteString("}")
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if r == '_' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (i > 0 && r >= '0' && r <= '9') {
			continue
		}
		return false
	}
	return true
}

// formatNumber prints integral floats without a fraction, like Lua does for
// integer-valued numbers.
func formatNumber(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// Package responsetransformer implements Kong's response-transformer
// plugin (kong/plugins/response-transformer): it changes response headers
// and the properties of JSON response bodies, in Kong's order (remove,
// rename, replace, add, append).
package responsetransformer

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
)

func init() {
	plugin.Register(plugin.Spec{
		Name:        "response-transformer",
		Priority:    800,
		Description: "Transform response headers and JSON response bodies.",
		Config:      configFields(),
		New:         New,
	})
}

// headerEntry is a compiled "name[:value]" header entry.
type headerEntry struct {
	name, value string
	hasValue    bool
}

// jsonEntry is a compiled JSON entry; value is the JSON value Kong's
// json_value computes from the config string and its json_types entry
// (nil: the entry is skipped).
type jsonEntry struct {
	name   string
	rename string // rename target
	value  any
}

// Transformer is one compiled response-transformer configuration.
type Transformer struct {
	removeHeaders, renameHeaders, replaceHeaders, addHeaders, appendHeaders []headerEntry

	removeJSON, renameJSON, replaceJSON, addJSON, appendJSON []jsonEntry
	hasJSON                                                  bool
}

// New compiles the entries and precomputes the JSON values.
func New(env *plugin.Env) (any, error) {
	cfg := env.Config
	t := &Transformer{}
	rec := func(name string) map[string]any { m, _ := cfg[name].(map[string]any); return m }
	t.removeHeaders = headerEntries(rec("remove")["headers"])
	t.renameHeaders = headerEntries(rec("rename")["headers"])
	t.replaceHeaders = headerEntries(rec("replace")["headers"])
	t.addHeaders = headerEntries(rec("add")["headers"])
	t.appendHeaders = headerEntries(rec("append")["headers"])

	for _, s := range strList(rec("remove")["json"]) {
		if name, _, ok := splitEntry(s); ok {
			t.removeJSON = append(t.removeJSON, jsonEntry{name: name})
		}
	}
	for _, s := range strList(rec("rename")["json"]) {
		if name, value, ok := splitEntry(s); ok && value != "" {
			t.renameJSON = append(t.renameJSON, jsonEntry{name: name, rename: value})
		}
	}
	t.replaceJSON = jsonEntries(rec("replace"))
	t.addJSON = jsonEntries(rec("add"))
	t.appendJSON = jsonEntries(rec("append"))
	// Kong's is_body_transform_set: any json list is non-empty.
	for _, op := range []string{"remove", "rename", "replace", "add", "append"} {
		if l, _ := rec(op)["json"].([]any); len(l) > 0 {
			t.hasJSON = true
		}
	}
	return t, nil
}

func strList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func headerEntries(v any) []headerEntry {
	var out []headerEntry
	for _, s := range strList(v) {
		name, value, ok := splitEntry(s)
		if !ok {
			continue
		}
		out = append(out, headerEntry{name: name, value: value, hasValue: value != ""})
	}
	return out
}

func jsonEntries(rec map[string]any) []jsonEntry {
	types := strList(rec["json_types"])
	var out []jsonEntry
	for i, s := range strList(rec["json"]) {
		name, value, ok := splitEntry(s)
		if !ok {
			continue
		}
		typ := ""
		if i < len(types) {
			typ = types[i]
		}
		out = append(out, jsonEntry{name: name, value: jsonValue(value, value != "", typ)})
	}
	return out
}

// jsonValue is Kong's json_value: the value is JSON-encoded with cjson,
// its quotes, escaped quotes and escaped slashes undone (so backslashes
// and control characters stay escaped), then cast by its json_types
// entry. An entry without value encodes nil: the string "null".
func jsonValue(value string, has bool, typ string) any {
	v := "null"
	if has {
		v = cjsonEscape(value)
	}
	switch typ {
	case "number":
		if n, ok := luaToNumber(v); ok && !math.IsInf(n, 0) && !math.IsNaN(n) {
			return json.Number(formatNumber(n))
		}
		return nil // tonumber gave nil (or cjson could not encode it)
	case "boolean":
		return v == "true"
	}
	return v
}

// cjsonEscape escapes like lua-cjson, minus the escapes json_value undoes
// (quote and slash).
func cjsonEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if c < 0x20 || c == 0x7f {
				b.WriteString(`\u00`)
				b.WriteByte("0123456789abcdef"[c>>4])
				b.WriteByte("0123456789abcdef"[c&15])
				continue
			}
			b.WriteByte(c)
		}
	}
	return b.String()
}

// luaToNumber is Lua's tonumber on a string.
func luaToNumber(s string) (float64, bool) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		return n, true
	}
	if n, err := strconv.ParseInt(s, 0, 64); err == nil {
		return float64(n), true
	}
	return 0, false
}

// formatNumber prints a number as lua-cjson encodes it (%.14g).
func formatNumber(n float64) string {
	return strconv.FormatFloat(n, 'g', 14, 64)
}

// Response transforms the headers. Presence checks use the headers as the
// response arrived (Kong passes a snapshot to transform_headers).
func (t *Transformer) Response(c *plugin.Context) {
	var renameVals [][]string
	if len(t.renameHeaders) > 0 {
		renameVals = make([][]string, len(t.renameHeaders))
		for i, e := range t.renameHeaders {
			renameVals[i] = responseValues(c, e.name)
		}
	}
	var present []bool
	if n := len(t.replaceHeaders) + len(t.addHeaders); n > 0 {
		present = make([]bool, 0, n)
		for _, e := range t.replaceHeaders {
			present = append(present, c.ResponseHeader(e.name) != nil)
		}
		for _, e := range t.addHeaders {
			present = append(present, c.ResponseHeader(e.name) != nil)
		}
	}
	for _, e := range t.removeHeaders {
		c.DelResponseHeader(e.name)
	}
	for i, e := range t.renameHeaders {
		vals := renameVals[i]
		if vals == nil || !e.hasValue {
			continue
		}
		c.DelResponseHeader(e.name)
		if strings.EqualFold(e.name, e.value) {
			continue // set then cleared, as in Kong
		}
		c.DelResponseHeader(e.value)
		for _, v := range vals {
			c.AddResponseHeader(e.value, v)
		}
	}
	for i, e := range t.replaceHeaders {
		if present[i] && e.hasValue {
			setResponseHeader(c, e.name, e.value)
		}
	}
	for i, e := range t.addHeaders {
		if !present[len(t.replaceHeaders)+i] && e.hasValue {
			setResponseHeader(c, e.name, e.value)
		}
	}
	for _, e := range t.appendHeaders {
		if e.hasValue {
			c.AddResponseHeader(e.name, e.value)
		}
	}
}

// setResponseHeader replaces every value of a response header.
func setResponseHeader(c *plugin.Context, name, value string) {
	c.DelResponseHeader(name)
	c.SetResponseHeader(name, value)
}

// responseValues returns every value of a response header, nil when it
// is absent.
func responseValues(c *plugin.Context, name string) []string {
	first := c.ResponseHeader(name)
	if first == nil {
		return nil
	}
	var out []string
	c.VisitResponseHeaders(func(k, v []byte) {
		if strings.EqualFold(string(k), name) {
			out = append(out, string(v))
		}
	})
	if len(out) == 0 {
		out = []string{string(first)}
	}
	return out
}

// Body transforms JSON response bodies; other bodies, and bodies that do
// not parse, are left alone.
func (t *Transformer) Body(c *plugin.Context) {
	if !t.hasJSON || !isJSONBody(c.ResponseHeader("Content-Type")) {
		return
	}
	if out, ok := t.transformJSON(c.ResponseBody()); ok {
		c.SetResponseBody(out)
	}
}

func (t *Transformer) transformJSON(body []byte) ([]byte, bool) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil || dec.More() {
		return nil, false
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, false // only objects have properties
	}
	truthy := func(name string) bool {
		x, ok := obj[name]
		return ok && x != false
	}
	for _, e := range t.removeJSON {
		delete(obj, e.name)
	}
	for _, e := range t.renameJSON {
		if x, ok := obj[e.name]; ok {
			// Assigned, then the old name cleared: renaming a property
			// to itself removes it, as in Kong.
			obj[e.rename] = x
			delete(obj, e.name)
		}
	}
	for _, e := range t.replaceJSON {
		if e.value != nil && truthy(e.name) {
			obj[e.name] = e.value
		}
	}
	for _, e := range t.addJSON {
		if e.value != nil && !truthy(e.name) {
			obj[e.name] = e.value
		}
	}
	for _, e := range t.appendJSON {
		if e.value != nil {
			obj[e.name] = appendValue(obj[e.name], e.value)
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(obj); err != nil {
		return nil, false
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), true
}

// appendValue is Kong's append_value over decoded JSON: a string becomes
// [old, new], an array grows, an object gets the value at Lua index 1
// (an empty object thus becomes [new]), anything else becomes [new].
func appendValue(cur, v any) any {
	switch t := cur.(type) {
	case string:
		return []any{t, v}
	case []any:
		return append(t, v)
	case map[string]any:
		if len(t) == 0 {
			return []any{v}
		}
		t["1"] = v
		return t
	}
	return []any{v}
}

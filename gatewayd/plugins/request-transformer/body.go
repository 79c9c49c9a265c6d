package requesttransformer

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strings"
)

type bodyKind uint8

const (
	kindNone bodyKind = iota
	kindJSON
	kindMultipart
	kindForm
)

// contentKind classifies a Content-Type as Kong's get_content_type does
// (case-insensitive substring search, JSON first).
func contentKind(ct []byte) bodyKind {
	switch {
	case len(ct) == 0:
		return kindNone
	case containsFold(ct, "application/json"):
		return kindJSON
	case containsFold(ct, "multipart/form-data"):
		return kindMultipart
	case containsFold(ct, "application/x-www-form-urlencoded"):
		return kindForm
	}
	return kindNone
}

func containsFold(b []byte, sub string) bool {
	for i := 0; i+len(sub) <= len(b); i++ {
		match := true
		for j := 0; j < len(sub); j++ {
			c := b[i+j]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != sub[j] {
				match = false
				break
			}
		}
		if match {
			return true
		}
	}
	return false
}

// ---- application/x-www-form-urlencoded ------------------------------------

// formArg is one argument of a form body: a string, a list (repeated
// argument) or, for an argument without "=", Lua's true.
type formArg struct {
	key  string
	vals []string
	bare bool
}

// form is ngx.decode_args' table, keeping first-appearance order.
type form struct{ args []formArg }

func decodeForm(body []byte) *form {
	f := &form{}
	for _, pair := range strings.Split(string(body), "&") {
		if pair == "" {
			continue
		}
		k, v, hasValue := strings.Cut(pair, "=")
		key := unescape(k)
		if key == "" {
			continue
		}
		i := f.find(key)
		if i < 0 {
			f.args = append(f.args, formArg{key: key})
			i = len(f.args) - 1
		}
		a := &f.args[i]
		if !hasValue {
			if len(a.vals) == 0 {
				a.bare = true
			}
			continue
		}
		a.bare = false
		a.vals = append(a.vals, unescape(v))
	}
	return f
}

func unescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

func (f *form) find(key string) int {
	for i := range f.args {
		if f.args[i].key == key {
			return i
		}
	}
	return -1
}

func (f *form) has(key string) bool { return f.find(key) >= 0 }

func (f *form) del(key string) {
	if i := f.find(key); i >= 0 {
		f.args = append(f.args[:i], f.args[i+1:]...)
	}
}

// put assigns a (nil deletes) as Lua's parameters[key] = value.
func (f *form) put(key string, a *formArg) {
	if a == nil {
		f.del(key)
		return
	}
	v := formArg{key: key, vals: append([]string(nil), a.vals...), bare: a.bare}
	if i := f.find(key); i >= 0 {
		f.args[i] = v
		return
	}
	f.args = append(f.args, v)
}

func (f *form) set(key, value string) { f.put(key, &formArg{vals: []string{value}}) }

func (f *form) get(key string) *formArg {
	if i := f.find(key); i >= 0 {
		a := f.args[i]
		return &a
	}
	return nil
}

// appendValue is Kong's append_value: a string becomes a list with the
// new value, a list grows, anything else is replaced by a one-value list.
func (f *form) appendValue(key, value string) {
	i := f.find(key)
	if i < 0 {
		f.args = append(f.args, formArg{key: key, vals: []string{value}})
		return
	}
	a := &f.args[i]
	if a.bare {
		a.bare, a.vals = false, []string{value}
		return
	}
	a.vals = append(a.vals, value)
}

// encode is ngx.encode_args.
func (f *form) encode() []byte {
	var b bytes.Buffer
	for _, a := range f.args {
		if a.bare {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(escape(a.key))
			continue
		}
		for _, v := range a.vals {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(escape(a.key))
			b.WriteByte('=')
			b.WriteString(escape(v))
		}
	}
	return b.Bytes()
}

// escape is ngx.escape_uri for URI components: everything but
// A-Z a-z 0-9 - . _ ~ is percent-encoded.
func escape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func (t *Transformer) formBody(body []byte, env *tenv) ([]byte, bool, error) {
	f := decodeForm(body)
	nonEmpty := len(body) > 0
	changed := false
	if nonEmpty {
		for _, e := range t.remove.body {
			if _, _, err := e.render(env); err != nil {
				return nil, false, err
			}
			f.del(e.name)
			changed = true
		}
		for _, e := range t.rename.body {
			newName, ok, err := e.render(env)
			if err != nil {
				return nil, false, err
			}
			if !ok {
				continue
			}
			f.put(newName, f.get(e.name))
			f.del(e.name)
			changed = true
		}
		for _, e := range t.replace.body {
			v, ok, err := e.render(env)
			if err != nil {
				return nil, false, err
			}
			if ok && f.has(e.name) {
				f.set(e.name, v)
				changed = true
			}
		}
	}
	for _, e := range t.add.body {
		v, ok, err := e.render(env)
		if err != nil {
			return nil, false, err
		}
		if ok && !f.has(e.name) {
			f.set(e.name, v)
			changed = true
		}
	}
	for _, e := range t.apend.body {
		v, ok, err := e.render(env)
		if err != nil {
			return nil, false, err
		}
		if ok {
			f.appendValue(e.name, v)
			changed = true
		}
	}
	if !changed {
		return nil, false, nil
	}
	return f.encode(), true, nil
}

// ---- application/json -------------------------------------------------------

func (t *Transformer) jsonBody(body []byte, env *tenv) ([]byte, bool, error) {
	params := map[string]any{}
	nonEmpty := len(body) > 0
	if nonEmpty {
		var v any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil || dec.More() {
			return nil, false, nil // not JSON: left untouched
		}
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, false, nil // only objects have named parameters
		}
		params = obj
	}
	// truthy is Lua's view of a parameter: null is a value, false is not.
	truthy := func(name string) bool {
		v, ok := params[name]
		return ok && v != false
	}
	changed := false
	if nonEmpty {
		for _, e := range t.remove.body {
			if _, _, err := e.render(env); err != nil {
				return nil, false, err
			}
			delete(params, e.name)
			changed = true
		}
		for _, e := range t.rename.body {
			newName, ok, err := e.render(env)
			if err != nil {
				return nil, false, err
			}
			if !ok {
				continue
			}
			if v, present := params[e.name]; present {
				params[newName] = v
			} else {
				delete(params, newName)
			}
			delete(params, e.name)
			changed = true
		}
		for _, e := range t.replace.body {
			v, ok, err := e.render(env)
			if err != nil {
				return nil, false, err
			}
			if ok && truthy(e.name) {
				params[e.name] = v
				changed = true
			}
		}
	}
	for _, e := range t.add.body {
		v, ok, err := e.render(env)
		if err != nil {
			return nil, false, err
		}
		if ok && !truthy(e.name) {
			params[e.name] = v
			changed = true
		}
	}
	for _, e := range t.apend.body {
		v, ok, err := e.render(env)
		if err != nil {
			return nil, false, err
		}
		if ok {
			params[e.name] = appendJSON(params[e.name], v)
			changed = true
		}
	}
	if !changed {
		return nil, false, nil
	}
	out, err := encodeJSON(params)
	return out, err == nil, err
}

// appendJSON is Kong's append_value over decoded JSON: a string becomes
// [old, new], an array grows, an object gets the value at Lua index 1
// (an empty object thus becomes [new]), anything else becomes [new].
func appendJSON(cur any, v string) any {
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

func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// ---- multipart/form-data -----------------------------------------------------

// mpart is one part as lua-multipart keeps it: its name, raw header lines
// and value.
type mpart struct {
	name    string
	headers []string
	value   string
}

// multipartData mirrors lua-multipart's MultipartData: parts in order and
// the index of the last part of each name.
type multipartData struct {
	boundary string
	data     []mpart
	indexes  map[string]int
}

// boundaryOf is lua-multipart's ";%s*boundary=(%S+)" with quotes removed.
func boundaryOf(ct string) string {
	i := strings.Index(ct, ";")
	for i >= 0 {
		rest := strings.TrimLeft(ct[i+1:], " \t\r\n\f\v")
		if strings.HasPrefix(rest, "boundary=") {
			b := rest[len("boundary="):]
			if j := strings.IndexAny(b, " \t\r\n\f\v"); j >= 0 {
				b = b[:j]
			}
			if len(b) >= 2 && (b[0] == '"' && b[len(b)-1] == '"' || b[0] == '\'' && b[len(b)-1] == '\'') {
				b = b[1 : len(b)-1]
			}
			return b
		}
		j := strings.Index(ct[i+1:], ";")
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return ""
}

func decodeMultipart(body []byte, boundary string) *multipartData {
	m := &multipartData{boundary: boundary, indexes: map[string]int{}}
	s := string(body)
	delim := "--" + boundary
	pos := delimAt(s, delim, 0)
	for pos >= 0 {
		after := pos + len(delim)
		if strings.HasPrefix(s[after:], "--") {
			break
		}
		eol := strings.IndexByte(s[after:], '\n')
		if eol < 0 {
			break
		}
		start := after + eol + 1
		next := delimAt(s, delim, start)
		end := next
		if end < 0 {
			end = len(s)
		}
		content := strings.TrimSuffix(strings.TrimSuffix(s[start:end], "\n"), "\r")
		var p mpart
		head, value, found := strings.Cut(content, "\r\n\r\n")
		if !found {
			head, value = content, ""
		}
		if head != "" {
			p.headers = strings.Split(head, "\r\n")
		}
		p.value = value
		for _, h := range p.headers {
			if len(h) >= 19 && strings.EqualFold(h[:19], "content-disposition") {
				p.name = dispositionName(h)
			}
		}
		if p.name != "" {
			m.data = append(m.data, p)
			m.indexes[p.name] = len(m.data) - 1
		}
		pos = next
	}
	return m
}

// delimAt finds the next boundary line at or after from.
func delimAt(s, delim string, from int) int {
	for from <= len(s) {
		i := strings.Index(s[from:], delim)
		if i < 0 {
			return -1
		}
		at := from + i
		if at == 0 || s[at-1] == '\n' {
			return at
		}
		from = at + 1
	}
	return -1
}

// dispositionName extracts name="..." from a Content-Disposition line the
// way lua-multipart does (the first and last characters are dropped).
func dispositionName(line string) string {
	name := ""
	for _, piece := range strings.Split(line, ";") {
		p := strings.TrimLeft(piece, " \t")
		if len(p) < 5 || !strings.EqualFold(p[:5], "name=") {
			continue
		}
		v := p[5:]
		if j := strings.IndexByte(v, '='); j >= 0 {
			v = v[:j]
		}
		v = strings.TrimRight(v, " \t\r\n")
		if len(v) >= 2 {
			name = v[1 : len(v)-1]
		}
	}
	return name
}

func (m *multipartData) has(name string) bool { _, ok := m.indexes[name]; return ok }

func (m *multipartData) setSimple(name, value string) {
	p := mpart{name: name, value: value, headers: []string{`Content-Disposition: form-data; name="` + name + `"`}}
	if i, ok := m.indexes[name]; ok {
		m.data[i] = p
		return
	}
	i := len(m.indexes)
	m.indexes[name] = i
	if i < len(m.data) {
		m.data[i] = p
		return
	}
	m.data = append(m.data, p)
}

func (m *multipartData) delete(name string) {
	i, ok := m.indexes[name]
	if !ok {
		return
	}
	m.data = append(m.data[:i], m.data[i+1:]...)
	delete(m.indexes, name)
	for k, v := range m.indexes {
		if v > i {
			m.indexes[k] = v - 1
		}
	}
}

func (m *multipartData) encode() []byte {
	if len(m.data) == 0 {
		return []byte{}
	}
	var b bytes.Buffer
	for _, p := range m.data {
		b.WriteString("--")
		b.WriteString(m.boundary)
		b.WriteString("\r\n")
		for _, h := range p.headers {
			b.WriteString(h)
			b.WriteString("\r\n")
		}
		b.WriteString("\r\n")
		b.WriteString(p.value)
		b.WriteString("\r\n")
	}
	b.WriteString("--")
	b.WriteString(m.boundary)
	b.WriteString("--\r\n")
	return b.Bytes()
}

// multipartBody applies rename, remove, replace and add (Kong does not
// append to multipart bodies).
func (t *Transformer) multipartBody(body []byte, ct string, env *tenv) ([]byte, bool, error) {
	boundary := boundaryOf(ct)
	if boundary == "" {
		return nil, false, nil
	}
	m := decodeMultipart(body, boundary)
	nonEmpty := len(body) > 0
	changed := false
	if nonEmpty {
		for _, e := range t.rename.body {
			newName, ok, err := e.render(env)
			if err != nil {
				return nil, false, err
			}
			if ok && m.has(e.name) {
				v := m.data[m.indexes[e.name]].value
				m.setSimple(newName, v)
				m.delete(e.name)
				changed = true
			}
		}
		for _, e := range t.remove.body {
			if _, _, err := e.render(env); err != nil {
				return nil, false, err
			}
			m.delete(e.name)
			changed = true
		}
		for _, e := range t.replace.body {
			v, ok, err := e.render(env)
			if err != nil {
				return nil, false, err
			}
			if ok && m.has(e.name) {
				m.delete(e.name)
				m.setSimple(e.name, v)
				changed = true
			}
		}
	}
	for _, e := range t.add.body {
		v, ok, err := e.render(env)
		if err != nil {
			return nil, false, err
		}
		if ok && !m.has(e.name) {
			m.setSimple(e.name, v)
			changed = true
		}
	}
	if !changed {
		return nil, false, nil
	}
	return m.encode(), true, nil
}

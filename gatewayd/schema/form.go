package schema

import (
	"errors"
	"sort"
	"strconv"
	"strings"
)

// MaxFormArgs is Kong's limit on the number of form arguments.
const MaxFormArgs = 1000

// ErrTooManyArgs is returned when a form carries more than MaxFormArgs.
var ErrTooManyArgs = errors.New("Too many arguments")

// DecodeForm turns url-encoded or multipart form values into a nested
// document using Kong's argument syntax (kong/api/arguments_decoder.lua):
// dotted keys nest (config.minute), "paths[]" appends, "paths[2]" indexes
// (1-based), "headers[x-foo]" is a map key (allowMapKeys, POST/PUT/PATCH
// only), and repeated keys form arrays. Types are left as strings; Infer
// applies schema-driven conversion afterwards.
func DecodeForm(values map[string][]string, allowMapKeys bool) (Doc, error) {
	n := 0
	for _, vs := range values {
		n += len(vs)
	}
	if n > MaxFormArgs {
		return nil, ErrTooManyArgs
	}
	root := &node{}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		segs := splitKey(key, allowMapKeys)
		for _, v := range values[key] {
			root.set(segs, v)
		}
	}
	doc, _ := root.value().(map[string]any)
	if doc == nil {
		doc = Doc{}
	}
	return doc, nil
}

// segment is one step of a decoded key: a map key, an index, or append.
type segment struct {
	key    string
	index  int // 1-based; 0 = not an index
	append bool
}

func splitKey(key string, allowMapKeys bool) []segment {
	// Kong leaves keys with a leading or trailing dot undecoded
	// (arguments_decoder.lua decode_arg: ^\.+|\.$).
	if strings.HasPrefix(key, ".") || strings.HasSuffix(key, ".") {
		return []segment{{key: key}}
	}
	var segs []segment
	i := 0
	name := key
	if j := strings.IndexAny(key, ".["); j >= 0 {
		name, i = key[:j], j
	} else {
		i = len(key)
	}
	segs = append(segs, segment{key: name})
	for i < len(key) {
		switch key[i] {
		case '.':
			j := strings.IndexAny(key[i+1:], ".[")
			end := len(key)
			if j >= 0 {
				end = i + 1 + j
			}
			// Empty names between dots are skipped ("a..b" is "a.b").
			if end > i+1 {
				segs = append(segs, segment{key: key[i+1 : end]})
			}
			i = end
		case '[':
			j := strings.IndexByte(key[i:], ']')
			if j < 0 {
				// Malformed bracket: keep the rest literally as a key.
				segs[len(segs)-1].key += key[i:]
				return segs
			}
			inner := key[i+1 : i+j]
			switch {
			case inner == "":
				segs = append(segs, segment{append: true})
			case isDigits(inner):
				n, _ := strconv.Atoi(inner)
				if n < 1 {
					n = 1
				}
				segs = append(segs, segment{index: n})
			case allowMapKeys:
				segs = append(segs, segment{key: inner})
			default:
				segs[len(segs)-1].key += key[i : i+j+1]
			}
			i += j + 1
		default:
			i++
		}
	}
	return segs
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// node is a decoding tree: a leaf value, a keyed object, or an indexed list.
type node struct {
	leaf    []string
	keys    map[string]*node
	order   []string
	indexed map[int]*node
	appends []*node
}

func (n *node) set(segs []segment, v string) {
	if len(segs) == 0 {
		n.leaf = append(n.leaf, v)
		return
	}
	s := segs[0]
	var child *node
	switch {
	case s.append:
		child = &node{}
		n.appends = append(n.appends, child)
	case s.index > 0:
		if n.indexed == nil {
			n.indexed = map[int]*node{}
		}
		child = n.indexed[s.index]
		if child == nil {
			child = &node{}
			n.indexed[s.index] = child
		}
	default:
		if n.keys == nil {
			n.keys = map[string]*node{}
		}
		child = n.keys[s.key]
		if child == nil {
			child = &node{}
			n.keys[s.key] = child
			n.order = append(n.order, s.key)
		}
	}
	child.set(segs[1:], v)
}

func (n *node) value() any {
	if n.keys != nil {
		m := map[string]any{}
		for _, k := range n.order {
			m[k] = n.keys[k].value()
		}
		return m
	}
	if n.indexed != nil || n.appends != nil {
		idx := make([]int, 0, len(n.indexed))
		for i := range n.indexed {
			idx = append(idx, i)
		}
		sort.Ints(idx)
		var list []any
		for _, i := range idx {
			list = append(list, n.indexed[i].flat()...)
		}
		for _, a := range n.appends {
			list = append(list, a.flat()...)
		}
		for _, v := range n.leaf {
			list = append(list, v)
		}
		return list
	}
	switch len(n.leaf) {
	case 0:
		return nil
	case 1:
		return n.leaf[0]
	}
	list := make([]any, len(n.leaf))
	for i, v := range n.leaf {
		list[i] = v
	}
	return list
}

// flat returns a list element; repeated leaves under one index flatten.
func (n *node) flat() []any {
	v := n.value()
	if l, ok := v.([]any); ok && n.keys == nil && n.indexed == nil && n.appends == nil {
		return l
	}
	return []any{v}
}

// Infer converts form-decoded strings to the types the schema declares
// (kong/api/arguments.lua): numbers, "true"/"false", single values wrapped
// into arrays, and the empty string to null. Values that do not convert are
// left alone so validation reports the type error. Unknown fields are left
// untouched (validation reports them).
func Infer(doc Doc, fields []*Field) {
	inferRecord(doc, fields, doc)
}

func inferRecord(rec map[string]any, fields []*Field, parent Doc) {
	for k, v := range rec {
		f := fieldByName(fields, k)
		if f == nil {
			continue
		}
		rec[k] = inferValue(f, v, rec)
	}
}

func inferValue(f *Field, v any, parent Doc) any {
	if s, ok := v.(string); ok && s == "" {
		return nil
	}
	switch f.Kind {
	case Integer, Number:
		if s, ok := v.(string); ok {
			if n, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
				return n
			}
		}
	case Boolean:
		if s, ok := v.(string); ok {
			switch s {
			case "true":
				return true
			case "false":
				return false
			}
		}
	case Array, Set:
		list, ok := v.([]any)
		if !ok {
			if m, isMap := v.(map[string]any); isMap {
				// "paths[1]" style keys decoded as a map with numeric keys
				// are already lists; anything else stays for validation.
				_ = m
				return v
			}
			list = []any{v}
		}
		if f.Elements != nil {
			for i, el := range list {
				list[i] = inferValue(f.Elements, el, parent)
			}
		}
		return list
	case Map:
		if m, ok := v.(map[string]any); ok && f.Values != nil {
			for k, x := range m {
				m[k] = inferValue(f.Values, x, parent)
			}
		}
	case Record:
		if m, ok := v.(map[string]any); ok {
			inferRecord(m, recordFields(f, parent), parent)
		}
	case Foreign:
		if m, ok := v.(map[string]any); ok {
			for k, x := range m {
				if s, isStr := x.(string); isStr && s == "" {
					m[k] = nil
				}
			}
		}
	}
	return v
}

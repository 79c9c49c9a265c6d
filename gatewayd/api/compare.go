package api

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// Change is one field whose desired value differs from the current one.
type Change struct {
	Path    string // dotted: "config.minute", "tags"
	Current any
	Desired any
	Secret  bool // the field is sensitive: show it masked
}

// Compare is the one idempotency comparison Terraform plans, Ansible's
// changed/diff and declarative sync share: only the fields present in
// desired are compared (values the server filled in — defaults, ids,
// timestamps — are not drift); records are compared field by field with
// the same rule; sets ignore order; foreign keys compare by id. s may be
// nil (then every array is ordered and every object is a record).
func Compare(desired, current Entity, s *Schema) []Change {
	var out []Change
	var fields []*Field
	if s != nil {
		fields = s.Fields
	}
	compareRecord("", Normalize(desired), Normalize(current), fields, s == nil, &out)
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

func compareRecord(prefix string, desired, current any, fields []*Field, schemaless bool, out *[]Change) {
	d, _ := desired.(map[string]any)
	c, _ := current.(map[string]any)
	for k, dv := range d {
		f := fieldIn(fields, k)
		path := k
		if prefix != "" {
			path = prefix + "." + k
		}
		compareValue(path, dv, c[k], f, schemaless, out)
	}
}

func compareValue(path string, dv, cv any, f *Field, schemaless bool, out *[]Change) {
	typ := ""
	if f != nil {
		typ = f.Type
	}
	secret := f != nil && f.Sensitive
	switch {
	case typ == "record" || (schemaless || f == nil) && isMap(dv) && isMap(cv) && typ != "map" && typ != "foreign":
		if dv == nil || cv == nil {
			if !reflect.DeepEqual(dv, cv) {
				*out = append(*out, Change{Path: path, Current: cv, Desired: dv, Secret: secret})
			}
			return
		}
		var sub []*Field
		if f != nil {
			sub = f.Fields
		}
		compareRecord(path, dv, cv, sub, schemaless || f == nil, out)
	case typ == "foreign":
		if foreignID(dv) != foreignID(cv) {
			*out = append(*out, Change{Path: path, Current: cv, Desired: dv})
		}
	case typ == "set" || path == "tags":
		if !sameSet(dv, cv) {
			*out = append(*out, Change{Path: path, Current: cv, Desired: dv, Secret: secret})
		}
	default:
		if !reflect.DeepEqual(emptyAsNil(dv, typ), emptyAsNil(cv, typ)) {
			*out = append(*out, Change{Path: path, Current: cv, Desired: dv, Secret: secret})
		}
	}
}

func isMap(v any) bool {
	_, ok := v.(map[string]any)
	return ok || v == nil
}

func foreignID(v any) any {
	if m, ok := v.(map[string]any); ok {
		return m["id"]
	}
	return v
}

// emptyAsNil treats an empty array like null for arrays and sets: Kong
// renders unset arrays as [] or null depending on the field.
func emptyAsNil(v any, typ string) any {
	if l, ok := v.([]any); ok && len(l) == 0 {
		return nil
	}
	return v
}

func sameSet(a, b any) bool {
	la, _ := a.([]any)
	lb, _ := b.([]any)
	if len(la) != len(lb) {
		return false
	}
	key := func(v any) string { j, _ := json.Marshal(v); return string(j) }
	count := map[string]int{}
	for _, v := range la {
		count[key(v)]++
	}
	for _, v := range lb {
		count[key(v)]--
	}
	for _, n := range count {
		if n != 0 {
			return false
		}
	}
	return true
}

// Normalize turns Go values (ints, []string, structs, typed maps) into the
// JSON values the Admin API exchanges, by a JSON round trip.
func Normalize(v any) any {
	if v == nil {
		return nil
	}
	switch v.(type) {
	case map[string]any, []any, string, float64, bool:
		if isPlainJSON(v) {
			return v
		}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		return v
	}
	return out
}

func isPlainJSON(v any) bool {
	switch t := v.(type) {
	case nil, string, float64, bool:
		return true
	case map[string]any:
		for _, x := range t {
			if !isPlainJSON(x) {
				return false
			}
		}
		return true
	case []any:
		for _, x := range t {
			if !isPlainJSON(x) {
				return false
			}
		}
		return true
	}
	return false
}

// Masked is what diffs show for sensitive values.
const Masked = "[masked]"

// String renders a change for humans: "config.minute: 5 -> 10".
func (c Change) String() string {
	cur, des := render(c.Current), render(c.Desired)
	if c.Secret {
		cur, des = Masked, Masked
	}
	return fmt.Sprintf("%s: %s -> %s", c.Path, cur, des)
}

func render(v any) string {
	if v == nil {
		return "null"
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSpace(string(b))
}

package gateway

import (
	"strconv"
	"strings"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
)

// CoerceToSchema converts string values to the types the schema declares,
// recursively through records, arrays, sets and maps. Ansible templates
// inside a dict produce strings ("{{ limit }}" is "10"), and the Admin
// API's JSON rejects a string where it wants a number; the comparison
// would also see "10" and 10 as different. Values that do not convert are
// left for the server to reject with its own message.
func CoerceToSchema(doc map[string]any, fields []*api.Field) map[string]any {
	if len(fields) == 0 {
		return doc
	}
	out := make(map[string]any, len(doc))
	for k, v := range doc {
		out[k] = coerceValue(v, fieldIn(fields, k))
	}
	return out
}

func coerceValue(v any, f *api.Field) any {
	if f == nil || v == nil {
		return v
	}
	switch f.Type {
	case "integer", "number":
		if s, ok := v.(string); ok {
			if n, err := strconv.ParseFloat(strings.TrimSpace(s), 64); err == nil {
				return n
			}
		}
	case "boolean":
		if s, ok := v.(string); ok {
			switch strings.ToLower(strings.TrimSpace(s)) {
			case "true", "yes", "on", "1":
				return true
			case "false", "no", "off", "0":
				return false
			}
		}
	case "array", "set":
		if l, ok := v.([]any); ok && f.Elements != nil {
			c := make([]any, len(l))
			for i, x := range l {
				c[i] = coerceValue(x, f.Elements)
			}
			return c
		}
	case "record":
		if m, ok := v.(map[string]any); ok {
			return CoerceToSchema(m, f.Fields)
		}
	case "map":
		if m, ok := v.(map[string]any); ok && f.Values != nil {
			c := make(map[string]any, len(m))
			for k, x := range m {
				c[k] = coerceValue(x, f.Values)
			}
			return c
		}
	}
	return v
}

package responsetransformer

import (
	"fmt"
	"strings"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// splitEntry splits "name:value" like Kong's "^([^:]+):*(.-)$": the name
// up to the first colon, the value after every following colon. ok is
// false when the entry has no name.
func splitEntry(s string) (name, value string, ok bool) {
	i := strings.IndexByte(s, ':')
	if i < 0 {
		return s, "", s != ""
	}
	if i == 0 {
		return "", "", false
	}
	name = s[:i]
	for i < len(s) && s[i] == ':' {
		i++
	}
	return name, s[i:], true
}

// matchColon is Kong's match = "^[^:]+:.*$" ("invalid value: <value>").
func matchColon(v any) string {
	s, _ := v.(string)
	if s == "" || s[0] == ':' || strings.IndexByte(s, ':') < 0 {
		return "invalid value: " + s
	}
	return ""
}

// validateColonHeaders is rename.headers' validator: "old:new", both
// header names.
func validateColonHeaders(v any) string {
	if msg := matchColon(v); msg != "" {
		return msg
	}
	name, value, _ := splitEntry(v.(string))
	for _, h := range []string{name, value} {
		if h == "" || schema.ValidateHeaderName(h) != "" {
			return fmt.Sprintf("'%s' is not a valid header", h)
		}
	}
	return ""
}

func array(name, desc string, elem *schema.Field) *schema.Field {
	if elem == nil {
		elem = &schema.Field{Kind: schema.String}
	}
	return &schema.Field{Name: name, Kind: schema.Array, Required: true, Default: []any{}, Elements: elem, Description: desc}
}

func colonArray(name, desc string) *schema.Field {
	return array(name, desc, &schema.Field{Kind: schema.String, Custom: matchColon})
}

func jsonTypes() *schema.Field {
	return array("json_types", "List of JSON type names. Specify the types of the JSON values returned when appending\n"+
		"JSON properties. Each string element can be one of: boolean, number, or string.",
		&schema.Field{Kind: schema.String, OneOf: schema.Strings("boolean", "number", "string")})
}

func record(name, desc string, fields ...*schema.Field) *schema.Field {
	return &schema.Field{Name: name, Kind: schema.Record, Required: true, Fields: fields, Description: desc}
}

func configFields() []*schema.Field {
	return []*schema.Field{
		record("remove", "Response headers and JSON body properties removed, by name.",
			array("json", "List of property names. Remove the property from the JSON body if it is present.", nil),
			array("headers", "List of header names. Unset the header(s) with the given name.", nil),
		),
		record("rename", "Response headers and JSON body properties renamed, as `old:new` pairs.",
			colonArray("json", "List of `property:new_name` pairs. Rename the property in the JSON body if it is present."),
			array("headers", "List of `original_header_name:new_header_name` pairs. If the header `original_headername` is "+
				"already set, rename it to `new_headername`. Ignored if the header is not already set.",
				&schema.Field{Kind: schema.String, Custom: validateColonHeaders}),
		),
		record("replace", "Response headers and JSON body properties replaced when present.",
			colonArray("json", "List of `property:value` pairs. If and only if the parameter is already present, replace its "+
				"old value with the new one. Ignored if the parameter is not already present."),
			jsonTypes(),
			colonArray("headers", "List of `headername:value` pairs. If and only if the header is already set, replace its old "+
				"value with the new one. Ignored if the header is not already set."),
		),
		record("add", "Response headers and JSON body properties added when absent.",
			colonArray("json", "List of `property:value` pairs. If and only if the property is not present, add a new property "+
				"with the given value to the JSON body. Ignored if the property is already present."),
			jsonTypes(),
			colonArray("headers", "List of `headername:value` pairs. If and only if the header is not already set, set a new "+
				"header with the given value. Ignored if the header is already set."),
		),
		record("append", "Values appended to response headers and JSON body properties.",
			colonArray("json", "List of `property:value` pairs. If the property is not present in the JSON body, add it with "+
				"the given value. If it is already present, the two values (old and new) will be aggregated in an array."),
			jsonTypes(),
			colonArray("headers", "List of `headername:value` pairs. If the header is not set, set it with the given value. If "+
				"it is already set, a new header with the same name and the new value will be set."),
		),
	}
}

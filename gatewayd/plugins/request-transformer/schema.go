package requesttransformer

import (
	"fmt"
	"strings"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// splitEntry splits a config entry like Kong's "^([^:]+):*(.-)$": the
// name up to the first colon, then the value after every following colon.
// ok is false when the entry has no name (starts with a colon).
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

// hasColonValue is Kong's match = "^[^:]+:.*$".
func hasColonValue(s string) bool {
	return s != "" && s[0] != ':' && strings.IndexByte(s, ':') > 0
}

func headerNameOK(s string) bool {
	return s != "" && schema.ValidateHeaderName(s) == ""
}

// validateHeaders is Kong's validate_headers(pair): the entry's name must
// be a header name.
func validateHeaders(v any) string {
	s, _ := v.(string)
	name, _, ok := splitEntry(s)
	if !ok {
		return "'nil' is not a valid header"
	}
	if !headerNameOK(name) {
		return fmt.Sprintf("'%s' is not a valid header", name)
	}
	return ""
}

// validateColonHeaderValue: "name:value" whose name is a header name.
func validateColonHeaderValue(v any) string {
	s, _ := v.(string)
	if !hasColonValue(s) {
		return "invalid value: " + s
	}
	return validateHeaders(v)
}

// validateColonHeaders (rename.headers): "old:new", both header names.
func validateColonHeaders(v any) string {
	s, _ := v.(string)
	if !hasColonValue(s) {
		return "invalid value: " + s
	}
	if msg := validateHeaders(v); msg != "" {
		return msg
	}
	_, value, _ := splitEntry(s)
	if !headerNameOK(value) {
		return fmt.Sprintf("'%s' is not a valid header", value)
	}
	return ""
}

// checkForValue is Kong's check_for_value: entries need a value, and the
// value must compile as a template.
func checkForValue(v any) string {
	s, _ := v.(string)
	name, value, _ := splitEntry(s)
	if value == "" {
		return fmt.Sprintf("key '%s' has no value", name)
	}
	if t := compileTemplate(value); t.err != nil {
		return fmt.Sprintf("value '%s' is not in supported format, error:%s", value, t.err)
	}
	return ""
}

// validateHTTPMethod is typedefs.http_method's match = "^%u+$".
func validateHTTPMethod(v any) string {
	s, _ := v.(string)
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return "invalid value: " + s
		}
	}
	return ""
}

func array(desc string, custom func(any) string) *schema.Field {
	return &schema.Field{Kind: schema.Array, Required: true, Default: []any{},
		Elements: &schema.Field{Kind: schema.String, Custom: custom}, Description: desc}
}

func named(name string, f *schema.Field) *schema.Field {
	f.Name = name
	return f
}

func record(name, desc string, fields ...*schema.Field) *schema.Field {
	return &schema.Field{Name: name, Kind: schema.Record, Required: true, Fields: fields, Description: desc}
}

func configFields() []*schema.Field {
	const tmpl = " Values may use templates such as `$(headers.x-name)`, `$(headers[\"x-name\"])`, " +
		"`$(query_params.name)` or `$(shared.key)`, with `or` for defaults."
	return []*schema.Field{
		{Name: "http_method", Kind: schema.String, Custom: validateHTTPMethod,
			Description: "A string representing an HTTP method, such as GET, POST, PUT, or DELETE. The string must contain only " +
				"uppercase letters. When set, the request is sent upstream with this method; with GET, HEAD or TRACE a " +
				"form-urlencoded body is also appended to the query string."},
		record("remove", "Headers, query string arguments and body parameters removed from the request, by name.",
			named("body", array("List of parameter names. Remove the parameter if and only if content-type is one the following "+
				"[`application/json`, `multipart/form-data`, `application/x-www-form-urlencoded`] and the parameter is present.", nil)),
			named("headers", array("List of header names. Unset the header(s) with the given name.", validateHeaders)),
			named("querystring", array("List of querystring names. Remove the querystring if it is present.", nil)),
		),
		record("rename", "Headers, query string arguments and body parameters renamed, as `old:new` pairs.",
			named("body", array("List of parameter `name:value` pairs. Rename the parameter name if and only if content-type is one "+
				"the following [`application/json`, `multipart/form-data`, `application/x-www-form-urlencoded`]; and parameter "+
				"is present."+tmpl, checkForValue)),
			named("headers", array("List of `headername:value` pairs. If and only if the header is already set, rename the header. "+
				"The value is unchanged. Ignored if the header is not already set.", validateColonHeaders)),
			named("querystring", array("List of `queryname:value` pairs. If and only if the querystring name is already set, "+
				"rename the querystring. The value is unchanged. Ignored if the query string is not already set."+tmpl, checkForValue)),
		),
		record("replace", "Headers, query string arguments and body parameters replaced when present, and the upstream path.",
			named("body", array("List of `paramname:value` pairs. If and only if content-type is one the following "+
				"[`application/json`, `multipart/form-data`, `application/x-www-form-urlencoded`] and the parameter is already "+
				"present, replace its old value with the new one. Ignored if the parameter is not already present."+tmpl, checkForValue)),
			named("headers", array("List of `headername:value` pairs. If and only if the header is already set, replace its old "+
				"value with the new one. Ignored if the header is not already set."+tmpl, validateColonHeaderValue)),
			named("querystring", array("List of `queryname:value` pairs. If and only if the querystring name is already set, "+
				"replace its old value with the new one. Ignored if the querystring name is not already set."+tmpl, checkForValue)),
			&schema.Field{Name: "uri", Kind: schema.String,
				Description: "Updates the upstream request URI path with the given value (a template). It must render a path starting with `/`."},
		),
		record("add", "Headers, query string arguments and body parameters added when absent.",
			named("body", array("List of `paramname:value` pairs. If and only if content-type is one the following "+
				"[`application/json`, `multipart/form-data`, `application/x-www-form-urlencoded`] and the parameter is not "+
				"present, add a new parameter with the given value to form-encoded body. Ignored if the parameter is already present."+tmpl, checkForValue)),
			named("headers", array("List of `headername:value` pairs. If and only if the header is not already set, set a new "+
				"header with the given value. Ignored if the header is already set."+tmpl, validateColonHeaderValue)),
			named("querystring", array("List of `queryname:value` pairs. If and only if the querystring name is not already set, "+
				"set a new querystring with the given value. Ignored if the querystring name is already set."+tmpl, checkForValue)),
		),
		record("append", "Values appended to headers, query string arguments and body parameters.",
			named("body", array("List of `paramname:value` pairs. If the content-type is one the following [`application/json`, "+
				"`application/x-www-form-urlencoded`], add a new parameter with the given value if the parameter is not present, "+
				"otherwise if it is already present, the two values (old and new) will be aggregated in an array."+tmpl, checkForValue)),
			named("headers", array("List of `headername:value` pairs. If the header is not set, set it with the given value. If it "+
				"is already set, a new header with the same name and the new value will be set."+tmpl, validateColonHeaderValue)),
			named("querystring", array("List of `queryname:value` pairs. If the querystring is not set, set it with the given value. "+
				"If it is already set, a new querystring with the same name and the new value will be set."+tmpl, checkForValue)),
		),
	}
}

package cors

import (
	"fmt"
	"regexp"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// allMethods is Kong's METHODS list, the default of config.methods and
// the set it accepts.
var allMethods = []string{"GET", "HEAD", "PUT", "PATCH", "POST", "DELETE", "OPTIONS", "TRACE", "CONNECT"}

// validateAsteriskOrRegex is Kong's validate_asterisk_or_regex: an origin
// is "*" or anything that compiles as a regular expression (plain origins
// do).
func validateAsteriskOrRegex(v any) string {
	s, _ := v.(string)
	if s == "*" {
		return ""
	}
	if _, err := regexp.Compile(s); err != nil {
		return fmt.Sprintf("'%s' is not a valid regex", s)
	}
	return ""
}

func configFields() []*schema.Field {
	return []*schema.Field{
		{Name: "origins", Kind: schema.Array,
			Elements: &schema.Field{Kind: schema.String, Custom: validateAsteriskOrRegex},
			Description: "List of allowed domains for the `Access-Control-Allow-Origin` header. If you want to allow all origins, " +
				"add `*` as a single value to this configuration field. The accepted values can either be flat strings or " +
				"regular expressions; an entry containing characters other than letters, digits, `.`, `:`, `/` and `-` is a " +
				"regular expression anchored at the end of the request origin."},
		{Name: "headers", Kind: schema.Array, Elements: &schema.Field{Kind: schema.String},
			Description: "Value for the `Access-Control-Allow-Headers` header. When not set, the preflight request's " +
				"`Access-Control-Request-Headers` value is echoed."},
		{Name: "exposed_headers", Kind: schema.Array, Elements: &schema.Field{Kind: schema.String},
			Description: "Value for the `Access-Control-Expose-Headers` header. If not specified, no custom headers are exposed."},
		{Name: "methods", Kind: schema.Array, Default: schema.Strings(allMethods...),
			Elements: &schema.Field{Kind: schema.String, OneOf: schema.Strings(allMethods...)},
			Description: "Value for the `Access-Control-Allow-Methods` header. Available options include `GET`, `HEAD`, `PUT`, " +
				"`PATCH`, `POST`, `DELETE`, `OPTIONS`, `TRACE`, `CONNECT`. By default, all options are allowed."},
		{Name: "max_age", Kind: schema.Number,
			Description: "Indicates how long the results of the preflight request can be cached, in `seconds`."},
		{Name: "credentials", Kind: schema.Boolean, Required: true, Default: false,
			Description: "Flag to determine whether the `Access-Control-Allow-Credentials` header should be sent with `true` as the value."},
		{Name: "private_network", Kind: schema.Boolean, Required: true, Default: false,
			Description: "Flag to determine whether the `Access-Control-Allow-Private-Network` header should be sent with `true` " +
				"as the value when a preflight request carries `Access-Control-Request-Private-Network: true`."},
		{Name: "preflight_continue", Kind: schema.Boolean, Required: true, Default: false,
			Description: "A boolean value that instructs the plugin to proxy the `OPTIONS` preflight request to the upstream service."},
	}
}

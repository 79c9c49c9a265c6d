package botdetection

import (
	"regexp"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// isRegex is Kong's is_regex validator ("not a valid regex: <value>").
func isRegex(v any) string {
	s, _ := v.(string)
	if _, err := regexp.Compile(s); err != nil {
		return "not a valid regex: " + s
	}
	return ""
}

func configFields() []*schema.Field {
	return []*schema.Field{
		{Name: "allow", Kind: schema.Array, Default: []any{},
			Elements: &schema.Field{Kind: schema.String, Custom: isRegex},
			Description: "An array of regular expressions that should be allowlisted. The regular expressions will be checked " +
				"against the `User-Agent` header; a match lets the request through even if it also matches a deny rule or a known bot."},
		{Name: "deny", Kind: schema.Array, Default: []any{},
			Elements: &schema.Field{Kind: schema.String, Custom: isRegex},
			Description: "An array of regular expressions that should be denylisted. The regular expressions will be checked " +
				"against the `User-Agent` header, in addition to the built-in list of known bots."},
	}
}

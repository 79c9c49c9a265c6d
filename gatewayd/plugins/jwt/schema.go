package jwt

import "github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"

// MaxExpiration is the upper bound of maximum_expiration: 365 days.
const MaxExpiration = 31536000

// configFields is jwt's config record (kong/plugins/jwt/schema.lua, Kong
// 3.9): field names, types, defaults and validators as Kong declares them.
func configFields() []*schema.Field {
	return []*schema.Field{
		{Name: "uri_param_names", Kind: schema.Set, Default: schema.Strings("jwt"), Elements: &schema.Field{Kind: schema.String},
			Description: "Query string parameters the plugin inspects for a JWT."},
		{Name: "cookie_names", Kind: schema.Set, Default: schema.Strings(), Elements: &schema.Field{Kind: schema.String},
			Description: "Cookie names the plugin inspects for a JWT."},
		{Name: "key_claim_name", Kind: schema.String, Default: "iss",
			Description: "The claim that carries the key identifying the credential (jwt_secret key). The plugin " +
				"reads it from the token's payload, then from its header."},
		{Name: "secret_is_base64", Kind: schema.Boolean, Required: true, Default: false,
			Description: "When true, credential secrets are base64-encoded: tokens are verified with the decoded " +
				"secret. Applies to HS256, HS384 and HS512 credentials only."},
		{Name: "claims_to_verify", Kind: schema.Set, Elements: &schema.Field{Kind: schema.String, OneOf: schema.Strings("exp", "nbf")},
			Description: "Registered claims (RFC 7519) the plugin verifies: exp (the token has not expired) and " +
				"nbf (the token is already valid). A verified claim must be present and numeric."},
		{Name: "anonymous", Kind: schema.String,
			Description: "Id or username of a consumer to use as an anonymous consumer when authentication fails. " +
				"When null (the default), failed authentication ends the request with 401. Setting it on several " +
				"authentication plugins makes them alternatives (logical OR). It must not be the consumer's custom_id."},
		{Name: "run_on_preflight", Kind: schema.Boolean, Required: true, Default: true,
			Description: "Whether the plugin authenticates OPTIONS preflight requests. When false, OPTIONS requests " +
				"pass without authentication."},
		{Name: "maximum_expiration", Kind: schema.Number, Default: 0.0, Between: &schema.Range{Min: 0, Max: MaxExpiration},
			Description: "Limits the lifetime of tokens to this many seconds in the future (0 to 31536000, i.e. 365 " +
				"days; 0 disables the limit): a token whose exp lies further ahead is rejected. A value above 0 " +
				"requires exp in claims_to_verify."},
		{Name: "header_names", Kind: schema.Set, Default: schema.Strings("authorization"), Elements: &schema.Field{Kind: schema.String},
			Description: "Request headers the plugin inspects for a JWT, sent as `Bearer <token>`."},
		{Name: "realm", Kind: schema.String,
			Description: "Realm reported in the WWW-Authenticate header of 401 responses (Bearer realm=\"<realm>\"). " +
				"When null, the header is just `Bearer`."},
	}
}

var zero = 0.0

// checks is jwt's plugin entity check: a maximum_expiration above 0 needs
// exp in claims_to_verify. As in Kong, a null claims_to_verify passes.
func checks() []schema.Check {
	return []schema.Check{
		&schema.Conditional{
			IfField:   "config.maximum_expiration",
			If:        &schema.Field{Kind: schema.Number, Required: true, Gt: &zero},
			ThenField: "config.claims_to_verify",
			Then: &schema.Field{Kind: schema.Set, Custom: func(v any) string {
				list, _ := v.([]any)
				for _, x := range list {
					if x == "exp" {
						return ""
					}
				}
				return "expected to contain: exp"
			}},
			Desc: map[string]any{
				"if_field":   "config.maximum_expiration",
				"if_match":   map[string]any{"gt": 0},
				"then_field": "config.claims_to_verify",
				"then_match": map[string]any{"contains": "exp"},
			},
		},
	}
}

package hmacauth

import "github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"

// Algorithms are the HMAC digests hmac-auth supports, in Kong's order.
var Algorithms = []string{"hmac-sha1", "hmac-sha256", "hmac-sha384", "hmac-sha512"}

var zero = 0.0

// configFields is hmac-auth's config record (kong/plugins/hmac-auth/
// schema.lua, Kong 3.9): field names, types, defaults and validators as
// Kong declares them.
func configFields() []*schema.Field {
	return []*schema.Field{
		{Name: "hide_credentials", Kind: schema.Boolean, Required: true, Default: false,
			Description: "When true, the Authorization (or Proxy-Authorization) header carrying the signature is " +
				"removed from the request before it is proxied to the upstream service."},
		{Name: "clock_skew", Kind: schema.Number, Default: 300.0, Gt: &zero,
			Description: "Maximum difference, in seconds, between the request's X-Date (or Date) header and the " +
				"gateway's clock; requests outside it are rejected, which limits replay attacks."},
		{Name: "anonymous", Kind: schema.String,
			Description: "Id or username of a consumer to use as an anonymous consumer when authentication fails. " +
				"When null (the default), failed authentication ends the request with 401. Setting it on several " +
				"authentication plugins makes them alternatives (logical OR). It must not be the consumer's custom_id."},
		{Name: "validate_request_body", Kind: schema.Boolean, Required: true, Default: false,
			Description: "When true, the request body must match the SHA-256 digest in the Digest header " +
				"(`SHA-256=<base64>`); a request with a body but no Digest header is rejected."},
		{Name: "enforce_headers", Kind: schema.Array, Default: schema.Strings(), Elements: &schema.Field{Kind: schema.String},
			Description: "Headers the client must include in the signature (the headers parameter), e.g. date or " +
				"request-line."},
		{Name: "algorithms", Kind: schema.Array, Default: schema.Strings(Algorithms...),
			Elements: &schema.Field{Kind: schema.String, OneOf: schema.Strings(Algorithms...)},
			Description: "HMAC digest algorithms clients may sign with: hmac-sha1, hmac-sha256, hmac-sha384 and " +
				"hmac-sha512."},
		{Name: "realm", Kind: schema.String,
			Description: "Realm reported in the WWW-Authenticate header of 401 responses (hmac realm=\"<realm>\"). " +
				"When null, the header is just `hmac`."},
	}
}

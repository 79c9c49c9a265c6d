package keyauth

import "github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"

// configFields is key-auth's config record (kong/plugins/key-auth/schema.lua,
// Kong 3.9): field names, types, defaults and validators as Kong declares
// them.
func configFields() []*schema.Field {
	keyName := schema.HeaderName("")
	keyName.Description = "A header, query argument or body field name that may carry the API key."
	return []*schema.Field{
		{Name: "key_names", Kind: schema.Array, Required: true, Default: schema.Strings("apikey"), Elements: keyName,
			Description: "Names under which the plugin looks for the API key, tried in order: as a request header, " +
				"then as a query argument, then (when key_in_body is enabled) as a body field. Names may only contain " +
				"the characters A-Z, a-z, 0-9, '_' and '-'."},
		{Name: "hide_credentials", Kind: schema.Boolean, Required: true, Default: false,
			Description: "When true, the API key is removed from the request (header, query argument and, with " +
				"key_in_body, body field of that name) before it is proxied to the upstream service."},
		{Name: "anonymous", Kind: schema.String,
			Description: "Id or username of a consumer to use as an anonymous consumer when authentication fails. " +
				"When null (the default), failed authentication ends the request with 401. Setting it on several " +
				"authentication plugins makes them alternatives (logical OR). It must not be the consumer's custom_id."},
		{Name: "key_in_header", Kind: schema.Boolean, Required: true, Default: true,
			Description: "When true (the default), the plugin looks for the key in request headers named after key_names."},
		{Name: "key_in_query", Kind: schema.Boolean, Required: true, Default: true,
			Description: "When true (the default), the plugin looks for the key in query arguments named after key_names."},
		{Name: "key_in_body", Kind: schema.Boolean, Required: true, Default: false,
			Description: "When true, the plugin also looks for the key in the request body. Supported body types are " +
				"application/x-www-form-urlencoded, multipart/form-data and application/json."},
		{Name: "run_on_preflight", Kind: schema.Boolean, Required: true, Default: true,
			Description: "Whether the plugin authenticates OPTIONS preflight requests. When false, OPTIONS requests " +
				"pass without authentication."},
		{Name: "realm", Kind: schema.String,
			Description: "Realm reported in the WWW-Authenticate header of 401 responses (Key realm=\"<realm>\"). " +
				"When null, the header is just `Key`."},
	}
}

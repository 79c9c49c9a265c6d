package basicauth

import "github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"

// configFields is basic-auth's config record
// (kong/plugins/basic-auth/schema.lua, Kong 3.9).
func configFields() []*schema.Field {
	return []*schema.Field{
		{Name: "anonymous", Kind: schema.String,
			Description: "Id or username of a consumer to use as an anonymous consumer when authentication fails. " +
				"When null (the default), failed authentication ends the request with 401. Setting it on several " +
				"authentication plugins makes them alternatives (logical OR). It must not be the consumer's custom_id."},
		{Name: "hide_credentials", Kind: schema.Boolean, Required: true, Default: false,
			Description: "When true, the Authorization (or Proxy-Authorization) header carrying the credentials is " +
				"removed from the request before it is proxied to the upstream service."},
		{Name: "realm", Kind: schema.String, Required: true, Default: "service",
			Description: "Realm reported in the WWW-Authenticate header of 401 responses (Basic realm=\"<realm>\")."},
	}
}

package hmacauth

import (
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// EntityName is the table of hmac-auth credentials.
const EntityName = "hmacauth_credentials"

// Credentials declares hmacauth_credentials (kong/plugins/hmac-auth/
// daos.lua): /hmac-auths and /consumers/{consumer}/hmac-auth, addressable
// by username.
func Credentials() *schema.Entity {
	return &schema.Entity{
		Name:        EntityName,
		AdminName:   "hmac-auths",
		NestedName:  "hmac-auth",
		EndpointKey: "username",
		CacheKey:    []string{"username"},
		Fields: []*schema.Field{
			schema.ID(),
			schema.CreatedAt(),
			{Name: "consumer", Kind: schema.Foreign, Reference: "consumers", Required: true, OnDelete: "cascade",
				Description: "The consumer this HMAC credential belongs to."},
			{Name: "username", Kind: schema.String, Required: true, Unique: true,
				Description: "The username clients send in the username parameter of the Authorization header."},
			{Name: "secret", Kind: schema.String, Auto: true, Sensitive: true,
				Description: "The secret signatures are computed with. When omitted, a random 32-character " +
					"alphanumeric secret is generated."},
			schema.Tags(),
		},
		Normalize: func(doc, input schema.Doc, op schema.Op) {
			if op == schema.Update {
				return
			}
			// Kong's auto strings: generated when absent, an explicit null
			// stays null.
			if _, given := input["secret"]; !given {
				doc["secret"] = plugin.RandomString()
			}
		},
	}
}

package keyauth

import (
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// EntityName is the table of key-auth credentials.
const EntityName = "keyauth_credentials"

// ExpiresAtKey is where the Admin API stores a credential's expiry (Unix
// seconds) when it was created with a ttl.
const ExpiresAtKey = "_expires_at"

// KeyLength is the length of generated keys (Kong's rand.random_string).
const KeyLength = plugin.RandomLength

// Credentials declares keyauth_credentials (kong/plugins/key-auth/daos.lua):
// /key-auths and /consumers/{consumer}/key-auth, addressable by key, with
// Kong's ttl option.
func Credentials() *schema.Entity {
	return &schema.Entity{
		Name:        EntityName,
		AdminName:   "key-auths",
		NestedName:  "key-auth",
		EndpointKey: "key",
		TTL:         true,
		Fields: []*schema.Field{
			schema.ID(),
			schema.CreatedAt(),
			{Name: "consumer", Kind: schema.Foreign, Reference: "consumers", Required: true, OnDelete: "cascade",
				Description: "The consumer this API key belongs to."},
			{Name: "key", Kind: schema.String, Unique: true, Auto: true, Sensitive: true,
				Description: "The API key. When omitted, a random 32-character alphanumeric key is generated."},
			schema.Tags(),
		},
		Normalize: func(doc, input schema.Doc, op schema.Op) {
			if op == schema.Update {
				return
			}
			if v, ok := doc["key"]; !ok || v == nil {
				doc["key"] = RandomKey()
			}
		},
	}
}

// RandomKey returns a new key: KeyLength random alphanumerics.
func RandomKey() string { return plugin.RandomString() }

package keyauth

import (
	"crypto/rand"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// EntityName is the table of key-auth credentials.
const EntityName = "keyauth_credentials"

// ExpiresAtKey is where the Admin API stores a credential's expiry (Unix
// seconds) when it was created with a ttl.
const ExpiresAtKey = "_expires_at"

// KeyLength is the length of generated keys (Kong's rand.random_string).
const KeyLength = 32

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

const keyAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// RandomKey returns KeyLength characters drawn uniformly from [A-Za-z0-9]
// with crypto/rand.
func RandomKey() string {
	out := make([]byte, 0, KeyLength)
	var buf [64]byte
	for len(out) < KeyLength {
		if _, err := rand.Read(buf[:]); err != nil {
			panic("keyauth: crypto/rand failed: " + err.Error())
		}
		for _, b := range buf {
			// 248 = 4*62: rejecting larger bytes keeps the draw uniform.
			if b < 248 {
				out = append(out, keyAlphabet[int(b)%len(keyAlphabet)])
				if len(out) == KeyLength {
					break
				}
			}
		}
	}
	return string(out)
}

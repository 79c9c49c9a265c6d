package hmacauth

import (
	"crypto/rand"

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
				doc["secret"] = RandomString()
			}
		},
	}
}

// RandomLength is the length of generated secrets (Kong's
// kong.tools.rand.random_string).
const RandomLength = 32

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// RandomString returns RandomLength characters drawn uniformly from
// [A-Za-z0-9] with crypto/rand.
func RandomString() string {
	out := make([]byte, 0, RandomLength)
	var buf [64]byte
	for len(out) < RandomLength {
		if _, err := rand.Read(buf[:]); err != nil {
			panic("hmac-auth: crypto/rand failed: " + err.Error())
		}
		for _, b := range buf {
			// 248 = 4*62: rejecting larger bytes keeps the draw uniform.
			if b < 248 {
				out = append(out, alphabet[int(b)%len(alphabet)])
				if len(out) == RandomLength {
					break
				}
			}
		}
	}
	return string(out)
}

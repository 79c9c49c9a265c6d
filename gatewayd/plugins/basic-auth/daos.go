package basicauth

import (
	"crypto/sha1"
	"encoding/hex"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// EntityName is the table of basic-auth credentials.
const EntityName = "basicauth_credentials"

// Credentials declares basicauth_credentials
// (kong/plugins/basic-auth/daos.lua): /basic-auths and
// /consumers/{consumer}/basic-auth, addressable by username. The password
// is never stored in clear: writes that carry one store Kong's hash of it.
func Credentials() *schema.Entity {
	return &schema.Entity{
		Name:        EntityName,
		AdminName:   "basic-auths",
		NestedName:  "basic-auth",
		EndpointKey: "username",
		Fields: []*schema.Field{
			schema.ID(),
			schema.CreatedAt(),
			{Name: "consumer", Kind: schema.Foreign, Reference: "consumers", Required: true, OnDelete: "cascade",
				Description: "The consumer these credentials belong to."},
			{Name: "username", Kind: schema.String, Required: true, Unique: true,
				Description: "The username clients send in the Authorization header."},
			{Name: "password", Kind: schema.String, Required: true, Sensitive: true,
				Description: "The password clients send in the Authorization header. It is stored hashed " +
					"(hex SHA-1 of the password followed by the consumer id), and read back in that form."},
			schema.Tags(),
		},
		Normalize: normalize,
	}
}

// normalize hashes the password a write carries, with the consumer id the
// stored document will have (Kong's on_write transformation). Values that
// validation will reject (non-strings, empty strings) are left alone so
// the error is reported against them.
func normalize(doc, input schema.Doc, op schema.Op) {
	pw, ok := input["password"].(string)
	if !ok || pw == "" {
		return
	}
	consumer, _ := doc["consumer"].(map[string]any)
	consumerID, _ := consumer["id"].(string)
	doc["password"] = Hash(consumerID, pw)
}

// Hash is Kong's basic-auth crypto.hash: the hex SHA-1 of password ..
// consumer_id.
func Hash(consumerID, password string) string {
	sum := sha1.Sum([]byte(password + consumerID))
	return hex.EncodeToString(sum[:])
}

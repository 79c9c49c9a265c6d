package jwt

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// EntityName is the table of jwt credentials.
const EntityName = "jwt_secrets"

// Algorithms are the signing algorithms a jwt_secret may use, in Kong's
// order (kong/plugins/jwt/daos.lua).
var Algorithms = []string{
	"HS256", "HS384", "HS512",
	"RS256", "RS384", "RS512",
	"ES256", "ES384", "ES512",
	"PS256", "PS384", "PS512",
	"EdDSA",
}

// asymmetric lists the algorithms whose secrets must carry a valid
// rsa_public_key (the daos.lua conditional entity check).
var asymmetric = []string{
	"RS256", "RS384", "RS512",
	"ES256", "ES384", "ES512",
	"PS256", "PS384", "PS512",
	"EdDSA",
}

func isAsymmetric(alg string) bool {
	for _, a := range asymmetric {
		if a == alg {
			return true
		}
	}
	return false
}

// Secrets declares jwt_secrets (kong/plugins/jwt/daos.lua): /jwts and
// /consumers/{consumer}/jwt, addressable by key.
func Secrets() *schema.Entity {
	patterns := make([]any, len(asymmetric))
	for i, a := range asymmetric {
		patterns[i] = "^" + a + "$"
	}
	return &schema.Entity{
		Name:        EntityName,
		AdminName:   "jwts",
		NestedName:  "jwt",
		EndpointKey: "key",
		CacheKey:    []string{"key"},
		Fields: []*schema.Field{
			schema.ID(),
			schema.CreatedAt(),
			{Name: "consumer", Kind: schema.Foreign, Reference: "consumers", Required: true, OnDelete: "cascade",
				Description: "The consumer this JWT credential belongs to."},
			{Name: "key", Kind: schema.String, Unique: true, Auto: true,
				Description: "A unique string identifying the credential. Tokens carry it in the claim named by the " +
					"plugin's key_claim_name (iss by default). When omitted, a random 32-character alphanumeric key is generated."},
			{Name: "secret", Kind: schema.String, Auto: true, Sensitive: true,
				Description: "The secret used to verify HS256, HS384 and HS512 signatures. When omitted, a random " +
					"32-character alphanumeric secret is generated."},
			{Name: "rsa_public_key", Kind: schema.String,
				Description: "The public key, in PEM format, used to verify RS256, RS384, RS512, ES256, ES384, ES512, " +
					"PS256, PS384, PS512 and EdDSA signatures. Required for those algorithms."},
			{Name: "algorithm", Kind: schema.String, Default: "HS256", OneOf: schema.Strings(Algorithms...),
				Description: "The algorithm tokens of this credential are signed with."},
			schema.Tags(),
		},
		Checks: []schema.Check{
			&schema.Conditional{
				IfField: "algorithm",
				If: &schema.Field{Kind: schema.String, Required: true, Custom: func(v any) string {
					if s, _ := v.(string); isAsymmetric(s) {
						return ""
					}
					return "no match"
				}},
				ThenField: "rsa_public_key",
				Then:      &schema.Field{Kind: schema.String, Required: true, Custom: validateKey},
				Desc: map[string]any{
					"if_field":   "algorithm",
					"if_match":   map[string]any{"match_any": map[string]any{"patterns": patterns}},
					"then_field": "rsa_public_key",
					"then_match": map[string]any{"required": true},
				},
			},
		},
		Normalize: func(doc, input schema.Doc, op schema.Op) {
			if op == schema.Update {
				return
			}
			// Kong's auto strings: generated when absent, an explicit
			// null stays null.
			for _, f := range []string{"key", "secret"} {
				if _, given := input[f]; !given {
					doc[f] = plugin.RandomString()
				}
			}
		},
	}
}

// validateKey is the daos.lua custom validator: the value must load as a
// key (resty.openssl.pkey.new).
func validateKey(v any) string {
	s, _ := v.(string)
	if _, err := ParsePublicKey(s); err != nil {
		return "invalid key"
	}
	return ""
}

var errInvalidKey = errors.New("invalid key")

// ParsePublicKey loads a verification key the way resty.openssl's
// pkey.new does for PEM and DER input: a public key (PKIX or PKCS#1) or a
// private key (PKCS#8, PKCS#1, SEC 1), whose public half is returned. The
// first PEM block is used.
func ParsePublicKey(s string) (crypto.PublicKey, error) {
	der := []byte(s)
	if block, _ := pem.Decode(der); block != nil {
		der = block.Bytes
	}
	if k, err := x509.ParsePKIXPublicKey(der); err == nil {
		return usable(k)
	}
	if k, err := x509.ParsePKCS1PublicKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		if s, ok := k.(crypto.Signer); ok {
			return usable(s.Public())
		}
	}
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return &k.PublicKey, nil
	}
	if k, err := x509.ParseECPrivateKey(der); err == nil {
		return &k.PublicKey, nil
	}
	return nil, errInvalidKey
}

// usable keeps the key types JWT signatures can be checked with.
func usable(k any) (crypto.PublicKey, error) {
	switch k.(type) {
	case *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey:
		return k, nil
	}
	return nil, errInvalidKey
}

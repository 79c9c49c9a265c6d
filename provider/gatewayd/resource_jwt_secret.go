package gatewayd

import "github.com/hashicorp/terraform-plugin-framework/resource"

var jwtAlgorithms = []string{"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512",
	"PS256", "PS384", "PS512", "EdDSA"}

var jwtSecretDef = &entityDef{
	typeName:   "jwt_secret",
	title:      "jwt credential",
	collection: "jwts",
	parent:     credentialParent("jwt", "jwts"),
	desc: "A JWT credential of a consumer, checked by the jwt plugin (Admin API `/consumers/{consumer}/jwt`): " +
		"an HMAC secret (HS256/384/512) or a public key (RS*, ES*, PS*, EdDSA).",
	importHint: "terraform import gatewayd_jwt_secret.<name> <key>",
	importDoc:  credentialImportDoc("key"),
	fields: []field{
		idField(),
		createdAtField(),
		consumerField("this JWT credential belongs to"),
		{attr: "key", kind: kString, computed: true,
			desc: "A unique string identifying the credential. Tokens carry it in the claim named by the plugin's key_claim_name (iss by default). When omitted, a random 32-character alphanumeric key is generated."},
		{attr: "secret", kind: kString, computed: true, sensitive: true, secret: secretPlain, writeOnly: true,
			desc: "The secret used to verify HS256, HS384 and HS512 signatures. When omitted (and `secret_wo` is not set), a random 32-character alphanumeric secret is generated and stored in the state."},
		{attr: "rsa_public_key", kind: kString,
			desc: "The public key, in PEM format, used to verify RS256, RS384, RS512, ES256, ES384, ES512, PS256, PS384, PS512 and EdDSA signatures. Required for those algorithms."},
		{attr: "algorithm", kind: kString, def: "HS256", oneOf: jwtAlgorithms,
			desc: "The algorithm tokens of this credential are signed with."},
		tagsField(),
	},
}

// NewJWTSecretResource is gatewayd_jwt_secret.
func NewJWTSecretResource() resource.Resource { return &entityResource{def: jwtSecretDef} }

package gatewayd

import "github.com/hashicorp/terraform-plugin-framework/resource"

var hmacAuthDef = &entityDef{
	typeName:   "hmac_auth",
	title:      "hmac-auth credential",
	collection: "hmac-auths",
	parent:     credentialParent("hmac-auth", "hmac-auths"),
	desc: "An HMAC credential of a consumer, checked by the hmac-auth plugin (Admin API " +
		"`/consumers/{consumer}/hmac-auth`).",
	importHint: "terraform import gatewayd_hmac_auth.<name> <username>",
	importDoc:  credentialImportDoc("username"),
	fields: []field{
		idField(),
		createdAtField(),
		consumerField("this HMAC credential belongs to"),
		{attr: "username", kind: kString, required: true,
			desc: "The username clients send in the username parameter of the Authorization header. Unique across consumers."},
		{attr: "secret", kind: kString, computed: true, sensitive: true, secret: secretPlain, writeOnly: true,
			desc: "The secret signatures are computed with. When omitted (and `secret_wo` is not set), a random 32-character alphanumeric secret is generated and stored in the state."},
		tagsField(),
	},
}

// NewHMACAuthResource is gatewayd_hmac_auth.
func NewHMACAuthResource() resource.Resource { return &entityResource{def: hmacAuthDef} }

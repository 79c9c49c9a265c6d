package gatewayd

import "github.com/hashicorp/terraform-plugin-framework/resource"

var keyAuthDef = &entityDef{
	typeName:   "key_auth",
	title:      "key-auth credential",
	collection: "key-auths",
	parent:     credentialParent("key-auth", "key-auths"),
	desc: "An API key of a consumer, checked by the key-auth plugin (Admin API `/consumers/{consumer}/key-auth`). " +
		"Leave `key` unset to have the gateway generate one, or use `key_wo` to keep the key out of the state. " +
		"Kong's `ttl` is not offered: a countdown can not be kept free of perpetual diffs.",
	importHint: "terraform import gatewayd_key_auth.<name> <consumer>/<id>",
	importDoc:  credentialImportDoc("key"),
	fields: []field{
		idField(),
		createdAtField(),
		consumerField("this API key belongs to"),
		{attr: "key", kind: kString, computed: true, sensitive: true, secret: secretPlain, writeOnly: true,
			desc: "The API key. When omitted (and `key_wo` is not set), a random 32-character alphanumeric key is generated and stored in the state."},
		tagsField(),
	},
}

// NewKeyAuthResource is gatewayd_key_auth.
func NewKeyAuthResource() resource.Resource { return &entityResource{def: keyAuthDef} }

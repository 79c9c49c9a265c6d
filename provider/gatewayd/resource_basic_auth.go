package gatewayd

import (
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

var basicAuthDef = &entityDef{
	typeName:   "basic_auth",
	title:      "basic-auth credential",
	collection: "basic-auths",
	parent:     credentialParent("basic-auth", "basic-auths"),
	desc: "A username and password of a consumer, checked by the basic-auth plugin (Admin API " +
		"`/consumers/{consumer}/basic-auth`). The gateway stores the password hashed (hex SHA-1 of the password " +
		"followed by the consumer id, as Kong does); the provider compares that hash with the password in the " +
		"state, so a password changed outside Terraform is planned back. Set exactly one of `password` and " +
		"`password_wo` (write-only: never stored in the state).",
	importHint: "terraform import gatewayd_basic_auth.<name> <username>",
	importDoc:  credentialImportDoc("username") + " The password can not be read back: the first apply after an import sets it.",
	fields: []field{
		idField(),
		createdAtField(),
		consumerField("these credentials belong to"),
		{attr: "username", kind: kString, required: true,
			desc: "The username clients send in the Authorization header. Unique across consumers."},
		{attr: "password", kind: kString, sensitive: true, secret: secretHashed, writeOnly: true,
			desc: "The password clients send in the Authorization header."},
		tagsField(),
	},
	validators: func() []resource.ConfigValidator {
		return []resource.ConfigValidator{
			resourcevalidator.ExactlyOneOf(path.MatchRoot("password"), path.MatchRoot("password_wo")),
		}
	},
}

// NewBasicAuthResource is gatewayd_basic_auth.
func NewBasicAuthResource() resource.Resource { return &entityResource{def: basicAuthDef} }

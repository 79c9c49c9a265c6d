package gatewayd

import (
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
)

var consumerDef = &entityDef{
	typeName:   "consumer",
	title:      "consumer",
	collection: "consumers",
	desc: "A consumer: an API client that authentication plugins identify (Admin API `/consumers`). Credentials " +
		"(`gatewayd_key_auth`, `gatewayd_basic_auth`, `gatewayd_jwt_secret`, `gatewayd_hmac_auth`) and ACL groups " +
		"(`gatewayd_acl_group`) belong to one consumer and are deleted with it.",
	importHint: "terraform import gatewayd_consumer.<name> <id or username>",
	importDoc:  "Import ids: the consumer's `id` or its `username`.",
	fields: []field{
		idField(),
		createdAtField(),
		updatedAtField(),
		{attr: "username", kind: kString, desc: "The unique username of the Consumer. At least one of `username` and `custom_id` must be set."},
		{attr: "custom_id", kind: kString, desc: "Field for storing an existing unique ID for the Consumer."},
		tagsField(),
	},
	validators: func() []resource.ConfigValidator {
		return []resource.ConfigValidator{
			resourcevalidator.AtLeastOneOf(path.MatchRoot("username"), path.MatchRoot("custom_id")),
		}
	},
}

// NewConsumerResource is gatewayd_consumer.
func NewConsumerResource() resource.Resource { return &entityResource{def: consumerDef} }

package gatewayd

import "github.com/hashicorp/terraform-plugin-framework/resource"

var aclGroupDef = &entityDef{
	typeName:   "acl_group",
	title:      "ACL group membership",
	collection: "acls",
	parent:     credentialParent("acls", "acls"),
	desc: "A consumer's membership of one ACL group, as the acl plugin's `allow` and `deny` lists name them " +
		"(Admin API `/consumers/{consumer}/acls`). A consumer is in a group at most once.",
	importHint: "terraform import gatewayd_acl_group.<name> <consumer>/<group>",
	importDoc: "Import ids: `<consumer>/<group>` (the consumer's id or username, then the group name or the membership id), " +
		"or the membership's `id` alone. Group names are unique only within a consumer.",
	fields: []field{
		idField(),
		createdAtField(),
		consumerField("that belongs to the group"),
		{attr: "group", kind: kString, required: true,
			desc: "The name of the group, as listed in the acl plugin's allow or deny."},
		tagsField(),
	},
}

// NewACLGroupResource is gatewayd_acl_group.
func NewACLGroupResource() resource.Resource { return &entityResource{def: aclGroupDef} }

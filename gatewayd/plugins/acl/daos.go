package acl

import "github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"

// EntityName is the table of consumer group memberships.
const EntityName = "acls"

// ACLs declares acls (kong/plugins/acl/daos.lua): a consumer's membership
// of one group, at /acls and /consumers/{consumer}/acls, where the group
// name also addresses the entity. A consumer is in a group at most once.
func ACLs() *schema.Entity {
	return &schema.Entity{
		Name:        EntityName,
		AdminName:   "acls",
		NestedName:  "acls",
		EndpointKey: "group",
		CacheKey:    []string{"consumer", "group"},
		Fields: []*schema.Field{
			schema.ID(),
			schema.CreatedAt(),
			{Name: "consumer", Kind: schema.Foreign, Reference: "consumers", Required: true, OnDelete: "cascade",
				Description: "The consumer that belongs to the group."},
			{Name: "group", Kind: schema.String, Required: true,
				Description: "The name of the group, as listed in the acl plugin's allow or deny."},
			schema.Tags(),
		},
	}
}

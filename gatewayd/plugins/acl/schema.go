package acl

import "github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"

// configFields is acl's config record (kong/plugins/acl/schema.lua, Kong
// 3.9 OSS).
func configFields() []*schema.Field {
	return []*schema.Field{
		{Name: "allow", Kind: schema.Array, Elements: &schema.Field{Kind: schema.String, Description: "A group name."},
			Description: "Groups allowed to use the service or route: consumers in none of them are rejected. " +
				"Exactly one of allow or deny must be set."},
		{Name: "deny", Kind: schema.Array, Elements: &schema.Field{Kind: schema.String, Description: "A group name."},
			Description: "Groups not allowed to use the service or route: consumers in any of them are rejected. " +
				"Exactly one of allow or deny must be set."},
		{Name: "hide_groups_header", Kind: schema.Boolean, Required: true, Default: false,
			Description: "When true, the X-Consumer-Groups header listing the consumer's groups is not sent to the upstream service."},
		{Name: "always_use_authenticated_groups", Kind: schema.Boolean, Required: true, Default: false,
			Description: "When true, groups an authentication plugin reported for the request (authenticated groups) " +
				"are used even when a consumer with a credential is authenticated; without them, the consumer's " +
				"groups apply. When false, authenticated groups are used only when there is no consumer or the " +
				"consumer is anonymous."},
	}
}

// checks are the plugin's entity checks, in Kong's order.
func checks() []schema.Check {
	return []schema.Check{
		schema.OnlyOneOf{"config.allow", "config.deny"},
		schema.AtLeastOneOf{"config.allow", "config.deny"},
	}
}

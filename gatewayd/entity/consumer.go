package entity

import "github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"

// Consumers are the API clients (kong/db/schema/entities/consumers.lua).
func Consumers() *schema.Entity {
	return &schema.Entity{
		Name:        "consumers",
		EndpointKey: "username",
		Fields: []*schema.Field{
			schema.ID(),
			schema.CreatedAt(),
			schema.UpdatedAt(),
			{Name: "username", Kind: schema.String, Unique: true, Description: "The unique username of the Consumer."},
			{Name: "custom_id", Kind: schema.String, Unique: true, Description: "Field for storing an existing unique ID for the Consumer."},
			schema.Tags(),
		},
		Checks: []schema.Check{schema.AtLeastOneOf{"custom_id", "username"}},
	}
}

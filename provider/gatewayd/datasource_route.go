package gatewayd

import "github.com/hashicorp/terraform-plugin-framework/datasource"

// NewRouteDataSource is data.gatewayd_route.
func NewRouteDataSource() datasource.DataSource {
	return &entityDataSource{def: routeDef, lookups: []string{"id", "name"},
		desc: "Reads a route by `id` or `name`."}
}

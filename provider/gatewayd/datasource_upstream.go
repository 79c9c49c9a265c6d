package gatewayd

import "github.com/hashicorp/terraform-plugin-framework/datasource"

// NewUpstreamDataSource is data.gatewayd_upstream.
func NewUpstreamDataSource() datasource.DataSource {
	return &entityDataSource{def: upstreamDef, lookups: []string{"id", "name"},
		desc: "Reads an upstream, health checks included, by `id` or `name`."}
}

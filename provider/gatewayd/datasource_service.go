package gatewayd

import "github.com/hashicorp/terraform-plugin-framework/datasource"

// NewServiceDataSource is data.gatewayd_service.
func NewServiceDataSource() datasource.DataSource {
	return &entityDataSource{def: serviceDef, lookups: []string{"id", "name"},
		desc: "Reads a service by `id` or `name`, for example one managed outside this configuration."}
}

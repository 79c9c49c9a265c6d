package gatewayd

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
)

// NewPluginDataSource is data.gatewayd_plugin.
func NewPluginDataSource() datasource.DataSource {
	return &entityDataSource{def: pluginDef, lookups: []string{"id", "instance_name", "name"},
		filters: []string{"service_id", "route_id", "consumer_id"},
		desc: "Reads a plugin by `id`, by `instance_name`, or by `name` and scope: with `name`, the optional " +
			"`service_id`, `route_id` and `consumer_id` select the instance (unset ones must be unset on the plugin, " +
			"so `name` alone finds the global instance). `config_json` is the complete configuration.",
		extra: map[string]schema.Attribute{
			"config_json": schema.StringAttribute{Computed: true,
				Description: "The complete plugin configuration, defaults included, as JSON."},
		},
		fillExtra: func(e api.Entity, out map[string]attr.Value) {
			out["config_json"] = types.StringValue(canonicalJSON(e["config"]))
		},
		find: findPlugin,
	}
}

func findPlugin(ctx context.Context, c *api.Client, by, value string, cfg map[string]attr.Value) (api.Entity, error) {
	if by != "name" {
		return c.Get(ctx, "plugins/"+api.Path(value))
	}
	all, err := c.List(ctx, "plugins", api.ListOptions{})
	if err != nil {
		return nil, err
	}
	var found []api.Entity
	for _, p := range all {
		if p["name"] != value {
			continue
		}
		match := true
		for _, scope := range []string{"service", "route", "consumer"} {
			if foreignID(p[scope]) != str(cfg[scope+"_id"]) {
				match = false
			}
		}
		if match {
			found = append(found, p)
		}
	}
	if len(found) > 1 {
		return nil, fmt.Errorf("%d %s plugins match; select one by id or instance_name", len(found), value)
	}
	if len(found) == 0 {
		return nil, nil
	}
	return found[0], nil
}

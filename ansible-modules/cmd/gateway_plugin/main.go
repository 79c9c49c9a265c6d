// Command gateway_plugin is the Ansible module managing one plugin
// instance. Documentation:
// ansible-modules/collection/plugins/modules/gateway_plugin.yml.
package main

import (
	"context"
	"strings"

	"github.com/gatewayd-toolkit/gatewayd/ansible-modules/gateway"
	"github.com/gatewayd-toolkit/gatewayd/ansible-modules/module"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
)

var scopes = []struct{ option, collection string }{
	{"service", "services"}, {"route", "routes"}, {"consumer", "consumers"},
}

var spec = module.Spec{
	Options: gateway.Spec(gateway.EntityOptions(), map[string]module.Option{
		"name":          {Required: true},
		"instance_name": {},
		"id":            {},
		"service":       {},
		"route":         {},
		"consumer":      {},
		"config":        {Type: module.Dict},
		"protocols":     {Type: module.List, Elements: module.Str},
		"enabled":       {Type: module.Bool},
	}),
	SupportsCheckMode: true,
}

func main() { gateway.Main(spec, run) }

func run(ctx context.Context, m *module.Module, c *api.Client) error {
	desired := api.Entity{}
	gateway.Put(m, desired, "id", "name", "instance_name", "config", "protocols", "enabled", "tags")
	for _, s := range scopes {
		if err := gateway.RefOption(ctx, m, c, desired, s.option, s.collection); err != nil {
			return err
		}
	}
	return gateway.Ensure(ctx, m, c, gateway.Target{
		Kind: "plugins", Plugin: m.Str("name"), Label: "plugin", Name: describe(m), Desired: desired,
		Find:   find(m, c, desired),
		Create: gateway.PostTo(c, "plugins"),
		Path:   gateway.ByID("plugins"),
	})
}

// describe names the instance in messages: "rate-limiting on service s1".
func describe(m *module.Module) string {
	parts := []string{m.Str("name")}
	if m.IsSet("instance_name") {
		parts = append(parts, "("+m.Str("instance_name")+")")
	}
	for _, s := range scopes {
		if m.IsSet(s.option) {
			parts = append(parts, "on "+s.option+" "+m.Str(s.option))
		}
	}
	if len(parts) == 1 {
		parts = append(parts, "(global)")
	}
	return strings.Join(parts, " ")
}

// find locates the instance by id, by instance_name, or else by what
// makes a plugin unique on the Admin API: its name and its scope
// (service, route, consumer — unset ones are null).
func find(m *module.Module, c *api.Client, desired api.Entity) func(ctx context.Context) (api.Entity, error) {
	if m.IsSet("id") || m.IsSet("instance_name") {
		return gateway.FindAt(c, gateway.KeyPath("plugins", m.Str("id"), m.Str("instance_name")))
	}
	return func(ctx context.Context) (api.Entity, error) {
		collection := "plugins"
		for _, s := range scopes {
			if ref, ok := desired[s.option].(map[string]any); ok {
				id, _ := ref["id"].(string)
				if gateway.IsUnresolved(id) {
					return nil, nil // its scope does not exist yet
				}
				collection = s.collection + "/" + api.Path(id) + "/plugins"
				break
			}
		}
		list, err := c.List(ctx, collection, api.ListOptions{})
		if err != nil {
			return nil, err
		}
		for _, p := range list {
			if p["name"] == m.Str("name") && sameScope(p, desired) {
				return p, nil
			}
		}
		return nil, nil
	}
}

func sameScope(p, desired api.Entity) bool {
	for _, s := range scopes {
		if refID(p[s.option]) != refID(desired[s.option]) {
			return false
		}
	}
	return true
}

func refID(v any) string {
	if m, ok := v.(map[string]any); ok {
		id, _ := m["id"].(string)
		return id
	}
	return ""
}

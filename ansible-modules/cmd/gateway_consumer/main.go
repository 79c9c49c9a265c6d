// Command gateway_consumer is the Ansible module managing one consumer.
// Documentation: ansible-modules/collection/plugins/modules/gateway_consumer.yml.
package main

import (
	"context"
	"net/url"

	"github.com/gatewayd-toolkit/gatewayd/ansible-modules/gateway"
	"github.com/gatewayd-toolkit/gatewayd/ansible-modules/module"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
)

var spec = module.Spec{
	Options: gateway.Spec(gateway.EntityOptions(), map[string]module.Option{
		"username":  {},
		"custom_id": {},
		"id":        {},
	}),
	RequiredOneOf:     [][]string{{"username", "custom_id", "id"}},
	SupportsCheckMode: true,
}

func main() { gateway.Main(spec, run) }

func run(ctx context.Context, m *module.Module, c *api.Client) error {
	desired := api.Entity{}
	gateway.Put(m, desired, "id", "username", "custom_id", "tags")
	name := m.Str("username")
	if name == "" {
		name = m.Str("custom_id")
	}
	return gateway.Ensure(ctx, m, c, gateway.Target{
		Kind: "consumers", Label: "consumer", Name: name, Desired: desired,
		Find:   find(m, c),
		Create: gateway.PostTo(c, "consumers"),
		Path:   gateway.ByID("consumers"),
	})
}

// find looks the consumer up by id, else username, else custom_id (Kong's
// GET /consumers?custom_id= filter).
func find(m *module.Module, c *api.Client) func(ctx context.Context) (api.Entity, error) {
	if m.IsSet("id") || m.IsSet("username") {
		return gateway.FindAt(c, gateway.KeyPath("consumers", m.Str("id"), m.Str("username")))
	}
	return func(ctx context.Context) (api.Entity, error) {
		var page struct {
			Data []api.Entity `json:"data"`
		}
		if err := c.Do(ctx, "GET", "consumers?custom_id="+url.QueryEscape(m.Str("custom_id")), nil, &page); err != nil {
			return nil, err
		}
		for _, e := range page.Data {
			if e["custom_id"] == m.Str("custom_id") {
				return e, nil
			}
		}
		return nil, nil
	}
}

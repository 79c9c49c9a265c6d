// Command gateway_route is the Ansible module managing one route.
// Documentation: ansible-modules/collection/plugins/modules/gateway_route.yml.
package main

import (
	"context"

	"github.com/gatewayd-toolkit/gatewayd/ansible-modules/gateway"
	"github.com/gatewayd-toolkit/gatewayd/ansible-modules/module"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
)

var fields = []string{"id", "name", "protocols", "methods", "hosts", "paths", "headers", "snis", "sources", "destinations",
	"strip_path", "preserve_host", "regex_priority", "path_handling", "https_redirect_status_code",
	"request_buffering", "response_buffering", "tags"}

var spec = module.Spec{
	Options: gateway.Spec(gateway.EntityOptions(), map[string]module.Option{
		"name":      {},
		"id":        {},
		"service":   {},
		"protocols": {Type: module.List, Elements: module.Str},
		"methods":   {Type: module.List, Elements: module.Str},
		"hosts":     {Type: module.List, Elements: module.Str},
		"paths":     {Type: module.List, Elements: module.Str},
		// headers: {name: [values]} (a single string value is accepted too).
		"headers":                    {Type: module.Dict},
		"snis":                       {Type: module.List, Elements: module.Str},
		"sources":                    {Type: module.List, Elements: module.Dict},
		"destinations":               {Type: module.List, Elements: module.Dict},
		"strip_path":                 {Type: module.Bool},
		"preserve_host":              {Type: module.Bool},
		"regex_priority":             {Type: module.Int},
		"path_handling":              {Choices: []any{"v0", "v1"}},
		"https_redirect_status_code": {Type: module.Int, Choices: []any{426, 301, 302, 307, 308}},
		"request_buffering":          {Type: module.Bool},
		"response_buffering":         {Type: module.Bool},
	}),
	// A route without a name cannot be found again, and creating it on
	// every run is exactly the `uri` module's duplication problem.
	RequiredOneOf:     [][]string{{"name", "id"}},
	SupportsCheckMode: true,
}

func main() { gateway.Main(spec, run) }

func run(ctx context.Context, m *module.Module, c *api.Client) error {
	desired := api.Entity{}
	gateway.Put(m, desired, fields...)
	if h := m.Dict("headers"); h != nil {
		desired["headers"] = headerLists(h)
	}
	if err := gateway.RefOption(ctx, m, c, desired, "service", "services"); err != nil {
		return err
	}
	name := m.Str("name")
	if name == "" {
		name = m.Str("id")
	}
	return gateway.Ensure(ctx, m, c, gateway.Target{
		Kind: "routes", Label: "route", Name: name, Desired: desired,
		Find:   gateway.FindAt(c, gateway.KeyPath("routes", m.Str("id"), m.Str("name"))),
		Create: gateway.PostTo(c, "routes"),
		Path:   gateway.ByID("routes"),
	})
}

// headerLists turns {name: value} into the Admin API's {name: [values]}.
func headerLists(h map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range h {
		if l, ok := v.([]any); ok {
			out[k] = l
		} else {
			out[k] = []any{v}
		}
	}
	return out
}

// Command gateway_service is the Ansible module managing one service of a
// gatewayd (or Kong 3.x) Admin API. Documentation:
// ansible-modules/collection/plugins/modules/gateway_service.yml.
package main

import (
	"context"

	"github.com/gatewayd-toolkit/gatewayd/ansible-modules/gateway"
	"github.com/gatewayd-toolkit/gatewayd/ansible-modules/module"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
)

var fields = []string{"name", "protocol", "host", "port", "path", "retries", "connect_timeout", "write_timeout",
	"read_timeout", "enabled", "tls_verify", "tls_verify_depth", "ca_certificates", "tags"}

var spec = module.Spec{
	Options: gateway.Spec(gateway.EntityOptions(), map[string]module.Option{
		"name":               {},
		"id":                 {},
		"url":                {},
		"protocol":           {Choices: []any{"grpc", "grpcs", "http", "https", "tcp", "tls", "tls_passthrough", "udp"}},
		"host":               {},
		"port":               {Type: module.Int},
		"path":               {},
		"retries":            {Type: module.Int},
		"connect_timeout":    {Type: module.Int},
		"write_timeout":      {Type: module.Int},
		"read_timeout":       {Type: module.Int},
		"enabled":            {Type: module.Bool},
		"tls_verify":         {Type: module.Bool},
		"tls_verify_depth":   {Type: module.Int},
		"ca_certificates":    {Type: module.List, Elements: module.Str},
		"client_certificate": {},
	}),
	RequiredOneOf:     [][]string{{"name", "id"}},
	MutuallyExclusive: [][]string{{"url", "protocol"}, {"url", "host"}, {"url", "port"}, {"url", "path"}},
	SupportsCheckMode: true,
}

func main() { gateway.Main(spec, run) }

func run(ctx context.Context, m *module.Module, c *api.Client) error {
	desired := api.Entity{}
	if m.IsSet("url") {
		parts, err := gateway.ExpandServiceURL(m.Str("url"))
		if err != nil {
			return err
		}
		for k, v := range parts {
			desired[k] = v
		}
	}
	gateway.Put(m, desired, fields...)
	gateway.Put(m, desired, "id")
	if m.IsSet("client_certificate") {
		desired["client_certificate"] = gateway.Foreign(m.Str("client_certificate"))
	}
	name := m.Str("name")
	if name == "" {
		name = m.Str("id")
	}
	return gateway.Ensure(ctx, m, c, gateway.Target{
		Kind: "services", Label: "service", Name: name, Desired: desired,
		Find:   gateway.FindAt(c, gateway.KeyPath("services", m.Str("id"), m.Str("name"))),
		Create: gateway.PostTo(c, "services"),
		Path:   gateway.ByID("services"),
	})
}

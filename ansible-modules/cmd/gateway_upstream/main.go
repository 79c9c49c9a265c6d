// Command gateway_upstream is the Ansible module managing one upstream (a
// load-balanced set of targets). Documentation:
// ansible-modules/collection/plugins/modules/gateway_upstream.yml.
package main

import (
	"context"

	"github.com/gatewayd-toolkit/gatewayd/ansible-modules/gateway"
	"github.com/gatewayd-toolkit/gatewayd/ansible-modules/module"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
)

var hashInputs = []any{"none", "consumer", "ip", "header", "cookie", "path", "query_arg", "uri_capture"}

var fields = []string{"id", "name", "algorithm", "hash_on", "hash_fallback", "hash_on_header", "hash_fallback_header",
	"hash_on_cookie", "hash_on_cookie_path", "hash_on_query_arg", "hash_fallback_query_arg", "hash_on_uri_capture",
	"hash_fallback_uri_capture", "slots", "healthchecks", "host_header", "use_srv_name", "tags"}

var spec = module.Spec{
	Options: gateway.Spec(gateway.EntityOptions(), map[string]module.Option{
		"name":                      {},
		"id":                        {},
		"algorithm":                 {Choices: []any{"consistent-hashing", "least-connections", "round-robin", "latency"}},
		"hash_on":                   {Choices: hashInputs},
		"hash_fallback":             {Choices: hashInputs},
		"hash_on_header":            {},
		"hash_fallback_header":      {},
		"hash_on_cookie":            {},
		"hash_on_cookie_path":       {},
		"hash_on_query_arg":         {},
		"hash_fallback_query_arg":   {},
		"hash_on_uri_capture":       {},
		"hash_fallback_uri_capture": {},
		"slots":                     {Type: module.Int},
		// healthchecks is compared key by key: set only what you manage.
		"healthchecks":       {Type: module.Dict},
		"host_header":        {},
		"use_srv_name":       {Type: module.Bool},
		"client_certificate": {},
	}),
	RequiredOneOf:     [][]string{{"name", "id"}},
	SupportsCheckMode: true,
}

func main() { gateway.Main(spec, run) }

func run(ctx context.Context, m *module.Module, c *api.Client) error {
	desired := api.Entity{}
	gateway.Put(m, desired, fields...)
	if m.IsSet("client_certificate") {
		desired["client_certificate"] = gateway.Foreign(m.Str("client_certificate"))
	}
	name := m.Str("name")
	if name == "" {
		name = m.Str("id")
	}
	return gateway.Ensure(ctx, m, c, gateway.Target{
		Kind: "upstreams", Label: "upstream", Name: name, Desired: desired,
		Find:   gateway.FindAt(c, gateway.KeyPath("upstreams", m.Str("id"), m.Str("name"))),
		Create: gateway.PostTo(c, "upstreams"),
		Path:   gateway.ByID("upstreams"),
	})
}

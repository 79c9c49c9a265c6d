// Command gateway_target is the Ansible module managing one target of an
// upstream. Documentation:
// ansible-modules/collection/plugins/modules/gateway_target.yml.
package main

import (
	"context"

	"github.com/gatewayd-toolkit/gatewayd/ansible-modules/gateway"
	"github.com/gatewayd-toolkit/gatewayd/ansible-modules/module"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
)

var spec = module.Spec{
	Options: gateway.Spec(gateway.EntityOptions(), map[string]module.Option{
		"upstream": {Required: true},
		"target":   {Required: true},
		"weight":   {Type: module.Int},
	}),
	SupportsCheckMode: true,
}

func main() { gateway.Main(spec, run) }

func run(ctx context.Context, m *module.Module, c *api.Client) error {
	// The server stores host:port with its default port added; comparing
	// and looking up that form keeps "10.0.0.1" idempotent.
	target := gateway.NormalizeTarget(m.Str("target"))
	desired := api.Entity{"target": target}
	gateway.Put(m, desired, "weight", "tags")
	upstreamID, err := gateway.Ref(ctx, m, c, "upstreams", "upstream", m.Str("upstream"))
	if err != nil {
		return err
	}
	targets := "upstreams/" + api.Path(upstreamID) + "/targets"
	find := gateway.FindAt(c, targets+"/"+api.Path(target))
	if gateway.IsUnresolved(upstreamID) {
		find = func(context.Context) (api.Entity, error) { return nil, nil }
	}
	return gateway.Ensure(ctx, m, c, gateway.Target{
		Kind: "targets", Label: "target", Name: target + " of upstream " + m.Str("upstream"), Desired: desired,
		Find:   find,
		Create: gateway.PostTo(c, targets),
		Path:   gateway.ByID(targets),
	})
}

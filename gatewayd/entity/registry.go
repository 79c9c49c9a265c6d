package entity

import "github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"

// Core returns the core entity schemas, parents before children so a
// declarative load or a snapshot build can follow this order.
func Core(plugins PluginLookup) *schema.Registry {
	return schema.NewRegistry(
		Certificates(),
		SNIs(),
		CACertificates(),
		Services(),
		Routes(),
		Consumers(),
		Upstreams(),
		Targets(),
		Plugins(plugins),
	)
}

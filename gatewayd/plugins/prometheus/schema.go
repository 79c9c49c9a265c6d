package prometheus

import "github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"

// configFields is prometheus' config record (kong/plugins/prometheus/
// schema.lua, Kong 3.9): six switches, all off by default. Metric names
// are Kong's with the kong_ prefix replaced by gatewayd_.
func configFields() []*schema.Field {
	flag := func(name, desc string) *schema.Field {
		return &schema.Field{Name: name, Kind: schema.Boolean, Default: false, Description: desc}
	}
	return []*schema.Field{
		flag("per_consumer", "A boolean value that determines if per-consumer metrics should be collected. If enabled, "+
			"the `gatewayd_http_requests_total` and `gatewayd_bandwidth_bytes` metrics fill in the consumer label "+
			"(the consumer's username) when available."),
		flag("status_code_metrics", "A boolean value that determines if status code metrics should be collected. If "+
			"enabled, the `gatewayd_http_requests_total` metric is exported."),
		flag("ai_metrics", "A boolean value that determines if AI metrics should be collected. Accepted for "+
			"compatibility; gatewayd has no AI plugins and exports no AI metrics."),
		flag("latency_metrics", "A boolean value that determines if latency metrics should be collected. If enabled, "+
			"`gatewayd_kong_latency_ms`, `gatewayd_upstream_latency_ms` and `gatewayd_request_latency_ms` metrics are "+
			"exported."),
		flag("bandwidth_metrics", "A boolean value that determines if bandwidth metrics should be collected. If "+
			"enabled, the `gatewayd_bandwidth_bytes` metric is exported."),
		flag("upstream_health_metrics", "A boolean value that determines if upstream metrics should be collected. If "+
			"enabled, the `gatewayd_upstream_target_health` metric is exported."),
	}
}

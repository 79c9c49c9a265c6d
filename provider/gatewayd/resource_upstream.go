package gatewayd

import "github.com/hashicorp/terraform-plugin-framework/resource"

var hashOn = []string{"none", "consumer", "ip", "header", "cookie", "path", "query_arg", "uri_capture"}

func statusesField(def []float64, desc string) field {
	d := make([]any, len(def))
	for i, v := range def {
		d[i] = v
	}
	return field{attr: "http_statuses", kind: kIntList, def: d, between: rng(100, 999), desc: desc}
}

func counterField(name, desc string) field {
	return field{attr: name, kind: kInt, def: 0.0, between: rng(0, 255), desc: desc}
}

func intervalField(desc string) field {
	return field{attr: "interval", kind: kFloat, def: 0.0, between: rng(0, 65535), desc: desc}
}

func checkTypeField() field {
	return field{attr: "type", kind: kString, def: "http", oneOf: []string{"tcp", "http", "https", "grpc", "grpcs"},
		desc: "Whether to perform checks as HTTP(S) requests, gRPC(S) health checks or plain TCP connections."}
}

func withDefaults(f field) field {
	f.def = defaultsOf(f.fields)
	return f
}

func healthchecksField() field {
	activeHealthy := withDefaults(field{attr: "healthy", kind: kObject, desc: "When active checks count a target as healthy.",
		fields: []field{
			intervalField("Interval between active health checks for healthy targets, in seconds. 0 disables active checks of healthy targets."),
			statusesField([]float64{200, 302}, "HTTP statuses of active checks that count as a success."),
			counterField("successes", "Number of successes in active probes (as defined by http_statuses) to consider a target healthy."),
		}})
	activeUnhealthy := withDefaults(field{attr: "unhealthy", kind: kObject, desc: "When active checks count a target as unhealthy.",
		fields: []field{
			intervalField("Interval between active health checks for unhealthy targets, in seconds. 0 disables active checks of unhealthy targets."),
			statusesField([]float64{429, 404, 500, 501, 502, 503, 504, 505}, "HTTP statuses of active checks that count as a failure."),
			counterField("tcp_failures", "Number of TCP failures in active probes to consider a target unhealthy."),
			counterField("timeouts", "Number of timeouts in active probes to consider a target unhealthy."),
			counterField("http_failures", "Number of HTTP failures in active probes (as defined by http_statuses) to consider a target unhealthy."),
		}})
	active := withDefaults(field{attr: "active", kind: kObject, desc: "Active health checks: the gateway probes each target.",
		fields: []field{
			checkTypeField(),
			{attr: "timeout", kind: kFloat, def: 1.0, between: rng(0, 65535), desc: "Socket timeout for active health checks, in seconds."},
			{attr: "concurrency", kind: kInt, def: 10.0, between: rng(1, 2147483648), desc: "Number of targets to check concurrently in active health checks."},
			{attr: "http_path", kind: kString, def: "/", pattern: `^/`, patternMsg: "should start with: /", desc: "Path to use in GET HTTP request to run as a probe on active health checks."},
			{attr: "https_sni", kind: kString, desc: "The hostname to use as an SNI (Server Name Identification) when performing active health checks using HTTPS."},
			{attr: "https_verify_certificate", kind: kBool, def: true, desc: "Whether to check the validity of the SSL certificate of the remote host when performing active health checks using HTTPS."},
			{attr: "headers", kind: kHeaderMap, desc: "One or more lists of values indexed by header name to use in GET HTTP request to run as a probe on active health checks."},
			activeHealthy,
			activeUnhealthy,
		}})
	passiveHealthy := withDefaults(field{attr: "healthy", kind: kObject, desc: "When proxied traffic counts a target as healthy.",
		fields: []field{
			statusesField([]float64{200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 306, 307, 308},
				"HTTP statuses of proxied traffic that count as a success."),
			counterField("successes", "Number of successes in proxied traffic (as defined by http_statuses) to consider a target healthy, as observed by passive health checks."),
		}})
	passiveUnhealthy := withDefaults(field{attr: "unhealthy", kind: kObject, desc: "When proxied traffic counts a target as unhealthy.",
		fields: []field{
			statusesField([]float64{429, 500, 503}, "HTTP statuses of proxied traffic that count as a failure."),
			counterField("tcp_failures", "Number of TCP failures in proxied traffic to consider a target unhealthy, as observed by passive health checks."),
			counterField("timeouts", "Number of timeouts in proxied traffic to consider a target unhealthy, as observed by passive health checks."),
			counterField("http_failures", "Number of HTTP failures in proxied traffic (as defined by http_statuses) to consider a target unhealthy, as observed by passive health checks."),
		}})
	passive := withDefaults(field{attr: "passive", kind: kObject, desc: "Passive health checks (circuit breaker): the gateway watches proxied traffic.",
		fields: []field{checkTypeField(), passiveHealthy, passiveUnhealthy}})
	return withDefaults(field{attr: "healthchecks", kind: kObject,
		desc: "The array of healthchecks: active probes and passive (traffic-based) checks. Every attribute defaults to the gateway's default, so only what differs needs to be written. Intervals and counters of 0 disable that check.",
		fields: []field{active, passive,
			{attr: "threshold", kind: kFloat, def: 0.0, between: rng(0, 100), desc: "The minimum percentage of the upstream's targets' weight that must be available for the whole upstream to be considered healthy."},
		}})
}

var upstreamDef = &entityDef{
	typeName:   "upstream",
	title:      "upstream",
	collection: "upstreams",
	desc: "An upstream: a virtual hostname that load-balances over its targets (`gatewayd_target`), with active " +
		"and passive health checks (Admin API `/upstreams`). A service reaches it by using its name as `host`.",
	importHint: "terraform import gatewayd_upstream.<name> <id or name>",
	importDoc:  "Import ids: the upstream's `id` or its `name`.",
	fields: []field{
		idField(),
		createdAtField(),
		updatedAtField(),
		{attr: "name", kind: kString, required: true,
			desc: "This is a hostname, which must be equal to the host of a Service. No IP address and no port."},
		{attr: "algorithm", kind: kString, computed: true, dependsOn: []string{"hash_on"},
			oneOf: []string{"consistent-hashing", "least-connections", "round-robin", "latency"},
			desc:  "Which load balancing algorithm to use. The gateway defaults it to `round-robin`, and to `consistent-hashing` when `hash_on` is set to something other than `none`."},
		{attr: "hash_on", kind: kString, def: "none", oneOf: hashOn, desc: "What to use as hashing input."},
		{attr: "hash_fallback", kind: kString, def: "none", oneOf: hashOn,
			desc: "What to use as hashing input if the primary hash_on does not return a hash."},
		{attr: "hash_on_header", kind: kString, desc: "The header name to take the value from as hash input. Required when hash_on is header."},
		{attr: "hash_fallback_header", kind: kString, desc: "The header name to take the value from as hash input. Required when hash_fallback is header."},
		{attr: "hash_on_cookie", kind: kString, desc: "The cookie name to take the value from as hash input. Required when hash_on is cookie."},
		{attr: "hash_on_cookie_path", kind: kString, def: "/", pattern: `^/`, patternMsg: "should start with: /",
			desc: "The cookie path to set in the response headers."},
		{attr: "hash_on_query_arg", kind: kString, desc: "The name of the query string argument to take the value from as hash input."},
		{attr: "hash_fallback_query_arg", kind: kString, desc: "The name of the query string argument to take the value from as hash input."},
		{attr: "hash_on_uri_capture", kind: kString, desc: "The name of the route URI capture to take the value from as hash input."},
		{attr: "hash_fallback_uri_capture", kind: kString, desc: "The name of the route URI capture to take the value from as hash input."},
		{attr: "slots", kind: kInt, def: 10000.0, between: rng(10, 65536), desc: "The number of slots in the load balancer algorithm."},
		healthchecksField(),
		tagsField(),
		{attr: "host_header", kind: kString,
			desc: "The hostname to be used as Host header when proxying requests through the gateway, with an optional port."},
		{attr: "client_certificate_id", api: "client_certificate", kind: kForeign,
			desc: "If set, the id of the certificate (`gatewayd_certificate`) to be used as client certificate while TLS handshaking to the upstream server."},
		{attr: "use_srv_name", kind: kBool, def: false,
			desc: "If set, the balancer will use SRV hostname(if DNS Answer has SRV record) as the proxy upstream `Host`."},
	},
}

// NewUpstreamResource is gatewayd_upstream.
func NewUpstreamResource() resource.Resource { return &entityResource{def: upstreamDef} }

package entity

import (
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

var hashOn = []string{"none", "consumer", "ip", "header", "cookie", "path", "query_arg", "uri_capture"}

// Upstreams are virtual hostnames balanced across targets
// (kong/db/schema/entities/upstreams.lua).
func Upstreams() *schema.Entity {
	str := func(name, desc string) *schema.Field {
		return &schema.Field{Name: name, Kind: schema.String, Description: desc}
	}
	return &schema.Entity{
		Name:        "upstreams",
		EndpointKey: "name",
		Fields: []*schema.Field{
			schema.ID(),
			schema.CreatedAt(),
			schema.UpdatedAt(),
			{Name: "name", Kind: schema.String, Required: true, Unique: true, Custom: validateUpstreamName,
				Description: "This is a hostname, which must be equal to the host of a Service."},
			{Name: "algorithm", Kind: schema.String, Default: "round-robin",
				OneOf:       schema.Strings("consistent-hashing", "least-connections", "round-robin", "latency"),
				Description: "Which load balancing algorithm to use."},
			{Name: "hash_on", Kind: schema.String, Default: "none", OneOf: anyStrings(hashOn),
				Description: "What to use as hashing input."},
			{Name: "hash_fallback", Kind: schema.String, Default: "none", OneOf: anyStrings(hashOn),
				Description: "What to use as hashing input if the primary hash_on does not return a hash."},
			withDesc(schema.HeaderName("hash_on_header"), "The header name to take the value from as hash input."),
			withDesc(schema.HeaderName("hash_fallback_header"), "The header name to take the value from as hash input."),
			str("hash_on_cookie", "The cookie name to take the value from as hash input."),
			withDefault(withDesc(schema.Path("hash_on_cookie_path"), "The cookie path to set in the response headers."), "/"),
			str("hash_on_query_arg", "The name of the query string argument to take the value from as hash input."),
			str("hash_fallback_query_arg", "The name of the query string argument to take the value from as hash input."),
			str("hash_on_uri_capture", "The name of the route URI capture to take the value from as hash input."),
			str("hash_fallback_uri_capture", "The name of the route URI capture to take the value from as hash input."),
			{Name: "slots", Kind: schema.Integer, Default: 10000.0, Between: &schema.Range{Min: 10, Max: 65536},
				Description: "The number of slots in the load balancer algorithm."},
			healthchecks(),
			schema.Tags(),
			withDesc(schema.HostWithOptionalPort("host_header"), "The hostname to be used as Host header when proxying requests through Kong."),
			{Name: "client_certificate", Kind: schema.Foreign, Reference: "certificates",
				Description: "If set, the certificate to be used as client certificate while TLS handshaking to the upstream server."},
			{Name: "use_srv_name", Kind: schema.Boolean, Default: false,
				Description: "If set, the balancer will use SRV hostname(if DNS Answer has SRV record) as the proxy upstream `Host`."},
		},
		Checks: []schema.Check{
			schema.Distinct{"hash_on_header", "hash_fallback_header"},
			&schema.CustomCheck{Reads: []string{"hash_on", "hash_fallback", "hash_on_header", "hash_fallback_header",
				"hash_on_cookie", "hash_on_query_arg", "hash_fallback_query_arg", "hash_on_uri_capture", "hash_fallback_uri_capture"},
				Fn: checkUpstreamHashing},
		},
		Normalize: func(doc, input schema.Doc, op schema.Op) {
			// Kong's shorthand coupling between hash_on and algorithm.
			if h, given := input["hash_on"]; given {
				if h == "none" {
					if _, algoGiven := input["algorithm"]; !algoGiven {
						doc["algorithm"] = "round-robin"
					}
				} else if h != nil {
					doc["algorithm"] = "consistent-hashing"
				}
			}
			if a, _ := doc["algorithm"].(string); a == "least-connections" || a == "latency" || a == "round-robin" {
				if doc["hash_on"] != "none" && doc["hash_on"] != nil {
					doc["hash_on"] = "none"
				}
			}
		},
	}
}

func validateUpstreamName(v any) string {
	s := v.(string)
	hp, err := schema.ParseHostPort(s)
	switch {
	case err == "" && hp.Type != "name":
		return "Invalid name ('" + s + "'); no ip addresses allowed"
	case err == "invalid port number" || (err == "" && hp.Port >= 0):
		return "Invalid name ('" + s + "'); no port allowed"
	case err != "":
		return "Invalid name ('" + s + "'); must be a valid hostname"
	}
	return ""
}

func checkUpstreamHashing(doc schema.Doc, errs schema.Errors) {
	require := func(hash, value, field string) {
		if doc[hash] == value && isEmpty(doc[field]) {
			errs.AddEntity("failed conditional validation given value of field '" + hash + "'")
			errs[field] = "required field missing"
		}
	}
	require("hash_on", "header", "hash_on_header")
	require("hash_fallback", "header", "hash_fallback_header")
	require("hash_on", "cookie", "hash_on_cookie")
	require("hash_on", "query_arg", "hash_on_query_arg")
	require("hash_fallback", "query_arg", "hash_fallback_query_arg")
	require("hash_on", "uri_capture", "hash_on_uri_capture")
	require("hash_fallback", "uri_capture", "hash_fallback_uri_capture")
	if doc["hash_on"] == "none" && doc["hash_fallback"] != "none" && doc["hash_fallback"] != nil {
		errs["hash_fallback"] = "expected one of: none"
		errs.AddEntity("failed conditional validation given value of field 'hash_on'")
	}
	if doc["hash_on"] == "cookie" && doc["hash_fallback"] != "none" && doc["hash_fallback"] != nil {
		errs["hash_fallback"] = "expected one of: none"
		errs.AddEntity("failed conditional validation given value of field 'hash_on'")
	}
}

func statuses(def []int) *schema.Field {
	return &schema.Field{Kind: schema.Array, Default: schema.Nums(def...),
		Elements: &schema.Field{Kind: schema.Integer, Between: &schema.Range{Min: 100, Max: 999}}}
}

func counter(name string, max float64) *schema.Field {
	return &schema.Field{Name: name, Kind: schema.Integer, Default: 0.0, Between: &schema.Range{Min: 0, Max: max}}
}

func healthchecks() *schema.Field {
	interval := func() *schema.Field {
		return &schema.Field{Name: "interval", Kind: schema.Number, Default: 0.0, Between: &schema.Range{Min: 0, Max: 65535}}
	}
	checkType := func() *schema.Field {
		return &schema.Field{Name: "type", Kind: schema.String, Default: "http",
			OneOf: schema.Strings("tcp", "http", "https", "grpc", "grpcs")}
	}
	activeHealthy := []int{200, 302}
	activeUnhealthy := []int{429, 404, 500, 501, 502, 503, 504, 505}
	passiveHealthy := []int{200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 306, 307, 308}
	passiveUnhealthy := []int{429, 500, 503}
	return &schema.Field{Name: "healthchecks", Kind: schema.Record,
		Description: "The array of healthchecks.",
		Fields: []*schema.Field{
			{Name: "active", Kind: schema.Record, Fields: []*schema.Field{
				checkType(),
				{Name: "timeout", Kind: schema.Number, Default: 1.0, Between: &schema.Range{Min: 0, Max: 65535}},
				{Name: "concurrency", Kind: schema.Integer, Default: 10.0, Between: &schema.Range{Min: 1, Max: 2147483648}},
				withDefault(schema.Path("http_path"), "/"),
				schema.Host("https_sni"),
				{Name: "https_verify_certificate", Kind: schema.Boolean, Default: true},
				{Name: "headers", Kind: schema.Map, Keys: &schema.Field{Kind: schema.String}, Values: &schema.Field{Kind: schema.Array, Elements: &schema.Field{Kind: schema.String}}},
				{Name: "healthy", Kind: schema.Record, Fields: []*schema.Field{
					interval(), named(statuses(activeHealthy), "http_statuses"), counter("successes", 255)}},
				{Name: "unhealthy", Kind: schema.Record, Fields: []*schema.Field{
					interval(), named(statuses(activeUnhealthy), "http_statuses"),
					counter("tcp_failures", 255), counter("timeouts", 255), counter("http_failures", 255)}},
			}},
			{Name: "passive", Kind: schema.Record, Fields: []*schema.Field{
				checkType(),
				{Name: "healthy", Kind: schema.Record, Fields: []*schema.Field{
					named(statuses(passiveHealthy), "http_statuses"), counter("successes", 255)}},
				{Name: "unhealthy", Kind: schema.Record, Fields: []*schema.Field{
					named(statuses(passiveUnhealthy), "http_statuses"),
					counter("tcp_failures", 255), counter("timeouts", 255), counter("http_failures", 255)}},
			}},
			{Name: "threshold", Kind: schema.Number, Default: 0.0, Between: &schema.Range{Min: 0, Max: 100}},
		}}
}

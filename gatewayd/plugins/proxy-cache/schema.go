package proxycache

import "github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"

// Strategies gatewayd supports; Kong OSS ships "memory" only.
var strategies = schema.Strings("memory")

// configFields is proxy-cache's config record (kong/plugins/proxy-cache/
// schema.lua, Kong 3.9): names, types, defaults and validators as Kong
// declares them.
func configFields() []*schema.Field {
	zero := 0.0
	return []*schema.Field{
		{Name: "response_code", Kind: schema.Array, Required: true, Default: schema.Nums(200, 301, 404), LenMin: 1,
			Elements:    &schema.Field{Kind: schema.Integer, Between: &schema.Range{Min: 100, Max: 900}},
			Description: "Upstream response status codes considered cacheable."},
		{Name: "request_method", Kind: schema.Array, Required: true, Default: schema.Strings("GET", "HEAD"),
			Elements:    &schema.Field{Kind: schema.String, OneOf: schema.Strings("HEAD", "GET", "POST", "PATCH", "PUT")},
			Description: "Downstream request methods considered cacheable."},
		{Name: "content_type", Kind: schema.Array, Required: true, Default: schema.Strings("text/plain", "application/json"),
			Elements: &schema.Field{Kind: schema.String},
			Description: "Upstream response content types considered cacheable. The plugin performs an exact match " +
				"against each value, parameters included (`application/json; charset=utf-8` must be listed as such); " +
				"`type/*` and `*/*` match any subtype or type."},
		{Name: "cache_ttl", Kind: schema.Integer, Default: 300.0, Gt: &zero,
			Description: "TTL, in seconds, of cache entities."},
		{Name: "strategy", Kind: schema.String, Required: true, OneOf: strategies,
			Description: "The backing data store in which to hold cache entities. gatewayd supports `memory`, an " +
				"in-process store shared by every plugin instance that names the same dictionary."},
		{Name: "cache_control", Kind: schema.Boolean, Required: true, Default: false,
			Description: "When enabled, respect the Cache-Control behaviors defined in RFC7234."},
		{Name: "ignore_uri_case", Kind: schema.Boolean, Default: false,
			Description: "Determines whether to treat URIs as case sensitive. By default, case sensitivity is enabled. " +
				"If set to true, requests are cached while ignoring case sensitivity in the URI."},
		{Name: "storage_ttl", Kind: schema.Integer,
			Description: "Number of seconds to keep resources in the storage backend. This value is independent of " +
				"`cache_ttl` or resource TTLs defined by Cache-Control behaviors."},
		{Name: "memory", Kind: schema.Record,
			Fields: []*schema.Field{
				{Name: "dictionary_name", Kind: schema.String, Required: true, Default: "kong_db_cache",
					Description: "The name of the in-memory dictionary holding cache entities when the memory strategy " +
						"is selected. Instances naming the same dictionary share entries and its size limit."},
			},
			Description: "Options of the memory strategy."},
		{Name: "vary_query_params", Kind: schema.Array, Elements: &schema.Field{Kind: schema.String},
			Description: "Relevant query parameters considered for the cache key. If undefined, all params are taken " +
				"into consideration."},
		{Name: "vary_headers", Kind: schema.Array, Elements: &schema.Field{Kind: schema.String},
			Description: "Relevant headers considered for the cache key. If undefined, none of the headers are taken " +
				"into consideration."},
		{Name: "response_headers", Kind: schema.Record,
			Fields: []*schema.Field{
				{Name: "age", Kind: schema.Boolean, Default: true,
					Description: "Whether cached responses carry an Age header (seconds since the entity was stored)."},
				{Name: "X-Cache-Status", Kind: schema.Boolean, Default: true,
					Description: "Whether responses carry X-Cache-Status (Miss, Hit, Refresh or Bypass)."},
				{Name: "X-Cache-Key", Kind: schema.Boolean, Default: true,
					Description: "Whether responses carry X-Cache-Key, the cache key of the request."},
			},
			Description: "Caching related diagnostic headers that should be included in cached responses. A request " +
				"carrying a Kong-Debug header gets all of them."},
	}
}

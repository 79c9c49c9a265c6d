package ratelimiting

import (
	"fmt"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// syncRateRealtime is sync_rate's "count synchronously" value.
const syncRateRealtime = -1.0

func gt0() *float64 { z := 0.0; return &z }

// limitBy values, in Kong's order. consumer-group is accepted for
// configuration compatibility with Kong Gateway Enterprise; gatewayd has
// no consumer groups, so it falls back to the client IP like any missing
// identifier.
var limitByValues = []any{"consumer", "credential", "ip", "service", "header", "path", "consumer-group"}

// redisFields is the redis record of kong/tools/redis/schema.lua.
func redisFields() []*schema.Field {
	return []*schema.Field{
		schema.Host("host"),
		withDefault(schema.Port("port"), 6379.0),
		{Name: "timeout", Kind: schema.Integer, Between: &schema.Range{Min: 0, Max: 2147483646}, Default: 2000.0,
			Description: "A timeout in milliseconds for connecting to, sending to and reading from Redis."},
		{Name: "username", Kind: schema.String,
			Description: "Username to use for Redis connections. If undefined, ACL authentication won't be performed. This requires Redis v6.0.0+. To be compatible with Redis v5.x.y, you can set it to `default`."},
		// AllowEmpty is Kong's len_min = 0: an empty password is allowed.
		{Name: "password", Kind: schema.String, Sensitive: true, AllowEmpty: true,
			Description: "Password to use for Redis connections. If undefined, no AUTH commands are sent to Redis."},
		{Name: "database", Kind: schema.Integer, Default: 0.0,
			Description: "Database to use for the Redis connection when using the `redis` strategy"},
		{Name: "ssl", Kind: schema.Boolean, Default: false,
			Description: "If set to true, uses SSL to connect to Redis."},
		{Name: "ssl_verify", Kind: schema.Boolean, Default: false,
			Description: "If set to true, verifies the validity of the server SSL certificate."},
		{Name: "server_name", Kind: schema.String, Custom: validateSNI,
			Description: "A string representing an SNI (server name indication) value for TLS."},
	}
}

func withDefault(f *schema.Field, v any) *schema.Field { f.Default = v; return f }

// validateSNI is Kong's typedefs.sni validator.
func validateSNI(v any) string {
	s := v.(string)
	hp, err := schema.ParseHostPort(s)
	if err != "" && err != "invalid port number" {
		return "invalid value: " + s
	}
	if hp.Type != "name" {
		return "must not be an IP"
	}
	if err == "invalid port number" || hp.Port >= 0 {
		return "must not have a port"
	}
	return ""
}

// shorthand is one of Kong 3.9's deprecated flat redis_* fields, accepted
// on input and moved into the redis record (removal announced for 4.0).
type shorthand struct {
	name, target string
	kind         schema.Kind
}

var shorthands = []shorthand{
	{"redis_host", "host", schema.String},
	{"redis_port", "port", schema.Integer},
	{"redis_password", "password", schema.String},
	{"redis_username", "username", schema.String},
	{"redis_ssl", "ssl", schema.Boolean},
	{"redis_ssl_verify", "ssl_verify", schema.Boolean},
	{"redis_server_name", "server_name", schema.String},
	{"redis_timeout", "timeout", schema.Integer},
	{"redis_database", "database", schema.Integer},
}

var configFields = buildConfigFields()

func buildConfigFields() []*schema.Field {
	period := func(name string) *schema.Field {
		return &schema.Field{Name: name, Kind: schema.Number, Gt: gt0(),
			Description: "The number of HTTP requests that can be made per " + name + "."}
	}
	fields := []*schema.Field{
		period("second"), period("minute"), period("hour"), period("day"), period("month"), period("year"),
		{Name: "limit_by", Kind: schema.String, Default: "consumer", OneOf: limitByValues,
			Description: "The entity that is used when aggregating the limits. When the entity cannot be determined (no authenticated consumer or credential, no header, another path), the client IP address is used."},
		withDescription(schema.HeaderName("header_name"), "A string representing an HTTP header name. Required when `limit_by` is `header`."),
		withDescription(schema.Path("path"), "A string representing a URL path, such as /path/to/resource. Must start with a forward slash (/) and must not contain empty segments (i.e., two consecutive forward slashes). Required when `limit_by` is `path`."),
		{Name: "policy", Kind: schema.String, Default: "local", OneOf: []any{"local", "cluster", "redis"},
			Description: "The rate-limiting policies to use for retrieving and incrementing the limits. `local` keeps counters in the gateway's memory, `redis` on a Redis server shared between gateways; `cluster` is accepted for compatibility and behaves like `local`."},
		{Name: "fault_tolerant", Kind: schema.Boolean, Required: true, Default: true,
			Description: "A boolean value that determines if the requests should be proxied even if Kong has troubles connecting a third-party data store. If `true`, requests will be proxied anyway, effectively disabling the rate-limiting function until the data store is working again. If `false`, then the clients will see `500` errors."},
		{Name: "redis", Kind: schema.Record, Fields: redisFields(),
			Description: "Redis configuration, used when `policy` is `redis`."},
		{Name: "hide_client_headers", Kind: schema.Boolean, Required: true, Default: false,
			Description: "Optionally hide informative response headers."},
		{Name: "error_code", Kind: schema.Number, Default: 429.0, Gt: gt0(),
			Description: "Set a custom error code to return when the rate limit is exceeded."},
		{Name: "error_message", Kind: schema.String, Default: "API rate limit exceeded",
			Description: "Set a custom error message to return when the rate limit is exceeded."},
		{Name: "sync_rate", Kind: schema.Number, Required: true, Default: syncRateRealtime,
			Description: "How often to sync counter data to the central data store. A value of -1 results in synchronous behavior."},
	}
	for _, sh := range shorthands {
		f := &schema.Field{Name: sh.name, Kind: sh.kind,
			Description: fmt.Sprintf("Deprecated: use config.redis.%s instead. Accepted on input and moved there; always stored as null.", sh.target)}
		if sh.name == "redis_password" {
			f.Sensitive, f.AllowEmpty = true, true
		}
		fields = append(fields, f)
	}
	return fields
}

func withDescription(f *schema.Field, d string) *schema.Field { f.Description = d; return f }

// fnCheck is an entity check described nowhere in /schemas (Kong's
// shorthand expansion and record custom_validator are not entity checks).
// Like Kong's field validators, it is skipped when a field it reads
// already has an error.
type fnCheck struct {
	reads []string
	fn    func(doc schema.Doc, errs schema.Errors)
}

func (c fnCheck) Fields() []string                            { return c.reads }
func (c fnCheck) Validate(doc schema.Doc, errs schema.Errors) { c.fn(doc, errs) }
func (fnCheck) Describe() map[string]any                      { return nil }

// expandShorthands moves the deprecated redis_* values into the redis
// record (Kong's shorthand_fields) and validates them there.
var expandShorthands = fnCheck{reads: []string{"config"}, fn: func(doc schema.Doc, errs schema.Errors) {
	cfg, _ := doc["config"].(map[string]any)
	if cfg == nil {
		return
	}
	for _, sh := range shorthands {
		v := cfg[sh.name]
		if v == nil {
			continue
		}
		cfg[sh.name] = nil
		redis, _ := cfg["redis"].(map[string]any)
		if redis == nil {
			redis = map[string]any{}
			cfg["redis"] = redis
		}
		redis[sh.target] = v
		for _, f := range redisFields() {
			if f.Name != sh.target {
				continue
			}
			if msg := schema.ValidateField(f, v, redis); msg != nil {
				nested(nested(errs, "config"), "redis")[sh.target] = msg
			}
		}
	}
}}

func nested(m map[string]any, key string) map[string]any {
	sub, _ := m[key].(map[string]any)
	if sub == nil {
		sub = map[string]any{}
		m[key] = sub
	}
	return sub
}

var periodPaths = []string{"config.second", "config.minute", "config.hour", "config.day", "config.month", "config.year"}

// validatePeriodsOrder is the config record's custom_validator: a longer
// window may not allow fewer requests than a shorter one, and sync_rate
// needs the redis policy. Kong reports it as the error of "config".
var validatePeriodsOrder = fnCheck{reads: []string{"config"}, fn: func(doc schema.Doc, errs schema.Errors) {
	if cfg, _ := doc["config"].(map[string]any); cfg != nil {
		if msg := periodsOrder(cfg); msg != "" {
			errs["config"] = msg
		}
	}
}}

func periodsOrder(cfg schema.Doc) string {
	for i, lower := range periodNames {
		v1, ok := cfg[lower].(float64)
		if !ok {
			continue
		}
		for _, upper := range periodNames[i+1:] {
			if v2, ok := cfg[upper].(float64); ok && v2 < v1 {
				return fmt.Sprintf("The limit for %s(%.1f) cannot be lower than the limit for %s(%.1f)", upper, v2, lower, v1)
			}
		}
	}
	syncRate, _ := cfg["sync_rate"].(float64)
	if cfg["policy"] != "redis" && syncRate != syncRateRealtime {
		return "sync_rate can only be used with the redis policy"
	}
	if cfg["policy"] == "redis" && syncRate != syncRateRealtime && syncRate < 0.02 {
		return "sync_rate must be greater than 0.02, or -1 to disable"
	}
	return ""
}

// conditional is Kong's conditional entity check with if_match = {eq =
// value} and then_match = {required = true}.
func conditional(ifField, eq, thenField string) schema.Check {
	return &schema.Conditional{
		IfField: ifField, If: &schema.Field{Kind: schema.String, OneOf: []any{eq}},
		ThenField: thenField, Then: &schema.Field{Kind: schema.JSON, Required: true},
		Desc: map[string]any{"if_field": ifField, "if_match": map[string]any{"eq": eq},
			"then_field": thenField, "then_match": map[string]any{"required": true}},
	}
}

// checks are the plugin's entity_checks, in Kong's order after the
// config record's own custom validator.
var checks = []schema.Check{
	expandShorthands,
	validatePeriodsOrder,
	schema.AtLeastOneOf(periodPaths),
	conditional("config.policy", "redis", "config.redis.host"),
	conditional("config.policy", "redis", "config.redis.port"),
	conditional("config.policy", "redis", "config.redis.timeout"),
	conditional("config.limit_by", "header", "config.header_name"),
	conditional("config.limit_by", "path", "config.path"),
}

package entity

import (
	"strings"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/httppath"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// Routes declares the routes entity (kong/db/schema/entities/routes.lua and
// routes_subschemas.lua for the traditional_compatible flavor).
func Routes() *schema.Entity {
	wildcardCount := schema.Pattern{Desc: "^[^*]*%*?[^*]*$",
		Test: func(s string) bool { return strings.Count(s, "*") <= 1 },
		Err:  "invalid wildcard: must have at most one wildcard"}
	wildcardPlace := &schema.AnyPattern{
		Descs: []string{"^%*%.", "%.%*$", "^[^*]*$"},
		Tests: []func(string) bool{
			func(s string) bool { return strings.HasPrefix(s, "*.") },
			func(s string) bool { return strings.HasSuffix(s, ".*") },
			func(s string) bool { return !strings.Contains(s, "*") },
		},
		Err: "invalid wildcard: must be placed at leftmost or rightmost label"}
	pathStart := &schema.AnyPattern{
		Descs: []string{"^/", "^~/"},
		Tests: []func(string) bool{
			func(s string) bool { return strings.HasPrefix(s, "/") },
			func(s string) bool { return strings.HasPrefix(s, "~/") },
		},
		Err: "should start with: / (fixed path) or ~/ (regex path)"}
	emptySeg := schema.Pattern{Desc: "//", Test: func(s string) bool { return strings.Contains(s, "//") },
		Err: "must not have empty segments"}
	hostHeader := schema.Pattern{Desc: "^[Hh][Oo][Ss][Tt]$", Test: func(s string) bool { return strings.EqualFold(s, "host") },
		Err: "cannot contain 'host' header, which must be specified in the 'hosts' attribute"}
	endpoint := func(name string) *schema.Field {
		return &schema.Field{Name: name, Kind: schema.Set, Elements: &schema.Field{Kind: schema.Record,
			Fields:       []*schema.Field{schema.IPOrCIDR("ip"), schema.Port("port")},
			RecordChecks: []schema.Check{schema.AtLeastOneOf{"ip", "port"}}}}
	}
	return &schema.Entity{
		Name:        "routes",
		EndpointKey: "name",
		Fields: []*schema.Field{
			schema.ID(),
			schema.CreatedAt(),
			schema.UpdatedAt(),
			schema.UTF8Name("name"),
			{Name: "protocols", Kind: schema.Set, LenMin: 1, Required: true, Default: schema.Strings("http", "https"),
				Elements:    &schema.Field{Kind: schema.String, OneOf: anyStrings(Protocols)},
				Custom:      exclusiveProtocols,
				Description: "An array of the protocols this Route should allow."},
			{Name: "https_redirect_status_code", Kind: schema.Integer, Required: true, Default: 426.0,
				OneOf:       schema.Nums(426, 301, 302, 307, 308),
				Description: "The status code Kong responds with when all properties of a Route match except the protocol"},
			{Name: "strip_path", Kind: schema.Boolean, Required: true, Default: true,
				Description: "When matching a Route via one of the paths, strip the matching prefix from the upstream request URL."},
			{Name: "preserve_host", Kind: schema.Boolean, Required: true, Default: false,
				Description: "When matching a Route via one of the hosts domain names, use the request Host header in the upstream request headers."},
			{Name: "request_buffering", Kind: schema.Boolean, Required: true, Default: true,
				Description: "Whether to enable request body buffering or not. With HTTP 1.1."},
			{Name: "response_buffering", Kind: schema.Boolean, Required: true, Default: true,
				Description: "Whether to enable response body buffering or not."},
			schema.Tags(),
			{Name: "service", Kind: schema.Foreign, Reference: "services",
				Description: "The Service this Route is associated to. This is where the Route proxies traffic to."},
			{Name: "snis", Kind: schema.Set, Elements: schema.WildcardHost(""),
				Description: "A list of SNIs that match this Route."},
			endpoint("sources"),
			endpoint("destinations"),
			{Name: "methods", Kind: schema.Set, Elements: &schema.Field{Kind: schema.String, Custom: upperMethod},
				Description: "A list of HTTP methods that match this Route."},
			{Name: "hosts", Kind: schema.Array, Elements: &schema.Field{Kind: schema.String,
				MatchAll: []schema.Pattern{wildcardCount}, MatchAny: wildcardPlace, Custom: schema.ValidateRouteHost},
				Description: "A list of domain names that match this Route. Note that the hosts value is case sensitive."},
			{Name: "paths", Kind: schema.Array, Elements: &schema.Field{Kind: schema.String,
				MatchNone: []schema.Pattern{emptySeg}, MatchAny: pathStart, Custom: routePath},
				Description: "A list of paths that match this Route."},
			{Name: "headers", Kind: schema.Map,
				Keys:        &schema.Field{Kind: schema.String, MatchNone: []schema.Pattern{hostHeader}, Custom: schema.ValidateHeaderName},
				Values:      &schema.Field{Kind: schema.Array, Elements: &schema.Field{Kind: schema.String}},
				Description: "One or more lists of values indexed by header name that will cause this Route to match if present in the request."},
			{Name: "regex_priority", Kind: schema.Integer, Default: 0.0,
				Description: "A number used to choose which route resolves a given request when several routes match it using regexes simultaneously."},
			{Name: "path_handling", Kind: schema.String, Default: "v0", OneOf: schema.Strings("v0", "v1"),
				Description: "Controls how the Service path, Route path and requested path are combined when sending a request to the upstream."},
		},
		Checks: []schema.Check{
			&schema.Conditional{
				IfField: "protocols", If: &schema.Field{Kind: schema.Set, Custom: noneOf("grpcs", "https", "tls", "tls_passthrough")},
				ThenField: "snis", Then: &schema.Field{Kind: schema.Set, LenEq: new(int)},
				ThenErr: "'snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or 'tls_passthrough'",
				Desc: map[string]any{"if_field": "protocols",
					"if_match":   map[string]any{"elements": map[string]any{"type": "string", "not_one_of": schema.Strings("grpcs", "https", "tls", "tls_passthrough")}},
					"then_field": "snis", "then_match": map[string]any{"len_eq": 0},
					"then_err": "'snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or 'tls_passthrough'"}},
			&schema.CustomCheck{
				Reads:                []string{"protocols"},
				Fn:                   checkRouteSubschema,
				RunWithInvalidFields: true,
				Desc: map[string]any{"conditional_at_least_one_of": map[string]any{"if_field": "protocols",
					"then_at_least_one_of": schema.Strings("methods", "hosts", "headers", "paths", "snis")}},
			},
		},
		Normalize: func(doc, input schema.Doc, op schema.Op) {
			// gRPC routes default strip_path to false (grpc subschema).
			if _, given := input["strip_path"]; !given && op != schema.Update && routeFamily(doc) == "grpc" {
				doc["strip_path"] = false
			}
		},
	}
}

func routePath(v any) string {
	return httppath.ValidateRoutePath(v.(string))
}

func upperMethod(v any) string {
	s := v.(string)
	if s == "" {
		return "invalid value: " + s
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return "invalid value: " + s
		}
	}
	return ""
}

// noneOf passes for a set none of whose elements is in list.
func noneOf(list ...string) func(v any) string {
	return func(v any) string {
		for _, el := range stringList(v) {
			for _, x := range list {
				if el == x {
					return "contains " + x
				}
			}
		}
		return ""
	}
}

var protocolGroups = [][]string{{"http", "https"}, {"tcp", "tls", "udp"}, {"tls_passthrough"}, {"grpc", "grpcs"}}

// exclusiveProtocols is Kong's mutually_exclusive_subsets on protocols.
func exclusiveProtocols(v any) string {
	vals := stringList(v)
	var hit []string
	for _, g := range protocolGroups {
		for _, p := range vals {
			if contains(g, p) {
				q := make([]string, len(g))
				for i, x := range g {
					q[i] = "'" + x + "'"
				}
				hit = append(hit, "("+strings.Join(q, ", ")+")")
				break
			}
		}
	}
	if len(hit) > 1 {
		return "these sets are mutually exclusive: " + strings.Join(hit, ", ")
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// routeFamily is the subschema Kong selects: that of the first protocol
// that has one (kong/db/schema/init.lua get_subschema), "" when none does.
func routeFamily(doc schema.Doc) string {
	for _, p := range stringList(doc["protocols"]) {
		switch p {
		case "http", "https":
			return "http"
		case "grpc", "grpcs":
			return "grpc"
		case "tcp", "tls", "udp", "tls_passthrough":
			return "stream"
		}
	}
	return ""
}

// checkRouteSubschema applies routes_subschemas.lua: per protocol family,
// which matching attributes are forbidden and which are required.
func checkRouteSubschema(doc schema.Doc, errs schema.Errors) {
	protos := stringList(doc["protocols"])
	forbid := func(field, msg string) {
		if !isEmpty(doc[field]) && !errs.Has(field) {
			errs[field] = msg
		}
	}
	atLeast := func(fields []string, msg string) {
		for _, f := range fields {
			if !isEmpty(doc[f]) {
				return
			}
		}
		q := make([]string, len(fields))
		for i, f := range fields {
			q[i] = "'" + f + "'"
		}
		errs.AddEntity(strings.Replace(msg, "%s", strings.Join(q, ", "), 1))
	}
	switch routeFamily(doc) {
	case "http":
		forbid("sources", "cannot set 'sources' when 'protocols' is 'http' or 'https'")
		forbid("destinations", "cannot set 'destinations' when 'protocols' is 'http' or 'https'")
		if contains(protos, "https") {
			atLeast([]string{"methods", "hosts", "headers", "paths", "snis"}, "must set one of %s when 'protocols' is 'https'")
		} else if contains(protos, "http") {
			atLeast([]string{"methods", "hosts", "headers", "paths"}, "must set one of %s when 'protocols' is 'http'")
		}
	case "grpc":
		if b, _ := doc["strip_path"].(bool); b {
			errs["strip_path"] = "cannot set 'strip_path' when 'protocols' is 'grpc' or 'grpcs'"
		}
		forbid("methods", "cannot set 'methods' when 'protocols' is 'grpc' or 'grpcs'")
		forbid("sources", "cannot set 'sources' when 'protocols' is 'grpc' or 'grpcs'")
		forbid("destinations", "cannot set 'destinations' when 'protocols' is 'grpc' or 'grpcs'")
		if contains(protos, "grpcs") {
			atLeast([]string{"hosts", "headers", "paths", "snis"}, "must set one of %s when 'protocols' is 'grpcs'")
		} else {
			atLeast([]string{"hosts", "headers", "paths"}, "must set one of %s when 'protocols' is 'grpc'")
		}
	case "stream":
		const tail = " when 'protocols' is 'tcp', 'tls', 'tls_passthrough' or 'udp'"
		for _, f := range []string{"methods", "hosts", "paths", "headers"} {
			forbid(f, "cannot set '"+f+"'"+tail)
		}
		if contains(protos, "tls_passthrough") {
			atLeast([]string{"snis"}, "must set snis when 'protocols' is 'tls_passthrough'")
		} else {
			atLeast([]string{"sources", "destinations", "snis"}, "must set one of %s when 'protocols' is 'tcp', 'tls' or 'udp'")
		}
	}
}

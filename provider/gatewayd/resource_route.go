package gatewayd

import "github.com/hashicorp/terraform-plugin-framework/resource"

func endpointField(name, desc string) field {
	return field{attr: name, kind: kObjectSet, desc: desc, fields: []field{
		{attr: "ip", kind: kString, desc: "An IP address or CIDR block, such as 192.168.1.1 or 192.168.0.0/16."},
		{attr: "port", kind: kInt, between: rng(0, 65535), desc: "A port number between 0 and 65535, inclusive."},
	}}
}

var routeDef = &entityDef{
	typeName:   "route",
	title:      "route",
	collection: "routes",
	desc: "A route: rules matching client requests to a service (Admin API `/routes`). An http route sets at least " +
		"one of `methods`, `hosts`, `headers` and `paths`; a stream (tcp, tls, udp) route sets `sources`, " +
		"`destinations` or `snis`.",
	importHint: "terraform import gatewayd_route.<name> <id or name>",
	importDoc:  "Import ids: the route's `id` or its `name`.",
	fields: []field{
		idField(),
		createdAtField(),
		updatedAtField(),
		{attr: "name", kind: kString, pattern: utf8NamePattern, patternMsg: utf8NameMsg,
			desc: "The name of the Route: a unique string of alphanumerics and `. - _ ~` (or non-ASCII UTF-8)."},
		{attr: "service_id", api: "service", kind: kForeign,
			desc: "Id of the Service this Route is associated to. This is where the Route proxies traffic to. A route without a service answers 503."},
		{attr: "protocols", kind: kStringSet, def: []any{"http", "https"}, oneOf: protocols, minItems: 1,
			desc: "An array of the protocols this Route should allow. http and https; tcp, tls and udp; tls_passthrough; grpc and grpcs are mutually exclusive groups."},
		{attr: "methods", kind: kStringSet, pattern: `^[A-Z]+$`, patternMsg: "an uppercase HTTP method",
			desc: "A list of HTTP methods that match this Route."},
		{attr: "hosts", kind: kStringList,
			desc: "A list of domain names that match this Route. Note that the hosts value is case sensitive. One wildcard is allowed at the leftmost or rightmost label."},
		{attr: "paths", kind: kStringList, pattern: `^~?/`, patternMsg: "should start with: / (fixed path) or ~/ (regex path)",
			desc: "A list of paths that match this Route: prefixes starting with `/`, or regular expressions starting with `~/`."},
		{attr: "headers", kind: kHeaderMap,
			desc: "One or more lists of values indexed by header name that will cause this Route to match if present in the request. The Host header can not be used here: use `hosts`."},
		{attr: "https_redirect_status_code", kind: kInt, def: 426.0, intOneOf: []int64{426, 301, 302, 307, 308},
			desc: "The status code the gateway responds with when all properties of a Route match except the protocol."},
		{attr: "regex_priority", kind: kInt, def: 0.0,
			desc: "A number used to choose which route resolves a given request when several routes match it using regexes simultaneously."},
		{attr: "strip_path", kind: kBool, computed: true, dependsOn: []string{"protocols"},
			desc: "When matching a Route via one of the paths, strip the matching prefix from the upstream request URL. The gateway defaults it to true, and to false for grpc and grpcs routes (which may not set it)."},
		{attr: "path_handling", kind: kString, def: "v0", oneOf: []string{"v0", "v1"},
			desc: "Controls how the Service path, Route path and requested path are combined when sending a request to the upstream."},
		{attr: "preserve_host", kind: kBool, def: false,
			desc: "When matching a Route via one of the hosts domain names, use the request Host header in the upstream request headers."},
		{attr: "request_buffering", kind: kBool, def: true,
			desc: "Whether to enable request body buffering or not. With HTTP 1.1."},
		{attr: "response_buffering", kind: kBool, def: true, desc: "Whether to enable response body buffering or not."},
		{attr: "snis", kind: kStringSet,
			desc: "A list of SNIs that match this Route. Only with protocols grpcs, https, tls or tls_passthrough."},
		endpointField("sources", "A list of IP sources of incoming connections that match this Route when using stream routing. Each entry sets ip, port or both."),
		endpointField("destinations", "A list of IP destinations of incoming connections that match this Route when using stream routing. Each entry sets ip, port or both."),
		tagsField(),
	},
}

// NewRouteResource is gatewayd_route.
func NewRouteResource() resource.Resource { return &entityResource{def: routeDef} }

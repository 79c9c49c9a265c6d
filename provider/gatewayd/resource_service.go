package gatewayd

import "github.com/hashicorp/terraform-plugin-framework/resource"

func timeoutField(name, what string) field {
	return field{attr: name, kind: kInt, def: 60000.0, between: rng(1, 2147483646),
		desc: "The timeout in milliseconds for " + what + " the upstream server."}
}

var serviceDef = &entityDef{
	typeName:   "service",
	title:      "service",
	collection: "services",
	desc: "A service: the upstream API routes proxy to (Admin API `/services`). Fields the gateway defaults " +
		"(`protocol`, `port`, `retries`, the timeouts, `enabled`) are planned with those defaults, so an apply is " +
		"followed by an empty plan.",
	importHint: "terraform import gatewayd_service.<name> <id or name>",
	importDoc:  "Import ids: the service's `id` or its `name`.",
	fields: []field{
		idField(),
		createdAtField(),
		updatedAtField(),
		{attr: "name", kind: kString, pattern: utf8NamePattern, patternMsg: utf8NameMsg,
			desc: "The service name: a unique string of alphanumerics and `. - _ ~` (or non-ASCII UTF-8)."},
		{attr: "retries", kind: kInt, def: 5.0, between: rng(0, 32767),
			desc: "The number of retries to execute upon failure to proxy."},
		{attr: "protocol", kind: kString, def: "http", oneOf: protocols,
			desc: "The protocol used to communicate with the upstream."},
		{attr: "host", kind: kString, required: true,
			desc: "The host of the upstream server (a hostname, an IP address or the name of a `gatewayd_upstream`). Note that the host value is case sensitive."},
		{attr: "port", kind: kInt, def: 80.0, between: rng(0, 65535), desc: "The upstream server port."},
		{attr: "path", kind: kString, pattern: `^/`, patternMsg: "should start with: /",
			desc: "The path to be used in requests to the upstream server. Must be null for tcp, tls, udp, grpc and grpcs services."},
		timeoutField("connect_timeout", "establishing a connection to"),
		timeoutField("write_timeout", "two successive write operations when transmitting a request to"),
		timeoutField("read_timeout", "two successive read operations when reading a response from"),
		tagsField(),
		{attr: "client_certificate_id", api: "client_certificate", kind: kForeign,
			desc: "Id of the certificate (`gatewayd_certificate`) used as client certificate while TLS handshaking to the upstream server. Only with protocol https or tls."},
		{attr: "tls_verify", kind: kBool,
			desc: "Whether to enable verification of upstream server TLS certificate. When null, the gateway-wide setting applies. Only with protocol https or tls."},
		{attr: "tls_verify_depth", kind: kInt, between: rng(0, 64),
			desc: "Maximum depth of chain while verifying Upstream server's TLS certificate. Only with protocol https or tls."},
		{attr: "ca_certificates", kind: kStringList,
			desc: "Array of CA Certificate object UUIDs (`gatewayd_ca_certificate` ids) that are used to build the trust store while verifying upstream server's TLS certificate. Only with protocol https or tls."},
		{attr: "enabled", kind: kBool, def: true,
			desc: "Whether the Service is active. When false, its routes are ignored by the router."},
	},
}

// NewServiceResource is gatewayd_service.
func NewServiceResource() resource.Resource { return &entityResource{def: serviceDef} }

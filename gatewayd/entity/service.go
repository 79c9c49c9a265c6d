package entity

import (
	"net/url"
	"strconv"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// Protocols are every protocol Kong knows, in Kong's order.
var Protocols = []string{"grpc", "grpcs", "http", "https", "tcp", "tls", "tls_passthrough", "udp"}

// Services is the upstream API a route proxies to (kong/db/schema/entities/services.lua).
func Services() *schema.Entity {
	protocol := &schema.Field{Name: "protocol", Kind: schema.String, Required: true, Default: "http",
		OneOf: anyStrings(Protocols), Description: "The protocol used to communicate with the upstream."}
	notTLS := func(name string) *schema.Conditional {
		return &schema.Conditional{
			IfField: "protocol", If: &schema.Field{Kind: schema.String, Custom: notOneOf("https", "tls")},
			ThenField: name, Then: &schema.Field{Kind: schema.JSON, EqNull: true},
			Desc: map[string]any{"if_field": "protocol", "if_match": map[string]any{"not_one_of": schema.Strings("https", "tls")},
				"then_field": name, "then_match": map[string]any{"eq": nil}},
		}
	}
	e := &schema.Entity{
		Name:        "services",
		EndpointKey: "name",
		Fields: []*schema.Field{
			schema.ID(),
			schema.CreatedAt(),
			schema.UpdatedAt(),
			schema.UTF8Name("name"),
			{Name: "retries", Kind: schema.Integer, Default: 5.0, Between: &schema.Range{Min: 0, Max: 32767},
				Description: "The number of retries to execute upon failure to proxy."},
			protocol,
			withDesc(withRequired(schema.Host("host")), "The host of the upstream server. Note that the host value is case sensitive."),
			withDesc(withDefault(withRequired(schema.Port("port")), 80.0), "The upstream server port."),
			withDesc(schema.Path("path"), "The path to be used in requests to the upstream server."),
			schema.Timeout("connect_timeout"),
			schema.Timeout("write_timeout"),
			schema.Timeout("read_timeout"),
			schema.Tags(),
			{Name: "client_certificate", Kind: schema.Foreign, Reference: "certificates",
				Description: "Certificate to be used as client certificate while TLS handshaking to the upstream server."},
			{Name: "tls_verify", Kind: schema.Boolean, Description: "Whether to enable verification of upstream server TLS certificate."},
			{Name: "tls_verify_depth", Kind: schema.Integer, Between: &schema.Range{Min: 0, Max: 64},
				Description: "Maximum depth of chain while verifying Upstream server's TLS certificate."},
			{Name: "ca_certificates", Kind: schema.Array, Elements: &schema.Field{Kind: schema.String, UUID: true},
				Description: "Array of CA Certificate object UUIDs that are used to build the trust store while verifying upstream server's TLS certificate."},
			{Name: "enabled", Kind: schema.Boolean, Required: true, Default: true,
				Description: "Whether the Service is active."},
		},
		Checks: []schema.Check{
			&schema.Conditional{
				IfField: "protocol", If: &schema.Field{Kind: schema.String, OneOf: anyStrings([]string{"tcp", "tls", "udp", "grpc", "grpcs"})},
				ThenField: "path", Then: &schema.Field{Kind: schema.JSON, EqNull: true},
				Desc: map[string]any{"if_field": "protocol", "if_match": map[string]any{"one_of": schema.Strings("tcp", "tls", "udp", "grpc", "grpcs")},
					"then_field": "path", "then_match": map[string]any{"eq": nil}},
			},
			notTLS("client_certificate"),
			notTLS("tls_verify"),
			notTLS("tls_verify_depth"),
			notTLS("ca_certificates"),
		},
		Shorthands: []schema.Shorthand{{
			Field:  &schema.Field{Name: "url", Kind: schema.String},
			Expand: expandServiceURL,
		}},
	}
	return e
}

// expandServiceURL applies Kong's url shorthand: protocol, host, port and
// path come from the URL (path null when the URL has none).
func expandServiceURL(v any, doc schema.Doc) {
	u, err := url.Parse(v.(string))
	if err != nil {
		// socket.url never fails; an unparsable string becomes a path.
		u = &url.URL{Path: v.(string)}
	}
	port := -1
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err == nil {
			port = n
		}
	}
	protocol := u.Scheme
	if protocol == "" {
		switch port {
		case 443:
			protocol = "https"
		default:
			protocol = "http"
		}
	}
	doc["protocol"] = protocol
	if h := u.Hostname(); h != "" {
		doc["host"] = h
	} else {
		doc["host"] = nil
	}
	switch {
	case port >= 0:
		doc["port"] = float64(port)
	case protocol == "https":
		doc["port"] = 443.0
	default:
		doc["port"] = 80.0
	}
	if p := u.EscapedPath(); p != "" {
		doc["path"] = p
	} else if u.Opaque != "" {
		doc["path"] = u.Opaque
	} else {
		doc["path"] = nil
	}
}

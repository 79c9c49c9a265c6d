package entity

import (
	"strconv"
	"strings"

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

// expandServiceURL applies Kong's url shorthand (kong/db/schema/entities/
// services.lua): the url is parsed like LuaSocket's socket.url.parse; the
// protocol is the scheme, else https for port 443, else http; the port is
// the explicit one (left as a string when it is not a number, so validation
// reports it), else 80/443 for http/https, else 80; host and path are null
// when the url has none.
func expandServiceURL(v any, doc schema.Doc) {
	u, ok := parseSocketURL(v.(string))
	if !ok {
		return
	}
	var port any
	if u.hasPort {
		if n, err := strconv.Atoi(u.port); err == nil {
			port = float64(n)
		} else {
			port = u.port
		}
	}
	protocol := u.scheme
	if protocol == "" {
		switch port {
		case 80.0:
			protocol = "http"
		case 443.0:
			protocol = "https"
		default:
			protocol = "http"
		}
	}
	if port == nil {
		port = 80.0
		if protocol == "https" {
			port = 443.0
		}
	}
	doc["protocol"] = protocol
	doc["port"] = port
	doc["host"] = nil
	if u.host != "" {
		doc["host"] = u.host
	}
	doc["path"] = nil
	if u.path != "" {
		doc["path"] = u.path
	}
}

// socketURL holds the parts of a URL as socket.url.parse splits it.
type socketURL struct {
	scheme, host, port, path string
	hasPort                  bool
}

// parseSocketURL mirrors LuaSocket's url.parse: scheme, "//authority",
// fragment, query and params are cut off in that order and the rest is
// the path (kept as written, not unescaped); the authority loses its
// userinfo and its ":port", and an IPv6 host its brackets. An empty url
// does not parse.
func parseSocketURL(s string) (socketURL, bool) {
	var u socketURL
	if s == "" {
		return u, false
	}
	// scheme: ^([%w][%w%+%-%.]*)%:
	if i := strings.IndexByte(s, ':'); i > 0 {
		ok := isAlnum(s[0])
		for j := 1; ok && j < i; j++ {
			c := s[j]
			ok = isAlnum(c) || c == '+' || c == '-' || c == '.'
		}
		if ok {
			u.scheme, s = s[:i], s[i+1:]
		}
	}
	var authority string
	hasAuthority := false
	if strings.HasPrefix(s, "//") {
		rest := s[2:]
		end := strings.IndexByte(rest, '/')
		if end < 0 {
			end = len(rest)
		}
		authority, s, hasAuthority = rest[:end], rest[end:], true
	}
	if i := strings.IndexByte(s, '#'); i >= 0 {
		s = s[:i]
	}
	if i := strings.IndexByte(s, '?'); i >= 0 {
		s = s[:i]
	}
	if i := strings.IndexByte(s, ';'); i >= 0 {
		s = s[:i]
	}
	u.path = s
	if !hasAuthority {
		return u, true
	}
	if i := strings.IndexByte(authority, '@'); i >= 0 {
		authority = authority[i+1:]
	}
	// port: :([^:%]]*)$
	if i := strings.LastIndexByte(authority, ':'); i >= 0 && !strings.Contains(authority[i+1:], "]") {
		u.port, u.hasPort, authority = authority[i+1:], true, authority[:i]
	}
	if strings.HasPrefix(authority, "[") && strings.HasSuffix(authority, "]") && len(authority) > 2 {
		authority = authority[1 : len(authority)-1]
	}
	u.host = authority
	return u, true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

package tcplog

import "github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"

const msgLuaUnsupported = "custom_fields_by_lua is not supported: gatewayd does not run Lua code; leave it null or empty"

// configFields is tcp-log's config record (kong/plugins/tcp-log/
// schema.lua, Kong 3.9).
func configFields() []*schema.Field {
	host := schema.Host("host")
	host.Required = true
	host.Description = "The IP address or host name to send data to."
	port := schema.Port("port")
	port.Required = true
	port.Description = "The port to send data to on the upstream server."
	return []*schema.Field{
		host,
		port,
		{Name: "timeout", Kind: schema.Number, Default: 10000.0,
			Description: "An optional timeout in milliseconds when sending data to the upstream server."},
		{Name: "keepalive", Kind: schema.Number, Default: 60000.0,
			Description: "An optional value in milliseconds that defines how long an idle connection lives before " +
				"being closed."},
		{Name: "tls", Kind: schema.Boolean, Required: true, Default: false,
			Description: "Indicates whether to perform a TLS handshake against the remote server."},
		{Name: "tls_sni", Kind: schema.String,
			Description: "An optional string that defines the SNI (Server Name Indication) hostname to send in the " +
				"TLS handshake."},
		{Name: "custom_fields_by_lua", Kind: schema.Map,
			Keys:   &schema.Field{Kind: schema.String, LenMin: 1},
			Values: &schema.Field{Kind: schema.String, LenMin: 1},
			Custom: func(v any) string {
				if m, ok := v.(map[string]any); ok && len(m) > 0 {
					return msgLuaUnsupported
				}
				return ""
			},
			Description: "Lua code computing extra log fields, in Kong. gatewayd runs no Lua: the field is accepted " +
				"only when null or empty."},
	}
}

package iprestriction

import "github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"

// protocols is Kong's default for ip-restriction: HTTP and stream.
var protocols = []string{"http", "https", "tcp", "tls", "grpc", "grpcs"}

var configFields = []*schema.Field{
	{Name: "allow", Kind: schema.Array, Elements: schema.IPOrCIDR(""),
		Description: "List of IPs or CIDR ranges to allow. One of `config.allow` or `config.deny` must be specified."},
	{Name: "deny", Kind: schema.Array, Elements: schema.IPOrCIDR(""),
		Description: "List of IPs or CIDR ranges to deny. One of `config.allow` or `config.deny` must be specified."},
	{Name: "status", Kind: schema.Number,
		Description: "The HTTP status of the requests that will be rejected by the plugin. Defaults to 403 when null."},
	{Name: "message", Kind: schema.String,
		Description: "The message to send as a response body to rejected requests. Defaults to `IP address not allowed: <client ip>` when null."},
}

var checks = []schema.Check{schema.AtLeastOneOf{"config.allow", "config.deny"}}

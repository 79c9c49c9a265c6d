package requestsizelimiting

import "github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"

// sizeUnits and their multipliers (powers of 1024, as in Kong).
var sizeUnits = []any{"megabytes", "kilobytes", "bytes"}

var unitFactor = map[string]float64{"bytes": 1, "kilobytes": 1024, "megabytes": 1048576}

var configFields = []*schema.Field{
	{Name: "allowed_payload_size", Kind: schema.Integer, Default: 128.0,
		Description: "Allowed request payload size in megabytes. Default is `128` megabytes (128000000 bytes)."},
	{Name: "size_unit", Kind: schema.String, Required: true, Default: "megabytes", OneOf: sizeUnits,
		Description: "Size unit can be set either in `bytes`, `kilobytes`, or `megabytes` (default). This configuration is not available in versions prior to Kong Gateway 1.3 and Kong Gateway (OSS) 2.0."},
	{Name: "require_content_length", Kind: schema.Boolean, Required: true, Default: false,
		Description: "Set to `true` to ensure a valid `Content-Length` header exists before reading the request body."},
}

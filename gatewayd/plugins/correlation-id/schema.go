package correlationid

import "github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"

func configFields() []*schema.Field {
	return []*schema.Field{
		{Name: "header_name", Kind: schema.String, Default: "Kong-Request-ID",
			Description: "The HTTP header name to use for the correlation ID."},
		{Name: "generator", Kind: schema.String, Required: true, Default: "uuid#counter",
			OneOf: schema.Strings("uuid", "uuid#counter", "tracker"),
			Description: "The generator to use for the correlation ID. Accepted values are `uuid`, `uuid#counter`, and `tracker`. " +
				"`uuid` is a random UUID per request; `uuid#counter` is one UUID per gateway process followed by `#` and a counter; " +
				"`tracker` is `<server address>-<server port>-<pid>-<connection>-<connection requests>-<timestamp>`."},
		{Name: "echo_downstream", Kind: schema.Boolean, Required: true, Default: false,
			Description: "Whether to echo the header back to downstream (the client)."},
	}
}

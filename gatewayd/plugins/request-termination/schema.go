package requesttermination

import (
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

func configFields() []*schema.Field {
	trigger := schema.HeaderName("trigger")
	trigger.Description = "A string representing an HTTP header name. When set, the plugin only activates when the request " +
		"carries a header or a query argument of that name; other requests pass through untouched."
	return []*schema.Field{
		{Name: "status_code", Kind: schema.Integer, Required: true, Default: 503.0, Between: &schema.Range{Min: 100, Max: 599},
			Description: "The response code to send. Must be an integer between 100 and 599."},
		{Name: "message", Kind: schema.String,
			Description: "The message to send, if using the default response generator."},
		{Name: "content_type", Kind: schema.String,
			Description: "Content type of the raw response configured with `config.body`."},
		{Name: "body", Kind: schema.String,
			Description: "The raw response body to send. This is mutually exclusive with the `config.message` field."},
		{Name: "echo", Kind: schema.Boolean, Required: true, Default: false,
			Description: "When set, the plugin will echo a copy of the request back to the client. The main usecase for this is " +
				"debugging. It can be combined with `trigger` in order to debug requests on live systems without disturbing real traffic."},
		trigger,
	}
}

// configCheck is the config record's custom_validator in Kong's schema:
// its message becomes the error of the whole "config" field.
type configCheck struct{}

func (configCheck) Fields() []string { return []string{"config"} }

func (configCheck) Validate(doc schema.Doc, errs schema.Errors) {
	cfg, _ := doc["config"].(map[string]any)
	if cfg == nil {
		return
	}
	if msg := validateConfig(cfg); msg != "" {
		errs["config"] = msg
	}
}

// Describe is nil: Kong's /schemas does not render custom validators.
func (configCheck) Describe() map[string]any { return nil }

func isPresent(v any) bool {
	s, ok := v.(string)
	return ok && s != ""
}

func validateConfig(cfg map[string]any) string {
	message, contentType, body := isPresent(cfg["message"]), isPresent(cfg["content_type"]), isPresent(cfg["body"])
	switch {
	case message && (contentType || body):
		return "message cannot be used with content_type or body"
	case contentType && !body:
		return "content_type requires a body"
	case cfg["echo"] == true && (contentType || body):
		return "echo cannot be used with content_type and body"
	}
	return ""
}

package entity

import (
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// PluginInfo is what the plugins entity needs to know about one loaded
// plugin; the plugin registry provides it.
type PluginInfo struct {
	// Config is the plugin's config record schema.
	Config *schema.Field
	// Protocols is the default of the plugin's protocols field.
	Protocols []string
	// NoConsumer, NoRoute, NoService forbid scoping to that entity.
	NoConsumer, NoRoute, NoService bool
	// Checks are the plugin schema's entity checks (Kong's plugin
	// entity_checks), run against the whole plugin entity, so their field
	// paths start with "config." and their errors land under "@entity".
	Checks []schema.Check
}

// pluginChecks runs the entity checks of the plugin a document names.
type pluginChecks struct {
	info func(doc schema.Doc) (PluginInfo, bool)
}

func (pluginChecks) Fields() []string { return nil }
func (c pluginChecks) Validate(doc schema.Doc, errs schema.Errors) {
	if i, ok := c.info(doc); ok {
		schema.RunChecks(i.Checks, doc, errs)
	}
}
func (pluginChecks) Describe() map[string]any { return nil }

// PluginLookup returns the info of a loaded plugin.
type PluginLookup func(name string) (PluginInfo, bool)

// HTTPProtocols is the default protocols set of HTTP plugins (sorted
// http-subsystem protocols, as typedefs.protocols_http).
var HTTPProtocols = []string{"grpc", "grpcs", "http", "https"}

// Plugins declares the plugins entity; config is validated with the named
// plugin's own schema.
func Plugins(lookup PluginLookup) *schema.Entity {
	info := func(doc schema.Doc) (PluginInfo, bool) {
		name, _ := doc["name"].(string)
		return lookup(name)
	}
	return &schema.Entity{
		Name:        "plugins",
		EndpointKey: "instance_name",
		CacheKey:    []string{"name", "route", "service", "consumer"},
		Fields: []*schema.Field{
			schema.ID(),
			{Name: "name", Kind: schema.String, Required: true, Description: "The name of the Plugin that's going to be added.",
				Custom: func(v any) string {
					if _, ok := lookup(v.(string)); !ok {
						return "plugin '" + v.(string) + "' not enabled; add it to the 'plugins' configuration property"
					}
					return ""
				}},
			named(schema.UTF8Name("instance_name"), "instance_name"),
			schema.CreatedAt(),
			schema.UpdatedAt(),
			{Name: "route", Kind: schema.Foreign, Reference: "routes", OnDelete: "cascade",
				Description: "If set, the plugin will only activate when receiving requests via the specified route."},
			{Name: "service", Kind: schema.Foreign, Reference: "services", OnDelete: "cascade",
				Description: "If set, the plugin will only activate when receiving requests via one of the routes belonging to the specified Service."},
			{Name: "consumer", Kind: schema.Foreign, Reference: "consumers", OnDelete: "cascade",
				Description: "If set, the plugin will activate only for requests where the specified has been authenticated."},
			{Name: "config", Kind: schema.Record, Required: true,
				Dynamic: func(parent schema.Doc) *schema.Field {
					if i, ok := info(parent); ok {
						return i.Config
					}
					return nil
				},
				Description: "The configuration properties for the Plugin which can be found on the plugins documentation page in the Kong Hub."},
			{Name: "protocols", Kind: schema.Set, Required: true, Default: schema.Strings(HTTPProtocols...),
				Elements:    &schema.Field{Kind: schema.String, OneOf: anyStrings(Protocols)},
				Description: "A list of the request protocols that will trigger this plugin."},
			{Name: "enabled", Kind: schema.Boolean, Required: true, Default: true, Description: "Whether the plugin is applied."},
			schema.Tags(),
		},
		Checks: []schema.Check{&schema.CustomCheck{
			// The plugin's own field definitions (no_consumer, its
			// protocols), checked whatever else failed.
			RunWithInvalidFields: true,
			Reads:                []string{"name", "route", "service", "consumer", "protocols"},
			Fn: func(doc schema.Doc, errs schema.Errors) {
				i, ok := info(doc)
				if !ok {
					return
				}
				for _, rule := range []struct {
					forbid bool
					field  string
				}{{i.NoConsumer, "consumer"}, {i.NoRoute, "route"}, {i.NoService, "service"}} {
					if rule.forbid && doc[rule.field] != nil && !errs.Has(rule.field) {
						errs[rule.field] = "value must be null"
					}
				}
				if len(i.Protocols) > 0 && !errs.Has("protocols") {
					for idx, p := range stringList(doc["protocols"]) {
						if !contains(i.Protocols, p) {
							list := make([]any, idx+1)
							list[idx] = "expected one of: " + joinComma(i.Protocols)
							errs["protocols"] = list
							return
						}
					}
				}
			},
		}, pluginChecks{info: info}},
		Normalize: func(doc, input schema.Doc, op schema.Op) {
			if _, given := input["protocols"]; given || op == schema.Update {
				return
			}
			if i, ok := info(doc); ok && len(i.Protocols) > 0 {
				doc["protocols"] = schema.Strings(i.Protocols...)
			}
		},
	}
}

func joinComma(list []string) string {
	out := ""
	for i, s := range list {
		if i > 0 {
			out += ", "
		}
		out += s
	}
	return out
}

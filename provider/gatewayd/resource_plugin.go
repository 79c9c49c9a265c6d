package gatewayd

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-jsontypes/jsontypes"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
)

func pluginFields() []field {
	return []field{
		idField(),
		createdAtField(),
		updatedAtField(),
		{attr: "name", kind: kString, required: true, replace: true,
			desc: "The name of the Plugin that's going to be added (`rate-limiting`, `key-auth`, ...). It must be enabled on the gateway. Changing it replaces the plugin."},
		{attr: "instance_name", kind: kString, pattern: utf8NamePattern, patternMsg: utf8NameMsg,
			desc: "A unique name for this plugin instance, usable in place of its id in Admin API URLs."},
		{attr: "service_id", api: "service", kind: kForeign,
			desc: "If set, the plugin will only activate when receiving requests via one of the routes belonging to the specified Service (`gatewayd_service` id)."},
		{attr: "route_id", api: "route", kind: kForeign,
			desc: "If set, the plugin will only activate when receiving requests via the specified route (`gatewayd_route` id)."},
		{attr: "consumer_id", api: "consumer", kind: kForeign,
			desc: "If set, the plugin will activate only for requests where the specified consumer (`gatewayd_consumer` id) has been authenticated. Authentication plugins can not be scoped to a consumer."},
		{attr: "protocols", kind: kStringSet, computed: true, oneOf: protocols, minItems: 1,
			desc: "A list of the request protocols that will trigger this plugin. The default depends on the plugin (grpc, grpcs, http and https for most)."},
		{attr: "enabled", kind: kBool, def: true, desc: "Whether the plugin is applied."},
		tagsField(),
	}
}

var pluginDef = &entityDef{
	typeName:   "plugin",
	title:      "plugin",
	collection: "plugins",
	desc: "A plugin instance: global, or scoped to a service, a route, a consumer or a combination (Admin API " +
		"`/plugins`). Its configuration is `config_json`, a JSON object holding only the keys you want to set: " +
		"keys the gateway fills with defaults are never drift, changing one key plans a one-key change, and a key " +
		"changed outside Terraform shows up in the plan as exactly that key. The `gatewayd_plugin` data source shows " +
		"the whole configuration the gateway runs with; `gatewayd_plugin_schema` lists the fields and their defaults.",
	importHint: "terraform import gatewayd_plugin.<name> <id or instance_name>",
	importDoc: "Import ids: the plugin's `id` or its `instance_name`. After an import, `config_json` holds the keys " +
		"whose values differ from the plugin's defaults.",
	fields:         pluginFields(),
	replaceWithPut: true,
	extraAttrs: func() map[string]schema.Attribute {
		return map[string]schema.Attribute{
			"config_json": schema.StringAttribute{Optional: true, CustomType: jsontypes.NormalizedType{},
				Validators: []validator.String{jsonObjectValidator{}},
				Description: "The plugin configuration as a JSON object (use `jsonencode({...})`), with only the keys to " +
					"set; every other key keeps the plugin's default. The comparison with the gateway's configuration is " +
					"the shared one of gatewayd/api: only keys set here count, sets ignore order. Unset means all defaults."},
		}
	},
	errorPath: func(parts []string) (path.Path, string, bool) {
		if parts[0] == "config" {
			return path.Root("config_json"), "config_json", true
		}
		return path.Empty(), "", false
	},
	toBody: func(ctx context.Context, _ *providerData, plan, _, _ map[string]attr.Value, body api.Entity) diag.Diagnostics {
		var diags diag.Diagnostics
		cfg := map[string]any{}
		if s := str(plan["config_json"]); s != "" {
			if err := json.Unmarshal([]byte(s), &cfg); err != nil {
				diags.AddAttributeError(path.Root("config_json"), "Invalid config_json", err.Error())
			}
		}
		body["config"] = cfg
		return diags
	},
	toState: pluginState,
}

// NewPluginResource is gatewayd_plugin.
func NewPluginResource() resource.Resource { return &entityResource{def: pluginDef} }

// pluginState fills config_json. After a write,
// config_json stays as planned. On Read it is compared with the gateway's
// configuration through api.Compare with the plugin's schema: when the
// keys the user set still hold, the user's text stays (formatting
// included); keys that differ take the gateway's values, so the plan
// shows exactly those keys. Without a config_json (unset, or just
// imported) it holds the keys that differ from the plugin's defaults.
func pluginState(ctx context.Context, pd *providerData, e api.Entity, prior, out map[string]attr.Value, read bool) diag.Diagnostics {
	var diags diag.Diagnostics
	server, _ := e["config"].(map[string]any)
	pc := prior["config_json"]
	if !read {
		if pc == nil || pc.IsUnknown() {
			pc = jsontypes.NewNormalizedNull()
		}
		out["config_json"] = pc
		return diags
	}
	name, _ := e["name"].(string)
	sch, err := pd.pluginSchema(ctx, name)
	if err != nil {
		// Without the schema, Compare treats every array as ordered: still
		// correct, only stricter for sets.
		sch = nil
	}
	if pc == nil || pc.IsNull() || pc.IsUnknown() {
		nd := nonDefaultConfig(server, sch.Field("config"))
		if len(nd) == 0 {
			out["config_json"] = jsontypes.NewNormalizedNull()
		} else {
			out["config_json"] = jsontypes.NewNormalizedValue(canonicalJSON(nd))
		}
		return diags
	}
	var desired map[string]any
	if err := json.Unmarshal([]byte(str(pc)), &desired); err != nil {
		diags.AddAttributeError(path.Root("config_json"), "Invalid config_json in state", err.Error())
		return diags
	}
	changes := api.Compare(api.Entity{"config": desired}, api.Entity{"config": server}, sch)
	if len(changes) == 0 {
		out["config_json"] = pc
		return diags
	}
	for _, c := range changes {
		setPath(desired, strings.Split(strings.TrimPrefix(c.Path, "config."), "."), c.Current)
	}
	out["config_json"] = jsontypes.NewNormalizedValue(canonicalJSON(desired))
	return diags
}

// nonDefaultConfig keeps the keys of a plugin configuration whose values
// are not the schema's defaults (nested records included), judged by the
// same api.Compare the plan uses.
func nonDefaultConfig(cfg map[string]any, f *api.Field) map[string]any {
	out := map[string]any{}
	for k, v := range cfg {
		sub := f.Sub(k)
		if sub != nil && sub.Type == "record" {
			if m, ok := v.(map[string]any); ok {
				if nested := nonDefaultConfig(m, sub); len(nested) > 0 {
					out[k] = nested
				}
				continue
			}
		}
		var def any
		if sub != nil && sub.HasDefault {
			def = sub.Default
		}
		one := &api.Schema{}
		if sub != nil {
			one.Fields = []*api.Field{sub}
		}
		if len(api.Compare(api.Entity{k: def}, api.Entity{k: v}, one)) == 0 {
			continue
		}
		out[k] = v
	}
	return out
}

// setPath sets m[p0][p1]...[pn] = v, creating records on the way.
func setPath(m map[string]any, keys []string, v any) {
	for i, k := range keys {
		if i == len(keys)-1 {
			m[k] = v
			return
		}
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
}

// canonicalJSON renders JSON with sorted keys and no HTML escaping.
func canonicalJSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "null"
	}
	return strings.TrimSpace(b.String())
}

// jsonObjectValidator requires config_json to be a JSON object.
type jsonObjectValidator struct{}

func (jsonObjectValidator) Description(context.Context) string { return "value must be a JSON object" }
func (v jsonObjectValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (jsonObjectValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(req.ConfigValue.ValueString()), &m); err != nil || m == nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid config_json",
			"config_json must be a JSON object, such as jsonencode({ minute = 5 }).")
	}
}

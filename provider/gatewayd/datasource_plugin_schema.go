package gatewayd

import (
	"context"
	"fmt"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
)

// NewPluginSchemaDataSource is data.gatewayd_plugin_schema.
func NewPluginSchemaDataSource() datasource.DataSource { return &pluginSchemaDataSource{} }

type pluginSchemaDataSource struct {
	pd *providerData
}

type pluginSchemaModel struct {
	Name               types.String       `tfsdk:"name"`
	SchemaJSON         types.String       `tfsdk:"schema_json"`
	ConfigDefaultsJSON types.String       `tfsdk:"config_defaults_json"`
	Fields             []pluginFieldModel `tfsdk:"fields"`
}

type pluginFieldModel struct {
	Path        types.String `tfsdk:"path"`
	Type        types.String `tfsdk:"type"`
	Required    types.Bool   `tfsdk:"required"`
	DefaultJSON types.String `tfsdk:"default_json"`
	OneOf       []string     `tfsdk:"one_of"`
	Sensitive   types.Bool   `tfsdk:"sensitive"`
	Description types.String `tfsdk:"description"`
}

func (d *pluginSchemaDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_plugin_schema"
}

func (d *pluginSchemaDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Reads the configuration schema of a plugin enabled on the gateway (Admin API " +
			"`/schemas/plugins/{name}`): what `config_json` of a `gatewayd_plugin` accepts, with types and defaults.",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{Required: true, Description: "The plugin name, such as `rate-limiting`."},
			"schema_json": schema.StringAttribute{Computed: true,
				Description: "The plugin schema exactly as the Admin API serves it, as JSON."},
			"config_defaults_json": schema.StringAttribute{Computed: true,
				Description: "The configuration a plugin gets when `config_json` sets nothing: every default, as a JSON object."},
			"fields": schema.ListNestedAttribute{Computed: true,
				Description: "The configuration fields, records flattened into dotted paths (`redis.host`), sorted by path.",
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"path":         schema.StringAttribute{Computed: true, Description: "Dotted path of the field within config_json."},
					"type":         schema.StringAttribute{Computed: true, Description: "Schema type: string, integer, number, boolean, array, set, map, record, ..."},
					"required":     schema.BoolAttribute{Computed: true, Description: "Whether the field must have a value (a default counts)."},
					"default_json": schema.StringAttribute{Computed: true, Description: "The default value as JSON, null when there is none."},
					"one_of":       schema.ListAttribute{Computed: true, ElementType: types.StringType, Description: "The accepted values, when the field is an enumeration."},
					"sensitive":    schema.BoolAttribute{Computed: true, Description: "Whether the field holds a secret."},
					"description":  schema.StringAttribute{Computed: true, Description: "What the field does."},
				}},
			},
		},
	}
}

func (d *pluginSchemaDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if req.ProviderData == nil {
		return
	}
	pd, ok := req.ProviderData.(*providerData)
	if !ok {
		resp.Diagnostics.AddError("Unexpected provider data", fmt.Sprintf("got %T", req.ProviderData))
		return
	}
	d.pd = pd
}

func (d *pluginSchemaDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var m pluginSchemaModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var raw map[string]any
	err := d.pd.client.Do(ctx, "GET", "schemas/plugins/"+api.Path(m.Name.ValueString()), nil, &raw)
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("name"), "Could not read the plugin schema", err.Error())
		return
	}
	s := api.ParseSchema(raw)
	cfg := s.Field("config")
	m.SchemaJSON = types.StringValue(canonicalJSON(raw))
	m.ConfigDefaultsJSON = types.StringValue(canonicalJSON(recordDefaults(cfg)))
	m.Fields = []pluginFieldModel{}
	if cfg != nil {
		flattenFields("", cfg.Fields, &m.Fields)
	}
	sort.Slice(m.Fields, func(i, j int) bool { return m.Fields[i].Path.ValueString() < m.Fields[j].Path.ValueString() })
	resp.Diagnostics.Append(resp.State.Set(ctx, &m)...)
}

// recordDefaults is the value a record takes when nothing is set.
func recordDefaults(f *api.Field) map[string]any {
	out := map[string]any{}
	if f == nil {
		return out
	}
	for _, sub := range f.Fields {
		switch {
		case sub.HasDefault:
			out[sub.Name] = sub.Default
		case sub.Type == "record":
			out[sub.Name] = recordDefaults(sub)
		default:
			out[sub.Name] = nil
		}
	}
	return out
}

func flattenFields(prefix string, fields []*api.Field, out *[]pluginFieldModel) {
	for _, f := range fields {
		p := prefix + f.Name
		def := types.StringNull()
		if f.HasDefault {
			def = types.StringValue(canonicalJSON(f.Default))
		}
		oneOf := []string{}
		for _, v := range f.OneOf {
			oneOf = append(oneOf, renderJSON(v))
		}
		*out = append(*out, pluginFieldModel{
			Path: types.StringValue(p), Type: types.StringValue(f.Type), Required: types.BoolValue(f.Required),
			DefaultJSON: def, OneOf: oneOf, Sensitive: types.BoolValue(f.Sensitive),
			Description: types.StringValue(f.Description),
		})
		if f.Type == "record" {
			flattenFields(p+".", f.Fields, out)
		}
	}
}

package gatewayd

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
)

// entityDataSource reads one entity by id or by one of its unique keys.
type entityDataSource struct {
	def  *entityDef
	desc string
	// lookups are the attributes that select the entity; exactly one is set.
	lookups []string
	// filters are optional inputs that narrow a lookup (a plugin's scope).
	filters []string
	// find resolves the entity when the lookup is not a plain
	// "<collection>/<id or endpoint key>" (a consumer's custom_id, a plugin
	// by name and scope). Nil means that plain GET.
	find func(ctx context.Context, c *api.Client, attr, value string, cfg map[string]attr.Value) (api.Entity, error)
	// extra adds attributes beyond the entity's fields, and fills them.
	extra     map[string]schema.Attribute
	fillExtra func(e api.Entity, out map[string]attr.Value)
	pd        *providerData
}

var (
	_ datasource.DataSource                     = (*entityDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*entityDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*entityDataSource)(nil)
)

func (d *entityDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + d.def.typeName
}

func (d *entityDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attrs := dataSourceAttributes(d.def.fields, d.lookups, d.filters)
	for k, v := range d.extra {
		attrs[k] = v
	}
	resp.Schema = schema.Schema{Description: d.desc, MarkdownDescription: d.desc, Attributes: attrs}
}

func (d *entityDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	exprs := make([]path.Expression, 0, len(d.lookups))
	for _, l := range d.lookups {
		exprs = append(exprs, path.MatchRoot(l))
	}
	if len(exprs) < 2 {
		return nil
	}
	return []datasource.ConfigValidator{datasourcevalidator.ExactlyOneOf(exprs...)}
}

func (d *entityDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
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

func (d *entityDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg types.Object
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	cv := cfg.Attributes()
	var by, value string
	for _, l := range d.lookups {
		if s := str(cv[l]); s != "" {
			by, value = l, s
			break
		}
	}
	if by == "" {
		resp.Diagnostics.AddError("Missing lookup", "Set one of: "+strings.Join(d.lookups, ", ")+".")
		return
	}
	var e api.Entity
	var err error
	if d.find != nil {
		e, err = d.find(ctx, d.pd.client, by, value, cv)
	} else {
		e, err = d.pd.client.Get(ctx, d.def.collection+"/"+api.Path(value))
	}
	if api.IsNotFound(err) || (err == nil && e == nil) {
		resp.Diagnostics.AddAttributeError(path.Root(by), "No such "+d.def.title,
			fmt.Sprintf("No %s has %s = %q.", d.def.title, by, value))
		return
	}
	if err != nil {
		resp.Diagnostics.Append(apiErrorDiagnostics("read", err, d.def)...)
		return
	}
	out := make(map[string]attr.Value, len(cv))
	for k, v := range cv {
		out[k] = v
	}
	for _, f := range d.def.fields {
		if _, ok := out[f.attr]; !ok {
			continue // secrets are not part of data sources
		}
		raw := e[f.apiName()]
		if f.kind == kForeign {
			raw = foreignIDValue(raw)
		}
		v, dd := valueFromJSON(ctx, f.attrType(), raw)
		resp.Diagnostics.Append(dd...)
		out[f.attr] = v
	}
	if d.fillExtra != nil {
		d.fillExtra(e, out)
	}
	if resp.Diagnostics.HasError() {
		return
	}
	obj, dd := types.ObjectValue(cfg.AttributeTypes(ctx), out)
	resp.Diagnostics.Append(dd...)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, obj)...)
}

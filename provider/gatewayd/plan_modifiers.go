package gatewayd

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// stateUnlessChanged plans the prior state for a value the server fills in
// (an auto-generated key, a default that depends on other fields) when the
// user did not configure it, so updates do not show it as "(known after
// apply)". When one of deps changes, the server may compute another value
// (a grpc route's strip_path, an upstream's algorithm once hash_on is set,
// a CA certificate's digest), so the value stays unknown.
type stateUnlessChanged struct {
	deps []string
}

func (m *stateUnlessChanged) Description(context.Context) string {
	if len(m.deps) == 0 {
		return "Keeps the prior state value when the attribute is not configured."
	}
	return "Keeps the prior state value when the attribute is not configured and none of " +
		strings.Join(m.deps, ", ") + " changes."
}

func (m *stateUnlessChanged) MarkdownDescription(ctx context.Context) string {
	return m.Description(ctx)
}

// keep reports whether the prior state value should be planned.
func (m *stateUnlessChanged) keep(ctx context.Context, config, plan, state attr.Value, p tfsdk.Plan, s tfsdk.State) bool {
	if state == nil || state.IsNull() || !plan.IsUnknown() || !config.IsNull() {
		return false
	}
	if s.Raw.IsNull() || p.Raw.IsNull() {
		return false
	}
	for _, dep := range m.deps {
		var pv, sv attr.Value
		if d := p.GetAttribute(ctx, path.Root(dep), &pv); d.HasError() {
			return false
		}
		if d := s.GetAttribute(ctx, path.Root(dep), &sv); d.HasError() {
			return false
		}
		if pv == nil || sv == nil || !pv.Equal(sv) {
			return false
		}
	}
	return true
}

func (m *stateUnlessChanged) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if m.keep(ctx, req.ConfigValue, req.PlanValue, req.StateValue, req.Plan, req.State) {
		resp.PlanValue = req.StateValue
	}
}

func (m *stateUnlessChanged) PlanModifyInt64(ctx context.Context, req planmodifier.Int64Request, resp *planmodifier.Int64Response) {
	if m.keep(ctx, req.ConfigValue, req.PlanValue, req.StateValue, req.Plan, req.State) {
		resp.PlanValue = req.StateValue
	}
}

func (m *stateUnlessChanged) PlanModifyFloat64(ctx context.Context, req planmodifier.Float64Request, resp *planmodifier.Float64Response) {
	if m.keep(ctx, req.ConfigValue, req.PlanValue, req.StateValue, req.Plan, req.State) {
		resp.PlanValue = req.StateValue
	}
}

func (m *stateUnlessChanged) PlanModifyBool(ctx context.Context, req planmodifier.BoolRequest, resp *planmodifier.BoolResponse) {
	if m.keep(ctx, req.ConfigValue, req.PlanValue, req.StateValue, req.Plan, req.State) {
		resp.PlanValue = req.StateValue
	}
}

func (m *stateUnlessChanged) PlanModifySet(ctx context.Context, req planmodifier.SetRequest, resp *planmodifier.SetResponse) {
	if m.keep(ctx, req.ConfigValue, req.PlanValue, req.StateValue, req.Plan, req.State) {
		resp.PlanValue = req.StateValue
	}
}

func (m *stateUnlessChanged) PlanModifyList(ctx context.Context, req planmodifier.ListRequest, resp *planmodifier.ListResponse) {
	if m.keep(ctx, req.ConfigValue, req.PlanValue, req.StateValue, req.Plan, req.State) {
		resp.PlanValue = req.StateValue
	}
}

func (m *stateUnlessChanged) PlanModifyMap(ctx context.Context, req planmodifier.MapRequest, resp *planmodifier.MapResponse) {
	if m.keep(ctx, req.ConfigValue, req.PlanValue, req.StateValue, req.Plan, req.State) {
		resp.PlanValue = req.StateValue
	}
}

func (m *stateUnlessChanged) PlanModifyObject(ctx context.Context, req planmodifier.ObjectRequest, resp *planmodifier.ObjectResponse) {
	if m.keep(ctx, req.ConfigValue, req.PlanValue, req.StateValue, req.Plan, req.State) {
		resp.PlanValue = req.StateValue
	}
}

// nullWhenWriteOnly plans null for a secret whose write-only variant is in
// use (its *_wo_version is set): the provider never stores it then.
type nullWhenWriteOnly struct {
	versionAttr string
}

func (m nullWhenWriteOnly) Description(context.Context) string {
	return "Plans null when " + m.versionAttr + " is set: the write-only variant is in use."
}

func (m nullWhenWriteOnly) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (m nullWhenWriteOnly) PlanModifyString(ctx context.Context, req planmodifier.StringRequest, resp *planmodifier.StringResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var ver attr.Value
	if d := req.Config.GetAttribute(ctx, path.Root(m.versionAttr), &ver); d.HasError() || ver == nil {
		return
	}
	if !ver.IsNull() && req.ConfigValue.IsNull() {
		resp.PlanValue = types.StringNull()
	}
}

package gatewayd

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// valueFromJSON converts an Admin API JSON value (string, float64, bool,
// []any, map[string]any, nil) into a Terraform value of type t. Object
// keys the type does not know are ignored; missing ones are null.
func valueFromJSON(ctx context.Context, t attr.Type, v any) (attr.Value, diag.Diagnostics) {
	var diags diag.Diagnostics
	switch tt := t.(type) {
	case basetypes.StringTypable:
		s := types.StringNull()
		switch x := v.(type) {
		case nil:
		case string:
			s = types.StringValue(x)
		default:
			s = types.StringValue(renderJSON(x))
		}
		return tt.ValueFromString(ctx, s)
	case basetypes.Int64Typable:
		if v == nil {
			return types.Int64Null(), nil
		}
		f, ok := v.(float64)
		if !ok {
			diags.AddError("Unexpected value from the Admin API", fmt.Sprintf("expected an integer, got %s", renderJSON(v)))
			return types.Int64Null(), diags
		}
		return types.Int64Value(int64(math.Round(f))), nil
	case basetypes.Float64Typable:
		if v == nil {
			return types.Float64Null(), nil
		}
		f, ok := v.(float64)
		if !ok {
			diags.AddError("Unexpected value from the Admin API", fmt.Sprintf("expected a number, got %s", renderJSON(v)))
			return types.Float64Null(), diags
		}
		return types.Float64Value(f), nil
	case basetypes.BoolTypable:
		if v == nil {
			return types.BoolNull(), nil
		}
		b, ok := v.(bool)
		if !ok {
			diags.AddError("Unexpected value from the Admin API", fmt.Sprintf("expected a boolean, got %s", renderJSON(v)))
			return types.BoolNull(), diags
		}
		return types.BoolValue(b), nil
	case types.SetType:
		if v == nil {
			return types.SetNull(tt.ElemType), nil
		}
		elems, d := elementsFromJSON(ctx, tt.ElemType, v)
		diags.Append(d...)
		if diags.HasError() {
			return types.SetNull(tt.ElemType), diags
		}
		val, d := types.SetValue(tt.ElemType, elems)
		diags.Append(d...)
		return val, diags
	case types.ListType:
		if v == nil {
			return types.ListNull(tt.ElemType), nil
		}
		elems, d := elementsFromJSON(ctx, tt.ElemType, v)
		diags.Append(d...)
		if diags.HasError() {
			return types.ListNull(tt.ElemType), diags
		}
		val, d := types.ListValue(tt.ElemType, elems)
		diags.Append(d...)
		return val, diags
	case types.MapType:
		m, ok := v.(map[string]any)
		if v == nil || !ok {
			return types.MapNull(tt.ElemType), nil
		}
		elems := make(map[string]attr.Value, len(m))
		for k, x := range m {
			ev, d := valueFromJSON(ctx, tt.ElemType, x)
			diags.Append(d...)
			elems[k] = ev
		}
		if diags.HasError() {
			return types.MapNull(tt.ElemType), diags
		}
		val, d := types.MapValue(tt.ElemType, elems)
		diags.Append(d...)
		return val, diags
	case types.ObjectType:
		m, ok := v.(map[string]any)
		if v == nil || !ok {
			return types.ObjectNull(tt.AttrTypes), nil
		}
		attrs := make(map[string]attr.Value, len(tt.AttrTypes))
		for k, at := range tt.AttrTypes {
			ev, d := valueFromJSON(ctx, at, m[k])
			diags.Append(d...)
			attrs[k] = ev
		}
		if diags.HasError() {
			return types.ObjectNull(tt.AttrTypes), diags
		}
		val, d := types.ObjectValue(tt.AttrTypes, attrs)
		diags.Append(d...)
		return val, diags
	}
	diags.AddError("Internal error", fmt.Sprintf("no conversion from JSON to %s", t))
	return nil, diags
}

func elementsFromJSON(ctx context.Context, elem attr.Type, v any) ([]attr.Value, diag.Diagnostics) {
	var diags diag.Diagnostics
	list, ok := v.([]any)
	if !ok {
		diags.AddError("Unexpected value from the Admin API", fmt.Sprintf("expected an array, got %s", renderJSON(v)))
		return nil, diags
	}
	out := make([]attr.Value, 0, len(list))
	for _, x := range list {
		ev, d := valueFromJSON(ctx, elem, x)
		diags.Append(d...)
		out = append(out, ev)
	}
	return out, diags
}

// valueToJSON converts a Terraform value into the JSON the Admin API
// takes. known is false for an unknown value (nothing to send); a null
// value is JSON null. Unknown object attributes are left out.
func valueToJSON(ctx context.Context, v attr.Value) (out any, known bool) {
	if v == nil || v.IsUnknown() {
		return nil, false
	}
	if v.IsNull() {
		return nil, true
	}
	switch tv := v.(type) {
	case basetypes.StringValuable:
		s, _ := tv.ToStringValue(ctx)
		return s.ValueString(), true
	case basetypes.Int64Valuable:
		i, _ := tv.ToInt64Value(ctx)
		return i.ValueInt64(), true
	case basetypes.Float64Valuable:
		f, _ := tv.ToFloat64Value(ctx)
		return f.ValueFloat64(), true
	case basetypes.BoolValuable:
		b, _ := tv.ToBoolValue(ctx)
		return b.ValueBool(), true
	case basetypes.SetValuable:
		s, _ := tv.ToSetValue(ctx)
		return elementsToJSON(ctx, s.Elements())
	case basetypes.ListValuable:
		l, _ := tv.ToListValue(ctx)
		return elementsToJSON(ctx, l.Elements())
	case basetypes.MapValuable:
		m, _ := tv.ToMapValue(ctx)
		out := map[string]any{}
		for k, e := range m.Elements() {
			j, ok := valueToJSON(ctx, e)
			if !ok {
				return nil, false
			}
			out[k] = j
		}
		return out, true
	case basetypes.ObjectValuable:
		o, _ := tv.ToObjectValue(ctx)
		out := map[string]any{}
		for k, e := range o.Attributes() {
			if j, ok := valueToJSON(ctx, e); ok {
				out[k] = j
			}
		}
		return out, true
	}
	return nil, false
}

func elementsToJSON(ctx context.Context, elems []attr.Value) (any, bool) {
	out := make([]any, 0, len(elems))
	for _, e := range elems {
		j, ok := valueToJSON(ctx, e)
		if !ok {
			return nil, false
		}
		out = append(out, j)
	}
	return out, true
}

// renderJSON renders a value compactly for messages and descriptions.
func renderJSON(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int:
		return float64(x)
	case int64:
		return float64(x)
	}
	return 0
}

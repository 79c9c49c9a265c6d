package gatewayd

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	dsschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/float64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/float64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// resourceAttributes builds the resource schema of a field list.
func resourceAttributes(fields []field) map[string]schema.Attribute {
	out := make(map[string]schema.Attribute, len(fields))
	for _, f := range fields {
		out[f.attr] = resourceAttribute(f, true)
		if f.writeOnly {
			out[f.woAttr()] = schema.StringAttribute{
				Optional: true, WriteOnly: true, Sensitive: true,
				Validators: []validator.String{
					stringvalidator.ConflictsWith(path.MatchRoot(f.attr)),
					stringvalidator.AlsoRequires(path.MatchRoot(f.woVersionAttr())),
				},
				Description: fmt.Sprintf("Write-only variant of `%s` (Terraform 1.11 or later): the value is sent to the gateway "+
					"but never stored in the plan or state. It is sent on create and whenever `%s` changes.", f.attr, f.woVersionAttr()),
			}
			out[f.woVersionAttr()] = schema.Int64Attribute{
				Optional:   true,
				Validators: []validator.Int64{int64validator.AlsoRequires(path.MatchRoot(f.woAttr()))},
				Description: fmt.Sprintf("Version of `%s`. Terraform can not see a write-only value change, so bump this "+
					"number to send a new `%s`.", f.woAttr(), f.woAttr()),
			}
		}
	}
	return out
}

// planModifiers returns the modifiers shared by every kind: keep the prior
// state for server-filled values, replace where the API can not update.
func keepState(f field) bool {
	return (f.readOnly && !f.volatile) || (f.computed && f.def == nil)
}

func resourceAttribute(f field, top bool) schema.Attribute {
	required := f.required
	optional := f.optional() && !f.required
	computed := f.hasServerValue()
	desc := f.desc
	if f.def != nil && !f.readOnly && f.kind != kObject {
		desc += fmt.Sprintf(" Defaults to `%s`.", renderJSON(f.def))
	}
	var keep *stateUnlessChanged
	if keepState(f) && top {
		keep = &stateUnlessChanged{deps: f.dependsOn}
	}
	switch f.kind {
	case kString, kForeign:
		a := schema.StringAttribute{Required: required, Optional: optional, Computed: computed, Sensitive: f.sensitive,
			Description: desc, Validators: stringValidators(f)}
		if f.strType != nil {
			a.CustomType = f.strType
		}
		if f.def != nil {
			a.Default = stringdefault.StaticString(f.def.(string))
		}
		if keep != nil {
			a.PlanModifiers = append(a.PlanModifiers, keep)
		}
		if f.writeOnly {
			a.PlanModifiers = append(a.PlanModifiers, nullWhenWriteOnly{versionAttr: f.woVersionAttr()})
		}
		if f.replace {
			a.PlanModifiers = append(a.PlanModifiers, stringplanmodifier.RequiresReplace())
		}
		return a
	case kInt:
		a := schema.Int64Attribute{Required: required, Optional: optional, Computed: computed, Sensitive: f.sensitive,
			Description: desc}
		if f.between != nil {
			a.Validators = append(a.Validators, int64validator.Between(f.between[0], f.between[1]))
		}
		if len(f.intOneOf) > 0 {
			a.Validators = append(a.Validators, int64validator.OneOf(f.intOneOf...))
		}
		if f.def != nil {
			a.Default = int64default.StaticInt64(int64(toFloat(f.def)))
		}
		if keep != nil {
			a.PlanModifiers = append(a.PlanModifiers, keep)
		}
		if f.replace {
			a.PlanModifiers = append(a.PlanModifiers, int64planmodifier.RequiresReplace())
		}
		return a
	case kFloat:
		a := schema.Float64Attribute{Required: required, Optional: optional, Computed: computed, Description: desc}
		if f.between != nil {
			a.Validators = []validator.Float64{float64validator.Between(float64(f.between[0]), float64(f.between[1]))}
		}
		if f.def != nil {
			a.Default = float64default.StaticFloat64(toFloat(f.def))
		}
		if keep != nil {
			a.PlanModifiers = append(a.PlanModifiers, keep)
		}
		if f.replace {
			a.PlanModifiers = append(a.PlanModifiers, float64planmodifier.RequiresReplace())
		}
		return a
	case kBool:
		a := schema.BoolAttribute{Required: required, Optional: optional, Computed: computed, Description: desc}
		if f.def != nil {
			a.Default = booldefault.StaticBool(f.def.(bool))
		}
		if keep != nil {
			a.PlanModifiers = append(a.PlanModifiers, keep)
		}
		if f.replace {
			a.PlanModifiers = append(a.PlanModifiers, boolplanmodifier.RequiresReplace())
		}
		return a
	case kStringSet:
		a := schema.SetAttribute{ElementType: types.StringType, Required: required, Optional: optional, Computed: computed,
			Description: desc, Validators: setValidators(f)}
		if f.def != nil {
			a.Default = setdefault.StaticValue(mustValue(f.attrType(), f.def).(basetypes.SetValue))
		}
		if keep != nil {
			a.PlanModifiers = append(a.PlanModifiers, keep)
		}
		if f.replace {
			a.PlanModifiers = append(a.PlanModifiers, setplanmodifier.RequiresReplace())
		}
		return a
	case kStringList, kIntList:
		elem := f.attrType().(types.ListType).ElemType
		a := schema.ListAttribute{ElementType: elem, Required: required, Optional: optional, Computed: computed,
			Description: desc, Validators: listValidators(f)}
		if f.def != nil {
			a.Default = listdefault.StaticValue(mustValue(f.attrType(), f.def).(basetypes.ListValue))
		}
		if keep != nil {
			a.PlanModifiers = append(a.PlanModifiers, keep)
		}
		if f.replace {
			a.PlanModifiers = append(a.PlanModifiers, listplanmodifier.RequiresReplace())
		}
		return a
	case kHeaderMap:
		a := schema.MapAttribute{ElementType: types.ListType{ElemType: types.StringType}, Required: required,
			Optional: optional, Computed: computed, Description: desc}
		if keep != nil {
			a.PlanModifiers = append(a.PlanModifiers, keep)
		}
		if f.replace {
			a.PlanModifiers = append(a.PlanModifiers, mapplanmodifier.RequiresReplace())
		}
		return a
	case kObject:
		nested := make(map[string]schema.Attribute, len(f.fields))
		for _, sub := range f.fields {
			nested[sub.attr] = resourceAttribute(sub, false)
		}
		a := schema.SingleNestedAttribute{Attributes: nested, Required: required, Optional: optional,
			Computed: computed, Description: desc}
		if f.def != nil {
			a.Default = objectdefault.StaticValue(mustValue(f.attrType(), f.def).(basetypes.ObjectValue))
		}
		if keep != nil {
			a.PlanModifiers = append(a.PlanModifiers, keep)
		}
		if f.replace {
			a.PlanModifiers = append(a.PlanModifiers, objectplanmodifier.RequiresReplace())
		}
		return a
	case kObjectSet:
		nested := make(map[string]schema.Attribute, len(f.fields))
		for _, sub := range f.fields {
			nested[sub.attr] = resourceAttribute(sub, false)
		}
		a := schema.SetNestedAttribute{NestedObject: schema.NestedAttributeObject{Attributes: nested},
			Required: required, Optional: optional, Computed: computed, Description: desc}
		if keep != nil {
			a.PlanModifiers = append(a.PlanModifiers, keep)
		}
		return a
	}
	panic("gatewayd: unknown field kind")
}

func stringValidators(f field) []validator.String {
	var v []validator.String
	if len(f.oneOf) > 0 {
		v = append(v, stringvalidator.OneOf(f.oneOf...))
	}
	if f.pattern != "" {
		v = append(v, stringvalidator.RegexMatches(regexp.MustCompile(f.pattern), f.patternMsg))
	}
	return v
}

func setValidators(f field) []validator.Set {
	var v []validator.Set
	if s := stringValidators(f); len(s) > 0 {
		v = append(v, setvalidator.ValueStringsAre(s...))
	}
	if f.minItems > 0 {
		v = append(v, setvalidator.SizeAtLeast(f.minItems))
	}
	return v
}

func listValidators(f field) []validator.List {
	var v []validator.List
	if f.kind == kIntList && f.between != nil {
		v = append(v, listvalidator.ValueInt64sAre(int64validator.Between(f.between[0], f.between[1])))
	}
	if s := stringValidators(f); len(s) > 0 && f.kind == kStringList {
		v = append(v, listvalidator.ValueStringsAre(s...))
	}
	if f.minItems > 0 {
		v = append(v, listvalidator.SizeAtLeast(f.minItems))
	}
	return v
}

// dataSourceAttributes builds a data source schema: every field is
// computed except the lookup attributes, which are optional inputs.
// Secrets are left out: a data source is no place to copy them from.
func dataSourceAttributes(fields []field, lookups, filters []string) map[string]dsschema.Attribute {
	out := map[string]dsschema.Attribute{}
	for _, f := range fields {
		if f.sensitive {
			continue
		}
		a := dataSourceAttribute(f)
		for _, l := range lookups {
			if l == f.attr {
				a = dsschema.StringAttribute{Optional: true, Computed: true,
					Description: f.desc + " One of the lookup attributes: set exactly one of " + strings.Join(lookups, ", ") + "."}
			}
		}
		for _, l := range filters {
			if l == f.attr {
				a = dsschema.StringAttribute{Optional: true, Computed: true,
					Description: f.desc + " With `name`, narrows the lookup to the plugin with this scope."}
			}
		}
		out[f.attr] = a
	}
	return out
}

func dataSourceAttribute(f field) dsschema.Attribute {
	switch f.kind {
	case kString, kForeign:
		return dsschema.StringAttribute{Computed: true, Description: f.desc, CustomType: f.strType}
	case kInt:
		return dsschema.Int64Attribute{Computed: true, Description: f.desc}
	case kFloat:
		return dsschema.Float64Attribute{Computed: true, Description: f.desc}
	case kBool:
		return dsschema.BoolAttribute{Computed: true, Description: f.desc}
	case kStringSet:
		return dsschema.SetAttribute{Computed: true, ElementType: types.StringType, Description: f.desc}
	case kStringList, kIntList:
		return dsschema.ListAttribute{Computed: true, ElementType: f.attrType().(types.ListType).ElemType, Description: f.desc}
	case kHeaderMap:
		return dsschema.MapAttribute{Computed: true, ElementType: types.ListType{ElemType: types.StringType}, Description: f.desc}
	case kObject:
		nested := map[string]dsschema.Attribute{}
		for _, sub := range f.fields {
			nested[sub.attr] = dataSourceAttribute(sub)
		}
		return dsschema.SingleNestedAttribute{Computed: true, Attributes: nested, Description: f.desc}
	case kObjectSet:
		nested := map[string]dsschema.Attribute{}
		for _, sub := range f.fields {
			nested[sub.attr] = dataSourceAttribute(sub)
		}
		return dsschema.SetNestedAttribute{Computed: true, NestedObject: dsschema.NestedAttributeObject{Attributes: nested},
			Description: f.desc}
	}
	panic("gatewayd: unknown field kind")
}

// defaultsOf builds the default value of a record from its fields'
// defaults (nested records included; fields without one are null).
func defaultsOf(fields []field) map[string]any {
	out := map[string]any{}
	for _, f := range fields {
		switch {
		case f.def != nil:
			out[f.apiName()] = f.def
		case f.kind == kObject:
			out[f.apiName()] = defaultsOf(f.fields)
		default:
			out[f.apiName()] = nil
		}
	}
	return out
}

func mustValue(t attr.Type, v any) attr.Value {
	val, diags := valueFromJSON(context.Background(), t, v)
	if diags.HasError() {
		panic(fmt.Sprintf("gatewayd: default %v: %v", v, diags))
	}
	return val
}

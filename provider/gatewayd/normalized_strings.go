package gatewayd

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// normalizedStringType is a string whose server rendering may differ from
// what the user wrote without meaning anything else: a target gains the
// default port, a PEM block loses its trailing newline. Values that
// normalize alike are semantically equal, so Terraform keeps the user's
// spelling and plans nothing.
type normalizedStringType struct {
	basetypes.StringType
	name      string
	normalize func(string) string
}

var (
	targetAddressType = normalizedStringType{name: "target_address", normalize: normalizeTarget}
	pemType           = normalizedStringType{name: "pem", normalize: normalizePEM}
)

var (
	_ basetypes.StringTypable                    = normalizedStringType{}
	_ basetypes.StringValuableWithSemanticEquals = normalizedStringValue{}
)

func (t normalizedStringType) Equal(o attr.Type) bool {
	other, ok := o.(normalizedStringType)
	return ok && other.name == t.name
}

func (t normalizedStringType) String() string { return "normalizedStringType(" + t.name + ")" }

func (t normalizedStringType) ValueFromString(_ context.Context, in basetypes.StringValue) (basetypes.StringValuable, diag.Diagnostics) {
	return normalizedStringValue{StringValue: in, typ: t}, nil
}

func (t normalizedStringType) ValueFromTerraform(ctx context.Context, in tftypes.Value) (attr.Value, error) {
	v, err := t.StringType.ValueFromTerraform(ctx, in)
	if err != nil {
		return nil, err
	}
	sv, ok := v.(basetypes.StringValue)
	if !ok {
		return nil, fmt.Errorf("unexpected value type %T", v)
	}
	return normalizedStringValue{StringValue: sv, typ: t}, nil
}

func (t normalizedStringType) ValueType(context.Context) attr.Value {
	return normalizedStringValue{typ: t}
}

type normalizedStringValue struct {
	basetypes.StringValue
	typ normalizedStringType
}

func (v normalizedStringValue) Type(context.Context) attr.Type { return v.typ }

func (v normalizedStringValue) Equal(o attr.Value) bool {
	other, ok := o.(normalizedStringValue)
	return ok && other.typ.name == v.typ.name && v.StringValue.Equal(other.StringValue)
}

func (v normalizedStringValue) StringSemanticEquals(_ context.Context, nv basetypes.StringValuable) (bool, diag.Diagnostics) {
	other, ok := nv.(normalizedStringValue)
	if !ok || v.IsNull() || v.IsUnknown() || other.IsNull() || other.IsUnknown() {
		return false, nil
	}
	return v.typ.normalize(v.ValueString()) == v.typ.normalize(other.ValueString()), nil
}

// targetDefaultPort is appended to targets given without a port (Kong's
// kong/db/dao/targets.lua DEFAULT_PORT).
const targetDefaultPort = "8000"

// normalizeTarget renders host[:port] the way the gateway stores it:
// always with a port, IPv6 addresses in brackets.
func normalizeTarget(s string) string {
	switch {
	case strings.HasPrefix(s, "["):
		if strings.Contains(s, "]:") {
			return s
		}
		return s + ":" + targetDefaultPort
	case strings.Count(s, ":") == 0:
		return s + ":" + targetDefaultPort
	case strings.Count(s, ":") == 1:
		return s
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return "[" + a.String() + "]:" + targetDefaultPort
	}
	return s
}

func normalizePEM(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
}

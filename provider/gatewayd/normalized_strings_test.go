package gatewayd

import (
	"context"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestNormalizeTargetAddsTheDefaultPort(t *testing.T) {
	for in, want := range map[string]string{
		"example.com":      "example.com:8000",
		"example.com:81":   "example.com:81",
		"10.0.0.1":         "10.0.0.1:8000",
		"10.0.0.1:9000":    "10.0.0.1:9000",
		"[::1]":            "[::1]:8000",
		"[::1]:9000":       "[::1]:9000",
		"::1":              "[::1]:8000",
		"2001:db8:0:0::1":  "[2001:db8::1]:8000",
		"not:an:ip:at:all": "not:an:ip:at:all",
	} {
		if got := normalizeTarget(in); got != want {
			t.Errorf("normalizeTarget(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalizedStringSemanticEquality(t *testing.T) {
	ctx := context.Background()
	val := func(typ normalizedStringType, s string) normalizedStringValue {
		v, _ := typ.ValueFromString(ctx, types.StringValue(s))
		return v.(normalizedStringValue)
	}
	cases := []struct {
		typ  normalizedStringType
		a, b string
		want bool
	}{
		{targetAddressType, "example.com", "example.com:8000", true},
		{targetAddressType, "example.com", "example.com:8001", false},
		{pemType, "-----BEGIN X-----\r\nabc\r\n-----END X-----\r\n", "-----BEGIN X-----\nabc\n-----END X-----", true},
		{pemType, "a", "b", false},
	}
	for _, c := range cases {
		got, diags := val(c.typ, c.a).StringSemanticEquals(ctx, val(c.typ, c.b))
		if diags.HasError() || got != c.want {
			t.Errorf("%s: %q vs %q = %v, want %v", c.typ.name, c.a, c.b, got, c.want)
		}
	}
	if val(targetAddressType, "a").Equal(val(pemType, "a")) {
		t.Error("values of different normalized types must not be equal")
	}
}

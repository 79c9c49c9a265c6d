package gatewayd

import (
	"context"
	"reflect"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

// Every field of every resource survives JSON -> Terraform -> JSON, so
// what Read stores is what the next write sends.
func TestValueConversionRoundTrips(t *testing.T) {
	ctx := context.Background()
	for _, def := range []*entityDef{serviceDef, routeDef, upstreamDef, targetDef, pluginDef} {
		for _, f := range def.fields {
			sample := sampleJSON(f)
			v, diags := valueFromJSON(ctx, f.attrType(), sample)
			if diags.HasError() {
				t.Fatalf("%s.%s: %v", def.typeName, f.attr, diags)
			}
			back, known := valueToJSON(ctx, v)
			if !known || !reflect.DeepEqual(normalizeNumbers(back), normalizeNumbers(sample)) {
				t.Errorf("%s.%s: %#v -> %#v", def.typeName, f.attr, sample, back)
			}
			null, _ := valueFromJSON(ctx, f.attrType(), nil)
			if !null.IsNull() {
				t.Errorf("%s.%s: nil is not null", def.typeName, f.attr)
			}
		}
	}
}

func sampleJSON(f field) any {
	switch f.kind {
	case kInt, kFloat:
		return 7.0
	case kBool:
		return true
	case kStringSet, kStringList:
		return []any{"a", "b"}
	case kIntList:
		return []any{200.0, 302.0}
	case kHeaderMap:
		return map[string]any{"x-h": []any{"v"}}
	case kObject:
		return defaultsOf(f.fields)
	case kObjectSet:
		m := map[string]any{}
		for _, sub := range f.fields {
			m[sub.attr] = sampleJSON(sub)
		}
		return []any{m}
	}
	return "s"
}

// normalizeNumbers makes int64 and float64 comparable.
func normalizeNumbers(v any) any {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normalizeNumbers(e)
		}
		return out
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			out[k] = normalizeNumbers(e)
		}
		return out
	}
	return v
}

func TestValueToJSONSkipsUnknown(t *testing.T) {
	ctx := context.Background()
	if _, known := valueToJSON(ctx, types.StringUnknown()); known {
		t.Error("an unknown string must not be sent")
	}
	obj := types.ObjectValueMust(map[string]attr.Type{"a": types.StringType, "b": types.Int64Type},
		map[string]attr.Value{"a": types.StringValue("x"), "b": types.Int64Unknown()})
	got, known := valueToJSON(ctx, obj)
	if !known || !reflect.DeepEqual(got, map[string]any{"a": "x"}) {
		t.Errorf("object with an unknown attribute: %#v", got)
	}
}

func TestHashedSecretFollowsKongsBasicAuthHash(t *testing.T) {
	ctx := context.Background()
	pw := types.StringValue("pw")
	// hex(sha1("pw" .. "7cdc1b6d-bacc-4f7b-84c2-b34720ccad84")), as the gateway stores it.
	const stored = "75708e8ea6fbdab2fe98dd3840e08682323cd8e3"
	const consumer = "7cdc1b6d-bacc-4f7b-84c2-b34720ccad84"
	if v, _ := hashedSecret(ctx, types.StringType, pw, stored, consumer); !v.Equal(pw) {
		t.Errorf("matching hash: got %v, want the password kept", v)
	}
	if v, _ := hashedSecret(ctx, types.StringType, pw, "0000", consumer); v.Equal(pw) {
		t.Error("a hash of another password must show as a change")
	}
	if v, _ := hashedSecret(ctx, types.StringType, types.StringNull(), stored, consumer); !v.IsNull() {
		t.Error("after an import the password stays unknown to Terraform (null)")
	}
}

func TestCandidatePathsForImportIDs(t *testing.T) {
	for _, c := range []struct {
		def  *entityDef
		id   string
		want []string
	}{
		{serviceDef, "example-service", []string{"services/example-service"}},
		{keyAuthDef, "alice/k1", []string{"consumers/alice/key-auth/k1", "key-auths/alice%2Fk1"}},
		{keyAuthDef, "k1", []string{"key-auths/k1"}},
		{targetDef, "up/10.0.0.1:80", []string{"upstreams/up/targets/10.0.0.1:80"}},
		{aclGroupDef, "alice/admins", []string{"consumers/alice/acls/admins", "acls/alice%2Fadmins"}},
		{sniDef, "*.example.com", []string{"snis/%2A.example.com"}},
	} {
		got, err := c.def.candidatePaths(c.id)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s %q: %v %v, want %v", c.def.typeName, c.id, got, err, c.want)
		}
	}
	if _, err := targetDef.candidatePaths("no-slash"); err == nil {
		t.Error("a target import id without its upstream must be rejected")
	}
}

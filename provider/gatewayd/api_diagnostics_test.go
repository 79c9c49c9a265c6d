package gatewayd

import (
	"errors"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
)

func attrPathOf(d diag.Diagnostic) path.Path {
	if wp, ok := d.(diag.DiagnosticWithPath); ok {
		return wp.Path()
	}
	return path.Empty()
}

func TestAPIErrorsPointAtTheAttribute(t *testing.T) {
	for _, c := range []struct {
		def    *entityDef
		err    *api.Error
		path   path.Path
		detail string
	}{
		{serviceDef, &api.Error{Status: 400, Code: codeSchemaViolation, Name: "schema violation",
			Fields: map[string]any{"port": "value should be between 0 and 65535"}},
			path.Root("port"), "port: value should be between 0 and 65535"},
		{routeDef, &api.Error{Status: 400, Code: codeSchemaViolation, Name: "schema violation",
			Fields: map[string]any{"service": "does not exist"}},
			path.Root("service_id"), "Admin API field service"},
		{upstreamDef, &api.Error{Status: 400, Code: codeSchemaViolation, Name: "schema violation",
			Fields: map[string]any{"healthchecks": map[string]any{"active": map[string]any{"timeout": "bad"}}}},
			path.Root("healthchecks").AtName("active").AtName("timeout"), "healthchecks.active.timeout"},
		{pluginDef, &api.Error{Status: 400, Code: codeSchemaViolation, Name: "schema violation",
			Fields: map[string]any{"config": map[string]any{"minute": "expected an integer"}}},
			path.Root("config_json"), "config.minute): expected an integer"},
		{serviceDef, &api.Error{Status: 409, Code: codeUniqueViolation, Name: "unique constraint violation",
			Message: "UNIQUE violation detected on '{name=\"s1\"}'", Fields: map[string]any{"name": "s1"}},
			path.Root("name"), "terraform import gatewayd_service"},
	} {
		diags := apiErrorDiagnostics("create", c.err, c.def)
		if len(diags) != 1 {
			t.Fatalf("%v: %d diagnostics", c.err.Fields, len(diags))
		}
		if p := attrPathOf(diags[0]); !p.Equal(c.path) {
			t.Errorf("%v: path %s, want %s", c.err.Fields, p, c.path)
		}
		if !strings.Contains(diags[0].Detail(), c.detail) {
			t.Errorf("%v: detail %q lacks %q", c.err.Fields, diags[0].Detail(), c.detail)
		}
	}
}

func TestAPIErrorsWithoutFields(t *testing.T) {
	diags := apiErrorDiagnostics("read", errors.New("dial tcp: connection refused"), serviceDef)
	if !diags.HasError() || !strings.Contains(diags[0].Detail(), "connection refused") {
		t.Errorf("transport error: %v", diags)
	}
	diags = apiErrorDiagnostics("create", &api.Error{Status: 400, Code: codeSchemaViolation,
		Fields: map[string]any{"@entity": []any{"at least one of these fields must be non-empty: 'custom_id', 'username'"}}}, consumerDef)
	if len(diags) != 1 || !strings.Contains(diags[0].Detail(), "at least one of these fields") {
		t.Errorf("entity check: %v", diags)
	}
}

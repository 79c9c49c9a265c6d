package gateway

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
)

func TestExpandServiceURLSetsWhatKongsShorthandSets(t *testing.T) {
	cases := []struct {
		url  string
		want map[string]any
	}{
		{"http://backend", map[string]any{"protocol": "http", "host": "backend", "port": 80, "path": nil}},
		{"https://backend/api/v1", map[string]any{"protocol": "https", "host": "backend", "port": 443, "path": "/api/v1"}},
		{"http://10.0.0.1:8080/x%2Fy", map[string]any{"protocol": "http", "host": "10.0.0.1", "port": 8080, "path": "/x%2Fy"}},
		{"grpcs://[::1]:9000", map[string]any{"protocol": "grpcs", "host": "::1", "port": 9000, "path": nil}},
	}
	for _, tc := range cases {
		got, err := ExpandServiceURL(tc.url)
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ExpandServiceURL(%q) = %v, %v; want %v", tc.url, got, err, tc.want)
		}
	}
	for _, bad := range []string{"backend:80", "http://", "http://h:port"} {
		if _, err := ExpandServiceURL(bad); err == nil {
			t.Errorf("ExpandServiceURL(%q) accepted", bad)
		}
	}
}

func TestNormalizeTargetWritesTheStoredForm(t *testing.T) {
	for in, want := range map[string]string{
		"10.0.0.1": "10.0.0.1:8000", "10.0.0.1:80": "10.0.0.1:80", "backend": "backend:8000",
		"::1": "[::1]:8000", "[::1]": "[::1]:8000", "[::1]:81": "[::1]:81",
	} {
		if got := NormalizeTarget(in); got != want {
			t.Errorf("NormalizeTarget(%q) = %q, want %q", in, got, want)
		}
	}
}

var pluginSchema = api.ParseSchema(map[string]any{"fields": []any{
	map[string]any{"name": map[string]any{"type": "string"}},
	map[string]any{"enabled": map[string]any{"type": "boolean"}},
	map[string]any{"config": map[string]any{"type": "record", "fields": []any{
		map[string]any{"minute": map[string]any{"type": "number"}},
		map[string]any{"limits": map[string]any{"type": "array", "elements": map[string]any{"type": "integer"}}},
		map[string]any{"password": map[string]any{"type": "string", "encrypted": true}},
		map[string]any{"headers": map[string]any{"type": "map", "values": map[string]any{"type": "integer"}}},
		map[string]any{"redis": map[string]any{"type": "record", "fields": []any{
			map[string]any{"host": map[string]any{"type": "string"}},
			map[string]any{"port": map[string]any{"type": "integer"}},
		}}},
	}}},
}})

func TestMergePredictsAPatchRecordsMergeEverythingElseIsReplaced(t *testing.T) {
	current := api.Entity{"name": "rl", "tags": []any{"a"},
		"config": map[string]any{"minute": 5.0, "redis": map[string]any{"host": "h", "port": 6379.0}, "headers": map[string]any{"x": 1.0}}}
	patch := api.Entity{"tags": []any{"b"}, "config": map[string]any{"redis": map[string]any{"port": 6380}, "headers": map[string]any{"y": 2}}}
	got := merge(current, patch, pluginSchema.Fields)
	want := api.Entity{"name": "rl", "tags": []any{"b"},
		"config": map[string]any{"minute": 5.0, "redis": map[string]any{"host": "h", "port": 6380.0}, "headers": map[string]any{"y": 2.0}}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("merge = %v\nwant    %v", got, want)
	}
	if current["config"].(map[string]any)["redis"].(map[string]any)["port"] != 6379.0 {
		t.Fatal("merge modified the current entity")
	}
}

func TestViewMasksSecretsAndMarksTheOnesThatChange(t *testing.T) {
	tg := Target{Secrets: []string{"key"}}
	e := api.Entity{"key": "k-secret", "created_at": 1.0, "name": "n",
		"config": map[string]any{"password": "p-secret", "minute": 1.0}, "empty": nil}
	got := tg.view(pluginSchema, e, map[string]bool{"config.password": true}, false)
	data, _ := json.Marshal(got)
	for _, leak := range []string{"k-secret", "p-secret", "created_at"} {
		if strings.Contains(string(data), leak) {
			t.Fatalf("view shows %q: %s", leak, data)
		}
	}
	if got["key"] != api.Masked || got["config"].(map[string]any)["password"] != MaskedChanged || got["empty"] != nil {
		t.Fatalf("view = %s", data)
	}
	if full := tg.view(pluginSchema, e, nil, true); full["created_at"] != 1.0 {
		t.Fatalf("a return value keeps timestamps: %v", full)
	}
}

func TestCoerceToSchemaTurnsTemplatedStringsIntoTheirTypes(t *testing.T) {
	in := map[string]any{"enabled": "yes", "name": "10",
		"config": map[string]any{"minute": "10", "limits": []any{"1", 2}, "headers": map[string]any{"x": "3"},
			"redis": map[string]any{"port": "6380", "host": "h"}, "password": "123"}}
	got := CoerceToSchema(in, pluginSchema.Fields)
	want := map[string]any{"enabled": true, "name": "10",
		"config": map[string]any{"minute": 10.0, "limits": []any{1.0, 2}, "headers": map[string]any{"x": 3.0},
			"redis": map[string]any{"port": 6380.0, "host": "h"}, "password": "123"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("CoerceToSchema = %v\nwant            %v", got, want)
	}
	if kept := CoerceToSchema(map[string]any{"config": map[string]any{"minute": "ten"}}, pluginSchema.Fields); kept["config"].(map[string]any)["minute"] != "ten" {
		t.Fatal("a value that does not convert is left for the server to reject")
	}
}

func TestErrorMessageNamesEachRejectedFieldOnce(t *testing.T) {
	withFields := &api.Error{Method: "POST", Path: "plugins", Status: 400, Message: "schema violation",
		Fields: map[string]any{"config": map[string]any{"minute": "expected a number"}}}
	if got := ErrorMessage(withFields); got != "POST plugins: 400 schema violation (config.minute: expected a number)" {
		t.Errorf("ErrorMessage = %q", got)
	}
	already := &api.Error{Method: "POST", Path: "plugins", Status: 400, Message: "schema violation (config.minute: expected a number)",
		Fields: map[string]any{"config": map[string]any{"minute": "expected a number"}}}
	if got := ErrorMessage(already); strings.Count(got, "expected a number") != 1 {
		t.Errorf("ErrorMessage repeats the server's words: %q", got)
	}
	if got := ErrorMessage(errors.New("dial tcp: refused")); got != "dial tcp: refused" {
		t.Errorf("ErrorMessage = %q", got)
	}
}

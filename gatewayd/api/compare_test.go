package api_test

import (
	"strings"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
)

var pluginSchema = api.ParseSchema(map[string]any{"fields": []any{
	map[string]any{"name": map[string]any{"type": "string"}},
	map[string]any{"route": map[string]any{"type": "foreign", "reference": "routes"}},
	map[string]any{"protocols": map[string]any{"type": "set", "elements": map[string]any{"type": "string"}}},
	map[string]any{"config": map[string]any{"type": "record", "fields": []any{
		map[string]any{"minute": map[string]any{"type": "number"}},
		map[string]any{"hour": map[string]any{"type": "number"}},
		map[string]any{"password": map[string]any{"type": "string", "encrypted": true}},
		map[string]any{"redis": map[string]any{"type": "record", "fields": []any{
			map[string]any{"host": map[string]any{"type": "string"}},
			map[string]any{"port": map[string]any{"type": "integer"}},
		}}},
		map[string]any{"headers": map[string]any{"type": "map"}},
	}}},
}})

func TestCompareIgnoresServerDefaultsAndOrderOfSets(t *testing.T) {
	current := api.Entity{"id": "x", "name": "rate-limiting", "created_at": 1.0, "route": map[string]any{"id": "r1"},
		"protocols": []any{"http", "https"}, "tags": []any{"b", "a"},
		"config": map[string]any{"minute": 5.0, "hour": nil, "redis": map[string]any{"host": "h", "port": 6379.0}, "headers": map[string]any{"a": "1"}}}
	cases := []struct {
		name    string
		desired api.Entity
		want    []string
	}{
		{"unchanged subset", api.Entity{"name": "rate-limiting", "config": map[string]any{"minute": 5}}, nil},
		{"set order does not matter", api.Entity{"protocols": []string{"https", "http"}, "tags": []string{"a", "b"}}, nil},
		{"foreign by id", api.Entity{"route": map[string]any{"id": "r1"}}, nil},
		{"one key changed", api.Entity{"config": map[string]any{"minute": 10}}, []string{"config.minute: 5 -> 10"}},
		{"nested record partial", api.Entity{"config": map[string]any{"redis": map[string]any{"port": 6380}}}, []string{"config.redis.port: 6379 -> 6380"}},
		{"explicit null", api.Entity{"config": map[string]any{"hour": 2}}, []string{"config.hour: null -> 2"}},
		{"map replaced whole", api.Entity{"config": map[string]any{"headers": map[string]any{"a": "1", "b": "2"}}}, []string{`config.headers: {"a":"1"} -> {"a":"1","b":"2"}`}},
		{"secret masked", api.Entity{"config": map[string]any{"password": "new"}}, []string{"config.password: [masked] -> [masked]"}},
		{"set content differs", api.Entity{"tags": []string{"a"}}, []string{`tags: ["b","a"] -> ["a"]`}},
		{"empty array equals null", api.Entity{"config": map[string]any{"hour": nil}}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, c := range api.Compare(tc.desired, current, pluginSchema) {
				got = append(got, c.String())
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCompareWithoutSchemaTreatsObjectsAsRecords(t *testing.T) {
	current := api.Entity{"a": map[string]any{"x": 1.0, "y": 2.0}, "l": []any{1.0, 2.0}}
	if ch := api.Compare(api.Entity{"a": map[string]any{"x": 1}}, current, nil); len(ch) != 0 {
		t.Fatalf("partial object: %v", ch)
	}
	if ch := api.Compare(api.Entity{"l": []int{2, 1}}, current, nil); len(ch) != 1 {
		t.Fatalf("arrays are ordered without a schema: %v", ch)
	}
}

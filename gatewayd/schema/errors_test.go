package schema

import (
	"encoding/json"
	"testing"
)

// Kong's schema_violation text (kong/db/errors.lua): entity errors first,
// then fields sorted, nested "field.sub", arrays by 1-based index, deeper
// values pretty-printed by pl.pretty.
func TestErrorsMessage(t *testing.T) {
	cases := []struct {
		name string
		errs Errors
		want string
	}{
		{"single", Errors{"host": "required field missing"}, "schema violation (host: required field missing)"},
		{"sorted", Errors{"port": "expected an integer", "host": "required field missing", "name": "x"},
			"3 schema violations (host: required field missing; name: x; port: expected an integer)"},
		{"entity first", Errors{"a": "x", EntityKey: []any{"first", "second"}},
			"3 schema violations (first; second; a: x)"},
		{"nested record", Errors{"config": map[string]any{"second": "expected a number", "foo": "unknown field"}},
			"2 schema violations (config.foo: unknown field; config.second: expected a number)"},
		{"array", Errors{"protocols": []any{nil, "expected one of: http", nil, "bad"}},
			"2 schema violations (protocols.2: expected one of: http; protocols.4: bad)"},
		{"array index order is numeric", Errors{"paths": []any{nil, nil, nil, nil, nil, nil, nil, nil, nil, "ten", "eleven", nil, "twelve"}},
			"3 schema violations (paths.10: ten; paths.11: eleven; paths.13: twelve)"},
		{"deep values are pretty-printed", Errors{"healthchecks": map[string]any{"active": map[string]any{"timeout": "bad", "healthy": map[string]any{"interval": "worse"}}}},
			"schema violation (healthchecks.active: {\n  healthy = {\n    interval = \"worse\"\n  },\n  timeout = \"bad\"\n})"},
		{"nested array in record", Errors{"config": map[string]any{"key_names": []any{nil, "bad"}}},
			"schema violation (config.key_names: {\n  [2] = \"bad\"\n})"},
		{"record element of an array", Errors{"sources": []any{map[string]any{EntityKey: []any{"at least one"}}}},
			"schema violation (sources.1: {\n  [\"@entity\"] = {\n    \"at least one\"\n  }\n})"},
		{"nested entity errors", Errors{"config": map[string]any{EntityKey: []any{"oops"}, "a": "b"}},
			"2 schema violations (config.@entity: {\n  \"oops\"\n}; config.a: b)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.errs.Message(); got != c.want {
				t.Errorf("got  %q\nwant %q", got, c.want)
			}
		})
	}
}

// pl.pretty.write as Kong uses it: compact with indent "" (unique and
// foreign key messages), one entry per line otherwise.
func TestPretty(t *testing.T) {
	cases := []struct {
		v      any
		indent string
		want   string
	}{
		{map[string]any{"name": "svc"}, "", `{name="svc"}`},
		{map[string]any{"consumer": nil, "name": "key-auth", "route": nil, "service": map[string]any{"id": "u"}}, "",
			`{consumer=null,name="key-auth",route=null,service={id="u"}}`},
		{map[string]any{"id": "expected a valid UUID"}, "", `{id="expected a valid UUID"}`},
		{map[string]any{"x-y": 1.0, "_ok": true, "9a": 2.5}, "", `{["9a"]=2.5,_ok=true,["x-y"]=1}`},
		{[]any{"a", "b"}, "", `{"a","b"}`},
		{[]any{nil, "b"}, "", `{[2]="b"}`},
		{map[string]any{}, "  ", `{}`},
		{[]any{"a", "b"}, "  ", "{\n  \"a\",\n  \"b\"\n}"},
		{map[string]any{"a": map[string]any{"b": "c"}, "d": 1.0}, "  ", "{\n  a = {\n    b = \"c\"\n  },\n  d = 1\n}"},
		{Errors{"id": "x"}, "", `{id="x"}`},
		{"quote\"d", "", `"quote\"d"`},
		{1e20, "", "1e+20"},
		{-3.0, "", "-3"},
	}
	for _, c := range cases {
		if got := Pretty(c.v, c.indent); got != c.want {
			t.Errorf("Pretty(%#v, %q) = %q, want %q", c.v, c.indent, got, c.want)
		}
	}
}

func TestErrorsHelpers(t *testing.T) {
	e := Errors{}
	if !e.Empty() {
		t.Fatal("new Errors not empty")
	}
	e.AddEntity("one")
	e.AddEntity("two")
	e.AddEntity("one") // the same message is kept once
	if got, _ := json.Marshal(e); string(got) != `{"@entity":["one","two"]}` {
		t.Fatalf("got %s", got)
	}
	if !e.Has(EntityKey) || e.Has("x") || e.Empty() {
		t.Fatal("Has/Empty wrong")
	}
	// The JSON rendering of "fields": sparse arrays keep their holes as null.
	e = Errors{"protocols": []any{nil, "bad"}}
	if got, _ := json.Marshal(e); string(got) != `{"protocols":[null,"bad"]}` {
		t.Fatalf("got %s", got)
	}
}

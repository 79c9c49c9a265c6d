package responsetransformer_test

import (
	"reflect"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin/plugintest"
	_ "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/response-transformer"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

func init() {
	// rst-test-exit answers requests itself, like request-termination.
	plugin.Register(plugin.Spec{Name: "rst-test-exit", Priority: 2,
		New: func(*plugin.Env) (any, error) { return exiter{}, nil }})
}

type exiter struct{}

func (exiter) Access(c *plugin.Context) {
	c.Exit(418, []byte(`{"a":1}`), "application/json", "X-Exit", "1")
}

func run(t *testing.T, config schema.Doc, up plugintest.Upstream) plugintest.Result {
	t.Helper()
	h := plugintest.New(t)
	h.Plugin(schema.Doc{"name": "response-transformer", "config": config})
	return h.Do(plugintest.Request{}, up)
}

func TestHeaders(t *testing.T) {
	cases := []struct {
		name   string
		config schema.Doc
		up     [][2]string
		want   map[string][]string
	}{
		{"remove every value", schema.Doc{"remove": schema.Doc{"headers": []string{"x-a", "x-absent"}}},
			[][2]string{{"X-A", "1"}, {"X-A", "2"}, {"X-B", "3"}}, map[string][]string{"X-A": nil, "X-B": {"3"}}},
		{"rename keeps values", schema.Doc{"rename": schema.Doc{"headers": []string{"x-a:x-b"}}},
			[][2]string{{"X-A", "1"}, {"X-A", "2"}}, map[string][]string{"X-A": nil, "X-B": {"1", "2"}}},
		{"rename of an absent header does nothing", schema.Doc{"rename": schema.Doc{"headers": []string{"x-a:x-b"}}},
			[][2]string{{"X-B", "kept"}}, map[string][]string{"X-B": {"kept"}}},
		{"rename to itself removes the header", schema.Doc{"rename": schema.Doc{"headers": []string{"x-a:X-A"}}},
			[][2]string{{"X-A", "1"}}, map[string][]string{"X-A": nil}},
		{"replace only when present", schema.Doc{"replace": schema.Doc{"headers": []string{"x-a:new", "x-absent:new"}}},
			[][2]string{{"X-A", "1"}, {"X-A", "2"}}, map[string][]string{"X-A": {"new"}, "X-Absent": nil}},
		{"add only when absent", schema.Doc{"add": schema.Doc{"headers": []string{"x-a:new", "x-b:new"}}},
			[][2]string{{"X-A", "old"}}, map[string][]string{"X-A": {"old"}, "X-B": {"new"}}},
		{"append", schema.Doc{"append": schema.Doc{"headers": []string{"x-a:2", "x-b:1"}}},
			[][2]string{{"X-A", "1"}}, map[string][]string{"X-A": {"1", "2"}, "X-B": {"1"}}},
		{"add checks the headers as received", schema.Doc{"remove": schema.Doc{"headers": []string{"x-a"}}, "add": schema.Doc{"headers": []string{"x-a:new"}}},
			[][2]string{{"X-A", "old"}}, map[string][]string{"X-A": nil}},
		{"replace checks the headers as received", schema.Doc{"remove": schema.Doc{"headers": []string{"x-a"}}, "replace": schema.Doc{"headers": []string{"x-a:new"}}},
			[][2]string{{"X-A", "old"}}, map[string][]string{"X-A": {"new"}}},
		{"values keep later colons", schema.Doc{"add": schema.Doc{"headers": []string{"x-url:http://a:1/b"}}},
			nil, map[string][]string{"X-Url": {"http://a:1/b"}}},
		{"entries without value are ignored by add", schema.Doc{"add": schema.Doc{"headers": []string{"x-empty:"}}},
			nil, map[string][]string{"X-Empty": nil}},
		{"content type can be replaced", schema.Doc{"replace": schema.Doc{"headers": []string{"content-type:text/csv"}}},
			[][2]string{{"Content-Type", "text/plain"}}, map[string][]string{"Content-Type": {"text/csv"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, tc.config, plugintest.Upstream{Headers: tc.up})
			for k, v := range tc.want {
				if got := res.Headers.Values(k); !reflect.DeepEqual(got, v) {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestTransformsPluginExits(t *testing.T) {
	h := plugintest.New(t)
	h.Plugin(schema.Doc{"name": "rst-test-exit", "config": schema.Doc{}})
	h.Plugin(schema.Doc{"name": "response-transformer", "config": schema.Doc{
		"rename": schema.Doc{"headers": []string{"x-exit:x-renamed"}}, "add": schema.Doc{"json": []string{"b:2"}}}})
	res := h.Do(plugintest.Request{}, plugintest.Upstream{})
	if res.Status != 418 || res.Headers.Get("X-Renamed") != "1" || string(res.Body) != `{"a":1,"b":"2"}` {
		t.Fatalf("%d %v %s", res.Status, res.Headers, res.Body)
	}
}

func TestJSONBody(t *testing.T) {
	cases := []struct {
		name   string
		config schema.Doc
		body   string
		want   string
	}{
		{"remove", schema.Doc{"remove": schema.Doc{"json": []string{"a", "zz"}}}, `{"a":1,"b":2}`, `{"b":2}`},
		{"rename", schema.Doc{"rename": schema.Doc{"json": []string{"a:c", "zz:y"}}}, `{"a":[1],"b":2}`, `{"b":2,"c":[1]}`},
		{"rename keeps null", schema.Doc{"rename": schema.Doc{"json": []string{"a:c"}}}, `{"a":null}`, `{"c":null}`},
		{"replace when present, not when false", schema.Doc{"replace": schema.Doc{"json": []string{"a:new", "f:new", "x:new"}}}, `{"a":1,"f":false}`, `{"a":"new","f":false}`},
		{"add when absent or false", schema.Doc{"add": schema.Doc{"json": []string{"a:new", "f:new", "x:new"}}}, `{"a":1,"f":false}`, `{"a":1,"f":"new","x":"new"}`},
		{"append", schema.Doc{"append": schema.Doc{"json": []string{"s:2", "l:3", "x:1", "n:2", "o:v"}}},
			`{"s":"1","l":["1","2"],"n":1,"o":{}}`, `{"l":["1","2","3"],"n":["2"],"o":["v"],"s":["1","2"],"x":["1"]}`},
		{"json_types cast values", schema.Doc{"add": schema.Doc{"json": []string{"n:42", "f:1.5", "b:true", "c:yes", "s:7"}, "json_types": []string{"number", "number", "boolean", "boolean", "string"}}},
			`{}`, `{"b":true,"c":false,"f":1.5,"n":42,"s":"7"}`},
		{"numbers that do not parse are skipped", schema.Doc{"add": schema.Doc{"json": []string{"n:abc"}, "json_types": []string{"number"}}}, `{}`, `{}`},
		{"json_types apply by position", schema.Doc{"replace": schema.Doc{"json": []string{"a:1", "b:2"}, "json_types": []string{"string", "number"}}},
			`{"a":0,"b":0}`, `{"a":"1","b":2}`},
		{"an entry without value adds the string null", schema.Doc{"add": schema.Doc{"json": []string{"x:"}}}, `{}`, `{"x":"null"}`},
		{"backslashes stay escaped, as Kong's json_value", schema.Doc{"add": schema.Doc{"json": []string{`p:a\b "q" /s`}}}, `{}`, `{"p":"a\\\\b \"q\" /s"}`},
		{"order: remove then add", schema.Doc{"remove": schema.Doc{"json": []string{"a"}}, "add": schema.Doc{"json": []string{"a:re"}}}, `{"a":1}`, `{"a":"re"}`},
		{"numbers are preserved", schema.Doc{"add": schema.Doc{"json": []string{"x:1"}}}, `{"big":12345678901234567890,"f":1.10}`, `{"big":12345678901234567890,"f":1.10,"x":"1"}`},
		{"invalid JSON is left alone", schema.Doc{"add": schema.Doc{"json": []string{"x:1"}}}, `{"a":`, `{"a":`},
		{"arrays are left alone", schema.Doc{"add": schema.Doc{"json": []string{"x:1"}}}, `[1, 2]`, `[1, 2]`},
		{"headers-only config leaves the body", schema.Doc{"add": schema.Doc{"headers": []string{"x:1"}}}, `{"a" : 1}`, `{"a" : 1}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, tc.config, plugintest.Upstream{Headers: [][2]string{{"Content-Type", "application/json; charset=utf-8"}}, Body: []byte(tc.body)})
			if string(res.Body) != tc.want {
				t.Fatalf("body %s, want %s", res.Body, tc.want)
			}
		})
	}
}

func TestJSONContentTypes(t *testing.T) {
	cases := []struct {
		ct   string
		json bool
	}{
		{"application/json", true},
		{"Application/JSON", true},
		{"application/json; charset=utf-8", true},
		{"application/json;charset=utf-8", true},
		{`application/json; foo="a;b"`, true},
		{"text/plain, application/json", true},
		{"application/jsonp", false},
		{"application/vnd.api+json", false},
		{"application/json;", false},
		{"text/json", false},
		{"text/html", false},
		{"", false},
	}
	for _, tc := range cases {
		t.Run(tc.ct, func(t *testing.T) {
			var hdrs [][2]string
			if tc.ct != "" {
				hdrs = [][2]string{{"Content-Type", tc.ct}}
			}
			res := run(t, schema.Doc{"add": schema.Doc{"json": []string{"x:1"}}}, plugintest.Upstream{Headers: hdrs, Body: []byte(`{}`)})
			if transformed := string(res.Body) == `{"x":"1"}`; transformed != tc.json {
				t.Fatalf("transformed=%v body %s", transformed, res.Body)
			}
		})
	}
}

func TestSchema(t *testing.T) {
	h := plugintest.New(t)
	cases := []struct {
		name   string
		config schema.Doc
		want   string
	}{
		{"defaults are valid", schema.Doc{}, ""},
		{"add.json needs a colon", schema.Doc{"add": schema.Doc{"json": []string{"x"}}},
			`schema violation (config.add: {
  json = {
    "invalid value: x"
  }
})`},
		{"add.headers needs a colon", schema.Doc{"add": schema.Doc{"headers": []string{"ok:1", ":x"}}},
			`schema violation (config.add: {
  headers = {
    [2] = "invalid value: :x"
  }
})`},
		{"json_types values", schema.Doc{"append": schema.Doc{"json_types": []string{"object"}}},
			`schema violation (config.append: {
  json_types = {
    "expected one of: boolean, number, string"
  }
})`},
		{"rename.headers must be header names", schema.Doc{"rename": schema.Doc{"headers": []string{"x-a:x b"}}},
			`schema violation (config.rename: {
  headers = {
    "'x b' is not a valid header"
  }
})`},
		{"rename.headers needs a colon", schema.Doc{"rename": schema.Doc{"headers": []string{"x-a"}}},
			`schema violation (config.rename: {
  headers = {
    "invalid value: x-a"
  }
})`},
		{"records cannot be null", schema.Doc{"remove": nil}, "schema violation (config.remove: required field missing)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := h.PluginError(schema.Doc{"name": "response-transformer", "config": tc.config}); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
	doc := h.Plugin(schema.Doc{"name": "response-transformer", "config": schema.Doc{}})
	typed := map[string]any{"json": []any{}, "json_types": []any{}, "headers": []any{}}
	plain := map[string]any{"json": []any{}, "headers": []any{}}
	want := map[string]any{"remove": plain, "rename": plain, "replace": typed, "add": typed, "append": typed}
	if !reflect.DeepEqual(doc["config"], want) {
		t.Fatalf("defaults %#v", doc["config"])
	}
}

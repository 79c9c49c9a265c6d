package requesttransformer_test

import (
	"encoding/json"
	"net/url"
	"reflect"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin/plugintest"
	_ "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/request-transformer"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

func init() {
	// rt-test-shared stores kong.ctx.shared values before the transformer
	// runs, for $(shared.*) templates.
	plugin.Register(plugin.Spec{Name: "rt-test-shared", Priority: 5000,
		New: func(*plugin.Env) (any, error) { return sharer{}, nil }})
}

type sharer struct{}

func (sharer) Access(c *plugin.Context) { c.Set("tenant", "acme") }

func run(t *testing.T, config schema.Doc, req plugintest.Request) plugintest.Result {
	t.Helper()
	h := plugintest.New(t)
	h.Plugin(schema.Doc{"name": "request-transformer", "config": config})
	return h.Do(req, plugintest.Upstream{})
}

func sent(t *testing.T, res plugintest.Result) *plugintest.Sent {
	t.Helper()
	if res.Upstream == nil {
		t.Fatalf("upstream not called: %d %s", res.Status, res.Body)
	}
	return res.Upstream
}

func query(t *testing.T, s *plugintest.Sent) url.Values {
	t.Helper()
	u, err := url.Parse(s.URI)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query()
}

func TestHeaders(t *testing.T) {
	cases := []struct {
		name   string
		config schema.Doc
		in     [][2]string
		want   map[string][]string // nil slice: header absent
	}{
		{"remove", schema.Doc{"remove": schema.Doc{"headers": []string{"x-to-remove", "x-absent"}}},
			[][2]string{{"X-To-Remove", "1"}, {"X-Keep", "2"}},
			map[string][]string{"X-To-Remove": nil, "X-Keep": {"2"}}},
		{"rename keeps every value", schema.Doc{"rename": schema.Doc{"headers": []string{"x-old:X-New"}}},
			[][2]string{{"X-Old", "a"}, {"X-Old", "b"}},
			map[string][]string{"X-Old": nil, "X-New": {"a", "b"}}},
		{"rename of an absent header does nothing", schema.Doc{"rename": schema.Doc{"headers": []string{"x-old:x-new"}}},
			[][2]string{{"X-New", "kept"}},
			map[string][]string{"X-New": {"kept"}}},
		{"rename overwrites the target", schema.Doc{"rename": schema.Doc{"headers": []string{"x-old:x-new"}}},
			[][2]string{{"X-Old", "moved"}, {"X-New", "lost"}},
			map[string][]string{"X-New": {"moved"}}},
		{"replace only when present", schema.Doc{"replace": schema.Doc{"headers": []string{"x-present:new", "x-absent:new"}}},
			[][2]string{{"X-Present", "old1"}, {"X-Present", "old2"}},
			map[string][]string{"X-Present": {"new"}, "X-Absent": nil}},
		{"add only when absent", schema.Doc{"add": schema.Doc{"headers": []string{"x-present:new", "x-absent:new"}}},
			[][2]string{{"X-Present", "old"}},
			map[string][]string{"X-Present": {"old"}, "X-Absent": {"new"}}},
		{"append adds a value", schema.Doc{"append": schema.Doc{"headers": []string{"x-list:b", "x-new:c"}}},
			[][2]string{{"X-List", "a"}},
			map[string][]string{"X-List": {"a", "b"}, "X-New": {"c"}}},
		{"values keep colons after the first", schema.Doc{"add": schema.Doc{"headers": []string{"x-url:http://example.com:8080/x"}}},
			nil, map[string][]string{"X-Url": {"http://example.com:8080/x"}}},
		{"remove runs before add", schema.Doc{"remove": schema.Doc{"headers": []string{"x-h"}}, "add": schema.Doc{"headers": []string{"x-h:added"}}},
			[][2]string{{"X-H", "orig"}},
			map[string][]string{"X-H": {"added"}}},
		{"rename runs before add", schema.Doc{"rename": schema.Doc{"headers": []string{"x-a:x-b"}}, "add": schema.Doc{"headers": []string{"x-b:added"}}},
			[][2]string{{"X-A", "moved"}},
			map[string][]string{"X-A": nil, "X-B": {"moved"}}},
		{"replace runs before append", schema.Doc{"replace": schema.Doc{"headers": []string{"x-h:r"}}, "append": schema.Doc{"headers": []string{"x-h:a"}}},
			[][2]string{{"X-H", "orig"}},
			map[string][]string{"X-H": {"r", "a"}}},
		{"add never sets host", schema.Doc{"add": schema.Doc{"headers": []string{"host:evil.com"}}},
			nil, map[string][]string{"Host": {"gateway.test"}}},
		{"replace sets host", schema.Doc{"replace": schema.Doc{"headers": []string{"host:backend.internal"}}},
			nil, map[string][]string{"Host": {"backend.internal"}}},
		{"remove ignores host", schema.Doc{"remove": schema.Doc{"headers": []string{"host"}}},
			nil, map[string][]string{"Host": {"gateway.test"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := sent(t, run(t, tc.config, plugintest.Request{Headers: tc.in}))
			for k, v := range tc.want {
				got := s.Headers.Values(k)
				if k == "Host" {
					got = []string{s.Headers.Get("Host")}
				}
				if !reflect.DeepEqual(got, v) {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestTemplates(t *testing.T) {
	cases := []struct {
		name  string
		value string
		req   plugintest.Request
		want  string
	}{
		{"header by index", `$(headers["x-user"])`, plugintest.Request{Headers: [][2]string{{"X-User", "alice"}}}, "alice"},
		{"header by field with underscores", `$(headers.x_user)`, plugintest.Request{Headers: [][2]string{{"X-User", "bob"}}}, "bob"},
		{"header names are case-insensitive", `$(headers["X-USER"])`, plugintest.Request{Headers: [][2]string{{"x-user", "carol"}}}, "carol"},
		{"query parameter", `$(query_params.q)`, plugintest.Request{URI: "/?q=search"}, "search"},
		{"query parameter by index", `$(query_params["q"])`, plugintest.Request{URI: "/?q=by+index"}, "by index"},
		{"or gives a default", `$(query_params.missing or "default")`, plugintest.Request{}, "default"},
		{"missing values render empty", `v=$(headers.missing)`, plugintest.Request{}, "v="},
		{"literal text around placeholders", `Bearer $(headers.token)!`, plugintest.Request{Headers: [][2]string{{"Token", "t0k"}}}, "Bearer t0k!"},
		{"several placeholders", `$(headers.a)-$(query_params.b)`, plugintest.Request{URI: "/?b=2", Headers: [][2]string{{"A", "1"}}}, "1-2"},
		{"concatenation", `$(headers.a .. ":" .. query_params.b)`, plugintest.Request{URI: "/?b=y", Headers: [][2]string{{"A", "x"}}}, "x:y"},
		{"repeated header by position", `$(headers["x-m"][2])`, plugintest.Request{Headers: [][2]string{{"X-M", "one"}, {"X-M", "two"}}}, "two"},
		{"type of a repeated header", `$(type(headers["x-m"]))`, plugintest.Request{Headers: [][2]string{{"X-M", "one"}, {"X-M", "two"}}}, "table"},
		{"string methods", `$(headers.a:upper())`, plugintest.Request{Headers: [][2]string{{"A", "shout"}}}, "SHOUT"},
		{"uri captures are empty", `[$(uri_captures.id)]`, plugintest.Request{}, "[]"},
		{"numbers render like Lua", `$(1 + 1)/$(10 / 4)`, plugintest.Request{}, "2/2.5"},
		{"comparison and and/or", `$(headers.a == "x" and "yes" or "no")`, plugintest.Request{Headers: [][2]string{{"A", "x"}}}, "yes"},
		{"shared context values", `$(shared.tenant)`, plugintest.Request{}, "acme"},
		{"unbalanced placeholder is literal", `$(headers.a`, plugintest.Request{}, "$(headers.a"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := plugintest.New(t)
			h.Plugin(schema.Doc{"name": "rt-test-shared", "config": schema.Doc{}})
			h.Plugin(schema.Doc{"name": "request-transformer", "config": schema.Doc{
				"add": schema.Doc{"headers": []string{"x-out:" + tc.value}, "querystring": []string{"out:" + tc.value}}}})
			s := sent(t, h.Do(tc.req, plugintest.Upstream{}))
			if got := s.Headers.Get("X-Out"); got != tc.want {
				t.Errorf("header X-Out = %q, want %q", got, tc.want)
			}
			if got := query(t, s).Get("out"); got != tc.want {
				t.Errorf("query out = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestTemplateSeesTheRequestAsReceived(t *testing.T) {
	// The header is removed, yet templates of later header operations
	// still read the value the client sent, as in Kong.
	s := sent(t, run(t, schema.Doc{
		"remove": schema.Doc{"headers": []string{"x-secret"}},
		"add":    schema.Doc{"headers": []string{"x-copy:$(headers.x_secret)"}},
	}, plugintest.Request{Headers: [][2]string{{"X-Secret", "s3"}}}))
	if s.Headers.Get("X-Secret") != "" || s.Headers.Get("X-Copy") != "s3" {
		t.Fatalf("headers %v", s.Headers)
	}
}

func TestTemplateErrorsAre500(t *testing.T) {
	cases := []struct {
		name   string
		config schema.Doc
	}{
		{"indexing nil", schema.Doc{"add": schema.Doc{"headers": []string{"x:$(headers.missing.sub)"}}}},
		{"concatenating nil", schema.Doc{"add": schema.Doc{"querystring": []string{`x:$("a" .. headers.missing)`}}}},
		{"calling an unknown function", schema.Doc{"add": schema.Doc{"body": []string{"x:$(nothere())"}}}},
		{"header value that does not compile", schema.Doc{"append": schema.Doc{"headers": []string{"x:$(a b)"}}}},
		{"uri that does not render a path", schema.Doc{"replace": schema.Doc{"uri": "$(query_params.p)"}}},
		{"uri that does not compile", schema.Doc{"replace": schema.Doc{"uri": "/$(1 +)"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := run(t, tc.config, plugintest.Request{Method: "POST", URI: "/?p=nopath",
				Headers: [][2]string{{"Content-Type", "application/json"}}, Body: []byte(`{}`)})
			if res.Status != 500 || string(res.Body) != `{"message":"An unexpected error occurred"}` || res.Upstream != nil {
				t.Fatalf("got %d %s", res.Status, res.Body)
			}
		})
	}
}

func TestMethodAndURI(t *testing.T) {
	t.Run("http_method", func(t *testing.T) {
		s := sent(t, run(t, schema.Doc{"http_method": "PUT"}, plugintest.Request{Method: "GET"}))
		if s.Method != "PUT" {
			t.Fatalf("method %s", s.Method)
		}
	})
	t.Run("GET moves a form body into the query string", func(t *testing.T) {
		s := sent(t, run(t, schema.Doc{"http_method": "GET"}, plugintest.Request{Method: "POST", URI: "/p?a=1",
			Headers: [][2]string{{"Content-Type", "application/x-www-form-urlencoded"}}, Body: []byte("a=2&b=x+y")}))
		if s.Method != "GET" {
			t.Fatalf("method %s", s.Method)
		}
		q := query(t, s)
		if !reflect.DeepEqual(q["a"], []string{"1", "2"}) || q.Get("b") != "x y" {
			t.Fatalf("query %v", q)
		}
	})
	t.Run("POST leaves the query string alone", func(t *testing.T) {
		s := sent(t, run(t, schema.Doc{"http_method": "POST"}, plugintest.Request{Method: "PUT", URI: "/p",
			Headers: [][2]string{{"Content-Type", "application/x-www-form-urlencoded"}}, Body: []byte("a=2")}))
		if s.Method != "POST" || s.URI != "/p" {
			t.Fatalf("%s %s", s.Method, s.URI)
		}
	})
	t.Run("replace.uri", func(t *testing.T) {
		s := sent(t, run(t, schema.Doc{"replace": schema.Doc{"uri": "/v2/users/$(query_params.id)"}}, plugintest.Request{URI: "/users?id=42"}))
		if s.URI != "/v2/users/42?id=42" {
			t.Fatalf("uri %s", s.URI)
		}
	})
}

func TestQueryString(t *testing.T) {
	cases := []struct {
		name   string
		config schema.Doc
		uri    string
		want   url.Values
	}{
		{"remove", schema.Doc{"remove": schema.Doc{"querystring": []string{"a", "zz"}}}, "/?a=1&a=2&b=3", url.Values{"b": {"3"}}},
		{"rename", schema.Doc{"rename": schema.Doc{"querystring": []string{"a:c"}}}, "/?a=1&a=2&b=3", url.Values{"c": {"1", "2"}, "b": {"3"}}},
		{"rename of an absent argument clears the target", schema.Doc{"rename": schema.Doc{"querystring": []string{"a:b"}}}, "/?b=3", url.Values{}},
		{"replace only when present", schema.Doc{"replace": schema.Doc{"querystring": []string{"a:new", "x:new"}}}, "/?a=1&a=2", url.Values{"a": {"new"}}},
		{"add only when absent", schema.Doc{"add": schema.Doc{"querystring": []string{"a:new", "x:new"}}}, "/?a=1", url.Values{"a": {"1"}, "x": {"new"}}},
		{"append", schema.Doc{"append": schema.Doc{"querystring": []string{"a:2", "x:y"}}}, "/?a=1", url.Values{"a": {"1", "2"}, "x": {"y"}}},
		{"order remove then add", schema.Doc{"remove": schema.Doc{"querystring": []string{"a"}}, "add": schema.Doc{"querystring": []string{"a:added"}}}, "/?a=1", url.Values{"a": {"added"}}},
		{"values are encoded", schema.Doc{"add": schema.Doc{"querystring": []string{"q:a b&c"}}}, "/", url.Values{"q": {"a b&c"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := query(t, sent(t, run(t, tc.config, plugintest.Request{URI: tc.uri}))); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("query %v, want %v", got, tc.want)
			}
		})
	}
}

func TestJSONBody(t *testing.T) {
	cases := []struct {
		name   string
		config schema.Doc
		body   string
		want   string // "" = body unchanged
	}{
		{"remove", schema.Doc{"remove": schema.Doc{"body": []string{"a", "zz"}}}, `{"a":1,"b":2}`, `{"b":2}`},
		{"rename", schema.Doc{"rename": schema.Doc{"body": []string{"a:c"}}}, `{"a":{"x":1},"b":2}`, `{"b":2,"c":{"x":1}}`},
		{"rename of an absent key clears the target", schema.Doc{"rename": schema.Doc{"body": []string{"a:b"}}}, `{"b":2}`, `{}`},
		{"replace when present, null included", schema.Doc{"replace": schema.Doc{"body": []string{"a:new", "n:new", "x:new"}}}, `{"a":1,"n":null}`, `{"a":"new","n":"new"}`},
		{"replace skips false", schema.Doc{"replace": schema.Doc{"body": []string{"f:new"}}}, `{"f":false}`, `{"f":false}`},
		{"add when absent or false", schema.Doc{"add": schema.Doc{"body": []string{"a:new", "f:new", "x:new"}}}, `{"a":1,"f":false}`, `{"a":1,"f":"new","x":"new"}`},
		{"append to string, array, absent and number", schema.Doc{"append": schema.Doc{"body": []string{"s:2", "l:3", "x:1", "n:2"}}},
			`{"s":"1","l":["1","2"],"n":1}`, `{"l":["1","2","3"],"n":["2"],"s":["1","2"],"x":["1"]}`},
		{"append to an empty object makes an array", schema.Doc{"append": schema.Doc{"body": []string{"o:v"}}}, `{"o":{}}`, `{"o":["v"]}`},
		{"numbers are preserved exactly", schema.Doc{"add": schema.Doc{"body": []string{"x:y"}}}, `{"big":12345678901234567890,"f":1.10}`, `{"big":12345678901234567890,"f":1.10,"x":"y"}`},
		{"no HTML escaping", schema.Doc{"add": schema.Doc{"body": []string{"x:<a&b>"}}}, `{}`, `{"x":"<a&b>"}`},
		{"empty body gets added keys", schema.Doc{"add": schema.Doc{"body": []string{"x:1"}}, "remove": schema.Doc{"body": []string{"y"}}}, ``, `{"x":"1"}`},
		{"invalid JSON is left alone", schema.Doc{"add": schema.Doc{"body": []string{"x:1"}}}, `{"a":`, ""},
		{"non-object JSON is left alone", schema.Doc{"add": schema.Doc{"body": []string{"x:1"}}}, `[1,2]`, ""},
		{"templates in body values", schema.Doc{"add": schema.Doc{"body": []string{"who:$(headers.x_user)"}}}, `{}`, `{"who":"dave"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := sent(t, run(t, tc.config, plugintest.Request{Method: "POST",
				Headers: [][2]string{{"Content-Type", "application/json; charset=utf-8"}, {"X-User", "dave"}}, Body: []byte(tc.body)}))
			want := tc.want
			if want == "" {
				want = tc.body
			}
			if string(s.Body) != want {
				t.Fatalf("body %s, want %s", s.Body, want)
			}
			if tc.want != "" && s.Headers.Get("Content-Length") != "" && s.Headers.Get("Content-Length") != itoa(len(want)) {
				t.Fatalf("Content-Length %s for %d bytes", s.Headers.Get("Content-Length"), len(want))
			}
		})
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestFormBody(t *testing.T) {
	cases := []struct {
		name   string
		config schema.Doc
		body   string
		want   string
	}{
		{"remove", schema.Doc{"remove": schema.Doc{"body": []string{"a"}}}, "a=1&b=2", "b=2"},
		{"rename", schema.Doc{"rename": schema.Doc{"body": []string{"a:c"}}}, "a=1&b=2", "b=2&c=1"},
		{"replace when present", schema.Doc{"replace": schema.Doc{"body": []string{"a:new", "x:new"}}}, "a=1&b=2", "a=new&b=2"},
		{"add when absent", schema.Doc{"add": schema.Doc{"body": []string{"a:new", "x:new value"}}}, "a=1", "a=1&x=new%20value"},
		{"append", schema.Doc{"append": schema.Doc{"body": []string{"a:2"}}}, "a=1", "a=1&a=2"},
		{"repeated arguments survive", schema.Doc{"add": schema.Doc{"body": []string{"z:1"}}}, "a=1&a=2&flag", "a=1&a=2&flag&z=1"},
		{"decoded and re-encoded", schema.Doc{"add": schema.Doc{"body": []string{"z:1"}}}, "q=a+b%2Fc", "q=a%20b%2Fc&z=1"},
		{"empty body gets added arguments", schema.Doc{"add": schema.Doc{"body": []string{"z:1"}}, "remove": schema.Doc{"body": []string{"a"}}}, "", "z=1"},
		{"nothing to change leaves the body", schema.Doc{"replace": schema.Doc{"body": []string{"x:1"}}}, "a=1+2", "a=1+2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := sent(t, run(t, tc.config, plugintest.Request{Method: "POST",
				Headers: [][2]string{{"Content-Type", "application/x-www-form-urlencoded"}}, Body: []byte(tc.body)}))
			if string(s.Body) != tc.want {
				t.Fatalf("body %q, want %q", s.Body, tc.want)
			}
		})
	}
}

func TestMultipartBody(t *testing.T) {
	const ct = "multipart/form-data; boundary=XyZ"
	part := func(name, value string) string {
		return "--XyZ\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n"
	}
	file := "--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nline1\r\nline2\r\n"
	end := "--XyZ--\r\n"
	cases := []struct {
		name   string
		config schema.Doc
		body   string
		want   string
	}{
		{"add keeps existing parts verbatim", schema.Doc{"add": schema.Doc{"body": []string{"n:v"}}}, file + part("a", "1") + end, file + part("a", "1") + part("n", "v") + end},
		{"remove", schema.Doc{"remove": schema.Doc{"body": []string{"a"}}}, part("a", "1") + part("b", "2") + end, part("b", "2") + end},
		{"rename", schema.Doc{"rename": schema.Doc{"body": []string{"a:c"}}}, part("a", "1") + part("b", "2") + end, part("b", "2") + part("c", "1") + end},
		{"replace", schema.Doc{"replace": schema.Doc{"body": []string{"f:new", "x:no"}}}, file + part("b", "2") + end, part("b", "2") + part("f", "new") + end},
		{"append is not supported for multipart", schema.Doc{"append": schema.Doc{"body": []string{"a:2"}}}, part("a", "1") + end, part("a", "1") + end},
		{"empty body gets added parts", schema.Doc{"add": schema.Doc{"body": []string{"n:v"}}}, "", part("n", "v") + end},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := sent(t, run(t, tc.config, plugintest.Request{Method: "POST", Headers: [][2]string{{"Content-Type", ct}}, Body: []byte(tc.body)}))
			if string(s.Body) != tc.want {
				t.Fatalf("body\n%q\nwant\n%q", s.Body, tc.want)
			}
		})
	}
}

func TestBodyLeftAloneForOtherContentTypes(t *testing.T) {
	for _, ct := range []string{"text/plain", ""} {
		s := sent(t, run(t, schema.Doc{"add": schema.Doc{"body": []string{"x:1"}}},
			plugintest.Request{Method: "POST", Headers: [][2]string{{"Content-Type", ct}}, Body: []byte("raw")}))
		if string(s.Body) != "raw" {
			t.Fatalf("content type %q: body %q", ct, s.Body)
		}
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
		{"templates are valid", schema.Doc{"add": schema.Doc{"body": []string{`a:$(headers["x"] or "d")`}, "querystring": []string{"q:$(query_params.q)"}}}, ""},
		{"http_method must be uppercase", schema.Doc{"http_method": "get"}, "schema violation (config.http_method: invalid value: get)"},
		{"remove.headers names must be header names", schema.Doc{"remove": schema.Doc{"headers": []string{"x-ok", "bad header"}}},
			`schema violation (config.remove: {
  headers = {
    [2] = "'bad header' is not a valid header"
  }
})`},
		{"add.headers needs a colon", schema.Doc{"add": schema.Doc{"headers": []string{"x-foo"}}},
			`schema violation (config.add: {
  headers = {
    "invalid value: x-foo"
  }
})`},
		{"add.headers name must be a header name", schema.Doc{"add": schema.Doc{"headers": []string{"x foo:bar"}}},
			`schema violation (config.add: {
  headers = {
    "'x foo' is not a valid header"
  }
})`},
		{"rename.headers target must be a header name", schema.Doc{"rename": schema.Doc{"headers": []string{"x-a:x b"}}},
			`schema violation (config.rename: {
  headers = {
    "'x b' is not a valid header"
  }
})`},
		{"add.querystring needs a value", schema.Doc{"add": schema.Doc{"querystring": []string{"q"}}},
			`schema violation (config.add: {
  querystring = {
    "key 'q' has no value"
  }
})`},
		{"append.body needs a value", schema.Doc{"append": schema.Doc{"body": []string{"b:"}}},
			`schema violation (config.append: {
  body = {
    "key 'b' has no value"
  }
})`},
		{"templates must compile", schema.Doc{"replace": schema.Doc{"body": []string{"b:$(a b)"}}},
			`schema violation (config.replace: {
  body = {
    "value '$(a b)' is not in supported format, error:[string \"TMP\"]:1: ')' expected near 'b'"
  }
})`},
		{"records cannot be null", schema.Doc{"add": nil}, "schema violation (config.add: required field missing)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := h.PluginError(schema.Doc{"name": "request-transformer", "config": tc.config}); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
	doc := h.Plugin(schema.Doc{"name": "request-transformer", "config": schema.Doc{}})
	empty := map[string]any{"body": []any{}, "headers": []any{}, "querystring": []any{}}
	want := map[string]any{"http_method": nil, "remove": empty, "rename": empty, "add": empty, "append": empty,
		"replace": map[string]any{"body": []any{}, "headers": []any{}, "querystring": []any{}, "uri": nil}}
	if !reflect.DeepEqual(doc["config"], want) {
		t.Fatalf("defaults %#v", doc["config"])
	}
}

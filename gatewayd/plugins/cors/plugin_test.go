package cors_test

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin/plugintest"
	_ "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/cors"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

func init() {
	// cors-test-deny ends every request with 403 after cors' access ran.
	plugin.Register(plugin.Spec{Name: "cors-test-deny", Priority: 1,
		New: func(*plugin.Env) (any, error) { return deny{}, nil }})
}

type deny struct{}

func (deny) Access(c *plugin.Context) { c.Error(403, "nope") }

const allMethods = "GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT"

func preflight(origin string, extra ...[2]string) plugintest.Request {
	h := [][2]string{{"Origin", origin}, {"Access-Control-Request-Method", "GET"}}
	return plugintest.Request{Method: "OPTIONS", Headers: append(h, extra...)}
}

func withOrigin(origin string) plugintest.Request {
	return plugintest.Request{Headers: [][2]string{{"Origin", origin}}}
}

// want lists expected response headers; "" means the header is absent.
type want map[string]string

func checkHeaders(t *testing.T, got http.Header, w want) {
	t.Helper()
	for k, v := range w {
		if g := got.Get(k); g != v {
			t.Errorf("%s = %q, want %q (all: %v)", k, g, v, got)
		}
	}
}

func TestPreflight(t *testing.T) {
	cases := []struct {
		name   string
		config schema.Doc
		req    plugintest.Request
		want   want
		vary   []string
	}{
		{"default config allows every origin and method", schema.Doc{},
			preflight("http://example.com"),
			want{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": allMethods,
				"Access-Control-Allow-Headers": "", "Access-Control-Max-Age": "", "Access-Control-Allow-Credentials": ""}, nil},
		{"request headers are echoed when headers is null", schema.Doc{},
			preflight("http://example.com", [2]string{"Access-Control-Request-Headers", "X-Foo, X-Bar"}),
			want{"Access-Control-Allow-Headers": "X-Foo, X-Bar"}, nil},
		{"configured headers, methods and max_age", schema.Doc{"headers": []string{"X-A", "X-B"}, "methods": []string{"GET", "POST"}, "max_age": 3600},
			preflight("http://example.com", [2]string{"Access-Control-Request-Headers", "X-Other"}),
			want{"Access-Control-Allow-Headers": "X-A,X-B", "Access-Control-Allow-Methods": "GET,POST", "Access-Control-Max-Age": "3600"}, nil},
		{"fractional max_age prints like Lua", schema.Doc{"max_age": 1.5},
			preflight("http://example.com"), want{"Access-Control-Max-Age": "1.5"}, nil},
		{"credentials with a literal origin", schema.Doc{"origins": []string{"http://example.com"}, "credentials": true},
			preflight("http://other.com"),
			want{"Access-Control-Allow-Origin": "http://example.com", "Access-Control-Allow-Credentials": "true"}, []string{"Origin"}},
		{"credentials with * echo the request origin", schema.Doc{"credentials": true},
			preflight("http://example.com"),
			want{"Access-Control-Allow-Origin": "http://example.com", "Access-Control-Allow-Credentials": "true"}, []string{"Origin"}},
		{"private network access is granted when asked", schema.Doc{"private_network": true},
			preflight("http://example.com", [2]string{"Access-Control-Request-Private-Network", "true"}),
			want{"Access-Control-Allow-Private-Network": "true"}, nil},
		{"private network access is not sent unless asked", schema.Doc{"private_network": true},
			preflight("http://example.com"),
			want{"Access-Control-Allow-Private-Network": ""}, nil},
		{"private network access is not sent unless configured", schema.Doc{},
			preflight("http://example.com", [2]string{"Access-Control-Request-Private-Network", "true"}),
			want{"Access-Control-Allow-Private-Network": ""}, nil},
		{"unmatched origin gets no ACAO but Vary", schema.Doc{"origins": []string{"http://a.com", "http://b.com"}},
			preflight("http://c.com"),
			want{"Access-Control-Allow-Origin": "", "Access-Control-Allow-Methods": allMethods}, []string{"Origin"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := plugintest.New(t)
			h.Plugin(schema.Doc{"name": "cors", "config": tc.config})
			res := h.Do(tc.req, plugintest.Upstream{Headers: [][2]string{{"X-Upstream", "1"}}})
			if !res.Exited || res.Status != 200 || len(res.Body) != 0 || res.Upstream != nil {
				t.Fatalf("preflight not answered by the plugin: exited=%v status=%d body=%q", res.Exited, res.Status, res.Body)
			}
			checkHeaders(t, res.Headers, tc.want)
			if got := res.Headers.Values("Vary"); !reflect.DeepEqual(got, tc.vary) {
				t.Errorf("Vary = %v, want %v", got, tc.vary)
			}
		})
	}
}

func TestPreflightContinueProxiesWithoutCORSHeaders(t *testing.T) {
	h := plugintest.New(t)
	h.Plugin(schema.Doc{"name": "cors", "config": schema.Doc{"preflight_continue": true, "exposed_headers": []string{"X-E"}}})
	res := h.Do(preflight("http://example.com"), plugintest.Upstream{Status: 204})
	if res.Exited || res.Upstream == nil || res.Upstream.Method != "OPTIONS" || res.Status != 204 {
		t.Fatalf("preflight was not proxied: exited=%v status=%d", res.Exited, res.Status)
	}
	checkHeaders(t, res.Headers, want{"Access-Control-Allow-Origin": "", "Access-Control-Expose-Headers": "", "Access-Control-Allow-Methods": ""})
}

func TestOptionsWithoutRequestMethodIsNotAPreflight(t *testing.T) {
	h := plugintest.New(t)
	h.Plugin(schema.Doc{"name": "cors", "config": schema.Doc{}})
	res := h.Do(plugintest.Request{Method: "OPTIONS", Headers: [][2]string{{"Origin", "http://example.com"}}}, plugintest.Upstream{})
	if res.Exited || res.Upstream == nil {
		t.Fatalf("OPTIONS without Access-Control-Request-Method was answered by the plugin")
	}
	checkHeaders(t, res.Headers, want{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": ""})
}

func TestActualRequests(t *testing.T) {
	cases := []struct {
		name     string
		config   schema.Doc
		req      plugintest.Request
		upstream [][2]string
		want     want
		vary     []string
	}{
		{"default config sets ACAO *", schema.Doc{}, withOrigin("http://example.com"), nil,
			want{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Credentials": "", "Access-Control-Expose-Headers": ""}, nil},
		{"ACAO * is set even without Origin (Kong 3.9)", schema.Doc{}, plugintest.Request{}, nil,
			want{"Access-Control-Allow-Origin": "*"}, nil},
		{"exposed headers", schema.Doc{"exposed_headers": []string{"X-One", "X-Two"}}, withOrigin("http://example.com"), nil,
			want{"Access-Control-Expose-Headers": "X-One,X-Two"}, nil},
		{"credentials with * echo the origin and add Vary", schema.Doc{"credentials": true}, withOrigin("http://example.com"), nil,
			want{"Access-Control-Allow-Origin": "http://example.com", "Access-Control-Allow-Credentials": "true"}, []string{"Origin"}},
		{"credentials with * and no Origin keep *", schema.Doc{"credentials": true}, plugintest.Request{}, nil,
			want{"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Credentials": ""}, nil},
		{"single literal origin is always sent", schema.Doc{"origins": []string{"http://example.com"}}, withOrigin("http://evil.com"),
			[][2]string{{"Vary", "Accept-Encoding"}},
			want{"Access-Control-Allow-Origin": "http://example.com"}, []string{"Accept-Encoding", "Origin"}},
		{"exact origin among several", schema.Doc{"origins": []string{"http://a.com", "http://example.com"}}, withOrigin("http://example.com"), nil,
			want{"Access-Control-Allow-Origin": "http://example.com"}, []string{"Origin"}},
		{"default ports are normalized away", schema.Doc{"origins": []string{"http://a.com", "http://example.com:80"}}, withOrigin("http://example.com"), nil,
			want{"Access-Control-Allow-Origin": "http://example.com"}, []string{"Origin"}},
		{"request default port is normalized too", schema.Doc{"origins": []string{"https://a.com", "https://example.com"}}, withOrigin("https://example.com:443"), nil,
			want{"Access-Control-Allow-Origin": "https://example.com"}, []string{"Origin"}},
		{"non default port must match", schema.Doc{"origins": []string{"http://a.com", "http://example.com"}}, withOrigin("http://example.com:8080"), nil,
			want{"Access-Control-Allow-Origin": ""}, []string{"Origin"}},
		{"unmatched origin removes an upstream ACAO", schema.Doc{"origins": []string{"http://a.com", "http://b.com"}}, withOrigin("http://c.com"),
			[][2]string{{"Access-Control-Allow-Origin", "*"}},
			want{"Access-Control-Allow-Origin": "", "Access-Control-Allow-Credentials": ""}, []string{"Origin"}},
		{"missing Origin with a list sends Vary only", schema.Doc{"origins": []string{"http://a.com", "http://b.com"}}, plugintest.Request{}, nil,
			want{"Access-Control-Allow-Origin": ""}, []string{"Origin"}},
		{"regex origin matches the host", schema.Doc{"origins": []string{`(.*[.])?example\.com`}}, withOrigin("https://api.example.com"), nil,
			want{"Access-Control-Allow-Origin": "https://api.example.com"}, []string{"Origin"}},
		{"regex origins are anchored at the end", schema.Doc{"origins": []string{`(.*[.])?example\.com`}}, withOrigin("http://example.com.evil.org"), nil,
			want{"Access-Control-Allow-Origin": ""}, []string{"Origin"}},
		{"regex origins are anchored at the start", schema.Doc{"origins": []string{`example\.com`}}, withOrigin("http://badexample.com"), nil,
			want{"Access-Control-Allow-Origin": ""}, []string{"Origin"}},
		{"user anchors are accepted", schema.Doc{"origins": []string{`^example\.(com|org)$`}}, withOrigin("http://example.org"), nil,
			want{"Access-Control-Allow-Origin": "http://example.org"}, []string{"Origin"}},
		{"regex with a colon matches scheme and port", schema.Doc{"origins": []string{`http://.*\.example\.com:\d+`}}, withOrigin("http://a.example.com:8080"), nil,
			want{"Access-Control-Allow-Origin": "http://a.example.com:8080"}, []string{"Origin"}},
		{"regex with a colon does not match another scheme", schema.Doc{"origins": []string{`http://.*\.example\.com:\d+`}}, withOrigin("https://a.example.com:8080"), nil,
			want{"Access-Control-Allow-Origin": ""}, []string{"Origin"}},
		{"* among several origins allows all", schema.Doc{"origins": []string{"http://a.com", "*"}}, withOrigin("http://z.com"), nil,
			want{"Access-Control-Allow-Origin": "*"}, []string{"Origin"}},
		{"* among several origins with credentials echoes", schema.Doc{"origins": []string{"http://a.com", "*"}, "credentials": true}, withOrigin("http://z.com"), nil,
			want{"Access-Control-Allow-Origin": "http://z.com", "Access-Control-Allow-Credentials": "true"}, []string{"Origin", "Origin"}},
		{"credentials with a matched origin", schema.Doc{"origins": []string{"http://a.com", "http://b.com"}, "credentials": true}, withOrigin("http://b.com"), nil,
			want{"Access-Control-Allow-Origin": "http://b.com", "Access-Control-Allow-Credentials": "true"}, []string{"Origin"}},
		{"empty Origin matches nothing", schema.Doc{"origins": []string{"http://a.com", "http://b.com"}}, withOrigin(""), nil,
			want{"Access-Control-Allow-Origin": ""}, []string{"Origin"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := plugintest.New(t)
			h.Plugin(schema.Doc{"name": "cors", "config": tc.config})
			res := h.Do(tc.req, plugintest.Upstream{Headers: tc.upstream})
			if res.Exited || res.Upstream == nil || res.Status != 200 {
				t.Fatalf("request not proxied: exited=%v status=%d", res.Exited, res.Status)
			}
			checkHeaders(t, res.Headers, tc.want)
			if got := res.Headers.Values("Vary"); !reflect.DeepEqual(got, tc.vary) {
				t.Errorf("Vary = %v, want %v", got, tc.vary)
			}
		})
	}
}

func TestHeadersAddedToPluginExits(t *testing.T) {
	h := plugintest.New(t)
	h.Plugin(schema.Doc{"name": "cors", "config": schema.Doc{}})
	h.Plugin(schema.Doc{"name": "cors-test-deny", "config": schema.Doc{}})
	res := h.Do(withOrigin("http://example.com"), plugintest.Upstream{})
	if res.Status != 403 || res.Headers.Get("Access-Control-Allow-Origin") != "*" {
		t.Fatalf("status %d, ACAO %q", res.Status, res.Headers.Get("Access-Control-Allow-Origin"))
	}
}

func TestSchema(t *testing.T) {
	h := plugintest.New(t)
	cases := []struct {
		name   string
		plugin schema.Doc
		want   string
	}{
		{"defaults are valid", schema.Doc{"name": "cors", "config": schema.Doc{}}, ""},
		{"literal, regex and * origins are valid", schema.Doc{"name": "cors", "config": schema.Doc{"origins": []string{"*", "http://a.com", `.*\.b\.com`}}}, ""},
		{"invalid regex origin", schema.Doc{"name": "cors", "config": schema.Doc{"origins": []string{"http://a.com", "(abc"}}},
			`schema violation (config.origins: {
  [2] = "'(abc' is not a valid regex"
})`},
		{"unknown method", schema.Doc{"name": "cors", "config": schema.Doc{"methods": []string{"GET", "FETCH"}}},
			`schema violation (config.methods: {
  [2] = "expected one of: GET, HEAD, PUT, PATCH, POST, DELETE, OPTIONS, TRACE, CONNECT"
})`},
		{"max_age must be a number", schema.Doc{"name": "cors", "config": schema.Doc{"max_age": "10"}},
			"schema violation (config.max_age: expected a number)"},
		{"credentials must be a boolean", schema.Doc{"name": "cors", "config": schema.Doc{"credentials": "yes"}},
			"schema violation (config.credentials: expected a boolean)"},
		{"consumer scope is rejected", schema.Doc{"name": "cors", "consumer": plugintest.Ref("00000000-0000-4000-8000-000000000009"), "config": schema.Doc{}},
			"schema violation (consumer: value must be null)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := h.PluginError(tc.plugin); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestDefaultsFilled(t *testing.T) {
	h := plugintest.New(t)
	doc := h.Plugin(schema.Doc{"name": "cors", "config": schema.Doc{}})
	cfg := doc["config"].(map[string]any)
	wantCfg := map[string]any{
		"origins": nil, "headers": nil, "exposed_headers": nil, "max_age": nil,
		"methods":     schema.Strings("GET", "HEAD", "PUT", "PATCH", "POST", "DELETE", "OPTIONS", "TRACE", "CONNECT"),
		"credentials": false, "private_network": false, "preflight_continue": false,
	}
	if !reflect.DeepEqual(cfg, wantCfg) {
		t.Fatalf("config = %#v", cfg)
	}
}

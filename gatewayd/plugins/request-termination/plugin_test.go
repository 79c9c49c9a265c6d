package requesttermination_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin/plugintest"
	_ "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/request-termination"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// anyType: the plugin sets no Content-Type; the engine's default applies.
const anyType = "*"

func TestTermination(t *testing.T) {
	cases := []struct {
		name        string
		config      schema.Doc
		status      int
		body        string
		contentType string
	}{
		{"default is 503 Service unavailable", schema.Doc{}, 503, `{"message":"Service unavailable"}`, "application/json; charset=utf-8"},
		{"404 default message", schema.Doc{"status_code": 404}, 404, `{"message":"Not found"}`, "application/json; charset=utf-8"},
		{"401 default message", schema.Doc{"status_code": 401}, 401, `{"message":"Unauthorized"}`, "application/json; charset=utf-8"},
		{"405 default message", schema.Doc{"status_code": 405}, 405, `{"message":"Method not allowed"}`, "application/json; charset=utf-8"},
		{"500 default message", schema.Doc{"status_code": 500}, 500, `{"message":"An unexpected error occurred"}`, "application/json; charset=utf-8"},
		{"502 default message", schema.Doc{"status_code": 502}, 502, `{"message":"Bad Gateway"}`, "application/json; charset=utf-8"},
		{"status without default message has no body", schema.Doc{"status_code": 418}, 418, "", anyType},
		{"custom message", schema.Doc{"status_code": 403, "message": "So long and thanks for all the fish!"}, 403,
			`{"message":"So long and thanks for all the fish!"}`, "application/json; charset=utf-8"},
		{"message is not HTML-escaped", schema.Doc{"status_code": 406, "message": "a <b> & c"}, 406,
			`{"message":"a <b> & c"}`, "application/json; charset=utf-8"},
		{"raw body with content type", schema.Doc{"status_code": 503, "body": "<html><body><h1>Service is down for maintenance</h1></body></html>", "content_type": "text/html"},
			503, "<html><body><h1>Service is down for maintenance</h1></body></html>", "text/html"},
		{"raw body without content type", schema.Doc{"status_code": 200, "body": "plain"}, 200, "plain", anyType},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := plugintest.New(t)
			h.Plugin(schema.Doc{"name": "request-termination", "config": tc.config})
			res := h.Do(plugintest.Request{}, plugintest.Upstream{Status: 200, Body: []byte("upstream")})
			if !res.Exited || res.Upstream != nil {
				t.Fatalf("upstream was called")
			}
			if tc.contentType == anyType && res.Exit.ContentType != "" {
				t.Fatalf("plugin set a content type: %q", res.Exit.ContentType)
			}
			if res.Status != tc.status || string(res.Body) != tc.body || tc.contentType != anyType && res.Headers.Get("Content-Type") != tc.contentType {
				t.Fatalf("got %d %q %q, want %d %q %q", res.Status, res.Body, res.Headers.Get("Content-Type"), tc.status, tc.body, tc.contentType)
			}
		})
	}
}

func TestTrigger(t *testing.T) {
	cases := []struct {
		name       string
		trigger    string
		req        plugintest.Request
		terminated bool
	}{
		{"absent trigger lets the request through", "X-Debug", plugintest.Request{}, false},
		{"trigger header terminates", "X-Debug", plugintest.Request{Headers: [][2]string{{"x-debug", "1"}}}, true},
		{"trigger query argument terminates", "X-Debug", plugintest.Request{URI: "/?X-Debug=1"}, true},
		{"trigger query argument without value terminates", "X-Debug", plugintest.Request{URI: "/?X-Debug"}, true},
		{"other query arguments do not trigger", "X-Debug", plugintest.Request{URI: "/?x=X-Debug"}, false},
		{"underscores match hyphens in header names", "x_debug", plugintest.Request{Headers: [][2]string{{"X-Debug", "1"}}}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := plugintest.New(t)
			h.Plugin(schema.Doc{"name": "request-termination", "config": schema.Doc{"status_code": 410, "message": "gone", "trigger": tc.trigger}})
			res := h.Do(tc.req, plugintest.Upstream{})
			if tc.terminated != res.Exited || tc.terminated != (res.Status == 410) || tc.terminated == (res.Upstream != nil) {
				t.Fatalf("terminated=%v status=%d upstream=%v, want terminated=%v", res.Exited, res.Status, res.Upstream != nil, tc.terminated)
			}
		})
	}
}

func TestEchoReturnsTheRequest(t *testing.T) {
	h := plugintest.New(t)
	h.Plugin(schema.Doc{"name": "request-termination", "config": schema.Doc{"status_code": 404, "echo": true, "trigger": "x-echo"}})
	res := h.Do(plugintest.Request{Method: "POST", URI: "/some/path?a=1&a=2&flag", Host: "Example.COM:8000",
		Headers: [][2]string{{"X-Echo", "yes"}, {"X-Multi", "1"}, {"X-Multi", "2"}, {"Content-Type", "application/json"}},
		Body:    []byte(`{"hello":"world","n":1.50}`)}, plugintest.Upstream{})
	if res.Status != 404 || res.Upstream != nil || res.Headers.Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("status %d content-type %q", res.Status, res.Headers.Get("Content-Type"))
	}
	var doc map[string]any
	if err := json.Unmarshal(res.Body, &doc); err != nil {
		t.Fatalf("body %s: %v", res.Body, err)
	}
	if doc["message"] != "Not found" {
		t.Errorf("message = %v", doc["message"])
	}
	if !reflect.DeepEqual(doc["kong"], map[string]any{"node_id": "node-id", "hostname": "test-host", "worker_pid": doc["kong"].(map[string]any)["worker_pid"]}) {
		t.Errorf("kong = %v", doc["kong"])
	}
	if doc["matched_route"].(map[string]any)["id"] != plugintest.RouteID || doc["matched_service"].(map[string]any)["id"] != plugintest.ServiceID {
		t.Errorf("matched route/service = %v %v", doc["matched_route"], doc["matched_service"])
	}
	req := doc["request"].(map[string]any)
	checks := map[string]any{
		"scheme":       "http",
		"host":         "example.com",
		"port":         8000.0,
		"method":       "POST",
		"path":         "/some/path",
		"raw_body":     `{"hello":"world","n":1.50}`,
		"body":         map[string]any{"hello": "world", "n": 1.5},
		"query":        map[string]any{"a": []any{"1", "2"}, "flag": true},
		"uri_captures": map[string]any{"named": map[string]any{}, "unnamed": []any{}},
	}
	for k, v := range checks {
		if !reflect.DeepEqual(req[k], v) {
			t.Errorf("request.%s = %#v, want %#v", k, req[k], v)
		}
	}
	hdrs := req["headers"].(map[string]any)
	if hdrs["x-echo"] != "yes" || !reflect.DeepEqual(hdrs["x-multi"], []any{"1", "2"}) || hdrs["content-type"] != "application/json" {
		t.Errorf("headers = %v", hdrs)
	}
	// Without the trigger the request is proxied.
	if res := h.Do(plugintest.Request{}, plugintest.Upstream{}); res.Exited || res.Status != 200 {
		t.Fatalf("untriggered echo terminated the request: %d", res.Status)
	}
}

func TestEchoBodies(t *testing.T) {
	cases := []struct {
		name, contentType, body string
		want                    any
	}{
		{"urlencoded", "application/x-www-form-urlencoded", "a=1&b=x+y&a=2&c", map[string]any{"a": []any{"1", "2"}, "b": "x y", "c": true}},
		{"multipart", "multipart/form-data; boundary=XX", "--XX\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nv1\r\n--XX--\r\n", map[string]any{"f": "v1"}},
		{"invalid json has no body", "application/json", "{", nil},
		{"unknown content type has no body", "text/plain", "hello", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := plugintest.New(t)
			h.Plugin(schema.Doc{"name": "request-termination", "config": schema.Doc{"echo": true, "status_code": 200}})
			res := h.Do(plugintest.Request{Method: "POST", Headers: [][2]string{{"Content-Type", tc.contentType}}, Body: []byte(tc.body)}, plugintest.Upstream{})
			var doc map[string]any
			if err := json.Unmarshal(res.Body, &doc); err != nil {
				t.Fatal(err)
			}
			req := doc["request"].(map[string]any)
			if !reflect.DeepEqual(req["body"], tc.want) || req["raw_body"] != tc.body {
				t.Fatalf("body = %#v raw_body = %q", req["body"], req["raw_body"])
			}
			if _, has := doc["message"]; has {
				t.Fatalf("200 has no default message, got %v", doc["message"])
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
		{"message alone is valid", schema.Doc{"message": "m"}, ""},
		{"body with content type is valid", schema.Doc{"body": "b", "content_type": "text/plain"}, ""},
		{"echo with message is valid", schema.Doc{"echo": true, "message": "m"}, ""},
		{"trigger without echo is valid", schema.Doc{"trigger": "X-Trigger"}, ""},
		{"message and body", schema.Doc{"message": "m", "body": "b"}, "schema violation (config: message cannot be used with content_type or body)"},
		{"message and content type", schema.Doc{"message": "m", "content_type": "text/plain"}, "schema violation (config: message cannot be used with content_type or body)"},
		{"content type without body", schema.Doc{"content_type": "text/plain"}, "schema violation (config: content_type requires a body)"},
		{"echo and body", schema.Doc{"echo": true, "body": "b"}, "schema violation (config: echo cannot be used with content_type and body)"},
		{"status code too low", schema.Doc{"status_code": 99}, "schema violation (config.status_code: value should be between 100 and 599)"},
		{"status code too high", schema.Doc{"status_code": 600}, "schema violation (config.status_code: value should be between 100 and 599)"},
		{"status code must be an integer", schema.Doc{"status_code": 200.5}, "schema violation (config.status_code: expected an integer)"},
		{"trigger must be a header name", schema.Doc{"trigger": "x trigger"},
			"schema violation (config.trigger: bad header name 'x trigger', allowed characters are A-Z, a-z, 0-9, '_', and '-')"},
		{"field errors win over the config check", schema.Doc{"message": "m", "body": "b", "status_code": 1},
			"schema violation (config.status_code: value should be between 100 and 599)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := h.PluginError(schema.Doc{"name": "request-termination", "config": tc.config}); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
	doc := h.Plugin(schema.Doc{"name": "request-termination", "config": schema.Doc{}})
	want := map[string]any{"status_code": 503.0, "message": nil, "content_type": nil, "body": nil, "echo": false, "trigger": nil}
	if !reflect.DeepEqual(doc["config"], want) {
		t.Fatalf("defaults = %#v", doc["config"])
	}
}

func TestConsumerScopedTermination(t *testing.T) {
	h := plugintest.New(t)
	c := h.Consumer("blocked")
	// Consumer-scoped plugins apply once a consumer is known; without an
	// authenticating plugin this config never applies.
	h.Plugin(schema.Doc{"name": "request-termination", "consumer": plugintest.Ref(c["id"]), "config": schema.Doc{"status_code": 403}})
	if res := h.Do(plugintest.Request{}, plugintest.Upstream{}); res.Exited {
		t.Fatalf("consumer-scoped termination applied to an anonymous request")
	}
}

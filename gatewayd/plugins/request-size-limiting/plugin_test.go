package requestsizelimiting_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin/plugintest"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

func sizeLimit(cfg schema.Doc) schema.Doc {
	return schema.Doc{"name": "request-size-limiting", "config": cfg}
}

func message(msg string) string {
	b, _ := json.Marshal(map[string]string{"message": msg})
	return string(b)
}

func TestDefaults(t *testing.T) {
	h := plugintest.New(t)
	doc := h.Plugin(sizeLimit(schema.Doc{}))
	want := map[string]any{"allowed_payload_size": 128.0, "size_unit": "megabytes", "require_content_length": false}
	if !reflect.DeepEqual(doc["config"], want) {
		t.Fatalf("config %v", doc["config"])
	}
}

func TestSchemaViolations(t *testing.T) {
	h := plugintest.New(t)
	for _, tc := range []struct {
		name string
		cfg  schema.Doc
		want string
	}{
		{"unknown unit", schema.Doc{"size_unit": "gigabytes"},
			"schema violation (config.size_unit: expected one of: megabytes, kilobytes, bytes)"},
		{"fractional size", schema.Doc{"allowed_payload_size": 1.5},
			"schema violation (config.allowed_payload_size: expected an integer)"},
		{"null unit", schema.Doc{"size_unit": nil},
			"schema violation (config.size_unit: required field missing)"},
		{"null require_content_length", schema.Doc{"require_content_length": nil},
			"schema violation (config.require_content_length: required field missing)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := h.PluginError(sizeLimit(tc.cfg)); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestPayloadSizes(t *testing.T) {
	bodyOf := func(n int) []byte { return bytes.Repeat([]byte("x"), n) }
	cl := func(n int) [2]string { return [2]string{"Content-Length", strconv.Itoa(n)} }
	cases := []struct {
		name    string
		cfg     schema.Doc
		headers [][2]string
		body    []byte
		status  int
		message string
	}{
		{"declared length at the limit", schema.Doc{"allowed_payload_size": 10, "size_unit": "bytes"}, [][2]string{cl(10)}, bodyOf(10), 200, ""},
		{"declared length over the limit", schema.Doc{"allowed_payload_size": 10, "size_unit": "bytes"}, [][2]string{cl(11)}, bodyOf(11), 413, "Request size limit exceeded"},
		{"over the limit expecting 100-continue", schema.Doc{"allowed_payload_size": 10, "size_unit": "bytes"},
			[][2]string{cl(11), {"Expect", "100-continue"}}, bodyOf(11), 417, "Request size limit exceeded"},
		{"expect header matched case-insensitively", schema.Doc{"allowed_payload_size": 10, "size_unit": "bytes"},
			[][2]string{cl(11), {"Expect", " 100-Continue "}}, bodyOf(11), 417, "Request size limit exceeded"},
		{"other expectation", schema.Doc{"allowed_payload_size": 10, "size_unit": "bytes"},
			[][2]string{cl(11), {"Expect", "something"}}, bodyOf(11), 413, "Request size limit exceeded"},
		{"under the limit expecting 100-continue", schema.Doc{"allowed_payload_size": 10, "size_unit": "bytes"},
			[][2]string{cl(5), {"Expect", "100-continue"}}, bodyOf(5), 200, ""},
		{"kilobytes are 1024 bytes", schema.Doc{"allowed_payload_size": 1, "size_unit": "kilobytes"}, [][2]string{cl(1024)}, bodyOf(1024), 200, ""},
		{"one byte over a kilobyte", schema.Doc{"allowed_payload_size": 1, "size_unit": "kilobytes"}, [][2]string{cl(1025)}, bodyOf(1025), 413, "Request size limit exceeded"},
		{"megabytes are 1048576 bytes", schema.Doc{"allowed_payload_size": 1}, [][2]string{cl(1048576)}, bodyOf(1048576), 200, ""},
		{"one byte over a megabyte", schema.Doc{"allowed_payload_size": 1}, [][2]string{cl(1048577)}, bodyOf(1048577), 413, "Request size limit exceeded"},
		{"declared length decides, not the body", schema.Doc{}, [][2]string{cl(200 << 20)}, bodyOf(1), 413, "Request size limit exceeded"},
		{"no length: the body is measured", schema.Doc{"allowed_payload_size": 10, "size_unit": "bytes"}, nil, bodyOf(11), 413, "Request size limit exceeded"},
		{"no length, small body", schema.Doc{"allowed_payload_size": 10, "size_unit": "bytes"}, nil, bodyOf(10), 200, ""},
		{"no body", schema.Doc{"allowed_payload_size": 0, "size_unit": "bytes"}, nil, nil, 200, ""},
		{"length required and missing", schema.Doc{"require_content_length": true}, nil, bodyOf(1), 411, "A valid Content-Length header is required"},
		{"length required and missing without body", schema.Doc{"require_content_length": true}, nil, nil, 411, "A valid Content-Length header is required"},
		{"length required and present", schema.Doc{"require_content_length": true}, [][2]string{cl(1)}, bodyOf(1), 200, ""},
		{"null size fails like Kong", schema.Doc{"allowed_payload_size": nil}, [][2]string{cl(1)}, bodyOf(1), 500, "An unexpected error occurred"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := plugintest.New(t)
			h.Plugin(sizeLimit(tc.cfg))
			res := h.Do(plugintest.Request{Method: "POST", Headers: tc.headers, Body: tc.body}, plugintest.Upstream{})
			if res.Status != tc.status {
				t.Fatalf("status %d, want %d (%s)", res.Status, tc.status, res.Body)
			}
			if tc.status == 200 {
				if res.Upstream == nil || len(res.Upstream.Body) != len(tc.body) {
					t.Fatal("request did not reach the upstream intact")
				}
				return
			}
			if res.Upstream != nil {
				t.Fatal("rejected request reached the upstream")
			}
			if string(res.Body) != message(tc.message) {
				t.Fatalf("body %s", res.Body)
			}
		})
	}
}

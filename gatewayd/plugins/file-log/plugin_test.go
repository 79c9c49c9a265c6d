package filelog

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin/plugintest"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

func TestSchema(t *testing.T) {
	h := plugintest.New(t)
	doc := h.Plugin(schema.Doc{"name": Name, "config": schema.Doc{"path": "/tmp/x.log"}})
	cfg := doc["config"].(map[string]any)
	if cfg["reopen"] != false || cfg["custom_fields_by_lua"] != nil {
		t.Fatalf("defaults: %v", cfg)
	}
	cases := []struct {
		name   string
		config schema.Doc
		want   string
	}{
		{"path is required", schema.Doc{}, "schema violation (config.path: required field missing)"},
		{"star is not a valid filename", schema.Doc{"path": "/tmp/a*b"}, "schema violation (config.path: not a valid filename)"},
		{"percent is not a valid filename", schema.Doc{"path": "/tmp/%s"}, "schema violation (config.path: not a valid filename)"},
		{"backquote is not a valid filename", schema.Doc{"path": "/tmp/`x`"}, "schema violation (config.path: not a valid filename)"},
		{"ampersand is not a valid filename", schema.Doc{"path": "a&b"}, "schema violation (config.path: not a valid filename)"},
		{"Lua is rejected", schema.Doc{"path": "/tmp/x", "custom_fields_by_lua": schema.Doc{"f": "return 1"}},
			"schema violation (config.custom_fields_by_lua: " + msgLuaUnsupported + ")"},
		{"empty Lua map is fine", schema.Doc{"path": "/tmp/x", "custom_fields_by_lua": schema.Doc{}}, ""},
		{"null Lua is fine", schema.Doc{"path": "/tmp/x", "custom_fields_by_lua": nil}, ""},
		{"reopen is a boolean", schema.Doc{"path": "/tmp/x", "reopen": "yes"}, "schema violation (config.reopen: expected a boolean)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := h.PluginError(schema.Doc{"name": Name, "config": tc.config}); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func readLines(t *testing.T, path string) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %q is not JSON: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

// waitLines polls the file until it has n lines.
func waitLines(t *testing.T, path string, n int) []map[string]any {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if data, err := os.ReadFile(path); err == nil && bytes.Count(data, []byte("\n")) >= n {
			return readLines(t, path)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never got %d lines", path, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestWritesOneJSONLinePerRequestWithKongsFields(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access.log")
	h := plugintest.New(t)
	h.Plugin(schema.Doc{"name": Name, "config": schema.Doc{"path": path}})
	h.Do(plugintest.Request{Method: "POST", URI: "/orders?id=7&flag", Headers: [][2]string{{"Authorization", "Bearer secret"}, {"X-Trace", "t1"}}},
		plugintest.Upstream{Status: 201, Headers: [][2]string{{"Content-Type", "application/json"}}, Body: []byte(`{"ok":true}`)})
	h.Do(plugintest.Request{URI: "/second"}, plugintest.Upstream{Status: 404})
	h.Host.Close() // flushes the writer

	lines := readLines(t, path)
	if len(lines) != 2 {
		t.Fatalf("got %d lines", len(lines))
	}
	l := lines[0]
	req := l["request"].(map[string]any)
	headers := req["headers"].(map[string]any)
	if headers["authorization"] != "REDACTED" {
		t.Errorf("authorization not redacted: %v", headers["authorization"])
	}
	if headers["x-trace"] != "t1" || req["method"] != "POST" || req["uri"] != "/orders?id=7&flag" {
		t.Errorf("request: %v", req)
	}
	if qs := req["querystring"].(map[string]any); qs["id"] != "7" || qs["flag"] != true {
		t.Errorf("querystring: %v", qs)
	}
	if resp := l["response"].(map[string]any); resp["status"] != 201.0 {
		t.Errorf("response: %v", resp)
	}
	for _, field := range []string{"latencies", "tries", "client_ip", "started_at", "route", "service", "upstream_uri", "source", "workspace"} {
		if _, ok := l[field]; !ok {
			t.Errorf("missing field %s", field)
		}
	}
	if l["route"].(map[string]any)["id"] != plugintest.RouteID || l["client_ip"] != "127.0.0.1" {
		t.Errorf("route/client_ip: %v %v", l["route"], l["client_ip"])
	}
	if lines[1]["response"].(map[string]any)["status"] != 404.0 {
		t.Errorf("second line: %v", lines[1]["response"])
	}
}

func TestReopenFollowsRotatedFiles(t *testing.T) {
	for _, reopen := range []bool{true, false} {
		name := "keeps the stale descriptor"
		if reopen {
			name = "reopens after rotation"
		}
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "rotate.log")
			h := plugintest.New(t)
			h.Plugin(schema.Doc{"name": Name, "config": schema.Doc{"path": path, "reopen": reopen}})
			h.Do(plugintest.Request{URI: "/one"}, plugintest.Upstream{})
			waitLines(t, path, 1)
			rotated := path + ".1"
			if err := os.Rename(path, rotated); err != nil {
				t.Fatal(err)
			}
			h.Do(plugintest.Request{URI: "/two"}, plugintest.Upstream{})
			if reopen {
				if l := waitLines(t, path, 1); l[0]["request"].(map[string]any)["uri"] != "/two" {
					t.Fatalf("new file: %v", l)
				}
				if l := readLines(t, rotated); len(l) != 1 {
					t.Fatalf("rotated file has %d lines", len(l))
				}
				return
			}
			if l := waitLines(t, rotated, 2); l[1]["request"].(map[string]any)["uri"] != "/two" {
				t.Fatalf("rotated file: %v", l)
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Fatalf("without reopen no new file is created")
			}
		})
	}
}

func TestWriterIsClosedWhenThePluginIsRemoved(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gone.log")
	h := plugintest.New(t)
	h.Plugin(schema.Doc{"name": Name, "config": schema.Doc{"path": path}})
	h.Do(plugintest.Request{}, plugintest.Upstream{})
	v, _ := h.Host.Keep("file-log/"+path, func() (any, error) { t.Fatal("writer not kept"); return nil, nil })
	w := v.(*writer)

	cat, err := plugin.NewCatalog([]string{"bundled"})
	if err != nil {
		t.Fatal(err)
	}
	gen := h.Host.BeginBuild()
	plugin.Compile(cat, nil, plugin.NewData(nil), h.Host, nil)
	h.Host.Commit(gen)

	select {
	case <-w.stopped:
	case <-time.After(time.Second):
		t.Fatal("writer still running after the plugin was removed")
	}
	if l := readLines(t, path); len(l) != 1 {
		t.Fatalf("queued line not flushed on close: %d lines", len(l))
	}
	if w.enqueue([]byte("late\n"), false) {
		t.Fatal("a closed writer must drop late lines")
	}
}

func TestFullQueueDropsAndCounts(t *testing.T) {
	w := newWriter(filepath.Join(t.TempDir(), "full.log"), 2, nil) // not started
	for i := 0; i < 5; i++ {
		w.enqueue([]byte("x\n"), false)
	}
	if w.Dropped() != 3 {
		t.Fatalf("dropped %d, want 3", w.Dropped())
	}
	w.start()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(w.path)
	if string(data) != "x\nx\n" {
		t.Fatalf("queued lines not written: %q", data)
	}
}

func TestUnwritablePathIsLoggedNotFatal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing-dir", "x.log")
	h := plugintest.New(t)
	h.Plugin(schema.Doc{"name": Name, "config": schema.Doc{"path": path}})
	if res := h.Do(plugintest.Request{}, plugintest.Upstream{Status: 200}); res.Status != 200 {
		t.Fatalf("logging failure must not affect the response: %d", res.Status)
	}
	h.Host.Close()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatal("file unexpectedly created")
	}
}

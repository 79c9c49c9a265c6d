package correlationid_test

import (
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin/plugintest"
	_ "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/correlation-id"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

func init() {
	// correlation-test-exit ends requests before correlation-id's access
	// handler runs (higher priority), like an early auth failure.
	plugin.Register(plugin.Spec{Name: "correlation-test-exit", Priority: 200000,
		New: func(*plugin.Env) (any, error) { return exiter{}, nil }})
}

type exiter struct{}

func (exiter) Access(c *plugin.Context) { c.Error(401, "Unauthorized") }

const uuidRe = `[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`

var (
	uuidPattern    = regexp.MustCompile(`^` + uuidRe + `$`)
	counterPattern = regexp.MustCompile(`^(` + uuidRe + `)#(\d+)$`)
)

func parseCounter(t *testing.T, id string) (string, int) {
	t.Helper()
	m := counterPattern.FindStringSubmatch(id)
	if m == nil {
		t.Fatalf("%q is not <uuid>#<counter>", id)
	}
	n, _ := strconv.Atoi(m[2])
	return m[1], n
}

func TestUUIDCounterIsSentUpstream(t *testing.T) {
	h := plugintest.New(t)
	h.Plugin(schema.Doc{"name": "correlation-id", "config": schema.Doc{}})
	res1 := h.Do(plugintest.Request{}, plugintest.Upstream{})
	res2 := h.Do(plugintest.Request{}, plugintest.Upstream{})
	u1, n1 := parseCounter(t, res1.Upstream.Headers.Get("Kong-Request-ID"))
	u2, n2 := parseCounter(t, res2.Upstream.Headers.Get("Kong-Request-ID"))
	if u1 != u2 || n2 != n1+1 {
		t.Fatalf("ids %s#%d then %s#%d: want one uuid and consecutive counters", u1, n1, u2, n2)
	}
	if res1.Headers.Get("Kong-Request-ID") != "" {
		t.Fatalf("id echoed downstream without echo_downstream")
	}
}

func TestCounterSurvivesConfigurationChanges(t *testing.T) {
	h := plugintest.New(t)
	h.Plugin(schema.Doc{"name": "correlation-id", "config": schema.Doc{}})
	u1, n1 := parseCounter(t, h.Do(plugintest.Request{}, plugintest.Upstream{}).Upstream.Headers.Get("Kong-Request-ID"))
	// Any change rebuilds every instance; the counter is kept.
	h.Plugin(schema.Doc{"name": "correlation-id", "route": plugintest.Ref("00000000-0000-4000-8000-0000000000f1"), "config": schema.Doc{"header_name": "X-Other"}})
	u2, n2 := parseCounter(t, h.Do(plugintest.Request{}, plugintest.Upstream{}).Upstream.Headers.Get("Kong-Request-ID"))
	if u1 != u2 || n2 != n1+1 {
		t.Fatalf("after reconfiguration: %s#%d then %s#%d", u1, n1, u2, n2)
	}
}

func TestGenerators(t *testing.T) {
	t.Run("uuid is random per request", func(t *testing.T) {
		h := plugintest.New(t)
		h.Plugin(schema.Doc{"name": "correlation-id", "config": schema.Doc{"generator": "uuid", "header_name": "X-Correlation"}})
		a := h.Do(plugintest.Request{}, plugintest.Upstream{}).Upstream.Headers.Get("X-Correlation")
		b := h.Do(plugintest.Request{}, plugintest.Upstream{}).Upstream.Headers.Get("X-Correlation")
		if !uuidPattern.MatchString(a) || !uuidPattern.MatchString(b) || a == b {
			t.Fatalf("ids %q %q", a, b)
		}
	})
	t.Run("tracker describes the connection", func(t *testing.T) {
		h := plugintest.New(t)
		h.Host.Now = func() time.Time { return time.UnixMilli(1700000000123) }
		h.Plugin(schema.Doc{"name": "correlation-id", "config": schema.Doc{"generator": "tracker"}})
		id := h.Do(plugintest.Request{}, plugintest.Upstream{}).Upstream.Headers.Get("Kong-Request-ID")
		if !regexp.MustCompile(`^0\.0\.0\.0-8000-\d+-\d+-0-1700000000\.123$`).MatchString(id) {
			t.Fatalf("tracker id %q", id)
		}
	})
}

func TestIncomingIDIsKept(t *testing.T) {
	cases := []struct {
		name   string
		config schema.Doc
		in     string
	}{
		{"without echo", schema.Doc{}, "client-id-1"},
		{"with echo", schema.Doc{"echo_downstream": true}, "client-id-2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := plugintest.New(t)
			h.Plugin(schema.Doc{"name": "correlation-id", "config": tc.config})
			res := h.Do(plugintest.Request{Headers: [][2]string{{"kong-request-id", tc.in}}}, plugintest.Upstream{})
			if got := res.Upstream.Headers.Values("Kong-Request-ID"); len(got) != 1 || got[0] != tc.in {
				t.Fatalf("upstream got %v", got)
			}
			wantDown := ""
			if tc.config["echo_downstream"] == true {
				wantDown = tc.in
			}
			if got := res.Headers.Get("Kong-Request-ID"); got != wantDown {
				t.Fatalf("downstream got %q, want %q", got, wantDown)
			}
		})
	}
}

func TestEchoDownstream(t *testing.T) {
	h := plugintest.New(t)
	h.Plugin(schema.Doc{"name": "correlation-id", "config": schema.Doc{"echo_downstream": true, "header_name": "X-Request-Trace"}})
	res := h.Do(plugintest.Request{}, plugintest.Upstream{Headers: [][2]string{{"X-Request-Trace", "from-upstream"}}})
	up := res.Upstream.Headers.Get("X-Request-Trace")
	parseCounter(t, up)
	if got := res.Headers.Values("X-Request-Trace"); len(got) != 1 || got[0] != up {
		t.Fatalf("downstream %v, upstream %q", got, up)
	}
}

func TestEchoOnResponsesEndedBeforeAccess(t *testing.T) {
	h := plugintest.New(t)
	h.Plugin(schema.Doc{"name": "correlation-id", "config": schema.Doc{"echo_downstream": true}})
	h.Plugin(schema.Doc{"name": "correlation-test-exit", "config": schema.Doc{}})
	res := h.Do(plugintest.Request{}, plugintest.Upstream{})
	if res.Status != 401 {
		t.Fatalf("status %d", res.Status)
	}
	parseCounter(t, res.Headers.Get("Kong-Request-ID"))
	res = h.Do(plugintest.Request{Headers: [][2]string{{"Kong-Request-ID", "mine"}}}, plugintest.Upstream{})
	if got := res.Headers.Get("Kong-Request-ID"); got != "mine" {
		t.Fatalf("client id not echoed on exit: %q", got)
	}
}

func TestSchema(t *testing.T) {
	h := plugintest.New(t)
	msg := h.PluginError(schema.Doc{"name": "correlation-id", "config": schema.Doc{"generator": "random"}})
	if msg != "schema violation (config.generator: expected one of: uuid, uuid#counter, tracker)" {
		t.Errorf("generator: %q", msg)
	}
	msg = h.PluginError(schema.Doc{"name": "correlation-id", "config": schema.Doc{"generator": nil}})
	if msg != "schema violation (config.generator: required field missing)" {
		t.Errorf("null generator: %q", msg)
	}
	msg = h.PluginError(schema.Doc{"name": "correlation-id", "config": schema.Doc{"echo_downstream": "yes"}})
	if msg != "schema violation (config.echo_downstream: expected a boolean)" {
		t.Errorf("echo_downstream: %q", msg)
	}
	doc := h.Plugin(schema.Doc{"name": "correlation-id", "config": schema.Doc{}})
	cfg := doc["config"].(map[string]any)
	if cfg["header_name"] != "Kong-Request-ID" || cfg["generator"] != "uuid#counter" || cfg["echo_downstream"] != false {
		t.Errorf("defaults %v", cfg)
	}
}

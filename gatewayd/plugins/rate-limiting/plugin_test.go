package ratelimiting_test

import (
	"encoding/json"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin/plugintest"
	ratelimiting "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/rate-limiting"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// rl-test-auth authenticates the consumer named in X-User (priority 1250,
// like key-auth), with the credential named in X-Cred (default
// "cred-<consumer id>"). Requests without X-User stay anonymous.
func init() {
	plugin.Register(plugin.Spec{
		Name: "rl-test-auth", Priority: 1250,
		New: func(env *plugin.Env) (any, error) { return testAuth{}, nil },
	})
}

type testAuth struct{}

func (testAuth) Access(c *plugin.Context) {
	u := c.Header("X-User")
	if len(u) == 0 {
		return
	}
	cons := c.LoadConsumer(string(u))
	if cons == nil {
		c.Error(401, "Unauthorized")
		return
	}
	cred := "cred-" + cons.ID
	if v := c.Header("X-Cred"); len(v) > 0 {
		cred = string(v)
	}
	c.Authenticate(cons, &plugin.Credential{ID: cred, ConsumerID: cons.ID, Identifier: cons.Username})
}

// clock pins the harness clock; tests move it with set.
type clock struct{ t time.Time }

func (c *clock) now() time.Time      { return c.t }
func (c *clock) set(s string)        { c.t = mustTime(s) }
func (c *clock) add(d time.Duration) { c.t = c.t.Add(d) }
func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func newHarness(t *testing.T, at string) (*plugintest.Harness, *clock) {
	t.Helper()
	h := plugintest.New(t)
	c := &clock{t: mustTime(at)}
	h.Host.Now = c.now
	return h, c
}

func limitPlugin(cfg schema.Doc) schema.Doc {
	return schema.Doc{"name": "rate-limiting", "config": cfg}
}

func body(msg string) string {
	b, _ := json.Marshal(map[string]string{"message": msg})
	return string(b)
}

// expect asserts a response's status and a set of headers ("" = absent).
func expect(t *testing.T, res plugintest.Result, status int, headers map[string]string) {
	t.Helper()
	if res.Status != status {
		t.Fatalf("status = %d, want %d (body %s)", res.Status, status, res.Body)
	}
	for k, want := range headers {
		if got := res.Headers.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
}

// ---- schema --------------------------------------------------------------

func TestConfigDefaultsMatchKong(t *testing.T) {
	h := plugintest.New(t)
	doc := h.Plugin(limitPlugin(schema.Doc{"minute": 5}))
	cfg := doc["config"].(map[string]any)
	want := map[string]any{
		"second": nil, "minute": 5.0, "hour": nil, "day": nil, "month": nil, "year": nil,
		"limit_by": "consumer", "header_name": nil, "path": nil, "policy": "local",
		"fault_tolerant": true, "hide_client_headers": false, "error_code": 429.0,
		"error_message": "API rate limit exceeded", "sync_rate": -1.0,
		"redis": map[string]any{"host": nil, "port": 6379.0, "timeout": 2000.0, "username": nil,
			"password": nil, "database": 0.0, "ssl": false, "ssl_verify": false, "server_name": nil},
		"redis_host": nil, "redis_port": nil, "redis_password": nil, "redis_username": nil, "redis_ssl": nil,
		"redis_ssl_verify": nil, "redis_server_name": nil, "redis_timeout": nil, "redis_database": nil,
	}
	if !reflect.DeepEqual(cfg, want) {
		got, _ := json.Marshal(cfg)
		exp, _ := json.Marshal(want)
		t.Fatalf("config\n got %s\nwant %s", got, exp)
	}
}

func TestSchemaViolationsUseKongMessages(t *testing.T) {
	redisHost := schema.Doc{"host": "127.0.0.1"}
	cases := []struct {
		name string
		cfg  schema.Doc
		want string
	}{
		{"no limit", schema.Doc{},
			"schema violation (at least one of these fields must be non-empty: 'config.second', 'config.minute', 'config.hour', 'config.day', 'config.month', 'config.year')"},
		{"hour lower than minute", schema.Doc{"minute": 2, "hour": 1},
			"schema violation (config: The limit for hour(1.0) cannot be lower than the limit for minute(2.0))"},
		{"minute lower than second", schema.Doc{"second": 10, "minute": 5, "day": 100},
			"schema violation (config: The limit for minute(5.0) cannot be lower than the limit for second(10.0))"},
		{"fractional limits in the message", schema.Doc{"day": 2.5, "year": 1.25},
			"schema violation (config: The limit for year(1.2) cannot be lower than the limit for day(2.5))"},
		{"zero limit", schema.Doc{"second": 0},
			"schema violation (config.second: value must be greater than 0)"},
		{"negative limit", schema.Doc{"minute": -1},
			"schema violation (config.minute: value must be greater than 0)"},
		{"limit not a number", schema.Doc{"minute": "10"},
			"schema violation (config.minute: expected a number)"},
		{"unknown limit_by", schema.Doc{"minute": 5, "limit_by": "user"},
			"schema violation (config.limit_by: expected one of: consumer, credential, ip, service, header, path, consumer-group)"},
		{"unknown policy", schema.Doc{"minute": 5, "policy": "memory"},
			"schema violation (config.policy: expected one of: local, cluster, redis)"},
		{"header limit without header_name", schema.Doc{"minute": 5, "limit_by": "header"},
			"2 schema violations (failed conditional validation given value of field 'config.limit_by'; config.header_name: required field missing)"},
		{"path limit without path", schema.Doc{"minute": 5, "limit_by": "path"},
			"2 schema violations (failed conditional validation given value of field 'config.limit_by'; config.path: required field missing)"},
		{"bad header_name", schema.Doc{"minute": 5, "limit_by": "header", "header_name": "X Tenant"},
			"schema violation (config.header_name: bad header name 'X Tenant', allowed characters are A-Z, a-z, 0-9, '_', and '-')"},
		{"bad path", schema.Doc{"minute": 5, "limit_by": "path", "path": "v1"},
			"schema violation (config.path: should start with: /)"},
		{"redis policy without host", schema.Doc{"minute": 5, "policy": "redis"},
			"2 schema violations (failed conditional validation given value of field 'config.policy'; config.redis: {\n  host = \"required field missing\"\n})"},
		{"redis policy without port", schema.Doc{"minute": 5, "policy": "redis", "redis": schema.Doc{"host": "redis.local", "port": nil}},
			"2 schema violations (failed conditional validation given value of field 'config.policy'; config.redis: {\n  port = \"required field missing\"\n})"},
		{"redis port out of range", schema.Doc{"minute": 5, "policy": "redis", "redis": schema.Doc{"host": "redis.local", "port": 70000}},
			"schema violation (config.redis: {\n  port = \"value should be between 0 and 65535\"\n})"},
		{"sync_rate without redis", schema.Doc{"minute": 5, "sync_rate": 10},
			"schema violation (config: sync_rate can only be used with the redis policy)"},
		{"sync_rate too small", schema.Doc{"minute": 5, "policy": "redis", "redis": redisHost, "sync_rate": 0.01},
			"schema violation (config: sync_rate must be greater than 0.02, or -1 to disable)"},
		{"error_code zero", schema.Doc{"minute": 5, "error_code": 0},
			"schema violation (config.error_code: value must be greater than 0)"},
		{"deprecated redis_port out of range", schema.Doc{"minute": 5, "policy": "redis", "redis_host": "redis.local", "redis_port": 70000},
			"schema violation (config.redis: {\n  port = \"value should be between 0 and 65535\"\n})"},
		{"deprecated redis_port wrong type", schema.Doc{"minute": 5, "redis_port": "6379"},
			"schema violation (config.redis_port: expected an integer)"},
		{"redis server_name is an IP", schema.Doc{"minute": 5, "redis": schema.Doc{"server_name": "10.0.0.1"}},
			"schema violation (config.redis: {\n  server_name = \"must not be an IP\"\n})"},
		{"valid local", schema.Doc{"second": 1, "minute": 1, "hour": 1, "day": 1, "month": 1, "year": 1}, ""},
		{"valid redis with sync_rate", schema.Doc{"minute": 5, "policy": "redis", "redis": redisHost, "sync_rate": 0.02}, ""},
		{"valid consumer-group", schema.Doc{"minute": 5, "limit_by": "consumer-group"}, ""},
		{"empty redis password allowed", schema.Doc{"minute": 5, "redis": schema.Doc{"password": ""}}, ""},
	}
	h := plugintest.New(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := h.PluginError(limitPlugin(tc.cfg)); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestDeprecatedRedisFieldsMoveIntoRedisRecord(t *testing.T) {
	h := plugintest.New(t)
	doc := h.Plugin(limitPlugin(schema.Doc{"minute": 5, "policy": "redis", "redis_host": "redis.local",
		"redis_port": 6380, "redis_password": "s3cret", "redis_database": 2, "redis_ssl": true, "redis_timeout": 500}))
	cfg := doc["config"].(map[string]any)
	redis := cfg["redis"].(map[string]any)
	want := map[string]any{"host": "redis.local", "port": 6380.0, "timeout": 500.0, "username": nil,
		"password": "s3cret", "database": 2.0, "ssl": true, "ssl_verify": false, "server_name": nil}
	if !reflect.DeepEqual(redis, want) {
		t.Fatalf("redis = %v", redis)
	}
	for _, f := range []string{"redis_host", "redis_port", "redis_password", "redis_database", "redis_ssl", "redis_timeout"} {
		if v, ok := cfg[f]; !ok || v != nil {
			t.Errorf("%s = %v (present %v), want null", f, v, ok)
		}
	}
}

// ---- counting ------------------------------------------------------------

func TestExactlyLimitRequestsPassThenErrorCode(t *testing.T) {
	h, _ := newHarness(t, "2024-05-10T12:00:40Z")
	h.Plugin(limitPlugin(schema.Doc{"minute": 3}))
	for i, remaining := range []string{"2", "1", "0"} {
		res := h.Do(plugintest.Request{}, plugintest.Upstream{})
		if res.Upstream == nil {
			t.Fatalf("request %d did not reach the upstream", i+1)
		}
		expect(t, res, 200, map[string]string{
			"X-RateLimit-Limit-Minute": "3", "X-RateLimit-Remaining-Minute": remaining,
			"RateLimit-Limit": "3", "RateLimit-Remaining": remaining, "RateLimit-Reset": "20", "Retry-After": "",
		})
	}
	res := h.Do(plugintest.Request{}, plugintest.Upstream{})
	if res.Upstream != nil {
		t.Fatal("request over the limit reached the upstream")
	}
	expect(t, res, 429, map[string]string{
		"X-RateLimit-Limit-Minute": "3", "X-RateLimit-Remaining-Minute": "0",
		"RateLimit-Limit": "3", "RateLimit-Remaining": "0", "RateLimit-Reset": "20", "Retry-After": "20",
	})
	if string(res.Body) != body("API rate limit exceeded") {
		t.Fatalf("body %s", res.Body)
	}
}

// Kong's local policy counts a request only when it passes.
func TestRejectedRequestsAreNotCountedLocally(t *testing.T) {
	h, clk := newHarness(t, "2024-05-10T12:00:00Z")
	h.Plugin(limitPlugin(schema.Doc{"minute": 1, "hour": 10}))
	expect(t, h.Do(plugintest.Request{}, plugintest.Upstream{}), 200, nil)
	for i := 0; i < 5; i++ {
		expect(t, h.Do(plugintest.Request{}, plugintest.Upstream{}), 429, map[string]string{"X-RateLimit-Remaining-Hour": "9"})
	}
	clk.add(time.Minute)
	expect(t, h.Do(plugintest.Request{}, plugintest.Upstream{}), 200, map[string]string{"X-RateLimit-Remaining-Hour": "8"})
}

func TestHeadersPerPeriodAndMostRestrictiveWindow(t *testing.T) {
	h, _ := newHarness(t, "2024-05-10T12:34:56Z")
	h.Plugin(limitPlugin(schema.Doc{"second": 2, "minute": 10, "hour": 100, "day": 1000, "month": 10000, "year": 100000}))
	res := h.Do(plugintest.Request{}, plugintest.Upstream{})
	expect(t, res, 200, map[string]string{
		"X-RateLimit-Limit-Second": "2", "X-RateLimit-Remaining-Second": "1",
		"X-RateLimit-Limit-Minute": "10", "X-RateLimit-Remaining-Minute": "9",
		"X-RateLimit-Limit-Hour": "100", "X-RateLimit-Remaining-Hour": "99",
		"X-RateLimit-Limit-Day": "1000", "X-RateLimit-Remaining-Day": "999",
		"X-RateLimit-Limit-Month": "10000", "X-RateLimit-Remaining-Month": "9999",
		"X-RateLimit-Limit-Year": "100000", "X-RateLimit-Remaining-Year": "99999",
		"RateLimit-Limit": "2", "RateLimit-Remaining": "1", "RateLimit-Reset": "1",
	})
}

func TestTiedRemainingReportsTheLongerWindow(t *testing.T) {
	h, _ := newHarness(t, "2024-05-10T12:34:15Z")
	h.Plugin(limitPlugin(schema.Doc{"second": 5, "minute": 5}))
	expect(t, h.Do(plugintest.Request{}, plugintest.Upstream{}), 200, map[string]string{
		"RateLimit-Limit": "5", "RateLimit-Remaining": "4", "RateLimit-Reset": "45",
	})
}

func TestRejectionReportsTheExhaustedWindow(t *testing.T) {
	h, _ := newHarness(t, "2024-05-10T12:34:50Z")
	h.Plugin(limitPlugin(schema.Doc{"minute": 2, "hour": 100}))
	h.Do(plugintest.Request{}, plugintest.Upstream{})
	h.Do(plugintest.Request{}, plugintest.Upstream{})
	// The exhausted minute shows 0; the hour is not decremented for a
	// rejected request.
	expect(t, h.Do(plugintest.Request{}, plugintest.Upstream{}), 429, map[string]string{
		"X-RateLimit-Remaining-Minute": "0", "X-RateLimit-Remaining-Hour": "98",
		"RateLimit-Limit": "2", "RateLimit-Remaining": "0", "RateLimit-Reset": "10", "Retry-After": "10",
	})
}

func TestFractionalLimitsRenderLikeLua(t *testing.T) {
	h, _ := newHarness(t, "2024-05-10T12:00:00Z")
	h.Plugin(limitPlugin(schema.Doc{"minute": 2.5}))
	for _, remaining := range []string{"1.5", "0.5", "0"} {
		expect(t, h.Do(plugintest.Request{}, plugintest.Upstream{}), 200, map[string]string{
			"X-RateLimit-Limit-Minute": "2.5", "X-RateLimit-Remaining-Minute": remaining})
	}
	expect(t, h.Do(plugintest.Request{}, plugintest.Upstream{}), 429, nil)
}

func TestWindowsResetAtTheirBoundaries(t *testing.T) {
	cases := []struct {
		name          string
		cfg           schema.Doc
		start         string
		reset         string
		before, after time.Duration
	}{
		{"second", schema.Doc{"second": 1}, "2024-05-10T12:00:00Z", "1", 999 * time.Millisecond, time.Second},
		{"minute", schema.Doc{"minute": 1}, "2024-05-10T12:00:40Z", "20", 19 * time.Second, 20 * time.Second},
		{"hour", schema.Doc{"hour": 1}, "2024-05-10T12:59:00Z", "60", 59 * time.Second, time.Minute},
		{"day", schema.Doc{"day": 1}, "2024-05-10T23:00:00Z", "3600", 59 * time.Minute, time.Hour},
		// Kong's month window starts on the calendar month but its reset
		// counts 30 days (expiration.lua): 2592000 - 9 days.
		{"month", schema.Doc{"month": 1}, "2024-02-10T00:00:00Z", "1814400", 19 * 24 * time.Hour, 20 * 24 * time.Hour},
		{"year", schema.Doc{"year": 1}, "2023-12-31T00:00:00Z", "86400", 23 * time.Hour, 24 * time.Hour},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, clk := newHarness(t, tc.start)
			h.Plugin(limitPlugin(tc.cfg))
			expect(t, h.Do(plugintest.Request{}, plugintest.Upstream{}), 200, nil)
			expect(t, h.Do(plugintest.Request{}, plugintest.Upstream{}), 429, map[string]string{"Retry-After": tc.reset})
			clk.add(tc.before)
			expect(t, h.Do(plugintest.Request{}, plugintest.Upstream{}), 429, nil)
			clk.set(tc.start)
			clk.add(tc.after)
			expect(t, h.Do(plugintest.Request{}, plugintest.Upstream{}), 200, nil)
		})
	}
}

// Kong's counters live in a shared dict with a 30-day TTL from their first
// increment, so a month counter started on the 1st expires on the 31st.
func TestMonthCounterExpiresThirtyDaysAfterFirstRequest(t *testing.T) {
	h, clk := newHarness(t, "2024-01-01T00:00:00Z")
	h.Plugin(limitPlugin(schema.Doc{"month": 1}))
	expect(t, h.Do(plugintest.Request{}, plugintest.Upstream{}), 200, nil)
	clk.set("2024-01-30T23:59:59Z")
	expect(t, h.Do(plugintest.Request{}, plugintest.Upstream{}), 429, map[string]string{"Retry-After": "1"})
	clk.set("2024-01-31T00:00:00Z")
	expect(t, h.Do(plugintest.Request{}, plugintest.Upstream{}), 200, map[string]string{"RateLimit-Reset": "1"})
}

func TestInstancesDoNotShareCounters(t *testing.T) {
	h, _ := newHarness(t, "2024-05-10T12:00:00Z")
	const route2 = "00000000-0000-4000-8000-0000000000a2"
	h.Plugin(schema.Doc{"name": "rate-limiting", "route": plugintest.Ref(plugintest.RouteID), "config": schema.Doc{"minute": 1}})
	h.Plugin(schema.Doc{"name": "rate-limiting", "route": plugintest.Ref(route2), "config": schema.Doc{"minute": 1}})
	expect(t, h.Do(plugintest.Request{}, plugintest.Upstream{}), 200, nil)
	expect(t, h.Do(plugintest.Request{}, plugintest.Upstream{}), 429, nil)
	expect(t, h.Do(plugintest.Request{RouteID: route2}, plugintest.Upstream{}), 200, nil)
	expect(t, h.Do(plugintest.Request{RouteID: route2}, plugintest.Upstream{}), 429, nil)
}

func TestCountersSurviveConfigurationChanges(t *testing.T) {
	h, _ := newHarness(t, "2024-05-10T12:00:00Z")
	h.Plugin(limitPlugin(schema.Doc{"minute": 2}))
	expect(t, h.Do(plugintest.Request{}, plugintest.Upstream{}), 200, nil)
	// Any configuration change rebuilds every instance.
	h.Plugin(schema.Doc{"name": "rate-limiting", "route": plugintest.Ref("00000000-0000-4000-8000-0000000000a7"), "config": schema.Doc{"hour": 5}})
	expect(t, h.Do(plugintest.Request{}, plugintest.Upstream{}), 200, map[string]string{"X-RateLimit-Remaining-Minute": "0"})
	expect(t, h.Do(plugintest.Request{}, plugintest.Upstream{}), 429, nil)
}

// step is one request of a limit_by scenario and its expected status.
type step struct {
	req    plugintest.Request
	status int
}

func TestLimitByIdentifiers(t *testing.T) {
	const svc2 = "00000000-0000-4000-8000-0000000000b2"
	user := func(name string, hdrs ...[2]string) plugintest.Request {
		return plugintest.Request{Headers: append([][2]string{{"X-User", name}}, hdrs...)}
	}
	ip := func(addr string) plugintest.Request { return plugintest.Request{ClientIP: addr} }
	cases := []struct {
		name  string
		cfg   schema.Doc
		steps []step
	}{
		{"consumer", schema.Doc{"limit_by": "consumer"}, []step{
			{user("alice"), 200}, {user("alice"), 429},
			{plugintest.Request{ClientIP: "10.0.0.9", Headers: [][2]string{{"X-User", "alice"}}}, 429},
			{user("bob"), 200},
			// Unauthenticated requests fall back to the client IP.
			{ip("10.0.0.1"), 200}, {ip("10.0.0.1"), 429}, {ip("10.0.0.2"), 200},
		}},
		{"credential", schema.Doc{"limit_by": "credential"}, []step{
			{user("alice", [2]string{"X-Cred", "c1"}), 200}, {user("alice", [2]string{"X-Cred", "c1"}), 429},
			{user("alice", [2]string{"X-Cred", "c2"}), 200},
			{ip("10.0.0.1"), 200}, {ip("10.0.0.1"), 429},
		}},
		{"ip", schema.Doc{"limit_by": "ip"}, []step{
			{user("alice"), 200}, {user("bob"), 429},
			{ip("10.0.0.1"), 200}, {ip("10.0.0.1"), 429},
			{ip("2001:db8::1"), 200}, {ip("2001:db8::1"), 429}, {ip("2001:db8::2"), 200},
		}},
		{"service", schema.Doc{"limit_by": "service"}, []step{
			{ip("10.0.0.1"), 200}, {ip("10.0.0.2"), 429},
			{plugintest.Request{ServiceID: svc2}, 200}, {plugintest.Request{ServiceID: svc2, ClientIP: "10.0.0.3"}, 429},
		}},
		{"header", schema.Doc{"limit_by": "header", "header_name": "X-Tenant"}, []step{
			{plugintest.Request{Headers: [][2]string{{"X-Tenant", "a"}}}, 200},
			{plugintest.Request{ClientIP: "10.0.0.5", Headers: [][2]string{{"x-tenant", "a"}}}, 429},
			{plugintest.Request{Headers: [][2]string{{"X-Tenant", "b"}}}, 200},
			// No header: the client IP.
			{ip("10.0.0.1"), 200}, {ip("10.0.0.1"), 429}, {ip("10.0.0.2"), 200},
		}},
		{"path", schema.Doc{"limit_by": "path", "path": "/orders"}, []step{
			{plugintest.Request{URI: "/orders"}, 200},
			{plugintest.Request{URI: "/orders?page=2", ClientIP: "10.0.0.7"}, 429},
			// Other paths: the client IP.
			{plugintest.Request{URI: "/items", ClientIP: "10.0.0.1"}, 200},
			{plugintest.Request{URI: "/users", ClientIP: "10.0.0.1"}, 429},
			{plugintest.Request{URI: "/items", ClientIP: "10.0.0.2"}, 200},
		}},
		{"consumer-group falls back to the IP", schema.Doc{"limit_by": "consumer-group"}, []step{
			{user("alice"), 200}, {user("bob"), 429}, {ip("10.0.0.1"), 200},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, _ := newHarness(t, "2024-05-10T12:00:00Z")
			h.Consumer("alice")
			h.Consumer("bob")
			h.Plugin(schema.Doc{"name": "rl-test-auth", "config": schema.Doc{}})
			cfg := schema.Doc{"minute": 1}
			for k, v := range tc.cfg {
				cfg[k] = v
			}
			h.Plugin(limitPlugin(cfg))
			for i, s := range tc.steps {
				if res := h.Do(s.req, plugintest.Upstream{}); res.Status != s.status {
					t.Fatalf("step %d (%+v): status %d, want %d", i+1, s.req, res.Status, s.status)
				}
			}
		})
	}
}

func TestCustomErrorCodeAndMessage(t *testing.T) {
	h, _ := newHarness(t, "2024-05-10T12:00:00Z")
	h.Plugin(limitPlugin(schema.Doc{"hour": 1, "error_code": 503, "error_message": "Slow down"}))
	h.Do(plugintest.Request{}, plugintest.Upstream{})
	res := h.Do(plugintest.Request{}, plugintest.Upstream{})
	expect(t, res, 503, map[string]string{"Retry-After": "3600"})
	if string(res.Body) != body("Slow down") {
		t.Fatalf("body %s", res.Body)
	}
}

func TestHideClientHeaders(t *testing.T) {
	h, _ := newHarness(t, "2024-05-10T12:00:00Z")
	h.Plugin(limitPlugin(schema.Doc{"second": 1, "minute": 1, "hide_client_headers": true}))
	none := map[string]string{"X-RateLimit-Limit-Second": "", "X-RateLimit-Remaining-Second": "",
		"X-RateLimit-Limit-Minute": "", "X-RateLimit-Remaining-Minute": "",
		"RateLimit-Limit": "", "RateLimit-Remaining": "", "RateLimit-Reset": "", "Retry-After": ""}
	expect(t, h.Do(plugintest.Request{}, plugintest.Upstream{}), 200, none)
	res := h.Do(plugintest.Request{}, plugintest.Upstream{})
	expect(t, res, 429, none)
	if string(res.Body) != body("API rate limit exceeded") {
		t.Fatalf("body %s", res.Body)
	}
}

func TestHeadersOverrideUpstreamOnes(t *testing.T) {
	h, _ := newHarness(t, "2024-05-10T12:00:00Z")
	h.Plugin(limitPlugin(schema.Doc{"minute": 5}))
	res := h.Do(plugintest.Request{}, plugintest.Upstream{Headers: [][2]string{{"RateLimit-Limit", "999"}}})
	expect(t, res, 200, map[string]string{"RateLimit-Limit": "5"})
	if n := len(res.Headers.Values("RateLimit-Limit")); n != 1 {
		t.Fatalf("%d RateLimit-Limit headers", n)
	}
}

func TestClusterPolicyCountsLikeLocal(t *testing.T) {
	h, _ := newHarness(t, "2024-05-10T12:00:00Z")
	h.Plugin(limitPlugin(schema.Doc{"minute": 1, "policy": "cluster"}))
	expect(t, h.Do(plugintest.Request{}, plugintest.Upstream{}), 200, map[string]string{"X-RateLimit-Remaining-Minute": "0"})
	expect(t, h.Do(plugintest.Request{}, plugintest.Upstream{}), 429, nil)
}

// ---- benchmark -----------------------------------------------------------

// BenchmarkLocalPolicy measures the access handler of a global local-policy
// instance counting clients by IP (limit_by consumer without an
// authenticated consumer, as in Kong's performance suite): identifier,
// windows, counter update and the response headers. The clock moves one
// second every 1,000 requests, so the per-second limit never rejects.
func BenchmarkLocalPolicy(b *testing.B) {
	for _, bc := range []struct {
		name string
		cfg  schema.Doc
	}{
		{"second=1000", schema.Doc{"second": 1000}},
		// Remaining counts above 4,095 are formatted per request.
		{"second+minute+hour=1e9", schema.Doc{"second": 1e9, "minute": 1e9, "hour": 1e9}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			h := plugintest.New(b)
			doc := h.Plugin(limitPlugin(bc.cfg))
			host := plugin.NewHost("node", "host", "test", nil)
			b.Cleanup(host.Close)
			base := time.Date(2024, 5, 10, 12, 0, 0, 0, time.UTC)
			n := 0
			host.Now = func() time.Time { n++; return base.Add(time.Duration(n/1000) * time.Second) }
			impl, err := ratelimiting.New(&plugin.Env{ID: doc["id"].(string), Name: "rate-limiting", Config: doc["config"].(map[string]any), Host: host})
			if err != nil {
				b.Fatal(err)
			}
			acc := impl.(plugin.Accessor)
			info := plugin.RequestInfo{Scheme: "http", ClientIP: netip.MustParseAddr("192.0.2.10"), Path: []byte("/")}
			var c plugin.Context
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				// The handler reads no request header for this limit_by,
				// so the context needs no HTTP request behind it.
				c.Reset(nil, info)
				acc.Access(&c)
				if c.Exited() {
					b.Fatal("limited")
				}
			}
		})
	}
}

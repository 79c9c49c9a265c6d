package acctest

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/acctest/harness"
	"github.com/gatewayd-toolkit/gatewayd/acctest/postgres"
	"github.com/gatewayd-toolkit/gatewayd/acctest/redis"
	"github.com/gatewayd-toolkit/gatewayd/acctest/upstream"
)

// admin sends JSON to the Admin API and fails the test unless the status
// is want.
func admin(t *testing.T, gw *harness.Gatewayd, method, path string, body any, want int) map[string]any {
	t.Helper()
	status, out := gw.AdminJSON(t, method, path, body)
	if status != want {
		t.Fatalf("%s %s: %d %v (want %d)", method, path, status, out, want)
	}
	return out
}

// call sends one proxy request with headers given as name, value pairs.
func call(t *testing.T, gw *harness.Gatewayd, host, path string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, gw.ProxyURL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := harness.Client().Do(req)
	if err != nil {
		t.Fatalf("GET %s%s: %v", host, path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// waitStatus polls until a proxy request answers want (config changes go
// live asynchronously).
func waitStatus(t *testing.T, gw *harness.Gatewayd, host, path string, want int, hdr ...string) *http.Response {
	t.Helper()
	var resp *http.Response
	eventually(t, host+path+" to answer "+http.StatusText(want), func() bool {
		resp, _ = call(t, gw, host, path, hdr...)
		return resp.StatusCode == want
	})
	return resp
}

// TestPluginPrecedenceKongScenario replays Kong's
// spec/02-integration/05-proxy/04-plugins_triggering_spec.lua: one
// rate-limiting config per scope, told apart by their hour limit.
func TestPluginPrecedenceKongScenario(t *testing.T) {
	up := upstream.Start(t)
	gw := harness.StartGatewayd(t, harness.Options{})
	svc1 := admin(t, gw, "POST", "/services", map[string]any{"name": "svc1", "url": up.URL}, 201)
	svc4 := admin(t, gw, "POST", "/services", map[string]any{"name": "svc4", "url": up.URL}, 201)
	admin(t, gw, "POST", "/services/svc1/routes", map[string]any{"name": "route0", "hosts": []string{"r0.test"}}, 201)
	route1 := admin(t, gw, "POST", "/services/svc1/routes", map[string]any{"name": "route1", "hosts": []string{"r1.test"}}, 201)
	route2 := admin(t, gw, "POST", "/services/svc4/routes", map[string]any{"name": "route2", "hosts": []string{"r2.test"}}, 201)
	route3 := admin(t, gw, "POST", "/services/svc4/routes", map[string]any{"name": "route3", "hosts": []string{"r3.test"}}, 201)
	for _, c := range []string{"consumer1", "consumer2", "anonymous"} {
		admin(t, gw, "POST", "/consumers", map[string]any{"username": c}, 201)
	}
	admin(t, gw, "POST", "/consumers/consumer1/key-auth", map[string]any{"key": "secret1"}, 201)
	admin(t, gw, "POST", "/consumers/consumer2/key-auth", map[string]any{"key": "secret2"}, 201)
	anon := admin(t, gw, "GET", "/consumers/anonymous", nil, 200)
	c2 := admin(t, gw, "GET", "/consumers/consumer2", nil, 200)

	ref := func(doc map[string]any) map[string]any { return map[string]any{"id": doc["id"]} }
	admin(t, gw, "POST", "/plugins", map[string]any{"name": "key-auth"}, 201)
	admin(t, gw, "POST", "/routes/route3/plugins", map[string]any{"name": "key-auth", "config": map[string]any{"anonymous": anon["id"]}}, 201)
	rl := func(hour int, scope map[string]any) {
		body := map[string]any{"name": "rate-limiting", "config": map[string]any{"hour": hour}}
		for k, v := range scope {
			body[k] = v
		}
		admin(t, gw, "POST", "/plugins", body, 201)
	}
	rl(1, nil)
	rl(2, map[string]any{"route": ref(route1), "service": ref(svc1)})
	rl(3, map[string]any{"consumer": ref(c2)})
	rl(4, map[string]any{"route": ref(route2), "consumer": ref(c2)})
	rl(5, map[string]any{"route": ref(route3), "service": ref(svc4), "consumer": ref(anon)})
	// A last write marks the end of the configuration: once its route
	// answers, the live snapshot holds every plugin above (each probe of a
	// scenario route would spend its hourly quota).
	admin(t, gw, "POST", "/services/svc1/routes", map[string]any{"name": "sentinel", "hosts": []string{"sentinel.test"}}, 201)
	waitStatus(t, gw, "sentinel.test", "/", 401)

	cases := []struct {
		name, host, key, want string
	}{
		{"global", "r0.test", "secret1", "1"},
		{"route+service beats global", "r1.test", "secret1", "2"},
		{"route+service beats consumer", "r1.test", "secret2", "2"},
		{"consumer beats global", "r0.test", "secret2", "3"},
		{"route+consumer", "r2.test", "secret2", "4"},
		{"route+service+anonymous consumer", "r3.test", "", "5"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var hdr []string
			if tc.key != "" {
				hdr = []string{"apikey", tc.key}
			}
			resp, body := call(t, gw, tc.host, "/", hdr...)
			if resp.StatusCode != 200 {
				t.Fatalf("%d %s", resp.StatusCode, body)
			}
			if got := resp.Header.Get("X-RateLimit-Limit-Hour"); got != tc.want {
				t.Fatalf("X-RateLimit-Limit-Hour = %q, want %q", got, tc.want)
			}
		})
	}
	// The global limit of 1 per hour is now used up for consumer1 on route0.
	resp, body := call(t, gw, "r0.test", "/", "apikey", "secret1")
	if resp.StatusCode != 429 || !strings.Contains(body, `"message":"API rate limit exceeded"`) || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("over the limit: %d %q Retry-After=%q", resp.StatusCode, body, resp.Header.Get("Retry-After"))
	}
}

// TestKeyAuthThroughTheGateway checks the Kong messages, the generated
// key, the upstream identity headers and cascade on consumer deletion.
func TestKeyAuthThroughTheGateway(t *testing.T) {
	backends(t, func(t *testing.T, opts harness.Options) {
		up := upstream.Start(t)
		gw := harness.StartGatewayd(t, opts)
		admin(t, gw, "POST", "/services", map[string]any{"name": "svc", "url": up.URL}, 201)
		admin(t, gw, "POST", "/services/svc/routes", map[string]any{"name": "r", "paths": []string{"/ka"}}, 201)
		admin(t, gw, "POST", "/routes/r/plugins", map[string]any{"name": "key-auth"}, 201)
		cons := admin(t, gw, "POST", "/consumers", map[string]any{"username": "alice", "custom_id": "a-1"}, 201)
		cred := admin(t, gw, "POST", "/consumers/alice/key-auth", map[string]any{}, 201)
		key, _ := cred["key"].(string)
		if len(key) != 32 {
			t.Fatalf("generated key %q is not 32 characters", key)
		}
		admin(t, gw, "GET", "/key-auths/"+key, nil, 200)

		// The plugin is live once a request without a key is refused, and
		// then the credential once the key works.
		waitStatus(t, gw, "gw.test", "/ka", 401)
		waitStatus(t, gw, "gw.test", "/ka", 200, "apikey", key)
		resp, body := call(t, gw, "gw.test", "/ka")
		if !strings.Contains(body, `"message":"No API key found in request"`) || resp.Header.Get("WWW-Authenticate") != "Key" {
			t.Fatalf("no key: %q WWW-Authenticate=%q", body, resp.Header.Get("WWW-Authenticate"))
		}
		if resp, body := call(t, gw, "gw.test", "/ka", "apikey", "wrong"); resp.StatusCode != 401 || !strings.Contains(body, `"message":"Unauthorized"`) {
			t.Fatalf("bad key: %d %q", resp.StatusCode, body)
		}
		resp, echo := proxyGet(t, gw.ProxyURL+"/ka?apikey="+key, http.Header{"X-Consumer-Username": {"spoofed"}})
		if resp.StatusCode != 200 {
			t.Fatalf("valid key in query: %d", resp.StatusCode)
		}
		for name, want := range map[string]string{"X-Consumer-Id": cons["id"].(string), "X-Consumer-Username": "alice",
			"X-Consumer-Custom-Id": "a-1", "X-Credential-Identifier": cred["id"].(string)} {
			if got := echo.Headers[name]; len(got) != 1 || got[0] != want {
				t.Errorf("upstream %s = %v, want %q", name, got, want)
			}
		}
		// A credential with a ttl expires.
		short := admin(t, gw, "POST", "/consumers/alice/key-auth", map[string]any{"key": "short-lived", "ttl": 1}, 201)
		if short["ttl"] != 1.0 {
			t.Fatalf("ttl = %v", short["ttl"])
		}
		waitStatus(t, gw, "gw.test", "/ka", 200, "apikey", "short-lived")
		time.Sleep(1100 * time.Millisecond)
		waitStatus(t, gw, "gw.test", "/ka", 401, "apikey", "short-lived")
		// Deleting the consumer deletes its credentials.
		admin(t, gw, "DELETE", "/consumers/alice", nil, 204)
		admin(t, gw, "GET", "/key-auths/"+key, nil, 404)
		waitStatus(t, gw, "gw.test", "/ka", 401, "apikey", key)
	})
}

// TestPluginSchemasAndValidation checks /plugins/enabled, the plugin
// schemas and Kong's validation errors at write time.
func TestPluginSchemasAndValidation(t *testing.T) {
	gw := harness.StartGatewayd(t, harness.Options{})
	enabled := admin(t, gw, "GET", "/plugins/enabled", nil, 200)
	names, _ := json.Marshal(enabled["enabled_plugins"])
	for _, want := range []string{"key-auth", "basic-auth", "jwt", "hmac-auth", "acl", "rate-limiting", "request-size-limiting",
		"ip-restriction", "cors", "bot-detection", "request-termination", "request-transformer", "response-transformer",
		"correlation-id", "proxy-cache", "file-log", "http-log", "tcp-log", "prometheus"} {
		if !strings.Contains(string(names), `"`+want+`"`) {
			t.Errorf("/plugins/enabled lacks %s: %s", want, names)
		}
	}
	sch := admin(t, gw, "GET", "/schemas/plugins/rate-limiting", nil, 200)
	if b, _ := json.Marshal(sch); !strings.Contains(string(b), `"error_message"`) || !strings.Contains(string(b), `"API rate limit exceeded"`) {
		t.Fatalf("rate-limiting schema lacks error_message default: %s", b)
	}
	status, out := gw.AdminJSON(t, "POST", "/plugins", map[string]any{"name": "rate-limiting", "config": map[string]any{}})
	if status != 400 || !strings.Contains(out["message"].(string),
		"at least one of these fields must be non-empty: 'config.second', 'config.minute', 'config.hour', 'config.day', 'config.month', 'config.year'") {
		t.Fatalf("empty rate-limiting: %d %v", status, out)
	}
	status, out = gw.AdminJSON(t, "POST", "/schemas/plugins/validate", map[string]any{"name": "key-auth", "config": map[string]any{"key_names": []string{"in valid"}}})
	if status != 400 {
		t.Fatalf("validate bad key-auth: %d %v", status, out)
	}
	status, out = gw.AdminJSON(t, "POST", "/plugins", map[string]any{"name": "no-such-plugin"})
	if status != 400 || out["fields"].(map[string]any)["name"] != "plugin 'no-such-plugin' not enabled; add it to the 'plugins' configuration property" {
		t.Fatalf("unknown plugin: %d %v", status, out)
	}
}

// TestPluginsConfigKeyLimitsWhatLoads: `plugins = key-auth` loads only it.
func TestPluginsConfigKeyLimitsWhatLoads(t *testing.T) {
	gw := harness.StartGatewayd(t, harness.Options{Extra: map[string]string{"plugins": "key-auth"}})
	enabled := admin(t, gw, "GET", "/plugins/enabled", nil, 200)
	if b, _ := json.Marshal(enabled["enabled_plugins"]); string(b) != `["key-auth"]` {
		t.Fatalf("enabled_plugins = %s", b)
	}
	status, _ := gw.AdminJSON(t, "POST", "/plugins", map[string]any{"name": "cors"})
	if status != 400 {
		t.Fatalf("cors accepted although not loaded: %d", status)
	}
}

// TestRateLimitingRedisSharedByTwoNodes: two gatewayd nodes on one
// PostgreSQL database count against the same redis, so the limit holds
// across the cluster.
func TestRateLimitingRedisSharedByTwoNodes(t *testing.T) {
	rd := redis.Start(t)
	up := upstream.Start(t)
	dsn := postgres.Start(t)
	a := harness.StartGatewayd(t, harness.Options{Database: "postgres", PGDSN: dsn})
	b := harness.StartGatewayd(t, harness.Options{Database: "postgres", PGDSN: dsn})
	admin(t, a, "POST", "/services", map[string]any{"name": "svc", "url": up.URL}, 201)
	admin(t, a, "POST", "/services/svc/routes", map[string]any{"name": "r", "paths": []string{"/rl"}}, 201)
	admin(t, a, "POST", "/routes/r/plugins", map[string]any{"name": "rate-limiting", "config": map[string]any{
		"minute": 4, "policy": "redis", "limit_by": "header", "header_name": "X-Client",
		"redis": map[string]any{"host": "127.0.0.1", "port": rd.Port}}}, 201)
	// Wait until both nodes enforce the plugin, probing under other
	// identities so the client's quota stays untouched.
	for _, gw := range []*harness.Gatewayd{a, b} {
		eventually(t, "rate-limiting live on "+gw.ProxyURL, func() bool {
			resp, _ := call(t, gw, "gw.test", "/rl", "X-Client", "probe-"+gw.ProxyURL)
			return resp.Header.Get("X-RateLimit-Limit-Minute") == "4"
		})
	}
	// Requests alternate between the nodes; they share one count.
	for i, gw := range []*harness.Gatewayd{a, b, a, b} {
		resp, _ := call(t, gw, "gw.test", "/rl", "X-Client", "client")
		if want := fmt.Sprint(3 - i); resp.StatusCode != 200 || resp.Header.Get("X-RateLimit-Remaining-Minute") != want {
			t.Fatalf("request %d: %d remaining %q, want %s", i+1, resp.StatusCode, resp.Header.Get("X-RateLimit-Remaining-Minute"), want)
		}
	}
	for _, gw := range []*harness.Gatewayd{a, b} {
		resp, body := call(t, gw, "gw.test", "/rl", "X-Client", "client")
		if resp.StatusCode != 429 || !strings.Contains(body, "API rate limit exceeded") || resp.Header.Get("RateLimit-Remaining") != "0" {
			t.Fatalf("over the shared limit on %s: %d %q RateLimit-Remaining=%q", gw.ProxyURL, resp.StatusCode, body, resp.Header.Get("RateLimit-Remaining"))
		}
	}
}

// TestPrometheusAndHTTPLog: metrics on the status listener, and log
// entries delivered to an HTTP collector.
func TestPrometheusAndHTTPLog(t *testing.T) {
	var mu sync.Mutex
	var entries []map[string]any
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var e map[string]any
		_ = json.NewDecoder(r.Body).Decode(&e)
		mu.Lock()
		entries = append(entries, e)
		mu.Unlock()
	}))
	defer collector.Close()
	up := upstream.Start(t)
	gw := harness.StartGatewayd(t, harness.Options{})
	admin(t, gw, "POST", "/services", map[string]any{"name": "svc", "url": up.URL}, 201)
	admin(t, gw, "POST", "/services/svc/routes", map[string]any{"name": "r", "paths": []string{"/m"}}, 201)
	admin(t, gw, "POST", "/plugins", map[string]any{"name": "prometheus", "config": map[string]any{"status_code_metrics": true, "latency_metrics": true}}, 201)
	admin(t, gw, "POST", "/routes/r/plugins", map[string]any{"name": "http-log", "config": map[string]any{"http_endpoint": collector.URL + "/log"}}, 201)
	// Requests keep coming until the plugins are live and an entry
	// reached the collector.
	eventually(t, "an http-log entry", func() bool {
		call(t, gw, "gw.test", "/m/x?q=1")
		mu.Lock()
		defer mu.Unlock()
		return len(entries) > 0
	})
	mu.Lock()
	e := entries[len(entries)-1]
	mu.Unlock()
	req, _ := e["request"].(map[string]any)
	resp, _ := e["response"].(map[string]any)
	route, _ := e["route"].(map[string]any)
	if req["uri"] != "/m/x?q=1" || resp["status"] != 200.0 || route["name"] != "r" {
		t.Fatalf("log entry: request %v response %v route %v", req, resp, route)
	}

	r, err := harness.Client().Get(gw.StatusURL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := io.ReadAll(r.Body)
	r.Body.Close()
	text := string(metrics)
	for _, want := range []string{`gatewayd_http_requests_total{service="svc",route="r",code="200"`, "gatewayd_request_latency_ms_bucket",
		"gatewayd_nginx_connections_total", "gatewayd_datastore_reachable 1"} {
		if !strings.Contains(text, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", text)
	}
}

// rawGet sends a request on a raw connection and returns the response
// head as received, header names unaltered (Go's client would
// canonicalize them).
func rawGet(t *testing.T, addr, path string, hdr ...string) string {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	req := "GET " + path + " HTTP/1.1\r\nHost: gw.test\r\nConnection: close\r\n"
	for i := 0; i+1 < len(hdr); i += 2 {
		req += hdr[i] + ": " + hdr[i+1] + "\r\n"
	}
	if _, err := conn.Write([]byte(req + "\r\n")); err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(conn)
	head, _, _ := strings.Cut(string(data), "\r\n\r\n")
	return head
}

// TestResponseHeaderNamesKeepTheirCase: upstream header names pass through
// unaltered and plugin headers are spelled as Kong spells them.
func TestResponseHeaderNamesKeepTheirCase(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["x-lower-case"] = []string{"1"}
		w.Header()["X-MiXeD-Case"] = []string{"2"}
		w.Header()["connection"] = []string{"x-hop"}
		w.Header()["x-hop"] = []string{"must not pass"}
	}))
	defer up.Close()
	gw := harness.StartGatewayd(t, harness.Options{})
	admin(t, gw, "POST", "/services", map[string]any{"name": "svc", "url": up.URL}, 201)
	admin(t, gw, "POST", "/services/svc/routes", map[string]any{"name": "r", "paths": []string{"/c"}}, 201)
	admin(t, gw, "POST", "/routes/r/plugins", map[string]any{"name": "key-auth"}, 201)
	admin(t, gw, "POST", "/routes/r/plugins", map[string]any{"name": "rate-limiting", "config": map[string]any{"hour": 100}}, 201)
	admin(t, gw, "POST", "/consumers", map[string]any{"username": "u"}, 201)
	admin(t, gw, "POST", "/consumers/u/key-auth", map[string]any{"key": "k"}, 201)
	waitStatus(t, gw, "gw.test", "/c", 200, "apikey", "k")
	addr := strings.TrimPrefix(gw.ProxyURL, "http://")
	head := rawGet(t, addr, "/c", "apikey", "k")
	for _, want := range []string{"\r\nx-lower-case: 1", "\r\nX-MiXeD-Case: 2", "\r\nX-RateLimit-Remaining-Hour: ", "\r\nRateLimit-Limit: 100"} {
		if !strings.Contains(head, want) {
			t.Errorf("response lacks %q:\n%s", strings.TrimPrefix(want, "\r\n"), head)
		}
	}
	if strings.Contains(strings.ToLower(head), "x-hop") {
		t.Errorf("a header named in the upstream's Connection passed through:\n%s", head)
	}
	if head := rawGet(t, addr, "/c"); !strings.Contains(head, "\r\nWWW-Authenticate: Key") {
		t.Errorf("401 lacks WWW-Authenticate spelled as Kong does:\n%s", head)
	}
}

// TestCredentialEndpoints exercises every credential collection, nested
// and top level, with Kong's semantics.
func TestCredentialEndpoints(t *testing.T) {
	backends(t, func(t *testing.T, opts harness.Options) {
		gw := harness.StartGatewayd(t, opts)
		c := admin(t, gw, "POST", "/consumers", map[string]any{"username": "bob"}, 201)
		ba := admin(t, gw, "POST", "/consumers/bob/basic-auth", map[string]any{"username": "bob", "password": "pw"}, 201)
		if ba["password"] == "pw" || len(ba["password"].(string)) != 40 {
			t.Fatalf("basic-auth password stored as %v, want a SHA-1 hex digest", ba["password"])
		}
		admin(t, gw, "GET", "/basic-auths/bob", nil, 200)
		jwt := admin(t, gw, "POST", "/consumers/bob/jwt", map[string]any{}, 201)
		if len(jwt["key"].(string)) != 32 || len(jwt["secret"].(string)) != 32 || jwt["algorithm"] != "HS256" {
			t.Fatalf("jwt secret: %v", jwt)
		}
		admin(t, gw, "GET", "/jwts/"+jwt["key"].(string), nil, 200)
		hm := admin(t, gw, "POST", "/consumers/bob/hmac-auth", map[string]any{"username": "bob-hmac"}, 201)
		if hm["secret"] == nil {
			t.Fatalf("hmac secret not generated: %v", hm)
		}
		admin(t, gw, "POST", "/consumers/bob/acls", map[string]any{"group": "admins"}, 201)
		status, dup := gw.AdminJSON(t, "POST", "/consumers/bob/acls", map[string]any{"group": "admins"})
		if status != 409 {
			t.Fatalf("duplicate acl group: %d %v", status, dup)
		}
		acl := admin(t, gw, "GET", "/consumers/bob/acls/admins", nil, 200)
		if acl["group"] != "admins" || acl["consumer"].(map[string]any)["id"] != c["id"] {
			t.Fatalf("acl by group name: %v", acl)
		}
		for _, coll := range []string{"/key-auths", "/basic-auths", "/jwts", "/hmac-auths", "/acls"} {
			admin(t, gw, "GET", coll, nil, 200)
		}
		status, out := gw.AdminJSON(t, "POST", "/consumers/bob/jwt", map[string]any{"algorithm": "RS256"})
		if status != 400 || !strings.Contains(fmt.Sprint(out["message"]), "rsa_public_key") {
			t.Fatalf("RS256 without a key: %d %v", status, out)
		}
		admin(t, gw, "DELETE", "/consumers/bob/acls/admins", nil, 204)
		admin(t, gw, "DELETE", "/consumers/bob", nil, 204)
		for _, p := range []string{"/basic-auths/bob", "/jwts/" + jwt["key"].(string), "/hmac-auths/bob-hmac"} {
			admin(t, gw, "GET", p, nil, 404)
		}
	})
}

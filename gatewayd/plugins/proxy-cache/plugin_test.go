package proxycache

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin/plugintest"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// clock is a pinned clock tests move by hand.
type clock struct{ t time.Time }

func (c *clock) now() time.Time          { return c.t }
func (c *clock) advance(d time.Duration) { c.t = c.t.Add(d) }
func newClock() *clock                   { return &clock{t: time.Unix(1_700_000_000, 0)} }
func jsonUpstream(body string) plugintest.Upstream {
	return plugintest.Upstream{Status: 200, Headers: [][2]string{{"Content-Type", "application/json"}, {"X-Upstream", "yes"}}, Body: []byte(body)}
}

func setup(t *testing.T, config schema.Doc) (*plugintest.Harness, *clock) {
	t.Helper()
	h := plugintest.New(t)
	c := newClock()
	h.Host.Now = c.now
	if config == nil {
		config = schema.Doc{}
	}
	if _, ok := config["strategy"]; !ok {
		config["strategy"] = "memory"
	}
	h.Plugin(schema.Doc{"name": Name, "config": config})
	return h, c
}

func TestSchemaDefaultsAndValidation(t *testing.T) {
	h := plugintest.New(t)
	doc := h.Plugin(schema.Doc{"name": Name, "config": schema.Doc{"strategy": "memory"}})
	cfg := doc["config"].(map[string]any)
	want := map[string]any{
		"response_code":     schema.Nums(200, 301, 404),
		"request_method":    schema.Strings("GET", "HEAD"),
		"content_type":      schema.Strings("text/plain", "application/json"),
		"cache_ttl":         300.0,
		"cache_control":     false,
		"ignore_uri_case":   false,
		"storage_ttl":       nil,
		"vary_query_params": nil,
		"vary_headers":      nil,
		"memory":            map[string]any{"dictionary_name": "kong_db_cache"},
		"response_headers":  map[string]any{"age": true, "X-Cache-Status": true, "X-Cache-Key": true},
	}
	for k, v := range want {
		if fmt.Sprint(cfg[k]) != fmt.Sprint(v) {
			t.Errorf("default %s = %v, want %v", k, cfg[k], v)
		}
	}

	cases := []struct {
		name   string
		config schema.Doc
		want   string
	}{
		{"strategy is required", schema.Doc{}, "schema violation (config.strategy: required field missing)"},
		{"only the memory strategy exists", schema.Doc{"strategy": "redis"}, "schema violation (config.strategy: expected one of: memory)"},
		{"cache_ttl must be positive", schema.Doc{"strategy": "memory", "cache_ttl": 0}, "schema violation (config.cache_ttl: value must be greater than 0)"},
		{"response_code needs one code", schema.Doc{"strategy": "memory", "response_code": []int{}}, "schema violation (config.response_code: length must be at least 1)"},
		{"request_method is a known method", schema.Doc{"strategy": "memory", "request_method": []string{"GET", "DELETE"}},
			"schema violation (config.request_method: {\n  [2] = \"expected one of: HEAD, GET, POST, PATCH, PUT\"\n})"},
		{"response codes are HTTP statuses", schema.Doc{"strategy": "memory", "response_code": []int{99}},
			"schema violation (config.response_code: {\n  \"value should be between 100 and 900\"\n})"},
		{"unknown field", schema.Doc{"strategy": "memory", "redis": schema.Doc{}}, "schema violation (config.redis: unknown field)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := h.PluginError(schema.Doc{"name": Name, "config": tc.config})
			if got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestMissThenHitThenExpiryThenMiss(t *testing.T) {
	h, clk := setup(t, schema.Doc{"cache_ttl": 60})
	req := plugintest.Request{URI: "/items?a=1"}

	res := h.Do(req, jsonUpstream(`{"n":1}`))
	if res.Status != 200 || res.Headers.Get("X-Cache-Status") != "Miss" || res.Upstream == nil {
		t.Fatalf("first request: %d %v upstream=%v", res.Status, res.Headers, res.Upstream != nil)
	}
	key := res.Headers.Get("X-Cache-Key")
	if len(key) != 64 {
		t.Fatalf("X-Cache-Key %q is not a sha256 hex digest", key)
	}
	if res.Headers.Get("Age") != "" {
		t.Fatalf("a miss carries no Age")
	}

	clk.advance(10 * time.Second)
	res = h.Do(req, jsonUpstream(`{"n":2}`))
	if res.Upstream != nil {
		t.Fatalf("hit must not call the upstream")
	}
	if res.Status != 200 || string(res.Body) != `{"n":1}` || res.Headers.Get("X-Cache-Status") != "Hit" {
		t.Fatalf("second request: %d %s %v", res.Status, res.Body, res.Headers)
	}
	if res.Headers.Get("Age") != "10" || res.Headers.Get("X-Cache-Key") != key {
		t.Fatalf("Age/X-Cache-Key on hit: %v", res.Headers)
	}
	if res.Headers.Get("Content-Type") != "application/json" || res.Headers.Get("X-Upstream") != "yes" {
		t.Fatalf("cached headers not replayed: %v", res.Headers)
	}

	// The storage TTL is cache_ttl: past it the entry is gone.
	clk.advance(51 * time.Second)
	res = h.Do(req, jsonUpstream(`{"n":3}`))
	if res.Upstream == nil || res.Headers.Get("X-Cache-Status") != "Miss" || string(res.Body) != `{"n":3}` {
		t.Fatalf("after expiry: %s %v", res.Body, res.Headers)
	}
	clk.advance(time.Second)
	if res = h.Do(req, jsonUpstream(`{"n":4}`)); string(res.Body) != `{"n":3}` || res.Headers.Get("Age") != "1" {
		t.Fatalf("re-stored entry not served: %s %v", res.Body, res.Headers)
	}
}

func TestRefreshWhenStoredLongerThanCacheTTL(t *testing.T) {
	h, clk := setup(t, schema.Doc{"cache_ttl": 5, "storage_ttl": 100})
	h.Do(plugintest.Request{URI: "/r"}, jsonUpstream(`1`))
	clk.advance(6 * time.Second)
	res := h.Do(plugintest.Request{URI: "/r"}, jsonUpstream(`2`))
	if res.Headers.Get("X-Cache-Status") != "Refresh" || res.Upstream == nil || string(res.Body) != "2" {
		t.Fatalf("stale entry: %s %v", res.Body, res.Headers)
	}
	if res = h.Do(plugintest.Request{URI: "/r"}, jsonUpstream(`3`)); res.Headers.Get("X-Cache-Status") != "Hit" || string(res.Body) != "2" {
		t.Fatalf("refreshed entry not stored: %s %v", res.Body, res.Headers)
	}
}

func TestBypass(t *testing.T) {
	cases := []struct {
		name   string
		config schema.Doc
		req    plugintest.Request
		up     plugintest.Upstream
	}{
		{"method not cacheable", nil, plugintest.Request{Method: "POST"}, jsonUpstream("{}")},
		{"status not cacheable", nil, plugintest.Request{}, plugintest.Upstream{Status: 500, Headers: [][2]string{{"Content-Type", "application/json"}}}},
		{"content type not cacheable", nil, plugintest.Request{}, plugintest.Upstream{Headers: [][2]string{{"Content-Type", "text/html"}}}},
		{"content type parameters must match exactly", nil, plugintest.Request{},
			plugintest.Upstream{Headers: [][2]string{{"Content-Type", "application/json; charset=utf-8"}}}},
		{"request no-store with cache_control", schema.Doc{"cache_control": true},
			plugintest.Request{Headers: [][2]string{{"Cache-Control", "no-store"}}}, cc("max-age=60")},
		{"request no-cache with cache_control", schema.Doc{"cache_control": true},
			plugintest.Request{Headers: [][2]string{{"Cache-Control", "max-age=1, no-cache"}}}, cc("max-age=60")},
		{"response private with cache_control", schema.Doc{"cache_control": true}, plugintest.Request{}, cc("private, max-age=60")},
		{"response no-store with cache_control", schema.Doc{"cache_control": true}, plugintest.Request{}, cc("no-store")},
		{"response without lifetime with cache_control", schema.Doc{"cache_control": true}, plugintest.Request{}, jsonUpstream("{}")},
		{"response max-age=0 with cache_control", schema.Doc{"cache_control": true}, plugintest.Request{}, cc("max-age=0")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, _ := setup(t, tc.config)
			for i := 0; i < 2; i++ {
				res := h.Do(tc.req, tc.up)
				if res.Headers.Get("X-Cache-Status") != "Bypass" || res.Upstream == nil {
					t.Fatalf("request %d: X-Cache-Status %q upstream=%v", i, res.Headers.Get("X-Cache-Status"), res.Upstream != nil)
				}
			}
		})
	}
}

func cc(value string) plugintest.Upstream {
	return plugintest.Upstream{Headers: [][2]string{{"Content-Type", "application/json"}, {"Cache-Control", value}}, Body: []byte("{}")}
}

func TestCacheControlIsIgnoredByDefault(t *testing.T) {
	h, _ := setup(t, nil)
	up := cc("no-store, private")
	h.Do(plugintest.Request{Headers: [][2]string{{"Cache-Control", "no-cache"}}}, up)
	if res := h.Do(plugintest.Request{Headers: [][2]string{{"Cache-Control", "no-cache"}}}, up); res.Headers.Get("X-Cache-Status") != "Hit" {
		t.Fatalf("cache_control=false must ignore directives: %v", res.Headers)
	}
}

func TestCacheControlLifetimes(t *testing.T) {
	h, clk := setup(t, schema.Doc{"cache_control": true, "cache_ttl": 1000})
	h.Do(plugintest.Request{URI: "/cc"}, cc("public, max-age=30"))
	clk.advance(20 * time.Second)
	if res := h.Do(plugintest.Request{URI: "/cc"}, cc("max-age=30")); res.Headers.Get("X-Cache-Status") != "Hit" {
		t.Fatalf("within max-age: %v", res.Headers)
	}
	// The client accepts nothing older than 10s.
	res := h.Do(plugintest.Request{URI: "/cc", Headers: [][2]string{{"Cache-Control", "max-age=10"}}}, cc("max-age=30"))
	if res.Headers.Get("X-Cache-Status") != "Refresh" || res.Upstream == nil {
		t.Fatalf("request max-age: %v", res.Headers)
	}
	// min-fresh: the entry (just refreshed, ttl 30) must stay fresh 40s more.
	res = h.Do(plugintest.Request{URI: "/cc", Headers: [][2]string{{"Cache-Control", "min-fresh=40"}}}, cc("max-age=30"))
	if res.Headers.Get("X-Cache-Status") != "Refresh" {
		t.Fatalf("request min-fresh: %v", res.Headers)
	}
	// The storage TTL is the resource TTL: gone after 30s.
	clk.advance(31 * time.Second)
	if res := h.Do(plugintest.Request{URI: "/cc"}, cc("max-age=30")); res.Headers.Get("X-Cache-Status") != "Miss" {
		t.Fatalf("past the resource ttl: %v", res.Headers)
	}
	// s-maxage wins over max-age.
	h.Do(plugintest.Request{URI: "/s"}, cc("max-age=0, s-maxage=50"))
	if res := h.Do(plugintest.Request{URI: "/s"}, cc("max-age=0")); res.Headers.Get("X-Cache-Status") != "Hit" {
		t.Fatalf("s-maxage: %v", res.Headers)
	}
	// Expires without max-age.
	exp := clk.now().Add(90 * time.Second).UTC().Format(time.RFC1123)
	exp = exp[:len(exp)-3] + "GMT"
	h.Do(plugintest.Request{URI: "/e"}, plugintest.Upstream{Headers: [][2]string{{"Content-Type", "text/plain"}, {"Expires", exp}}, Body: []byte("e")})
	clk.advance(80 * time.Second)
	if res := h.Do(plugintest.Request{URI: "/e"}, jsonUpstream("x")); res.Headers.Get("X-Cache-Status") != "Hit" || string(res.Body) != "e" {
		t.Fatalf("Expires lifetime: %v", res.Headers)
	}
}

func TestOnlyIfCachedMissIsGatewayTimeout(t *testing.T) {
	h, _ := setup(t, schema.Doc{"cache_control": true})
	res := h.Do(plugintest.Request{Headers: [][2]string{{"Cache-Control", "only-if-cached"}}}, cc("max-age=60"))
	if res.Status != 504 || res.Upstream != nil || len(res.Body) != 0 {
		t.Fatalf("only-if-cached miss: %d %s upstream=%v", res.Status, res.Body, res.Upstream != nil)
	}
}

func TestVaryQueryParams(t *testing.T) {
	h, _ := setup(t, nil)
	k1 := h.Do(plugintest.Request{URI: "/q?a=1&b=2"}, jsonUpstream("1")).Headers.Get("X-Cache-Key")
	k2 := h.Do(plugintest.Request{URI: "/q?b=2&a=1"}, jsonUpstream("2")).Headers.Get("X-Cache-Key")
	k3 := h.Do(plugintest.Request{URI: "/q?a=1&b=3"}, jsonUpstream("3")).Headers.Get("X-Cache-Key")
	if k1 != k2 {
		t.Fatalf("argument order changed the key")
	}
	if k1 == k3 {
		t.Fatalf("all arguments vary the key by default")
	}

	h2, _ := setup(t, schema.Doc{"vary_query_params": []string{"a"}})
	r1 := h2.Do(plugintest.Request{URI: "/q?a=1&b=2"}, jsonUpstream("1"))
	r2 := h2.Do(plugintest.Request{URI: "/q?a=1&b=9"}, jsonUpstream("2"))
	if r2.Headers.Get("X-Cache-Status") != "Hit" || r1.Headers.Get("X-Cache-Key") != r2.Headers.Get("X-Cache-Key") {
		t.Fatalf("b must not vary the key: %v", r2.Headers)
	}
	if r3 := h2.Do(plugintest.Request{URI: "/q?a=2&b=2"}, jsonUpstream("3")); r3.Headers.Get("X-Cache-Status") != "Miss" {
		t.Fatalf("a must vary the key: %v", r3.Headers)
	}
}

func TestVaryHeaders(t *testing.T) {
	h, _ := setup(t, schema.Doc{"vary_headers": []string{"X-Lang"}})
	fr := func(v string) plugintest.Request {
		return plugintest.Request{URI: "/h", Headers: [][2]string{{"X-Lang", v}, {"X-Other", v}}}
	}
	h.Do(fr("fr"), jsonUpstream("fr"))
	if res := h.Do(fr("de"), jsonUpstream("de")); res.Headers.Get("X-Cache-Status") != "Miss" {
		t.Fatalf("X-Lang must vary the key")
	}
	if res := h.Do(fr("fr"), jsonUpstream("x")); res.Headers.Get("X-Cache-Status") != "Hit" || string(res.Body) != "fr" {
		t.Fatalf("same X-Lang must hit: %s %v", res.Body, res.Headers)
	}
	// Headers not listed never vary the key.
	h2, _ := setup(t, nil)
	a := h2.Do(plugintest.Request{URI: "/h", Headers: [][2]string{{"X-Lang", "fr"}}}, jsonUpstream("1")).Headers.Get("X-Cache-Key")
	b := h2.Do(plugintest.Request{URI: "/h", Headers: [][2]string{{"X-Lang", "de"}}}, jsonUpstream("2")).Headers.Get("X-Cache-Key")
	if a != b {
		t.Fatalf("headers vary the key only when configured")
	}
}

// The key is Kong's: sha256 hex of prefix|method|uri|params|headers, the
// uri being the request line up to its query.
func TestCacheKeyMatchesKongsFormula(t *testing.T) {
	sum := func(s string) string {
		d := sha256.Sum256([]byte(s))
		return hex.EncodeToString(d[:])
	}
	rid := plugintest.RouteID
	cases := []struct {
		name   string
		config schema.Doc
		req    plugintest.Request
		want   string
	}{
		{"no query keeps the protocol", nil, plugintest.Request{URI: "/foo"}, rid + "|GET|GET /foo HTTP/1.1||"},
		{"query cut from the request line, args sorted", nil, plugintest.Request{URI: "/foo?b=2&a=1&b=1&flag"},
			rid + "|GET|GET /foo|a=1:b=1,2:flag|"},
		{"arguments unescaped", nil, plugintest.Request{URI: "/p?q=a+b%21"}, rid + "|GET|GET /p|q=a b!|"},
		{"vary_query_params in configured order", schema.Doc{"vary_query_params": []string{"z", "a", "missing"}},
			plugintest.Request{URI: "/v?a=1&z=2&b=3"}, rid + "|GET|GET /v|z=2:a=1|"},
		{"ignore_uri_case lowers the request line", schema.Doc{"ignore_uri_case": true},
			plugintest.Request{URI: "/Foo/BAR"}, rid + "|GET|get /foo/bar http/1.1||"},
		{"vary_headers as configured, values sorted", schema.Doc{"vary_headers": []string{"X-A", "x-b"}},
			plugintest.Request{URI: "/x", Headers: [][2]string{{"X-B", "2"}, {"X-B", "1"}, {"X-A", "a"}}},
			rid + "|GET|GET /x HTTP/1.1||X-A=a:x-b=1,2"},
		{"HEAD requests", nil, plugintest.Request{Method: "HEAD", URI: "/foo"}, rid + "|HEAD|HEAD /foo HTTP/1.1||"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, _ := setup(t, tc.config)
			got := h.Do(tc.req, jsonUpstream("{}")).Headers.Get("X-Cache-Key")
			if got != sum(tc.want) {
				t.Fatalf("key %s, want sha256(%q)", got, tc.want)
			}
		})
	}
}

func TestCacheKeyIsScopedToRouteAndConsumer(t *testing.T) {
	h, _ := setup(t, nil)
	h.Consumer("alice")
	r1 := h.Do(plugintest.Request{URI: "/s"}, jsonUpstream("1"))
	other := "00000000-0000-4000-8000-0000000000f1"
	r2 := h.Do(plugintest.Request{URI: "/s", RouteID: other}, jsonUpstream("2"))
	if r2.Headers.Get("X-Cache-Status") != "Miss" || r1.Headers.Get("X-Cache-Key") == r2.Headers.Get("X-Cache-Key") {
		t.Fatalf("routes must not share entries")
	}
	if res := h.Do(plugintest.Request{URI: "/s", NoRoute: true}, jsonUpstream("3")); res.Headers.Get("X-Cache-Status") != "" {
		t.Fatalf("global plugin without route does not run access: %v", res.Headers)
	}
}

func TestCacheKeyIncludesTheAuthenticatedConsumer(t *testing.T) {
	h := plugintest.New(t)
	alice := h.Consumer("alice")
	h.Plugin(schema.Doc{"name": "test-auth-pc", "config": schema.Doc{}})
	h.Plugin(schema.Doc{"name": Name, "config": schema.Doc{"strategy": "memory"}})
	res := h.Do(plugintest.Request{URI: "/c", Headers: [][2]string{{"X-User", "alice"}}}, jsonUpstream("a"))
	d := sha256.Sum256([]byte(alice["id"].(string) + ":" + plugintest.RouteID + "|GET|GET /c HTTP/1.1||"))
	if res.Headers.Get("X-Cache-Key") != hex.EncodeToString(d[:]) {
		t.Fatalf("consumer prefix missing from the key")
	}
	if res := h.Do(plugintest.Request{URI: "/c"}, jsonUpstream("anon")); res.Headers.Get("X-Cache-Status") != "Miss" {
		t.Fatalf("anonymous request must not see alice's entry")
	}
}

func TestDiagnosticHeadersFollowConfig(t *testing.T) {
	h, clk := setup(t, schema.Doc{"response_headers": schema.Doc{"age": false, "X-Cache-Status": false, "X-Cache-Key": false}})
	h.Do(plugintest.Request{}, jsonUpstream("1"))
	clk.advance(3 * time.Second)
	res := h.Do(plugintest.Request{}, jsonUpstream("2"))
	if string(res.Body) != "1" {
		t.Fatalf("expected a hit")
	}
	for _, name := range []string{"Age", "X-Cache-Status", "X-Cache-Key"} {
		if res.Headers.Get(name) != "" {
			t.Errorf("%s set although disabled", name)
		}
	}
	res = h.Do(plugintest.Request{Headers: [][2]string{{"Kong-Debug", "1"}}}, jsonUpstream("2"))
	if res.Headers.Get("X-Cache-Status") != "Hit" || res.Headers.Get("Age") != "3" || res.Headers.Get("X-Cache-Key") == "" {
		t.Fatalf("Kong-Debug must show every header: %v", res.Headers)
	}
}

func TestHitDropsHopByHopAndRateLimitRemainingHeaders(t *testing.T) {
	h, _ := setup(t, nil)
	up := plugintest.Upstream{Headers: [][2]string{{"Content-Type", "text/plain"}, {"X-RateLimit-Remaining-Minute", "4"},
		{"RateLimit-Remaining", "4"}, {"Set-Cookie", "a=1"}, {"Set-Cookie", "b=2"}, {"Upgrade", "h2"}}, Body: []byte("t")}
	h.Do(plugintest.Request{}, up)
	res := h.Do(plugintest.Request{}, up)
	if res.Headers.Get("X-Cache-Status") != "Hit" {
		t.Fatalf("expected a hit")
	}
	if res.Headers.Get("X-RateLimit-Remaining-Minute") != "" || res.Headers.Get("RateLimit-Remaining") != "" || res.Headers.Get("Upgrade") != "" {
		t.Fatalf("stale headers replayed: %v", res.Headers)
	}
	if got := res.Headers.Values("Set-Cookie"); len(got) != 2 {
		t.Fatalf("repeated headers must all be replayed: %v", got)
	}
}

func TestEntriesSurviveSnapshotsAndAreSharedByDictionary(t *testing.T) {
	h, _ := setup(t, nil)
	h.Do(plugintest.Request{URI: "/shared"}, jsonUpstream("first"))
	// A second instance on another route, same dictionary: a recompile
	// keeps the store.
	other := "00000000-0000-4000-8000-0000000000f2"
	h.Plugin(schema.Doc{"name": Name, "route": plugintest.Ref(other), "config": schema.Doc{"strategy": "memory"}})
	if res := h.Do(plugintest.Request{URI: "/shared"}, jsonUpstream("second")); string(res.Body) != "first" {
		t.Fatalf("entry lost across a configuration change: %s", res.Body)
	}
}

func TestStoreEvictsLeastRecentlyUsed(t *testing.T) {
	s := newStore(3 * (entryOverhead + 1 + 100))
	now := time.Unix(0, 0)
	put := func(k string) {
		if !s.set(&entry{key: k, body: make([]byte, 100)}) {
			t.Fatalf("set %s failed", k)
		}
	}
	put("a")
	put("b")
	put("c")
	if s.fetch("a", now) == nil { // a is now the most recently used
		t.Fatal("a missing")
	}
	put("d")
	if s.fetch("b", now) != nil {
		t.Fatal("b should have been evicted")
	}
	for _, k := range []string{"a", "c", "d"} {
		if s.fetch(k, now) == nil {
			t.Fatalf("%s evicted", k)
		}
	}
	if s.set(&entry{key: "huge", body: make([]byte, 10_000)}) {
		t.Fatal("an entry larger than the store must be refused")
	}
	s.set(&entry{key: "x", body: []byte("1"), expires: now.Add(time.Second)})
	if s.fetch("x", now.Add(time.Second)) != nil {
		t.Fatal("expired entry served")
	}
}

func TestParseMediaType(t *testing.T) {
	cases := []struct {
		in      string
		ok      bool
		typ     string
		nparams int
	}{
		{"application/json", true, "application", 0},
		{"application/json; charset=utf-8", true, "application", 1},
		{`text/plain;a="x;y" ; b=2`, true, "text", 2},
		{"*", true, "*", 0},
		{"text/", false, "", 0},
		{"text/plain; charset", false, "", 0},
		{"text/plain ", false, "", 0},
	}
	for _, tc := range cases {
		m, ok := parseMediaType(tc.in)
		if ok != tc.ok || (ok && (m.typ != tc.typ || len(m.params) != tc.nparams)) {
			t.Errorf("parseMediaType(%q) = %+v, %v", tc.in, m, ok)
		}
	}
	want, _ := parseMediaType("text/*")
	got, _ := parseMediaType("text/html")
	if !want.matches(&got) {
		t.Error("text/* must match text/html")
	}
}

// test-auth-pc authenticates the consumer named in X-User (priority of
// key-auth), so consumer-scoped keys can be tested.
func init() {
	plugin.Register(plugin.Spec{Name: "test-auth-pc", Priority: 1250,
		New: func(*plugin.Env) (any, error) { return testAuth{}, nil }})
}

type testAuth struct{}

func (testAuth) Access(c *plugin.Context) {
	if u := c.Header("X-User"); len(u) > 0 {
		if cons := c.LoadConsumer(string(u)); cons != nil {
			c.Authenticate(cons, &plugin.Credential{ID: "cred", ConsumerID: cons.ID, Identifier: cons.Username})
		}
	}
}

package plugin_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin/plugintest"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// Two test plugins: "test-auth" authenticates the consumer named in the
// X-User header (priority 1250, like key-auth), "test-limit" reports the
// config it resolved in a response header (priority 910, like
// rate-limiting), so Kong's precedence scenario can be replayed.
func init() {
	plugin.Register(plugin.Spec{
		Name: "test-auth", Priority: 1250, NoConsumer: true,
		Config: []*schema.Field{{Name: "anonymous", Kind: schema.String}},
		New: func(env *plugin.Env) (any, error) {
			anon, _ := env.Config["anonymous"].(string)
			return &testAuth{anonymous: anon}, nil
		},
	})
	plugin.Register(plugin.Spec{
		Name: "test-limit", Priority: 910,
		Config: []*schema.Field{{Name: "hour", Kind: schema.Number, Required: true}},
		New: func(env *plugin.Env) (any, error) {
			return &testLimit{hour: fmt.Sprint(env.Config["hour"])}, nil
		},
	})
	plugin.Register(plugin.Spec{
		Name: "test-exit", Priority: 2000,
		New: func(env *plugin.Env) (any, error) { return testExit{}, nil },
	})
}

type testAuth struct{ anonymous string }

func (a *testAuth) Access(c *plugin.Context) {
	if u := c.Header("X-User"); len(u) > 0 {
		if cons := c.LoadConsumer(string(u)); cons != nil {
			c.Authenticate(cons, &plugin.Credential{ID: "cred-" + cons.ID, ConsumerID: cons.ID, Identifier: cons.Username})
			return
		}
	}
	if a.anonymous != "" {
		if cons := c.LoadConsumer(a.anonymous); cons != nil {
			c.Authenticate(cons, nil)
			return
		}
	}
	c.Error(401, "Unauthorized", "WWW-Authenticate", "Test")
}

type testLimit struct{ hour string }

func (l *testLimit) Access(c *plugin.Context) { c.SetResponseHeader("X-Limit-Hour", l.hour) }

type testExit struct{}

func (testExit) Response(c *plugin.Context) {
	c.SetResponseHeader("X-Exit-Saw", fmt.Sprint(c.Status()))
}

// Kong's spec/02-integration/05-proxy/04-plugins_triggering_spec.lua: the
// most specific config wins, and consumer-scoped configs apply only once
// an earlier (higher-priority) plugin authenticated the consumer.
func TestPrecedenceFollowsKongsEightLevels(t *testing.T) {
	h := plugintest.New(t)
	c1 := h.Consumer("consumer1")
	c2 := h.Consumer("consumer2")
	anon := h.Consumer("anonymous")
	const route2, route3, service4 = "00000000-0000-4000-8000-0000000000a2", "00000000-0000-4000-8000-0000000000a3", "00000000-0000-4000-8000-0000000000b4"
	h.Plugin(schema.Doc{"name": "test-auth", "config": schema.Doc{}})
	h.Plugin(schema.Doc{"name": "test-auth", "route": plugintest.Ref(route3), "config": schema.Doc{"anonymous": anon["id"]}})
	h.Plugin(schema.Doc{"name": "test-limit", "config": schema.Doc{"hour": 1}})
	h.Plugin(schema.Doc{"name": "test-limit", "route": plugintest.Ref(plugintest.RouteID), "service": plugintest.Ref(plugintest.ServiceID), "config": schema.Doc{"hour": 2}})
	h.Plugin(schema.Doc{"name": "test-limit", "consumer": plugintest.Ref(c2["id"]), "config": schema.Doc{"hour": 3}})
	h.Plugin(schema.Doc{"name": "test-limit", "route": plugintest.Ref(route2), "consumer": plugintest.Ref(c2["id"]), "config": schema.Doc{"hour": 4}})
	h.Plugin(schema.Doc{"name": "test-limit", "route": plugintest.Ref(route3), "service": plugintest.Ref(service4), "consumer": plugintest.Ref(anon["id"]), "config": schema.Doc{"hour": 5}})
	_ = c1

	cases := []struct {
		name          string
		route, svc    string
		user, want    string
		wantConsumerN string
	}{
		{"global config for an unscoped route", "00000000-0000-4000-8000-0000000000a9", "00000000-0000-4000-8000-0000000000b9", "consumer1", "1", "consumer1"},
		{"route+service beats global", plugintest.RouteID, plugintest.ServiceID, "consumer1", "2", "consumer1"},
		{"route+service beats consumer", plugintest.RouteID, plugintest.ServiceID, "consumer2", "2", "consumer2"},
		{"consumer beats global", "00000000-0000-4000-8000-0000000000a9", "00000000-0000-4000-8000-0000000000b9", "consumer2", "3", "consumer2"},
		{"route+consumer beats consumer", route2, "00000000-0000-4000-8000-0000000000b9", "consumer2", "4", "consumer2"},
		{"route+service+anonymous consumer", route3, service4, "", "5", "anonymous"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var hdrs [][2]string
			if tc.user != "" {
				hdrs = append(hdrs, [2]string{"X-User", tc.user})
			}
			res := h.Do(plugintest.Request{RouteID: tc.route, ServiceID: tc.svc, Headers: hdrs}, plugintest.Upstream{})
			if res.Status != 200 {
				t.Fatalf("status %d body %s", res.Status, res.Body)
			}
			if got := res.Headers.Get("X-Limit-Hour"); got != tc.want {
				t.Errorf("X-Limit-Hour = %q, want %q", got, tc.want)
			}
			if res.Consumer == nil || res.Consumer.Username != tc.wantConsumerN {
				t.Errorf("consumer = %+v, want %s", res.Consumer, tc.wantConsumerN)
			}
		})
	}
}

func TestConsumerScopedConfigIgnoredBeforeAuthentication(t *testing.T) {
	h := plugintest.New(t)
	c := h.Consumer("alice")
	// test-exit (2000) runs before test-auth (1250): a consumer-scoped
	// test-exit can never apply, the global one does.
	h.Plugin(schema.Doc{"name": "test-auth", "config": schema.Doc{}})
	h.Plugin(schema.Doc{"name": "test-limit", "consumer": plugintest.Ref(c["id"]), "config": schema.Doc{"hour": 7}})
	res := h.Do(plugintest.Request{Headers: [][2]string{{"X-User", "alice"}}}, plugintest.Upstream{})
	if got := res.Headers.Get("X-Limit-Hour"); got != "7" {
		t.Fatalf("consumer config after auth: X-Limit-Hour = %q", got)
	}
	res = h.Do(plugintest.Request{}, plugintest.Upstream{})
	if res.Status != 401 || res.Headers.Get("WWW-Authenticate") != "Test" || string(res.Body) != `{"message":"Unauthorized"}` {
		t.Fatalf("unauthenticated: %d %v %s", res.Status, res.Headers, res.Body)
	}
	if res.Headers.Get("X-Limit-Hour") != "" {
		t.Fatalf("consumer-scoped config applied without a consumer")
	}
}

func TestDisabledPluginFallsBackToLessSpecificConfig(t *testing.T) {
	h := plugintest.New(t)
	h.Plugin(schema.Doc{"name": "test-limit", "config": schema.Doc{"hour": 1}})
	h.Plugin(schema.Doc{"name": "test-limit", "enabled": false, "route": plugintest.Ref(plugintest.RouteID), "config": schema.Doc{"hour": 2}})
	if got := h.Do(plugintest.Request{}, plugintest.Upstream{}).Headers.Get("X-Limit-Hour"); got != "1" {
		t.Fatalf("X-Limit-Hour = %q, want the global 1", got)
	}
}

func TestResponseHandlersRunOnExits(t *testing.T) {
	h := plugintest.New(t)
	h.Plugin(schema.Doc{"name": "test-exit", "config": schema.Doc{}})
	h.Plugin(schema.Doc{"name": "test-auth", "config": schema.Doc{}})
	res := h.Do(plugintest.Request{}, plugintest.Upstream{})
	if res.Status != 401 || res.Headers.Get("X-Exit-Saw") != "401" {
		t.Fatalf("response phase did not see the exit: %d %v", res.Status, res.Headers)
	}
}

func TestProtocolsRestrictWherePluginsRun(t *testing.T) {
	h := plugintest.New(t)
	h.Plugin(schema.Doc{"name": "test-limit", "protocols": []string{"https"}, "config": schema.Doc{"hour": 1}})
	if got := h.Do(plugintest.Request{Scheme: "http"}, plugintest.Upstream{}).Headers.Get("X-Limit-Hour"); got != "" {
		t.Fatalf("https-only plugin ran on http")
	}
	if got := h.Do(plugintest.Request{Scheme: "https"}, plugintest.Upstream{}).Headers.Get("X-Limit-Hour"); got != "1" {
		t.Fatalf("https-only plugin did not run on https")
	}
}

func TestNoConsumerPluginRejectsConsumerScope(t *testing.T) {
	h := plugintest.New(t)
	c := h.Consumer("bob")
	msg := h.PluginError(schema.Doc{"name": "test-auth", "consumer": plugintest.Ref(c["id"]), "config": schema.Doc{}})
	if msg != "schema violation (consumer: value must be null)" {
		t.Fatalf("got %q", msg)
	}
}

type lineCatcher struct{ lines *[][]byte }

func (l lineCatcher) Log(c *plugin.Context) {
	for i := 0; i < 2; i++ {
		line, err := c.LogLine()
		if err != nil {
			panic(err)
		}
		*l.lines = append(*l.lines, line)
	}
}

var caught [][]byte

func init() {
	plugin.Register(plugin.Spec{Name: "test-logline", Priority: 5,
		New: func(*plugin.Env) (any, error) { return lineCatcher{&caught}, nil }})
}

// Log plugins share one encoding of the request's log entry: a JSON line
// with HTML characters unescaped (Kong's cjson) and Authorization redacted.
func TestLogLineIsEncodedOnceLikeKong(t *testing.T) {
	h := plugintest.New(t)
	h.Plugin(schema.Doc{"name": "test-logline", "config": schema.Doc{}})
	caught = nil
	h.Do(plugintest.Request{URI: "/a?b=<c>&d", Headers: [][2]string{{"Authorization", "Basic c2VjcmV0"}}}, plugintest.Upstream{})
	if len(caught) != 2 || &caught[0][0] != &caught[1][0] {
		t.Fatalf("the line was encoded more than once: %d lines", len(caught))
	}
	line := string(caught[0])
	for _, want := range []string{`"uri":"/a?b=<c>&d"`, `"authorization":"REDACTED"`} {
		if !strings.Contains(line, want) {
			t.Errorf("line lacks %s: %s", want, line)
		}
	}
	if !strings.HasSuffix(line, "}\n") || strings.Contains(line, "c2VjcmV0") {
		t.Errorf("line: %q", line)
	}
}

func TestCredentialsResolveTheirConsumerOnce(t *testing.T) {
	data := plugin.NewData(map[string][]schema.Doc{
		"consumers": {{"id": "c1", "username": "alice"}},
		"keyauth_credentials": {
			{"id": "k1", "key": "a", "consumer": map[string]any{"id": "c1"}},
			{"id": "k2", "key": "b", "consumer": map[string]any{"id": "gone"}},
			{"id": "k3", "key": "c"},
		},
	})
	var got []string
	for c := range data.Credentials("keyauth_credentials") {
		user := "<nil>"
		if c.Consumer != nil {
			user = c.Consumer.Username
		}
		got = append(got, c.ID+"/"+c.ConsumerID+"/"+user+"/"+c.Doc["key"].(string))
	}
	want := "k1/c1/alice/a k2/gone/<nil>/b k3//<nil>/c"
	if strings.Join(got, " ") != want {
		t.Fatalf("credentials = %q, want %q", strings.Join(got, " "), want)
	}
	// Stopping early stops the iteration.
	n := 0
	for range data.Credentials("keyauth_credentials") {
		n++
		break
	}
	if n != 1 {
		t.Fatalf("iterated %d after break", n)
	}
}

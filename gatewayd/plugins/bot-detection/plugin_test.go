package botdetection_test

import (
	"reflect"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin/plugintest"
	_ "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/bot-detection"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

const (
	chrome   = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
	facebook = "facebookexternalhit/1.1"
	google   = "Googlebot/2.1 (+http://www.google.com/bot.html)"
)

func ua(v string) plugintest.Request {
	return plugintest.Request{Headers: [][2]string{{"User-Agent", v}}}
}

func TestUserAgents(t *testing.T) {
	cases := []struct {
		name   string
		config schema.Doc
		req    plugintest.Request
		status int
	}{
		{"no User-Agent passes", schema.Doc{}, plugintest.Request{}, 200},
		{"a browser passes", schema.Doc{}, ua(chrome), 200},
		{"curl passes", schema.Doc{}, ua("curl/8.5.0"), 200},
		{"facebook crawler is a known bot", schema.Doc{}, ua(facebook), 403},
		{"googlebot is a known bot", schema.Doc{}, ua(google), 403},
		{"generic name/version bots are known", schema.Doc{}, ua("MyCrawler/1.0"), 403},
		{"python-urllib downloader is known", schema.Doc{}, ua("Python-urllib/3.11"), 403},
		{"deny rule blocks", schema.Doc{"deny": []string{"HelloWorld"}}, ua("HelloWorld"), 403},
		{"deny rule is a search, not anchored", schema.Doc{"deny": []string{"World"}}, ua("xx HelloWorld xx"), 403},
		{"deny rule does not block others", schema.Doc{"deny": []string{"HelloWorld"}}, ua(chrome), 200},
		{"allow rule beats the bot list", schema.Doc{"allow": []string{"facebookexternalhit"}}, ua(facebook), 200},
		{"allow rule beats deny rules", schema.Doc{"allow": []string{"Hello"}, "deny": []string{"World"}}, ua("HelloWorld"), 200},
		{"allow rule does not allow others", schema.Doc{"allow": []string{"Hello"}}, ua(google), 403},
		{"the User-Agent is stripped before matching", schema.Doc{"deny": []string{"^HelloWorld$"}}, ua("  HelloWorld  "), 403},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := plugintest.New(t)
			h.Plugin(schema.Doc{"name": "bot-detection", "config": tc.config})
			for i := 0; i < 2; i++ { // the second request is answered from the cache
				res := h.Do(tc.req, plugintest.Upstream{})
				if res.Status != tc.status {
					t.Fatalf("request %d: status %d, want %d", i+1, res.Status, tc.status)
				}
				if tc.status == 403 {
					if string(res.Body) != `{"message":"Forbidden"}` || res.Upstream != nil {
						t.Fatalf("body %s, upstream called %v", res.Body, res.Upstream != nil)
					}
				} else if res.Upstream == nil {
					t.Fatalf("upstream not called")
				}
			}
		})
	}
}

func TestConfigChangeIsNotServedFromAStaleCache(t *testing.T) {
	h := plugintest.New(t)
	h.Plugin(schema.Doc{"name": "bot-detection", "config": schema.Doc{}})
	if res := h.Do(ua("HelloWorld"), plugintest.Upstream{}); res.Status != 200 {
		t.Fatalf("status %d", res.Status)
	}
	// A newer global config of the plugin replaces the first one; its
	// decisions must not come from the first config's cache.
	h.Plugin(schema.Doc{"name": "bot-detection", "config": schema.Doc{"deny": []string{"HelloWorld"}}})
	if res := h.Do(ua("HelloWorld"), plugintest.Upstream{}); res.Status != 403 {
		t.Fatalf("status %d after deny rule added", res.Status)
	}
}

func TestSchema(t *testing.T) {
	h := plugintest.New(t)
	cases := []struct {
		name   string
		plugin schema.Doc
		want   string
	}{
		{"defaults are valid", schema.Doc{"name": "bot-detection", "config": schema.Doc{}}, ""},
		{"invalid allow regex", schema.Doc{"name": "bot-detection", "config": schema.Doc{"allow": []string{`(https?:\/\/.*`}}},
			`schema violation (config.allow: {
  "not a valid regex: (https?:\\/\\/.*"
})`},
		{"invalid deny regex", schema.Doc{"name": "bot-detection", "config": schema.Doc{"deny": []string{"ok", "[a-"}}},
			`schema violation (config.deny: {
  [2] = "not a valid regex: [a-"
})`},
		{"allow must be an array", schema.Doc{"name": "bot-detection", "config": schema.Doc{"allow": "x"}},
			"schema violation (config.allow: expected an array)"},
		{"consumer scope is rejected", schema.Doc{"name": "bot-detection", "consumer": plugintest.Ref("00000000-0000-4000-8000-000000000009"), "config": schema.Doc{}},
			"schema violation (consumer: value must be null)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := h.PluginError(tc.plugin); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
	doc := h.Plugin(schema.Doc{"name": "bot-detection", "config": schema.Doc{}})
	if cfg := doc["config"]; !reflect.DeepEqual(cfg, map[string]any{"allow": []any{}, "deny": []any{}}) {
		t.Fatalf("defaults: %#v", cfg)
	}
}

package iprestriction_test

import (
	"encoding/json"
	"net/netip"
	"reflect"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin/plugintest"
	iprestriction "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/ip-restriction"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

func restrict(cfg schema.Doc) schema.Doc { return schema.Doc{"name": "ip-restriction", "config": cfg} }

func message(msg string) string {
	b, _ := json.Marshal(map[string]string{"message": msg})
	return string(b)
}

func TestDefaults(t *testing.T) {
	h := plugintest.New(t)
	doc := h.Plugin(restrict(schema.Doc{"deny": []string{"10.0.0.1"}}))
	want := map[string]any{"allow": nil, "deny": []any{"10.0.0.1"}, "status": nil, "message": nil}
	if !reflect.DeepEqual(doc["config"], want) {
		t.Fatalf("config %v", doc["config"])
	}
	if got := doc["protocols"]; !reflect.DeepEqual(got, []any{"http", "https", "tcp", "tls", "grpc", "grpcs"}) {
		t.Fatalf("protocols %v", got)
	}
}

func TestSchemaViolations(t *testing.T) {
	h := plugintest.New(t)
	cases := []struct {
		name string
		cfg  schema.Doc
		want string
	}{
		{"neither list", schema.Doc{},
			"schema violation (at least one of these fields must be non-empty: 'config.allow', 'config.deny')"},
		{"both lists empty", schema.Doc{"allow": []string{}, "deny": []string{}},
			"schema violation (at least one of these fields must be non-empty: 'config.allow', 'config.deny')"},
		{"invalid address", schema.Doc{"allow": []string{"10.0.0.1", "10.0.0.300"}},
			"schema violation (config.allow: {\n  [2] = \"invalid ip or cidr range: '10.0.0.300'\"\n})"},
		{"invalid cidr", schema.Doc{"deny": []string{"10.0.0.0/33"}},
			"schema violation (config.deny: {\n  \"invalid ip or cidr range: '10.0.0.0/33'\"\n})"},
		{"status not a number", schema.Doc{"deny": []string{"10.0.0.1"}, "status": "403"},
			"schema violation (config.status: expected a number)"},
		{"valid ipv6", schema.Doc{"allow": []string{"2001:db8::/32", "::1"}}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := h.PluginError(restrict(tc.cfg)); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestAllowAndDeny(t *testing.T) {
	cases := []struct {
		name   string
		cfg    schema.Doc
		ip     string
		status int
		body   string
	}{
		{"denied address", schema.Doc{"deny": []string{"10.0.0.1"}}, "10.0.0.1", 403, "IP address not allowed: 10.0.0.1"},
		{"address outside the deny list", schema.Doc{"deny": []string{"10.0.0.1"}}, "10.0.0.2", 200, ""},
		{"denied range", schema.Doc{"deny": []string{"10.0.0.0/24"}}, "10.0.0.77", 403, "IP address not allowed: 10.0.0.77"},
		{"non-canonical range", schema.Doc{"deny": []string{"10.0.0.9/24"}}, "10.0.0.200", 403, "IP address not allowed: 10.0.0.200"},
		{"allowed address", schema.Doc{"allow": []string{"10.0.0.1", "192.168.0.0/16"}}, "192.168.3.4", 200, ""},
		{"address outside the allow list", schema.Doc{"allow": []string{"10.0.0.1", "192.168.0.0/16"}}, "172.16.0.1", 403, "IP address not allowed: 172.16.0.1"},
		{"deny wins over allow", schema.Doc{"allow": []string{"10.0.0.0/8"}, "deny": []string{"10.1.0.0/16"}}, "10.1.2.3", 403, "IP address not allowed: 10.1.2.3"},
		{"allowed and not denied", schema.Doc{"allow": []string{"10.0.0.0/8"}, "deny": []string{"10.1.0.0/16"}}, "10.2.0.1", 200, ""},
		{"empty allow list allows everyone", schema.Doc{"allow": []string{}, "deny": []string{"10.0.0.1"}}, "172.16.0.1", 200, ""},
		{"ipv6 denied range", schema.Doc{"deny": []string{"2001:db8::/32"}}, "2001:db8::5", 403, "IP address not allowed: 2001:db8::5"},
		{"ipv6 outside allow list", schema.Doc{"allow": []string{"2001:db8::1"}}, "2001:db8::2", 403, "IP address not allowed: 2001:db8::2"},
		{"ipv6 allowed", schema.Doc{"allow": []string{"2001:db8::1"}}, "2001:db8::1", 200, ""},
		{"ipv4 rule does not match ipv6", schema.Doc{"allow": []string{"0.0.0.0/0"}}, "2001:db8::1", 403, "IP address not allowed: 2001:db8::1"},
		{"ipv4-mapped client against ipv4 rule", schema.Doc{"deny": []string{"10.0.0.0/24"}}, "::ffff:10.0.0.5", 403, "IP address not allowed: ::ffff:10.0.0.5"},
		{"ipv4 client against ipv4-mapped rule", schema.Doc{"deny": []string{"::ffff:10.0.0.0/120"}}, "10.0.0.5", 403, "IP address not allowed: 10.0.0.5"},
		{"ipv4 client against ipv4-mapped address", schema.Doc{"allow": []string{"::ffff:10.0.0.5"}}, "10.0.0.5", 200, ""},
		{"custom status and message", schema.Doc{"deny": []string{"10.0.0.1"}, "status": 401, "message": "Go away"}, "10.0.0.1", 401, "Go away"},
		{"custom status, default message", schema.Doc{"allow": []string{"10.0.0.1"}, "status": 451}, "10.0.0.2", 451, "IP address not allowed: 10.0.0.2"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := plugintest.New(t)
			h.Plugin(restrict(tc.cfg))
			res := h.Do(plugintest.Request{ClientIP: tc.ip}, plugintest.Upstream{})
			if res.Status != tc.status {
				t.Fatalf("status %d, want %d (%s)", res.Status, tc.status, res.Body)
			}
			if tc.status == 200 {
				if res.Upstream == nil {
					t.Fatal("upstream not called")
				}
				return
			}
			if res.Upstream != nil {
				t.Fatal("rejected request reached the upstream")
			}
			if string(res.Body) != message(tc.body) {
				t.Fatalf("body %s, want %s", res.Body, message(tc.body))
			}
		})
	}
}

func TestUnknownClientAddressIsRejected(t *testing.T) {
	h := plugintest.New(t)
	doc := h.Plugin(restrict(schema.Doc{"allow": []string{"0.0.0.0/0"}}))
	impl, err := iprestriction.New(&plugin.Env{ID: doc["id"].(string), Config: doc["config"].(map[string]any)})
	if err != nil {
		t.Fatal(err)
	}
	var c plugin.Context
	c.Reset(nil, plugin.RequestInfo{ClientIP: netip.Addr{}})
	impl.(plugin.Accessor).Access(&c)
	e := c.ExitValue()
	if !c.Exited() || e.Status != 403 || e.Message != "Cannot identify the client IP address, unix domain sockets are not supported." {
		t.Fatalf("exit %+v", e)
	}
}

func BenchmarkAllowList(b *testing.B) {
	h := plugintest.New(b)
	var allow []string
	for i := 0; i < 200; i++ {
		allow = append(allow, netip.AddrFrom4([4]byte{10, byte(i), 0, 1}).String(), netip.PrefixFrom(netip.AddrFrom4([4]byte{172, 16, byte(i), 0}), 24).String())
	}
	doc := h.Plugin(restrict(schema.Doc{"allow": allow}))
	impl, err := iprestriction.New(&plugin.Env{Config: doc["config"].(map[string]any)})
	if err != nil {
		b.Fatal(err)
	}
	acc := impl.(plugin.Accessor)
	info := plugin.RequestInfo{ClientIP: netip.MustParseAddr("172.16.199.7")}
	var c plugin.Context
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		c.Reset(nil, info)
		acc.Access(&c)
		if c.Exited() {
			b.Fatal("rejected")
		}
	}
}

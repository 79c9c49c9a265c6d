package plugin_test

import (
	"fmt"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
	"github.com/valyala/fasthttp"
)

// noop plugins measure the engine's own cost: resolving each plugin's
// config by precedence and dispatching the phases.
type noop struct{}

func (noop) Access(*plugin.Context)   {}
func (noop) Response(*plugin.Context) {}
func (noop) Log(*plugin.Context)      {}

func init() {
	for i := 0; i < 8; i++ {
		plugin.Register(plugin.Spec{Name: fmt.Sprintf("bench-noop-%d", i), Priority: 1000 - i,
			New: func(*plugin.Env) (any, error) { return noop{}, nil }})
	}
}

// BenchmarkChain runs 8 plugins (global, route-scoped and, for 1,000
// consumers, consumer-scoped configs) through access, response and log
// for an authenticated request.
func BenchmarkChain(b *testing.B) {
	cat, err := plugin.NewCatalog([]string{"bundled"})
	if err != nil {
		b.Fatal(err)
	}
	const route, service = "r-1", "s-1"
	var docs []schema.Doc
	var consumers []schema.Doc
	for i := 0; i < 8; i++ {
		name := fmt.Sprintf("bench-noop-%d", i)
		docs = append(docs, schema.Doc{"id": "g" + name, "name": name, "enabled": true, "config": map[string]any{}})
		if i%2 == 0 {
			docs = append(docs, schema.Doc{"id": "r" + name, "name": name, "enabled": true, "config": map[string]any{}, "route": map[string]any{"id": route}})
		}
	}
	for c := 0; c < 1000; c++ {
		cid := fmt.Sprintf("c-%d", c)
		consumers = append(consumers, schema.Doc{"id": cid, "username": cid})
		docs = append(docs, schema.Doc{"id": "p" + cid, "name": "bench-noop-3", "enabled": true, "config": map[string]any{}, "consumer": map[string]any{"id": cid}})
	}
	data := plugin.NewData(map[string][]schema.Doc{"consumers": consumers})
	set, problems := plugin.Compile(cat, docs, data, plugin.NewHost("", "", "", nil), nil)
	if len(problems) > 0 {
		b.Fatal(problems)
	}
	plan := set.PlanFor(route, service)
	consumer := data.ConsumerByID("c-500")
	var fc fasthttp.RequestCtx
	var req fasthttp.Request
	req.SetRequestURI("/x")
	fc.Init(&req, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)}, nil)
	var c plugin.Context
	route1 := &plugin.RouteRef{ID: route}
	svc1 := &plugin.ServiceRef{ID: service}
	cred := &plugin.Credential{ID: "x"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Reset(&fc, plugin.RequestInfo{Scheme: "http", ClientIP: netip.AddrFrom4([4]byte{127, 0, 0, 1}), Data: data, Started: time.Time{}})
		c.SetRoute(route1, svc1)
		c.Authenticate(consumer, cred)
		plan.Access(&c)
		c.RunResponse()
		c.RunLog()
	}
}

package proxy

import (
	"net"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/entity"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	_ "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/key-auth"
	_ "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/rate-limiting"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/runtime"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store"
	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttputil"
)

// pipeline is a proxy with one route to an in-memory upstream, so a
// benchmark measures the request pipeline (routing, headers, plugins,
// upstream client) without the network stack.
type pipeline struct {
	p    *Proxy
	snap *runtime.Snapshot
}

func newPipeline(tb testing.TB, plugins []schema.Doc) *pipeline {
	tb.Helper()
	ln := fasthttputil.NewInmemoryListener()
	up := &fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) { ctx.SetBodyString("ok") }}
	go func() { _ = up.Serve(ln) }()
	tb.Cleanup(func() { _ = ln.Close() })

	cat, err := plugin.NewCatalog([]string{"bundled"})
	if err != nil {
		tb.Fatal(err)
	}
	reg := entity.Core(cat.Lookup)
	for _, e := range cat.Entities() {
		reg.Add(e)
	}
	docs := map[string][]store.Doc{}
	add := func(name string, in schema.Doc) schema.Doc {
		doc, errs := reg.Get(name).Prepare(in, nil, schema.Insert, time.Now())
		if len(errs) > 0 {
			tb.Fatalf("%s: %s", name, errs.Message())
		}
		docs[name] = append(docs[name], doc)
		return doc
	}
	svc := add("services", schema.Doc{"name": "bench", "host": "upstream.bench", "port": 80.0})
	add("routes", schema.Doc{"name": "bench", "paths": []any{"/bench"}, "service": map[string]any{"id": svc["id"]}})
	cons := add("consumers", schema.Doc{"username": "bench"})
	add("keyauth_credentials", schema.Doc{"key": "bench-key", "consumer": map[string]any{"id": cons["id"]}})
	for _, p := range plugins {
		add("plugins", p)
	}
	host := plugin.NewHost("bench", "bench", "bench", nil)
	snap, problems := runtime.Plugins{Catalog: cat, Host: host}.Build(docs, 1)
	if len(problems) > 0 {
		tb.Fatalf("build: %v", problems)
	}
	p := New(Options{Version: "bench", Snapshot: func() *runtime.Snapshot { return snap }})
	s := snap.Services[svc["id"].(string)]
	p.clients.Store(s.ClientKeys[0], &fasthttp.HostClient{Addr: s.Direct, Dial: func(string) (net.Conn, error) { return ln.Dial() },
		MaxIdemponentCallAttempts: 1, DisablePathNormalizing: true, NoDefaultUserAgentHeader: true})
	return &pipeline{p: p, snap: snap}
}

func (pl *pipeline) run(b *testing.B, headers ...string) {
	var ctx fasthttp.RequestCtx
	var req fasthttp.Request
	addr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 50000}
	port := []byte("8000")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req.Reset()
		req.SetRequestURI("/bench/items?x=1")
		req.Header.SetHost("gw.bench")
		for j := 0; j+1 < len(headers); j += 2 {
			req.Header.Set(headers[j], headers[j+1])
		}
		ctx.Init(&req, addr, nil)
		pl.p.handle(&ctx, Listener{Scheme: "http", Port: 8000}, port)
		if ctx.Response.StatusCode() != 200 {
			b.Fatalf("status %d: %s", ctx.Response.StatusCode(), ctx.Response.Body())
		}
	}
}

// BenchmarkPipeline reports the per-request cost of the proxy pipeline
// without plugins and with key-auth + rate-limiting (local policy).
func BenchmarkPipeline(b *testing.B) {
	b.Run("no-plugins", func(b *testing.B) {
		newPipeline(b, nil).run(b)
	})
	b.Run("key-auth+rate-limiting", func(b *testing.B) {
		pl := newPipeline(b, []schema.Doc{
			{"name": "key-auth"},
			{"name": "rate-limiting", "config": map[string]any{"second": 1e9, "hour": 1e12}},
		})
		pl.run(b, "apikey", "bench-key")
	})
}

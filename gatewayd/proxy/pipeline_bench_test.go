package proxy

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	goruntime "runtime"
	"syscall"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/entity"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	_ "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/key-auth"
	_ "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/rate-limiting"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/runtime"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/runtime/runtimetest"
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

// pipelineOptions shape the configuration a pipeline benchmark runs.
type pipelineOptions struct {
	plugins []schema.Doc
	// scale adds that many services, routes (prefix, regex, host and
	// header routes around /bench) and consumers with a key-auth key.
	scale int
	// canned answers every upstream request in memory (see
	// cannedUpstream) instead of going through a fasthttp server.
	canned bool
	// accessLog turns the access log on (written to io.Discard).
	accessLog bool
}

func newPipeline(tb testing.TB, plugins []schema.Doc) *pipeline {
	return newPipelineWith(tb, pipelineOptions{plugins: plugins})
}

func newPipelineWith(tb testing.TB, o pipelineOptions) *pipeline {
	tb.Helper()
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
	for i := 0; i < o.scale; i++ {
		s := add("services", schema.Doc{"name": fmt.Sprintf("svc-%d", i), "host": "upstream.bench", "port": 80.0})
		r := schema.Doc{"service": map[string]any{"id": s["id"]}}
		add("routes", runtimetest.MixedRoute(r, i))
		c := add("consumers", schema.Doc{"username": fmt.Sprintf("consumer-%d", i)})
		add("keyauth_credentials", schema.Doc{"key": fmt.Sprintf("key-%d", i), "consumer": map[string]any{"id": c["id"]}})
	}
	for _, p := range o.plugins {
		add("plugins", p)
	}
	host := plugin.NewHost("bench", "bench", "bench", nil)
	snap, problems := runtime.Plugins{Catalog: cat, Host: host}.Build(docs, 1)
	if len(problems) > 0 {
		tb.Fatalf("build: %v", problems)
	}
	opts := Options{Version: "bench", Snapshot: func() *runtime.Snapshot { return snap }, ServerTokens: true, LatencyTokens: true,
		RequestIDHeader: true, UpstreamRequestID: true}
	if o.accessLog {
		opts.AccessLog = NewAccessLog(io.Discard)
		tb.Cleanup(opts.AccessLog.Close)
	}
	p := New(opts)
	s := snap.Services[svc["id"].(string)]
	hc := &fasthttp.HostClient{Addr: s.Direct, MaxIdemponentCallAttempts: 1, DisablePathNormalizing: true,
		DisableHeaderNamesNormalizing: true, NoDefaultUserAgentHeader: true}
	if o.canned {
		hc.Transport = &cannedUpstream{}
	} else {
		ln := fasthttputil.NewInmemoryListener()
		up := &fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) { ctx.SetBodyString("ok") }}
		go func() { _ = up.Serve(ln) }()
		tb.Cleanup(func() { _ = ln.Close() })
		hc.Dial = func(string) (net.Conn, error) { return ln.Dial() }
	}
	p.clients.Store(s.ClientKeys[0], hc)
	return &pipeline{p: p, snap: snap}
}

// upstreamAnswer is what the benchmark's nginx upstream sends
// (acctest/bench): headers and a ~150-byte body.
var upstreamAnswer = []byte("HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Sat, 22 Nov 2026 00:00:00 GMT\r\n" +
	"Content-Type: application/json\r\nContent-Length: 153\r\nConnection: keep-alive\r\n\r\n" +
	`{"id":"3f2b8c1e-9a4d-4e7b-b1c2-5d6e7f8a9b0c","name":"bench","items":[1,2,3,4,5,6,7,8],"ok":true,"note":"static upstream response used by acctest/bench."}`)

// cannedUpstream is a fasthttp transport that does the client's user-space
// work (serializing the request, parsing a canned nginx answer) without a
// connection, so the benchmark measures gatewayd's CPU per request rather
// than the kernel's or an in-process upstream's.
type cannedUpstream struct {
	bw *bufio.Writer
	br *bufio.Reader
	rd bytes.Reader
}

func (u *cannedUpstream) RoundTrip(_ *fasthttp.HostClient, req *fasthttp.Request, resp *fasthttp.Response) (bool, error) {
	if u.bw == nil {
		u.bw = bufio.NewWriterSize(io.Discard, 4096)
		u.br = bufio.NewReaderSize(&u.rd, 4096)
	}
	if err := req.Write(u.bw); err != nil {
		return false, err
	}
	if err := u.bw.Flush(); err != nil {
		return false, err
	}
	u.rd.Reset(upstreamAnswer)
	u.br.Reset(&u.rd)
	resp.Header.DisableNormalizing()
	return false, resp.Read(u.br)
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

// wireRequest is the benchmark request as wrk sends it (acctest/bench).
func wireRequest(headers ...string) []byte {
	var b bytes.Buffer
	b.WriteString("GET /bench/items?x=1 HTTP/1.1\r\nHost: bench.local\r\n")
	for i := 0; i+1 < len(headers); i += 2 {
		b.WriteString(headers[i] + ": " + headers[i+1] + "\r\n")
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

// runWire measures one request as the server sees it: parsing the request
// bytes, the pipeline, the canned upstream round trip and serializing the
// response, all without sockets.
func (pl *pipeline) runWire(b *testing.B, headers ...string) {
	raw := wireRequest(headers...)
	var ctx fasthttp.RequestCtx
	ctx.Init(&ctx.Request, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 50000}, nil)
	var rd bytes.Reader
	br := bufio.NewReaderSize(&rd, 4096)
	bw := bufio.NewWriterSize(io.Discard, 4096)
	port := []byte("8000")
	l := Listener{Scheme: "http", Port: 8000}
	one := func() {
		ctx.Request.Reset()
		ctx.Response.Reset()
		rd.Reset(raw)
		br.Reset(&rd)
		if err := ctx.Request.Read(br); err != nil {
			b.Fatal(err)
		}
		pl.p.handle(&ctx, l, port)
		if ctx.Response.StatusCode() != 200 {
			b.Fatalf("status %d: %s", ctx.Response.StatusCode(), ctx.Response.Body())
		}
		if err := ctx.Response.Write(bw); err != nil {
			b.Fatal(err)
		}
		_ = bw.Flush()
	}
	for range 100 { // warm pools and the rate limiter's identifier
		one()
	}
	// On a shared box wall time includes time the benchmark was not
	// running; the thread's own CPU time does not (cpu-ns/op).
	goruntime.LockOSThread()
	defer goruntime.UnlockOSThread()
	cpu0 := threadCPU()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		one()
	}
	b.StopTimer()
	b.ReportMetric(float64(threadCPU()-cpu0)/float64(b.N), "cpu-ns/op")
}

// threadCPU is the calling thread's user + system CPU time in ns.
func threadCPU() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

var authPlugins = []schema.Doc{
	{"name": "key-auth"},
	{"name": "rate-limiting", "config": map[string]any{"minute": 1e9}},
}

// BenchmarkPipeline reports the per-request cost of the proxy pipeline
// without plugins and with key-auth + rate-limiting (local policy),
// through a fasthttp client and an in-memory fasthttp upstream.
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

// BenchmarkHandler is gatewayd's user-space CPU per proxied request, as in
// acctest/bench's wrk runs but without sockets: request parsing, the
// pipeline (routing, Kong's headers, plugins) and the upstream client's
// serializing and parsing against a canned nginx answer. The kernel's
// share (loopback TCP, epoll) comes on top in the real daemon.
func BenchmarkHandler(b *testing.B) {
	b.Run("no-plugins", func(b *testing.B) {
		newPipelineWith(b, pipelineOptions{canned: true}).runWire(b, "apikey", "bench-key")
	})
	b.Run("key-auth+rate-limiting", func(b *testing.B) {
		newPipelineWith(b, pipelineOptions{canned: true, plugins: authPlugins}).runWire(b, "apikey", "bench-key")
	})
	b.Run("1k-routes+consumers", func(b *testing.B) {
		newPipelineWith(b, pipelineOptions{canned: true, plugins: authPlugins, scale: 1000}).runWire(b, "apikey", "bench-key")
	})
	b.Run("no-plugins+access-log", func(b *testing.B) {
		newPipelineWith(b, pipelineOptions{canned: true, accessLog: true}).runWire(b, "apikey", "bench-key")
	})
}

package proxy

import (
	"bufio"
	"bytes"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
	"github.com/valyala/fasthttp"
	"github.com/valyala/fasthttp/fasthttputil"
)

// headerProbe is an in-memory upstream that records the raw header block
// the proxy sent and answers with the given raw response header lines.
type headerProbe struct {
	mu       sync.Mutex
	received string
	answer   [][2]string
}

func (h *headerProbe) serve(tb testing.TB, pl *pipeline) {
	ln := fasthttputil.NewInmemoryListener()
	up := &fasthttp.Server{Handler: func(ctx *fasthttp.RequestCtx) {
		h.mu.Lock()
		h.received = string(ctx.Request.Header.RawHeaders())
		answer := h.answer
		h.mu.Unlock()
		ctx.Response.Header.DisableNormalizing()
		for _, kv := range answer {
			ctx.Response.Header.Add(kv[0], kv[1])
		}
		ctx.SetBodyString("ok")
	}, DisableHeaderNamesNormalizing: true}
	go func() { _ = up.Serve(ln) }()
	tb.Cleanup(func() { _ = ln.Close() })
	for _, svc := range pl.snap.Services {
		pl.p.clients.Store(svc.ClientKeys[0], &fasthttp.HostClient{Addr: svc.Direct, Dial: func(string) (net.Conn, error) { return ln.Dial() },
			MaxIdemponentCallAttempts: 1, DisablePathNormalizing: true, DisableHeaderNamesNormalizing: true, NoDefaultUserAgentHeader: true})
	}
}

// do sends a raw request through the proxy as the server would (parsed
// from the wire) and returns the response.
func do(tb testing.TB, pl *pipeline, raw string) *fasthttp.Response {
	tb.Helper()
	var ctx fasthttp.RequestCtx
	ctx.Init(&ctx.Request, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 50000}, nil)
	if err := ctx.Request.Read(bufio.NewReader(strings.NewReader(raw))); err != nil {
		tb.Fatal(err)
	}
	pl.p.handle(&ctx, Listener{Scheme: "http", Port: 8000}, []byte("8000"))
	resp := &fasthttp.Response{}
	ctx.Response.CopyTo(resp)
	return resp
}

// headerLines parses a raw header block into lower-cased name -> values.
func headerLines(raw string) map[string][]string {
	out := map[string][]string{}
	for _, line := range strings.Split(raw, "\r\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		out[strings.ToLower(k)] = append(out[strings.ToLower(k)], strings.TrimSpace(v))
	}
	return out
}

func responseHeaders(resp *fasthttp.Response) map[string][]string {
	out := map[string][]string{}
	for k, v := range resp.Header.All() {
		out[strings.ToLower(string(k))] = append(out[strings.ToLower(string(k))], string(v))
	}
	return out
}

func TestRequestHeadersSentUpstream(t *testing.T) {
	for _, withPlugins := range []bool{false, true} {
		var plugins []schema.Doc
		if withPlugins {
			plugins = authPlugins
		}
		pl := newPipelineWith(t, pipelineOptions{plugins: plugins})
		probe := &headerProbe{}
		probe.serve(t, pl)

		cases := []struct {
			name    string
			headers string
			want    map[string]string // lower-case name -> value ("" = absent)
		}{
			{"plain", "",
				map[string]string{"x-real-ip": "127.0.0.1", "x-forwarded-for": "127.0.0.1", "x-forwarded-proto": "http",
					"x-forwarded-host": "bench.local", "x-forwarded-port": "8000", "x-forwarded-path": "/bench/items",
					"x-forwarded-prefix": "/bench", "via": "1.1 gatewayd/bench", "connection": "", "host": "upstream.bench"}},
			{"hop-by-hop and Connection-named headers removed",
				"connection: keep-alive, X-Drop-Me , x-forwarded-host\r\nX-Drop-Me: 1\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\n" +
					"Upgrade: h2c\r\nProxy-Connection: keep-alive\r\nTrailer: X-T\r\nX-Kept: yes\r\n",
				map[string]string{"x-drop-me": "", "keep-alive": "", "te": "", "upgrade": "", "proxy-connection": "", "trailer": "",
					"connection": "", "x-kept": "yes", "x-forwarded-host": "bench.local"}},
			{"untrusted forwarding headers replaced, X-Forwarded-For appended, Via appended",
				"X-Forwarded-For: 10.9.9.9\r\nX-Forwarded-Proto: https\r\nX-Real-IP: 10.1.1.1\r\nX-Forwarded-Prefix: /evil\r\nVia: 1.0 edge\r\n",
				map[string]string{"x-forwarded-for": "10.9.9.9, 127.0.0.1", "x-forwarded-proto": "http", "x-real-ip": "127.0.0.1",
					"x-forwarded-prefix": "/bench", "via": "1.0 edge, 1.1 gatewayd/bench"}},
			{"lower-case names from the wire", "x-forwarded-for: 10.0.0.1\r\nvia: 1.0 a\r\n",
				map[string]string{"x-forwarded-for": "10.0.0.1, 127.0.0.1", "via": "1.0 a, 1.1 gatewayd/bench"}},
		}
		for _, tc := range cases {
			raw := "GET /bench/items?x=1 HTTP/1.1\r\nHost: bench.local\r\napikey: bench-key\r\n" + tc.headers + "\r\n"
			resp := do(t, pl, raw)
			if resp.StatusCode() != 200 {
				t.Fatalf("plugins=%v %s: status %d %s", withPlugins, tc.name, resp.StatusCode(), resp.Body())
			}
			probe.mu.Lock()
			got := headerLines(probe.received)
			received := probe.received
			probe.mu.Unlock()
			for k, v := range tc.want {
				vals := got[k]
				switch {
				case v == "" && len(vals) > 0:
					t.Errorf("plugins=%v %s: %s sent upstream: %q\n%s", withPlugins, tc.name, k, vals, received)
				case v != "" && (len(vals) != 1 || vals[0] != v):
					t.Errorf("plugins=%v %s: %s = %q, want %q\n%s", withPlugins, tc.name, k, vals, v, received)
				}
			}
			if id := got["x-gatewayd-request-id"]; len(id) != 1 || len(id[0]) != 32 {
				t.Errorf("plugins=%v %s: request id %q", withPlugins, tc.name, id)
			}
			if withPlugins {
				if c := got["x-consumer-username"]; len(c) != 1 || c[0] != "bench" {
					t.Errorf("%s: X-Consumer-Username = %q\n%s", tc.name, c, received)
				}
				if !strings.Contains(received, "X-Consumer-Id: ") || !strings.Contains(received, "X-Credential-Identifier: ") {
					t.Errorf("%s: consumer headers not spelled as before:\n%s", tc.name, received)
				}
			}
			// Names spelled as fasthttp's request normalization writes them.
			if !strings.Contains(received, "X-Real-Ip: ") || !strings.Contains(received, "X-Forwarded-For: ") {
				t.Errorf("plugins=%v %s: header names spelled differently:\n%s", withPlugins, tc.name, received)
			}
		}
	}
}

func TestResponseHeadersFromUpstream(t *testing.T) {
	for _, withPlugins := range []bool{false, true} {
		var plugins []schema.Doc
		if withPlugins {
			plugins = authPlugins
		}
		pl := newPipelineWith(t, pipelineOptions{plugins: plugins})
		pl.p.opts.LatencyTokens, pl.p.opts.RequestIDHeader = true, true
		probe := &headerProbe{answer: [][2]string{{"connection", "keep-alive, x-hop"}, {"x-hop", "must not pass"},
			{"Keep-Alive", "timeout=5"}, {"upgrade", "h2"}, {"Proxy-Connection", "x"}, {"te", "trailers"},
			{"via", "1.0 upstream"}, {"x-upstream", "kept"}, {"X-RateLimit-Remaining-Minute", "upstream"}}}
		probe.serve(t, pl)
		resp := do(t, pl, "GET /bench/items HTTP/1.1\r\nHost: bench.local\r\napikey: bench-key\r\n\r\n")
		if resp.StatusCode() != 200 {
			t.Fatalf("status %d %s", resp.StatusCode(), resp.Body())
		}
		got := responseHeaders(resp)
		for _, k := range []string{"x-hop", "keep-alive", "upgrade", "proxy-connection", "te"} {
			if len(got[k]) > 0 {
				t.Errorf("plugins=%v: hop-by-hop %s reached the client: %v", withPlugins, k, got[k])
			}
		}
		if v := got["via"]; len(v) != 1 || v[0] != "1.0 upstream, 1.1 gatewayd/bench" {
			t.Errorf("plugins=%v: via = %q (%v)", withPlugins, v, got)
		}
		if v := got["x-upstream"]; len(v) != 1 || v[0] != "kept" {
			t.Errorf("plugins=%v: x-upstream = %q", withPlugins, v)
		}
		for _, k := range []string{"x-gatewayd-upstream-latency", "x-gatewayd-proxy-latency", "x-gatewayd-request-id"} {
			if len(got[k]) != 1 {
				t.Errorf("plugins=%v: %s = %q", withPlugins, k, got[k])
			}
		}
		if withPlugins {
			// The plugin's header replaces the upstream's, whatever its case.
			if v := got["x-ratelimit-remaining-minute"]; len(v) != 1 || v[0] == "upstream" {
				t.Errorf("X-RateLimit-Remaining-Minute = %q", v)
			}
			if v := got["ratelimit-limit"]; len(v) != 1 || v[0] != "1000000000" {
				t.Errorf("RateLimit-Limit = %q", v)
			}
			var spelled bool
			for k := range resp.Header.All() {
				spelled = spelled || string(k) == "X-RateLimit-Remaining-Minute"
			}
			if !spelled {
				t.Errorf("rate-limit header spelling changed: %v", got)
			}
		}
	}
}

// Our Via joins the upstream's, or stands alone when there is none or the
// upstream's Connection header named it hop-by-hop.
func TestResponseViaWithAndWithoutUpstreamVia(t *testing.T) {
	cases := []struct {
		name   string
		answer [][2]string
		want   string
	}{
		{"no via, no connection", nil, "1.1 gatewayd/bench"},
		{"no via, connection keep-alive", [][2]string{{"Connection", "keep-alive"}}, "1.1 gatewayd/bench"},
		{"via, no connection", [][2]string{{"VIA", "1.0 a"}}, "1.0 a, 1.1 gatewayd/bench"},
		{"via, connection keep-alive", [][2]string{{"Connection", "keep-alive"}, {"via", "1.0 a"}}, "1.0 a, 1.1 gatewayd/bench"},
		{"via named by connection", [][2]string{{"Connection", "Via"}, {"Via", "1.0 a"}}, "1.1 gatewayd/bench"},
	}
	for _, tc := range cases {
		pl := newPipelineWith(t, pipelineOptions{})
		probe := &headerProbe{answer: tc.answer}
		probe.serve(t, pl)
		resp := do(t, pl, "GET /bench/items HTTP/1.1\r\nHost: bench.local\r\n\r\n")
		if v := responseHeaders(resp)["via"]; len(v) != 1 || v[0] != tc.want {
			t.Errorf("%s: via = %q, want %q", tc.name, v, tc.want)
		}
	}
}

func TestFramingConflictRefused(t *testing.T) {
	pl := newPipelineWith(t, pipelineOptions{})
	probe := &headerProbe{}
	probe.serve(t, pl)
	resp := do(t, pl, "POST /bench HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
	if resp.StatusCode() != 400 {
		t.Fatalf("status %d, want 400", resp.StatusCode())
	}
	if !bytes.Contains(resp.Body(), []byte("Bad request")) {
		t.Fatalf("body %s", resp.Body())
	}
}

var _ = netip.Addr{}

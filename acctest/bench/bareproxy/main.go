// Command bareproxy is the reference the benchmark measures gatewayd
// against on the Go side: a bare fasthttp reverse proxy of a few lines (no
// routing, no headers, no plugins, no logging), like the one issue 8 quotes
// at 0.84 × nginx. The distance from it to gatewayd is what gatewayd's own
// work costs; the distance from it to nginx is what Go and fasthttp cost.
//
// -like-gatewayd turns on the fasthttp settings gatewayd runs with (server
// read and idle timeouts, upstream read and write timeouts, 32 KiB read
// buffers), to tell their cost from the cost of gatewayd's pipeline.
package main

import (
	"flag"
	"log"
	"time"

	"github.com/valyala/fasthttp"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:8080", "address to listen on")
	upstream := flag.String("upstream", "127.0.0.1:9000", "upstream host:port")
	like := flag.String("like-gatewayd", "", "comma-free set of letters: s = server timeouts, c = upstream timeouts, b = 32 KiB buffers")
	flag.Parse()
	hc := &fasthttp.HostClient{Addr: *upstream, MaxConns: 4096, DisablePathNormalizing: true, NoDefaultUserAgentHeader: true}
	srv := &fasthttp.Server{}
	for _, c := range *like {
		switch c {
		case 's':
			srv.ReadTimeout, srv.IdleTimeout = 60*time.Second, 75*time.Second
		case 'c':
			hc.ReadTimeout, hc.WriteTimeout = 60*time.Second, 60*time.Second
		case 'b':
			srv.ReadBufferSize, hc.ReadBufferSize = 32<<10, 32<<10
		}
	}
	srv.Handler = func(ctx *fasthttp.RequestCtx) {
		if err := hc.Do(&ctx.Request, &ctx.Response); err != nil {
			ctx.Error("upstream: "+err.Error(), fasthttp.StatusBadGateway)
		}
	}
	log.Fatal(srv.ListenAndServe(*listen))
}

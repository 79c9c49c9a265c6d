package router

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
)

// benchHeaders is an allocation-free MultiHeaders for benchmarks, standing
// in for *fasthttp.RequestHeader.
type benchHeaders struct {
	names  []string
	values [][]byte
	buf    [][]byte
}

func (h *benchHeaders) Peek(key string) []byte {
	for i, n := range h.names {
		if strings.EqualFold(n, key) {
			return h.values[i]
		}
	}
	return nil
}

func (h *benchHeaders) PeekAll(key string) [][]byte {
	h.buf = h.buf[:0]
	for i, n := range h.names {
		if strings.EqualFold(n, key) {
			h.buf = append(h.buf, h.values[i])
		}
	}
	return h.buf
}

// benchRoutes builds n routes mixing every kind of route: plain prefixes,
// regexes, plain hosts, wildcard hosts, headers and methods, plus a
// catch-all.
func benchRoutes(n int) []Route {
	routes := make([]Route, 0, n)
	routes = append(routes, Route{ID: "catch-all", Paths: []string{"/"}})
	for i := 1; len(routes) < n; i++ {
		id := fmt.Sprintf("r%05d", i)
		var rt Route
		switch i % 6 {
		case 0:
			rt = Route{Paths: []string{fmt.Sprintf("/svc%d/items", i)}}
		case 1:
			rt = Route{Paths: []string{fmt.Sprintf(`~/api/v%d/users/\d+$`, i)}}
		case 2:
			rt = Route{Hosts: []string{fmt.Sprintf("host%d.example.com", i)}, Paths: []string{"/"}}
		case 3:
			rt = Route{Hosts: []string{fmt.Sprintf("*.tenant%d.example.org", i)}, Paths: []string{"/"}}
		case 4:
			rt = Route{Headers: map[string][]string{"X-Tenant": {fmt.Sprintf("t%d", i)}}, Paths: []string{"/h"}}
		case 5:
			rt = Route{Methods: []string{"POST"}, Paths: []string{fmt.Sprintf("/m%d", i)}}
		}
		rt.ID = id
		routes = append(routes, rt)
	}
	return routes
}

// benchRequests returns one request per kind of route, aimed at routes
// spread over the set (the last routes of each kind), and a miss that only
// the catch-all serves.
func benchRequests(n int) []*Request {
	last := func(kind int) int { // largest i < n with i%6 == kind, at least kind
		i := n - 1 - ((n-1-kind)%6+6)%6
		return max(i, kind)
	}
	mk := func(method, path, host string, h *benchHeaders) *Request {
		rq := req(method, path, host)
		if h != nil {
			rq.Headers = h
		}
		return rq
	}
	tenant := &benchHeaders{names: []string{"User-Agent", "X-Tenant"}, values: [][]byte{[]byte("bench"), []byte(fmt.Sprintf("t%d", last(4)))}, buf: make([][]byte, 0, 4)}
	return []*Request{
		mk("GET", fmt.Sprintf("/svc%d/items/42", last(0)), "api.example.net", nil),
		mk("GET", fmt.Sprintf("/api/v%d/users/12345", last(1)), "api.example.net", nil),
		mk("GET", "/index.html", fmt.Sprintf("host%d.example.com", last(2)), nil),
		mk("GET", "/x", fmt.Sprintf("eu.tenant%d.example.org:8443", last(3)), nil),
		mk("GET", "/h/resource", "api.example.net", tenant),
		mk("POST", fmt.Sprintf("/m%d", last(5)), "api.example.net", nil),
		mk("GET", "/not/routed/anywhere", "unknown.example.net", nil),
	}
}

func BenchmarkMatch(b *testing.B) {
	for _, n := range []int{10, 1000, 10000} {
		b.Run(fmt.Sprintf("routes=%d", n), func(b *testing.B) {
			r, err := New(benchRoutes(n))
			if err != nil {
				b.Fatal(err)
			}
			reqs := benchRequests(n)
			var m Match
			for _, rq := range reqs { // sanity: every request matches something
				if !r.Match(rq, &m) {
					b.Fatalf("no match for %s %s", rq.Host, rq.Path)
				}
			}
			// Collect New's garbage now so that a GC cycle does not land in
			// the (short, with -benchtime=2000x) timed loop.
			runtime.GC()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				r.Match(reqs[i%len(reqs)], &m)
			}
		})
	}
}

func BenchmarkNew(b *testing.B) {
	routes := benchRoutes(10000)
	b.Run("routes=10000", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			if _, err := New(routes); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestBenchRequestsHitTheirRoutes keeps the benchmark honest: each request
// must be served by the kind of route it targets.
func TestBenchRequestsHitTheirRoutes(t *testing.T) {
	for _, n := range []int{10, 1000, 10000} {
		r := mustNew(t, benchRoutes(n))
		for i, rq := range benchRequests(n) {
			var m Match
			if !r.Match(rq, &m) {
				t.Fatalf("n=%d: request %d does not match", n, i)
			}
			if (i == len(benchRequests(n))-1) != (m.Route.ID == "catch-all") {
				t.Errorf("n=%d: request %d (%s %s) matched %s", n, i, rq.Host, rq.Path, m.Route.ID)
			}
		}
	}
}

func TestMatchDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector")
	}
	r := mustNew(t, benchRoutes(1000))
	reqs := benchRequests(1000)
	upper := req("GET", "/svc6/items", "HOST8.Example.COM")
	long := req("GET", "/", strings.Repeat("A", 300)+".tenant9.example.org")
	reqs = append(reqs, upper, long)
	var m Match
	for _, rq := range reqs {
		r.Match(rq, &m) // warm pools
	}
	allocs := testing.AllocsPerRun(200, func() {
		for _, rq := range reqs {
			r.Match(rq, &m)
		}
	})
	if allocs != 0 {
		t.Fatalf("Match allocated %v times per run", allocs)
	}
}

func TestMatchIsSafeForConcurrentUse(t *testing.T) {
	r := mustNew(t, benchRoutes(1000))
	requests := func() []*Request { // per goroutine: request headers are not shareable
		return append(benchRequests(1000),
			// Long enough for the pooled regex scratch space and host buffer.
			req("GET", "/api/v997/users/"+strings.Repeat("1", 3000), ""),
			req("GET", "/", strings.Repeat("A", 300)+".tenant9.example.org"))
	}
	reqs := requests()
	want := make([]string, len(reqs))
	for i, rq := range reqs {
		want[i] = matchID(r, rq)
	}
	done := make(chan struct{})
	for g := 0; g < 8; g++ {
		go func() {
			defer func() { done <- struct{}{} }()
			reqs := requests()
			for i := 0; i < 500; i++ {
				j := (i + g) % len(reqs)
				if got := matchID(r, reqs[j]); got != want[j] {
					t.Errorf("request %d matched %q, want %q", j, got, want[j])
					return
				}
			}
		}()
	}
	for g := 0; g < 8; g++ {
		<-done
	}
}

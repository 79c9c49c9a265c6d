package router

import (
	"math/rand/v2"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/httppath"
)

// FuzzMatch builds a route set from the seed plus one route made of fuzzed
// strings, matches a fuzzed request, and checks that Match never panics and
// agrees with the linear reference.
func FuzzMatch(f *testing.F) {
	f.Add(uint64(1), "/a", "a.com", "/a/b", "a.com:8080", "v")
	f.Add(uint64(2), `~/users/(\d+)`, "*.a.com", "/users/42", "x.a.com", "1")
	f.Add(uint64(3), "/", "a.*:80", "/%2e%2e/x", "A.ORG", "")
	f.Add(uint64(4), `~/(a|b)*c`, "[::1]:80", "/ababab", "[::1]", "~*x")
	f.Fuzz(func(t *testing.T, seed uint64, routePath, routeHost, reqPath, reqHost, headerValue string) {
		rng := rand.New(rand.NewPCG(seed, seed>>32))
		routes := make([]Route, rng.IntN(8))
		for i := range routes {
			routes[i] = randomRoute(rng, i)
		}
		fuzzed := Route{ID: "fuzzed", Paths: []string{routePath}, Hosts: []string{routeHost}}
		if headerValue != "" {
			fuzzed.Headers = map[string][]string{"X-F": {headerValue}}
		}
		routes = append(routes, fuzzed)
		r, err := New(routes)
		if err != nil {
			return // an invalid fuzzed regex is rejected, which is fine
		}
		rq := req("GET", string(httppath.Normalize(nil, []byte(reqPath))), reqHost)
		rq.Headers = testHeaders{"X-F": {headerValue}, "X-A": {"1"}}
		checkAgainstReference(t, r, routes, rq)
	})
}

package httppath

import (
	"fmt"
	"testing"
)

// pathHandlingCase is one row of Kong's spec/fixtures/router_path_handling_tests.lua
// (kong 3.9.x version of the fixture). Like the fixture, a row may list
// several strip_path and path_handling values; it expands to every
// combination.
type pathHandlingCase struct {
	servicePath string
	routePath   string // "" = the route matched by host, not by path
	strip       []bool
	handling    []string
	request     string
	want        string
}

var (
	both   = []bool{false, true}
	off    = []bool{false}
	on     = []bool{true}
	v0v1   = []string{"v0", "v1"}
	onlyV0 = []string{"v0"}
	onlyV1 = []string{"v1"}
)

// routerPathHandlingTests reproduces the fixture row by row (the comments are
// the fixture's own row numbers).
var routerPathHandlingTests = []pathHandlingCase{
	{"/", "/", both, v0v1, "/", "/"},
	{"/", "/", both, v0v1, "/route", "/route"},
	{"/", "/", both, v0v1, "/route/", "/route/"},
	{"/", "/", both, v0v1, "/routereq", "/routereq"},
	{"/", "/", both, v0v1, "/route/req", "/route/req"},
	// 5
	{"/", "/route", off, v0v1, "/route", "/route"},
	{"/", "/route", off, v0v1, "/route/", "/route/"},
	{"/", "/route", off, v0v1, "/routereq", "/routereq"},
	{"/", "/route", on, v0v1, "/route", "/"},
	{"/", "/route", on, v0v1, "/route/", "/"},
	{"/", "/route", on, v0v1, "/routereq", "/req"},
	// 11
	{"/", "/route/", off, v0v1, "/route/", "/route/"},
	{"/", "/route/", off, v0v1, "/route/req", "/route/req"},
	{"/", "/route/", on, v0v1, "/route/", "/"},
	{"/", "/route/", on, v0v1, "/route/req", "/req"},
	// 15
	{"/srv", "/rou", off, onlyV0, "/roureq", "/srv/roureq"},
	{"/srv", "/rou", off, onlyV1, "/roureq", "/srvroureq"},
	{"/srv", "/rou", on, onlyV0, "/roureq", "/srv/req"},
	{"/srv", "/rou", on, onlyV1, "/roureq", "/srvreq"},
	// 19
	{"/srv/", "/rou", off, v0v1, "/rou", "/srv/rou"},
	{"/srv/", "/rou", on, onlyV0, "/rou", "/srv"},
	{"/srv/", "/rou", on, onlyV1, "/rou", "/srv/"},
	// 22
	{"/service", "/", both, v0v1, "/", "/service"},
	{"/service", "/", both, onlyV0, "/route", "/service/route"},
	{"/service", "/", both, onlyV1, "/route", "/serviceroute"},
	{"/service", "/", both, onlyV0, "/route/", "/service/route/"},
	{"/service", "/", both, onlyV1, "/route/", "/serviceroute/"},
	// 27
	{"/service", "/", both, onlyV0, "/routereq", "/service/routereq"},
	{"/service", "/", both, onlyV1, "/routereq", "/serviceroutereq"},
	{"/service", "/", both, onlyV0, "/route/req", "/service/route/req"},
	{"/service", "/", both, onlyV1, "/route/req", "/serviceroute/req"},
	// 31
	{"/service", "/route", off, onlyV0, "/route", "/service/route"},
	{"/service", "/route", off, onlyV1, "/route", "/serviceroute"},
	{"/service", "/route", off, onlyV0, "/route/", "/service/route/"},
	{"/service", "/route", off, onlyV1, "/route/", "/serviceroute/"},
	{"/service", "/route", off, onlyV0, "/routereq", "/service/routereq"},
	{"/service", "/route", off, onlyV1, "/routereq", "/serviceroutereq"},
	{"/service", "/route", on, v0v1, "/route", "/service"},
	{"/service", "/route", on, v0v1, "/route/", "/service/"},
	{"/service", "/route", on, onlyV0, "/routereq", "/service/req"},
	{"/service", "/route", on, onlyV1, "/routereq", "/servicereq"},
	// 41
	{"/service", "/route/", off, onlyV0, "/route/", "/service/route/"},
	{"/service", "/route/", off, onlyV1, "/route/", "/serviceroute/"},
	{"/service", "/route/", off, onlyV0, "/route/req", "/service/route/req"},
	{"/service", "/route/", off, onlyV1, "/route/req", "/serviceroute/req"},
	{"/service", "/route/", on, onlyV0, "/route/", "/service/"},
	{"/service", "/route/", on, onlyV1, "/route/", "/service"},
	{"/service", "/route/", on, onlyV0, "/route/req", "/service/req"},
	{"/service", "/route/", on, onlyV1, "/route/req", "/servicereq"},
	// 49
	{"/service/", "/", both, onlyV0, "/route/", "/service/route/"},
	{"/service/", "/", both, onlyV1, "/route/", "/service/route/"},
	{"/service/", "/", both, v0v1, "/", "/service/"},
	{"/service/", "/", both, v0v1, "/route", "/service/route"},
	{"/service/", "/", both, v0v1, "/routereq", "/service/routereq"},
	{"/service/", "/", both, v0v1, "/route/req", "/service/route/req"},
	// 55
	{"/service/", "/route", off, v0v1, "/route", "/service/route"},
	{"/service/", "/route", off, v0v1, "/route/", "/service/route/"},
	{"/service/", "/route", off, v0v1, "/routereq", "/service/routereq"},
	{"/service/", "/route", on, onlyV0, "/route", "/service"},
	{"/service/", "/route", on, onlyV1, "/route", "/service/"},
	{"/service/", "/route", on, v0v1, "/route/", "/service/"},
	{"/service/", "/route", on, v0v1, "/routereq", "/service/req"},
	// 62
	{"/service/", "/route/", off, v0v1, "/route/", "/service/route/"},
	{"/service/", "/route/", off, v0v1, "/route/req", "/service/route/req"},
	{"/service/", "/route/", on, v0v1, "/route/", "/service/"},
	{"/service/", "/route/", on, v0v1, "/route/req", "/service/req"},
	// 66: the following cases match on host (not paths)
	{"/", "", both, v0v1, "/", "/"},
	{"/", "", both, v0v1, "/route", "/route"},
	{"/", "", both, v0v1, "/route/", "/route/"},
	// 69
	{"/service", "", both, v0v1, "/", "/service"},
	{"/service", "", both, onlyV0, "/route", "/service/route"},
	{"/service", "", both, onlyV1, "/route", "/serviceroute"},
	{"/service", "", both, onlyV0, "/route/", "/service/route/"},
	{"/service", "", both, onlyV1, "/route/", "/serviceroute/"},
	// 74
	{"/service/", "", both, v0v1, "/", "/service/"},
	{"/service/", "", both, v0v1, "/route", "/service/route"},
	{"/service/", "", both, v0v1, "/route/", "/service/route/"},
}

func TestUpstreamPathFollowsKongPathHandlingFixture(t *testing.T) {
	for i, row := range routerPathHandlingTests {
		for _, strip := range row.strip {
			for _, handling := range row.handling {
				name := fmt.Sprintf("%d/%s+%s/strip=%t/%s/%s", i+1, row.servicePath, row.routePath, strip, handling, row.request)
				t.Run(name, func(t *testing.T) {
					req := []byte(row.request)
					got := string(UpstreamPath(nil, row.servicePath, row.routePath, strip, handling, req, len(row.routePath)))
					if got != row.want {
						t.Fatalf("UpstreamPath = %q, want %q", got, row.want)
					}
				})
			}
		}
	}
}

func TestUpstreamPath(t *testing.T) {
	tests := []struct {
		name        string
		servicePath string
		routePath   string
		strip       bool
		handling    string
		rawRequest  string // normalized with Normalize before the call
		matchedLen  int    // -1 = len(routePath)
		want        string
	}{
		{"null service path behaves like slash", "", "/route", true, "v0", "/route/req", -1, "/req"},
		{"empty path_handling means v0", "/srv", "/rou", false, "", "/roureq", -1, "/srv/roureq"},
		// kong-compat §3.4 rows that depend on normalization.
		{"dot segment left after stripping is dropped", "/service", "/route", true, "v0", "/route./req", -1, "/service/req"},
		{"encoded dot is decoded before proxying", "/service", "/route", false, "v0", "/route%2E/req", -1, "/service/route./req"},
		{"encoded space stays encoded upstream", "/", "/", false, "v0", "/cat%20and%20dog", -1, "/cat%20and%20dog"},
		// Regex routes strip the whole match (kong-compat §3.4).
		{"regex match is stripped entirely", "/anything", `~/users/\d+/profile`, true, "v0", "/users/123/profile", len("/users/123/profile"), "/anything"},
		{"regex strip keeps the rest", "/", `~/users/\d+/profile`, true, "v0", "/users/123/profile/hello/world", len("/users/123/profile"), "/hello/world"},
		{"regex match without strip keeps the path", "/srv", `~/users/\d+`, false, "v0", "/users/1", len("/users/1"), "/srv/users/1"},
		{"encoded slash is stripped as part of the route path", "/", "/endel%2Fst", true, "v0", "/endel%2Fst", -1, "/"},
		{"empty request path is treated as root", "/service", "", false, "v0", "", -1, "/service"},
		{"matched length beyond the path is clamped", "/s", "/x", true, "v0", "/x", 99, "/s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := Normalize(nil, []byte(tt.rawRequest))
			matched := tt.matchedLen
			if matched < 0 {
				matched = len(tt.routePath)
			}
			got := string(UpstreamPath(nil, tt.servicePath, tt.routePath, tt.strip, tt.handling, req, matched))
			if got != tt.want {
				t.Fatalf("UpstreamPath = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestUpstreamPathDoesNotAllocateWithCapacity(t *testing.T) {
	req := []byte("/route/some/longer/request/path")
	buf := make([]byte, 0, 128)
	for _, handling := range []string{"v0", "v1"} {
		allocs := testing.AllocsPerRun(100, func() {
			buf = UpstreamPath(buf[:0], "/service/", "/route", true, handling, req, len("/route"))
			buf = UpstreamPath(buf[:0], "/service", "", false, handling, req, 0)
		})
		if allocs != 0 {
			t.Fatalf("%s: UpstreamPath allocated %v times per run", handling, allocs)
		}
	}
}

func BenchmarkUpstreamPath(b *testing.B) {
	req := []byte("/route/some/longer/request/path")
	buf := make([]byte, 0, 128)
	b.ReportAllocs()
	for b.Loop() {
		buf = UpstreamPath(buf[:0], "/service/", "/route", true, "v0", req, len("/route"))
	}
}

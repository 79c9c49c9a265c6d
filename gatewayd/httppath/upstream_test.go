package httppath

import (
	"fmt"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/httppath/kongfixture"
)

func TestUpstreamPathFollowsKongPathHandlingFixture(t *testing.T) {
	for i, row := range kongfixture.PathHandlingRows {
		for _, strip := range row.Strip {
			for _, handling := range row.Handling {
				name := fmt.Sprintf("%d/%s+%s/strip=%t/%s/%s", i+1, row.ServicePath, row.RoutePath, strip, handling, row.Request)
				t.Run(name, func(t *testing.T) {
					req := []byte(row.Request)
					got := string(UpstreamPath(nil, row.ServicePath, row.RoutePath, strip, handling, req, len(row.RoutePath)))
					if got != row.Want {
						t.Fatalf("UpstreamPath = %q, want %q", got, row.Want)
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

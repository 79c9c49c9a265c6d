package router

import (
	"fmt"
	"strings"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/httppath"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/httppath/kongfixture"
)

// TestPrecedence covers the consequences of Kong's traditional_compatible
// priority listed in kong-compat §3.3, plus each level of the bitfield.
func TestPrecedence(t *testing.T) {
	tests := []struct {
		name   string
		routes []Route
		req    *Request
		want   string
	}{
		{
			"hosts+paths beats a longer path alone",
			[]Route{
				{ID: "long-path", Paths: []string{"/a/very/long/path"}},
				{ID: "host-path", Hosts: []string{"example.com"}, Paths: []string{"/a"}},
			},
			req("GET", "/a/very/long/path", "example.com"), "host-path",
		},
		{
			"more headers beat fewer headers even over a longer path",
			[]Route{
				{ID: "one-header", Headers: map[string][]string{"a": {"1"}}, Paths: []string{"/a/longer"}},
				{ID: "two-headers", Headers: map[string][]string{"a": {"1"}, "b": {"2"}}, Paths: []string{"/a"}},
			},
			req("GET", "/a/longer", "").with(testHeaders{"a": {"1"}, "b": {"2"}}), "two-headers",
		},
		{
			"with equal headers the longer plain path wins",
			[]Route{
				{ID: "short", Headers: map[string][]string{"a": {"1"}}, Paths: []string{"/a"}},
				{ID: "long", Headers: map[string][]string{"a": {"1"}}, Paths: []string{"/a/b"}},
			},
			req("GET", "/a/b/c", "").with(testHeaders{"a": {"1"}}), "long",
		},
		{
			"a regex path beats an exact plain path",
			[]Route{
				{ID: "plain", Paths: []string{"/route/fixture"}},
				{ID: "regex", Paths: []string{"~/route/(fixture)"}},
			},
			req("GET", "/route/fixture", ""), "regex",
		},
		{
			"method-only loses to path-only",
			[]Route{
				{ID: "method", Methods: []string{"GET"}},
				{ID: "path", Paths: []string{"/x"}},
			},
			req("GET", "/x", ""), "path",
		},
		{
			"method-only loses to wildcard-host-only",
			[]Route{
				{ID: "method", Methods: []string{"GET"}},
				{ID: "wildcard", Hosts: []string{"*.example.com"}},
			},
			req("GET", "/", "a.example.com"), "wildcard",
		},
		{
			"more attribute kinds beat plain hosts",
			[]Route{
				{ID: "plain-host", Hosts: []string{"example.com"}},
				{ID: "path-method", Paths: []string{"/"}, Methods: []string{"GET"}},
			},
			req("GET", "/", "example.com"), "path-method",
		},
		{
			"plain hosts beat wildcard hosts with more headers",
			[]Route{
				{ID: "wildcard", Hosts: []string{"*.example.com"}, Headers: map[string][]string{"a": {"1"}, "b": {"2"}}},
				{ID: "plain", Hosts: []string{"a.example.com"}, Headers: map[string][]string{"a": {"1"}}},
			},
			req("GET", "/", "a.example.com").with(testHeaders{"a": {"1"}, "b": {"2"}}), "plain",
		},
		{
			"a route mixing plain and wildcard hosts is not plain-hosts-only",
			[]Route{
				{ID: "mixed", Hosts: []string{"a.example.com", "*.example.org"}, Paths: []string{"/long/path"}},
				{ID: "plain", Hosts: []string{"a.example.com"}, Paths: []string{"/"}},
			},
			req("GET", "/long/path", "a.example.com"), "plain",
		},
		{
			"header count beats a regex path",
			[]Route{
				{ID: "regex", Headers: map[string][]string{"a": {"1"}}, Paths: []string{"~/x"}},
				{ID: "headers", Headers: map[string][]string{"a": {"1"}, "b": {"2"}}, Paths: []string{"/x"}},
			},
			req("GET", "/x", "").with(testHeaders{"a": {"1"}, "b": {"2"}}), "headers",
		},
		{
			"higher regex_priority wins",
			[]Route{
				{ID: "low", Paths: []string{`~/users/\d+`}, RegexPriority: 1},
				{ID: "high", Paths: []string{`~/users/.*`}, RegexPriority: 5},
			},
			req("GET", "/users/1", ""), "high",
		},
		{
			"negative regex_priority ranks below zero",
			[]Route{
				{ID: "negative", Paths: []string{`~/users/\d+`}, RegexPriority: -1},
				{ID: "zero", Paths: []string{`~/users/.*`}},
			},
			req("GET", "/users/1", ""), "zero",
		},
		{
			"regex_priority does not affect plain paths",
			[]Route{
				{ID: "short", Paths: []string{"/a"}, RegexPriority: 100},
				{ID: "long", Paths: []string{"/a/b"}},
			},
			req("GET", "/a/b", ""), "long",
		},
		{
			"a regex path beats a longer plain path",
			[]Route{
				{ID: "plain", Paths: []string{"/users/123/profile"}},
				{ID: "regex", Paths: []string{`~/u`}},
			},
			req("GET", "/users/123/profile", ""), "regex",
		},
		{
			"ties go to the older route",
			[]Route{
				{ID: "newer", Paths: []string{"/x"}, CreatedAt: 20},
				{ID: "older", Paths: []string{"/y"}, CreatedAt: 10},
				{ID: "older-dup", Paths: []string{"/x"}, CreatedAt: 10},
			},
			req("GET", "/x", ""), "older-dup",
		},
		{
			"ties at equal created_at go to the smaller id",
			[]Route{
				{ID: "b", Paths: []string{"/x"}, CreatedAt: 10},
				{ID: "a", Paths: []string{"/x"}, CreatedAt: 10},
			},
			req("GET", "/x", ""), "a",
		},
		{
			"a matching explicit port beats an equal port-less host",
			[]Route{
				{ID: "any-port", Hosts: []string{"example.com"}, CreatedAt: 1},
				{ID: "port", Hosts: []string{"example.com:8080"}, CreatedAt: 2},
			},
			req("GET", "/", "example.com:8080"), "port",
		},
		{
			"an explicit port does not beat a higher priority",
			[]Route{
				{ID: "port", Hosts: []string{"example.com:8080"}},
				{ID: "any-port-path", Hosts: []string{"example.com"}, Paths: []string{"/"}},
			},
			req("GET", "/", "example.com:8080"), "any-port-path",
		},
		{
			"equal priorities follow the traditional category order",
			[]Route{
				{ID: "a-sni", SNIs: []string{"example.com"}},
				{ID: "b-method", Methods: []string{"GET"}},
			},
			&Request{Method: []byte("GET"), Path: []byte("/"), Scheme: "https", SNI: []byte("example.com"), Port: 443},
			"b-method",
		},
		{
			"snis count towards the weight",
			[]Route{
				{ID: "path", Paths: []string{"/x"}},
				{ID: "path-sni", Paths: []string{"/"}, SNIs: []string{"example.com"}},
			},
			&Request{Method: []byte("GET"), Path: []byte("/x"), Scheme: "https", SNI: []byte("example.com"), Port: 443},
			"path-sni",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustNew(t, tt.routes)
			if got := matchID(r, tt.req); got != tt.want {
				t.Fatalf("matched %q, want %q", got, tt.want)
			}
			// The winner must not depend on the order routes are given in.
			reversed := make([]Route, len(tt.routes))
			for i, rt := range tt.routes {
				reversed[len(reversed)-1-i] = rt
			}
			if got := matchID(mustNew(t, reversed), tt.req); got != tt.want {
				t.Fatalf("with routes reversed matched %q, want %q", got, tt.want)
			}
		})
	}
}

func TestProtocols(t *testing.T) {
	r := mustNew(t, []Route{
		{ID: "https-only", Protocols: []string{"https"}, Paths: []string{"/secure"}},
		{ID: "grpc", Protocols: []string{"grpc", "grpcs"}, Paths: []string{"/grpc.Service"}},
		{ID: "stream", Protocols: []string{"tcp", "tls"}, SNIs: []string{"example.com"}},
		{ID: "default", Paths: []string{"/"}},
	})
	if r.Len() != 3 {
		t.Fatalf("Len() = %d, want 3 (stream routes are left out)", r.Len())
	}
	runMatchCases(t, r, []matchCase{
		{"https-only route still matches plain http", req("GET", "/secure", ""), "https-only"},
		{"grpc route matches", req("POST", "/grpc.Service/Method", ""), "grpc"},
		{"stream route never matches", &Request{Method: []byte("GET"), Path: []byte("/"), Scheme: "https", SNI: []byte("example.com")}, "default"},
	})
}

func TestSNIs(t *testing.T) {
	r := mustNew(t, []Route{
		{ID: "sni", SNIs: []string{"example.com."}, Paths: []string{"/"}},
	})
	tls := func(sni string) *Request {
		return &Request{Method: []byte("GET"), Path: []byte("/"), Scheme: "https", SNI: []byte(sni), Port: 443}
	}
	runMatchCases(t, r, []matchCase{
		{"matching SNI", tls("example.com"), "sni"},
		{"SNI is case-insensitive", tls("Example.COM"), "sni"},
		{"other SNI", tls("other.com"), ""},
		{"SNIs are ignored over plain http", req("GET", "/", ""), "sni"},
	})
}

func TestMatchReportsPathAndLength(t *testing.T) {
	r := mustNew(t, []Route{
		{ID: "plain", Paths: []string{"/plain", "/other"}},
		{ID: "regex", Paths: []string{`~/users/(?<id>\d+)/profile`}},
		{ID: "host", Hosts: []string{"example.com"}},
	})
	tests := []struct {
		req      *Request
		wantPath string
		wantLen  int
	}{
		{req("GET", "/plain/x", ""), "/plain", len("/plain")},
		{req("GET", "/other", ""), "/other", len("/other")},
		{req("GET", "/users/42/profile/email", ""), `~/users/(?<id>\d+)/profile`, len("/users/42/profile")},
		{req("GET", "/anything", "example.com"), "", 0},
	}
	for _, tt := range tests {
		var m Match
		if !r.Match(tt.req, &m) {
			t.Fatalf("%s: no match", tt.req.Path)
		}
		if m.Path != tt.wantPath || m.MatchedLen != tt.wantLen {
			t.Errorf("%s: got (%q, %d), want (%q, %d)", tt.req.Path, m.Path, m.MatchedLen, tt.wantPath, tt.wantLen)
		}
	}
	m := Match{Route: &Route{}}
	if r.Match(req("GET", "/nothing", "nowhere"), &m) || m != (Match{}) {
		t.Errorf("a miss must report false and zero the match, got %+v", m)
	}
}

func TestMatchReturnsCallerPayload(t *testing.T) {
	payload := &struct{ name string }{"svc"}
	r := mustNew(t, []Route{{ID: "1", Paths: []string{"/"}, Value: payload}})
	var m Match
	if !r.Match(req("GET", "/", ""), &m) || m.Route.Value != payload {
		t.Fatalf("payload not returned: %+v", m)
	}
}

func TestHostParsing(t *testing.T) {
	r := mustNew(t, []Route{
		{ID: "v6", Hosts: []string{"[::1]"}},
		{ID: "v6-port", Hosts: []string{"[::1]:8080"}},
		{ID: "upper", Hosts: []string{"Example.COM"}},
	})
	runMatchCases(t, r, []matchCase{
		{"ipv6 without port", req("GET", "/", "[::1]"), "v6"},
		{"ipv6 with other port", req("GET", "/", "[::1]:9000"), "v6"},
		{"ipv6 with route port", req("GET", "/", "[::1]:8080"), "v6-port"},
		{"route host is lower-cased", req("GET", "/", "example.com"), "upper"},
		{"request host is lower-cased", req("GET", "/", "EXAMPLE.com:80"), "upper"},
		{"empty port is ignored", req("GET", "/", "example.com:"), "upper"},
		{"malformed port matches no host", req("GET", "/", "example.com:http"), ""},
	})
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name  string
		route Route
		want  []string
	}{
		{"bad path regex", Route{ID: "r1", Paths: []string{"~/foo(?!bar)"}}, []string{`"r1"`, `~/foo(?!bar)`}},
		{"regex only valid once wrapped", Route{ID: "r2", Paths: []string{"~/a)(b"}}, []string{`"r2"`, `~/a)(b`}},
		{"bad header regex", Route{ID: "r3", Headers: map[string][]string{"x": {"~*(("}}}, []string{`"r3"`, `((`}},
		{"header without values", Route{ID: "r4", Headers: map[string][]string{"x": {}}}, []string{`"r4"`, `"x"`}},
		{"nothing to match on", Route{ID: "r5", Protocols: []string{"http"}}, []string{`"r5"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New([]Route{tt.route})
			if err == nil {
				t.Fatal("New succeeded")
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not mention %s", err, want)
				}
			}
		})
	}
}

func TestEmptyRouter(t *testing.T) {
	r := mustNew(t, nil)
	if r.Len() != 0 || matchID(r, req("GET", "/", "example.com")) != "" {
		t.Fatal("an empty router must match nothing")
	}
}

// TestSlashHandlingThroughRouter replays Kong's "#slash handling" spec: every
// row of spec/fixtures/router_path_handling_tests.lua goes through Match and
// then httppath.UpstreamPath, once with the plain route path and once with
// the same path turned into a regex ("~/[0]?" + path), which must strip the
// same way.
func TestSlashHandlingThroughRouter(t *testing.T) {
	for i, row := range kongfixture.PathHandlingRows {
		for _, strip := range row.Strip {
			for _, handling := range row.Handling {
				host := fmt.Sprintf("localbin-%d.com", i)
				routePaths := []string{row.RoutePath}
				if row.RoutePath != "" {
					routePaths = append(routePaths, "~/[0]?"+row.RoutePath[1:])
				}
				for _, rp := range routePaths {
					name := fmt.Sprintf("%d/%s+%s/strip=%t/%s/%s", i+1, row.ServicePath, rp, strip, handling, row.Request)
					t.Run(name, func(t *testing.T) {
						route := Route{ID: "r", Hosts: []string{host}}
						if rp != "" {
							route.Paths = []string{rp}
						}
						r := mustNew(t, []Route{route})
						var m Match
						if !r.Match(req("GET", row.Request, host), &m) {
							t.Fatal("no match")
						}
						got := httppath.UpstreamPath(nil, row.ServicePath, m.Path, strip, handling, []byte(row.Request), m.MatchedLen)
						if string(got) != row.Want {
							t.Fatalf("upstream path %q, want %q", got, row.Want)
						}
					})
				}
			}
		}
	}
}

func TestStripPathThroughRouter(t *testing.T) {
	tests := []struct {
		name        string
		route       Route
		servicePath string
		rawPath     string
		want        string
	}{
		{"strips a regex match", Route{Paths: []string{`~/users/\d+/profile`}}, "/", "/users/123/profile/hello/world", "/hello/world"},
		{"strips a regex with a capture group", Route{Paths: []string{`~/users/(\d+)/profile`}}, "/", "/users/123/profile/hello/world", "/hello/world"},
		{"regex strip leaves the service path", Route{Paths: []string{`~/users/\d+/profile`}}, "/anything", "/users/123/profile", "/anything"},
		{"strips url-encoded paths", Route{Paths: []string{"/endel%2Fst"}}, "/", "/endel%2Fst", "/"},
		{"does not strip the root path", Route{Paths: []string{"/"}}, "/", "/my-route/hello/world", "/my-route/hello/world"},
		{"normalizes before matching and stripping", Route{Paths: []string{"/foo/bar"}}, "/svc", "/foo/a/../bar//baz", "/svc/baz"},
		{"decodes unreserved characters before matching", Route{Paths: []string{"/hello"}}, "/", "/h%65llo/x", "/x"},
		{"dot left after stripping is dropped", Route{Paths: []string{"/route"}}, "/service", "/route./req", "/service/req"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.route.ID = "r"
			r := mustNew(t, []Route{tt.route})
			path := httppath.Normalize(nil, []byte(tt.rawPath))
			var m Match
			if !r.Match(req("GET", string(path), ""), &m) {
				t.Fatal("no match")
			}
			got := httppath.UpstreamPath(nil, tt.servicePath, m.Path, true, "v0", path, m.MatchedLen)
			if string(got) != tt.want {
				t.Fatalf("upstream path %q, want %q", got, tt.want)
			}
		})
	}
}

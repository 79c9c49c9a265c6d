package router

import (
	"fmt"
	"testing"
)

// Ports of Kong 3.9 spec/01-unit/08-router_spec.lua, for the
// traditional_compatible flavor. Route ids are the use-case numbers.

// kongSelectUseCases is the use_case table of the spec's select() block.
func kongSelectUseCases() []Route {
	location := []string{"my-location-1", "my-location-2"}
	return []Route{
		{ID: "1", Hosts: []string{"domain-1.org", "domain-2.org"}},
		{ID: "2", Methods: []string{"TRACE"}},
		{ID: "3", Paths: []string{"/my-route"}},
		{ID: "4", Paths: []string{"/route-4"}, Hosts: []string{"domain-1.org", "domain-2.org"}},
		{ID: "5", Hosts: []string{"domain-1.org", "domain-2.org"}, Methods: []string{"POST", "PUT", "PATCH"}},
		{ID: "6", Methods: []string{"POST", "PUT", "PATCH"}, Paths: []string{"/route-6"}},
		{ID: "7", Hosts: []string{"domain-with-uri-1.org", "domain-with-uri-2.org"}, Methods: []string{"POST", "PUT", "PATCH"}, Paths: []string{"/my-route-uri"}},
		{ID: "8", Paths: []string{"/serviceless"}},
		{ID: "9", Headers: map[string][]string{"location": location}},
		{ID: "10", Headers: map[string][]string{"location": {"my-location-1"}, "version": {"v1", "v2"}}},
		{ID: "11", Headers: map[string][]string{"location": location}, Paths: []string{"/headers-uri"}},
		{ID: "12", Hosts: []string{"domain-with-headers-1.org", "domain-with-headers-2.org"}, Headers: map[string][]string{"location": location}, Methods: []string{"POST", "PUT", "PATCH"}, Paths: []string{"/headers-host-uri-method"}},
		{ID: "13", Hosts: []string{"domain-1.org:321", "domain-2.org"}},
		{ID: "14", Hosts: []string{"domain-3.org:321"}},
		{ID: "15", Headers: map[string][]string{"user_agent": {`~*windows|linux|os\s+x\s*[\d\._]+|solaris|bsd`}}},
	}
}

func TestKongSelect(t *testing.T) {
	r := mustNew(t, kongSelectUseCases())
	chrome := "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/83.0.4103.116 Safari/537.36"
	runMatchCases(t, r, []matchCase{
		{"host", req("GET", "/", "domain-1.org"), "1"},
		{"host ignores default port", req("GET", "/", "domain-1.org:80"), "1"},
		{"host without port matches any port", req("GET", "/", "domain-1.org:123"), "1"},
		{"host matches specific port", req("GET", "/", "domain-1.org:321"), "13"},
		{"host matches specific port on port-only route", req("GET", "/", "domain-3.org:321"), "14"},
		{"host fails just because of port on port-only route", req("GET", "/", "domain-3.org:123"), ""},
		{"uri", req("GET", "/my-route", "domain.org"), "3"},
		{"uri with empty host", req("GET", "/my-route-uri", ""), "3"},
		{"method", req("TRACE", "/", "domain.org"), "2"},
		{"host + uri", req("GET", "/route-4", "domain-1.org"), "4"},
		{"host + method", req("POST", "/", "domain-1.org"), "5"},
		{"uri + method", req("PUT", "/route-6", "domain.org"), "6"},
		{"host + uri + method", req("PUT", "/my-route-uri", "domain-with-uri-2.org"), "7"},
		{"single header value", req("GET", "/", "").with(testHeaders{"location": {"my-location-1"}}), "9"},
		{"single header other value", req("GET", "/", "").with(testHeaders{"location": {"my-location-2"}}), "9"},
		{"single header any of repeated values", req("GET", "/", "").with(testHeaders{"location": {"my-location-3", "my-location-2"}}), "9"},
		{"single header wrong value", req("GET", "/", "").with(testHeaders{"location": {"my-location-3"}}), ""},
		{"single header wrong repeated values", req("GET", "/", "").with(testHeaders{"location": {"my-location-3", "foo"}}), ""},
		{"header regex", req("GET", "/", "").with(testHeaders{"User-Agent": {chrome}}), "15"},
		{"multiple headers", req("GET", "/", "").with(testHeaders{"location": {"my-location-1"}, "version": {"v1"}}), "10"},
		{"multiple headers other value", req("GET", "/", "").with(testHeaders{"location": {"my-location-1"}, "version": {"v2"}}), "10"},
		{"multiple headers repeated values", req("GET", "/", "").with(testHeaders{"location": {"my-location-3", "my-location-1"}, "version": {"v2"}}), "10"},
		{"multiple headers fall back to fewer headers", req("GET", "/", "").with(testHeaders{"location": {"my-location-3", "my-location-2"}, "version": {"v2"}}), "9"},
		{"headers + uri", req("GET", "/headers-uri", "").with(testHeaders{"location": {"my-location-2"}}), "11"},
		{"host + headers + uri + method", req("PUT", "/headers-host-uri-method", "domain-with-headers-1.org").with(testHeaders{"location": {"my-location-2"}}), "12"},
		{"serviceless", req("GET", "/serviceless", ""), "8"},
		{"uri prefix", req("GET", "/my-route/some/path", "domain.org"), "3"},

		// "misses"
		{"invalid host", req("GET", "/", "domain-3.org"), ""},
		{"invalid host in host + uri", req("GET", "/route-4", "domain-3.org"), ""},
		{"invalid method in host + uri + method", req("GET", "/some-uri", "domain-with-uri-2.org"), ""},
		{"invalid uri in host + uri + method", req("PUT", "/some-uri-foo", "domain-with-uri-2.org"), ""},
		{"uri in path but not as prefix", req("GET", "/some-other-prefix/my-route", "domain.org"), ""},
		{"invalid header", req("GET", "/", "").with(testHeaders{"location": {"invalid-location"}}), ""},
		{"invalid header in headers + uri", req("GET", "/headers-uri", "").with(testHeaders{"location": {"invalid-location"}}), ""},
		{"invalid header in headers + host + uri + method", req("PUT", "/headers-host-uri-method", "").with(testHeaders{"location": {"invalid-location"}, "host": {"domain-with-headers-1.org"}}), ""},
	})
}

func TestKongURIPrefix(t *testing.T) {
	t.Run("does not supersede another route with a longer uri", func(t *testing.T) {
		r := mustNew(t, []Route{
			{ID: "1", Paths: []string{"/my-route/hello"}},
			{ID: "2", Paths: []string{"/my-route"}},
		})
		runMatchCases(t, r, []matchCase{
			{"exact longer", req("GET", "/my-route/hello", "domain.org"), "1"},
			{"below longer", req("GET", "/my-route/hello/world", "domain.org"), "1"},
			{"exact shorter", req("GET", "/my-route", "domain.org"), "2"},
			{"below shorter", req("GET", "/my-route/world", "domain.org"), "2"},
		})
	})
	t.Run("longer uri wins while methods are also defined", func(t *testing.T) {
		r := mustNew(t, []Route{
			{ID: "1", Methods: []string{"POST", "PUT", "GET"}, Paths: []string{"/my-route"}},
			{ID: "2", Methods: []string{"POST", "PUT", "GET"}, Paths: []string{"/my-route/hello"}},
		})
		runMatchCases(t, r, []matchCase{
			{"exact longer", req("GET", "/my-route/hello", "domain.org"), "2"},
			{"below longer", req("GET", "/my-route/hello/world", "domain.org"), "2"},
			{"exact shorter", req("GET", "/my-route", "domain.org"), "1"},
			{"below shorter", req("GET", "/my-route/world", "domain.org"), "1"},
		})
	})
	t.Run("longer uri wins while hosts are also defined", func(t *testing.T) {
		r := mustNew(t, []Route{
			{ID: "1", Hosts: []string{"domain.org"}, Paths: []string{"/my-route"}},
			{ID: "2", Hosts: []string{"domain.org"}, Paths: []string{"/my-route/hello"}},
		})
		runMatchCases(t, r, []matchCase{
			{"exact longer", req("GET", "/my-route/hello", "domain.org"), "2"},
			{"below longer", req("GET", "/my-route/hello/world", "domain.org"), "2"},
			{"exact shorter", req("GET", "/my-route", "domain.org"), "1"},
			{"below shorter", req("GET", "/my-route/world", "domain.org"), "1"},
		})
	})
	t.Run("a better uri for another host does not win", func(t *testing.T) {
		r := mustNew(t, []Route{
			{ID: "1", Hosts: []string{"example.com"}, Paths: []string{"/my-route"}},
			{ID: "2", Hosts: []string{"example.com"}, Paths: []string{"/my-route/hello"}},
			{ID: "3", Hosts: []string{"example.net"}, Paths: []string{"/my-route/hello/world"}},
		})
		runMatchCases(t, r, []matchCase{
			{"exact", req("GET", "/my-route/hello/world", "example.com"), "2"},
			{"below", req("GET", "/my-route/hello/world/and/goodnight", "example.com"), "2"},
		})
	})
	t.Run("uri prefix is anchored", func(t *testing.T) {
		r := mustNew(t, []Route{
			{ID: "1", Paths: []string{"/something/my-route"}},
			{ID: "2", Hosts: []string{"example.com"}, Paths: []string{"/my-route"}},
		})
		runMatchCases(t, r, []matchCase{{"anchored", req("GET", "/something/my-route", "example.com"), "1"}})
	})
	t.Run("plain prefix matches inside a segment", func(t *testing.T) {
		r := mustNew(t, []Route{{ID: "1", Paths: []string{"/route"}}})
		runMatchCases(t, r, []matchCase{
			{"exact", req("GET", "/route", ""), "1"},
			{"sub path", req("GET", "/route/x", ""), "1"},
			{"same segment", req("GET", "/routereq", ""), "1"},
			{"shorter", req("GET", "/rout", ""), ""},
		})
	})
}

func TestKongURIRegex(t *testing.T) {
	t.Run("matches with uri regex", func(t *testing.T) {
		r := mustNew(t, []Route{{ID: "1", Paths: []string{`~/users/\d+/profile`}}})
		runMatchCases(t, r, []matchCase{{"regex", req("GET", "/users/123/profile", "domain.org"), "1"}})
	})
	t.Run("matches the right route when several have a uri regex", func(t *testing.T) {
		r := mustNew(t, []Route{
			{ID: "1", Paths: []string{`~/route/persons/\d{3}`}},
			{ID: "2", Paths: []string{`~/route/persons/\d{3}/following`}},
			{ID: "3", Paths: []string{`~/route/persons/\d{3}/[a-z]+`}},
		})
		runMatchCases(t, r, []matchCase{{"first", req("GET", "/route/persons/456", "domain.org"), "1"}})
	})
	t.Run("regex beats a matching prefix", func(t *testing.T) {
		r := mustNew(t, []Route{
			{ID: "1", Paths: []string{"/route/persons"}},
			{ID: "2", Paths: []string{`~/route/persons/\d+/profile`}},
		})
		runMatchCases(t, r, []matchCase{{"regex", req("GET", "/route/persons/123/profile", "domain.org"), "2"}})
	})
	t.Run("regex beats an exact plain match", func(t *testing.T) {
		r := mustNew(t, []Route{
			{ID: "1", Paths: []string{"/route/fixture"}},
			{ID: "2", Paths: []string{"~/route/(fixture)"}},
		})
		runMatchCases(t, r, []matchCase{{"regex", req("GET", "/route/fixture", "domain.org"), "2"}})
	})
	t.Run("regex + host beats prefix + host", func(t *testing.T) {
		r := mustNew(t, []Route{
			{ID: "1", Hosts: []string{"route.com"}, Paths: []string{"/pat"}},
			{ID: "2", Hosts: []string{"route.com"}, Paths: []string{"/path"}, Methods: []string{"POST"}},
			{ID: "3", Hosts: []string{"route.com"}, Paths: []string{"~/(path)"}},
		})
		runMatchCases(t, r, []matchCase{{"regex", req("GET", "/path", "route.com"), "3"}})
	})
	t.Run("regex matches from the beginning of the path", func(t *testing.T) {
		r := mustNew(t, []Route{{ID: "1", Paths: []string{`~/prefix/[0-9]+`}}})
		runMatchCases(t, r, []matchCase{
			{"start", req("GET", "/prefix/123", "domain.org"), "1"},
			{"not at start", req("GET", "/extra/prefix/123", "domain.org"), ""},
		})
	})
	t.Run("every branch of a top-level alternation is anchored", func(t *testing.T) {
		r := mustNew(t, []Route{{ID: "1", Paths: []string{`~/a|/b`}}})
		runMatchCases(t, r, []matchCase{
			{"second branch at start", req("GET", "/b/x", ""), "1"},
			{"second branch later", req("GET", "/x/b", ""), ""},
		})
	})
	t.Run("wildcard host + regex", func(t *testing.T) {
		r := mustNew(t, []Route{
			{ID: "1", Hosts: []string{"*.example.com"}, Paths: []string{`~/users/\d+/profile`}},
			{ID: "2", Hosts: []string{"*.example.com"}, Paths: []string{`/users`}},
		})
		runMatchCases(t, r, []matchCase{
			{"regex", req("GET", "/users/123/profile", "test.example.com"), "1"},
			{"prefix", req("GET", "/users", "test.example.com"), "2"},
		})
	})
}

func TestKongWildcardHost(t *testing.T) {
	base := []Route{
		{ID: "1", Hosts: []string{"*.route.com"}},
		{ID: "2", Hosts: []string{"route.*"}},
	}
	with := func(extra ...Route) []Route { return append(append([]Route(nil), base...), extra...) }

	t.Run("leftmost and rightmost wildcards match any port", func(t *testing.T) {
		r := mustNew(t, base)
		runMatchCases(t, r, []matchCase{
			{"leftmost", req("GET", "/", "foo.route.com"), "1"},
			{"leftmost spans labels", req("GET", "/", "a.b.route.com"), "1"},
			{"leftmost needs a label", req("GET", "/", ".route.com"), ""},
			{"bare domain only matches the rightmost wildcard", req("GET", "/", "route.com"), "2"},
			{"rightmost", req("GET", "/", "route.org"), "2"},
			{"rightmost spans labels", req("GET", "/", "route.co.uk"), "2"},
			{"rightmost with port", req("GET", "/", "route.org:123"), "2"},
			{"leftmost with port", req("GET", "/", "foo.route.com:123"), "1"},
			{"case-insensitive", req("GET", "/", "FOO.Route.COM"), "1"},
		})
	})
	t.Run("port-specific wildcard routes", func(t *testing.T) {
		r := mustNew(t, with(
			Route{ID: "3", Hosts: []string{"*.route.net:123"}},
			Route{ID: "4", Hosts: []string{"route.*:123"}},
		))
		runMatchCases(t, r, []matchCase{
			{"right port", req("GET", "/", "foo.route.net:123"), "3"},
			{"wrong port", req("GET", "/", "foo.route.net:456"), ""},
			{"port-specific preferred", req("GET", "/", "route.org:123"), "4"},
		})
	})
	t.Run("prefers port-specific even for http default port", func(t *testing.T) {
		r := mustNew(t, with(Route{ID: "3", Hosts: []string{"route.*:80"}}))
		runMatchCases(t, r, []matchCase{
			{"other port", req("GET", "/", "route.org:123"), "2"},
			{"explicit 80", req("GET", "/", "route.org:80"), "3"},
			// The ATC flavors compare the listener port when Host has none.
			{"implicit port is the listener's", req("GET", "/", "route.org"), "3"},
		})
	})
	t.Run("prefers port-specific even for https default port", func(t *testing.T) {
		r := mustNew(t, with(Route{ID: "3", Hosts: []string{"route.*:443"}}))
		tls := req("GET", "/", "route.org")
		tls.Scheme, tls.Port = "https", 443
		runMatchCases(t, r, []matchCase{
			{"other port", req("GET", "/", "route.org:123"), "2"},
			{"explicit 443", req("GET", "/", "route.org:443"), "3"},
			{"https listener", tls, "3"},
		})
	})
	t.Run("does not take precedence over a plain host", func(t *testing.T) {
		r := mustNew(t, []Route{
			{ID: "plain1", Hosts: []string{"plain.route.com"}},
			base[0], base[1],
			{ID: "plain2", Hosts: []string{"route.com"}},
		})
		runMatchCases(t, r, []matchCase{
			{"plain route.com", req("GET", "/", "route.com"), "plain2"},
			{"wildcard route.*", req("GET", "/", "route.org"), "2"},
			{"plain beats *.route.com", req("GET", "/", "plain.route.com"), "plain1"},
			{"wildcard *.route.com", req("GET", "/", "foo.route.com"), "1"},
		})
	})
	t.Run("wildcard host + path even if a similar plain host exists", func(t *testing.T) {
		r := mustNew(t, []Route{
			{ID: "1", Hosts: []string{"*.route.com"}, Paths: []string{"/path1"}},
			{ID: "2", Hosts: []string{"plain.route.com"}, Paths: []string{"/path2"}},
		})
		runMatchCases(t, r, []matchCase{
			{"wildcard", req("GET", "/path1", "plain.route.com"), "1"},
			{"plain", req("GET", "/path2", "plain.route.com"), "2"},
		})
	})
	t.Run("wildcard host with port beats wildcard host", func(t *testing.T) {
		r := mustNew(t, []Route{
			{ID: "1", Hosts: []string{"route.*"}},
			{ID: "2", Hosts: []string{"route.*:80", "route.com.*"}},
		})
		runMatchCases(t, r, []matchCase{{"port", req("GET", "/", "route.org:80"), "2"}})
	})
	t.Run("wildcard host + port even if a wildcard host matched", func(t *testing.T) {
		r := mustNew(t, []Route{
			{ID: "1", Hosts: []string{"route.*"}},
			{ID: "2", Hosts: []string{"route.*:123"}},
			{ID: "3", Hosts: []string{"route.*:80"}},
		})
		runMatchCases(t, r, []matchCase{
			{"explicit port", req("GET", "/", "route.org:123"), "2"},
			{"listener port", req("GET", "/", "route.org"), "3"},
		})
	})
	t.Run("wildcard/plain + uri + method", func(t *testing.T) {
		r := mustNew(t, with(Route{ID: "3", Hosts: []string{"*.domain.com", "example.com"}, Paths: []string{"/path"}, Methods: []string{"GET", "TRACE"}}))
		runMatchCases(t, r, []matchCase{
			{"wrong method", req("POST", "/path", "foo.domain.com"), ""},
			{"wildcard", req("GET", "/path", "foo.domain.com"), "3"},
			{"plain", req("TRACE", "/path", "example.com"), "3"},
		})
	})
}

func TestKongHeaders(t *testing.T) {
	t.Run("routes with more headers are evaluated first", func(t *testing.T) {
		r := mustNew(t, []Route{
			{ID: "1", Headers: map[string][]string{"version": {"v1", "v2"}, "user_agent": {"foo", "bar"}}},
			{ID: "2", Headers: map[string][]string{"version": {"v1", "v2"}, "user_agent": {"foo", "bar"}, "location": {"east", "west"}}},
		})
		runMatchCases(t, r, []matchCase{
			{"three headers", req("GET", "/", "").with(testHeaders{"version": {"v1"}, "user-agent": {"foo"}, "location": {"north", "west"}}), "2"},
		})
	})
	t.Run("names are case-insensitive", func(t *testing.T) {
		r := mustNew(t, []Route{
			{ID: "1", Headers: map[string][]string{"USER_AGENT": {"foo", "bar"}}},
			{ID: "2", Headers: map[string][]string{"user_agent": {"baz"}}},
		})
		runMatchCases(t, r, []matchCase{
			{"upper config", req("GET", "/", "").with(testHeaders{"user-agent": {"foo"}}), "1"},
			{"upper request", req("GET", "/", "").with(testHeaders{"USER-AGENT": {"baz"}}), "2"},
		})
	})
	t.Run("values are case-insensitive", func(t *testing.T) {
		r := mustNew(t, []Route{
			{ID: "1", Headers: map[string][]string{"user_agent": {"foo", "bar"}}},
			{ID: "2", Headers: map[string][]string{"user_agent": {"BAZ"}}},
		})
		runMatchCases(t, r, []matchCase{
			{"upper request", req("GET", "/", "").with(testHeaders{"user-agent": {"FOO"}}), "1"},
			{"upper config", req("GET", "/", "").with(testHeaders{"user-agent": {"baz"}}), "2"},
		})
	})
	t.Run("header regex is case-insensitive and unanchored", func(t *testing.T) {
		r := mustNew(t, []Route{{ID: "1", Headers: map[string][]string{"X-Version": {`~*^v\d+$`}}}})
		runMatchCases(t, r, []matchCase{
			{"match", req("GET", "/", "").with(testHeaders{"X-Version": {"V12"}}), "1"},
			{"no match", req("GET", "/", "").with(testHeaders{"X-Version": {"v1x"}}), ""},
		})
	})
	t.Run("only the first value is seen without MultiHeaders", func(t *testing.T) {
		r := mustNew(t, []Route{{ID: "1", Headers: map[string][]string{"location": {"east"}}}})
		runMatchCases(t, r, []matchCase{
			{"first", req("GET", "/", "").with(singleHeaders{"Location": "east"}), "1"},
			{"nil headers", req("GET", "/", ""), ""},
		})
	})
}

func TestKongEdgeCases(t *testing.T) {
	t.Run("host and uri have higher priority than method", func(t *testing.T) {
		r := mustNew(t, kongSelectUseCases()[:7])
		runMatchCases(t, r, []matchCase{
			{"host", req("TRACE", "/", "domain-2.org"), "1"},
			{"uri", req("TRACE", "/my-route", "domain.org"), "3"},
		})
	})
	t.Run("half uri and host match does not supersede another route", func(t *testing.T) {
		r := mustNew(t, []Route{
			{ID: "1", Hosts: []string{"host1.com"}, Paths: []string{"/v1/path"}},
			{ID: "2", Hosts: []string{"host2.com"}, Paths: []string{"/"}},
		})
		runMatchCases(t, r, []matchCase{
			{"host1", req("GET", "/v1/path", "host1.com"), "1"},
			{"host2", req("GET", "/v1/path", "host2.com"), "2"},
		})
	})
	t.Run("half wildcard host and method match does not supersede another route", func(t *testing.T) {
		r := mustNew(t, []Route{
			{ID: "1", Hosts: []string{"host.*"}, Methods: []string{"GET"}},
			{ID: "2", Hosts: []string{"host.*"}, Methods: []string{"POST"}},
		})
		runMatchCases(t, r, []matchCase{
			{"GET", req("GET", "/", "host.com"), "1"},
			{"POST", req("POST", "/", "host.com"), "2"},
		})
	})
	t.Run("half uri regex and method match does not supersede another route", func(t *testing.T) {
		r := mustNew(t, []Route{
			{ID: "1", Methods: []string{"GET"}, Paths: []string{`~/users/\d+/profile`}},
			{ID: "2", Methods: []string{"POST"}, Paths: []string{`~/users/\d*/profile`}},
		})
		runMatchCases(t, r, []matchCase{
			{"GET", req("GET", "/users/123/profile", "domain.org"), "1"},
			{"POST", req("POST", "/users/123/profile", "domain.org"), "2"},
		})
	})
	t.Run("method does not supersede uri prefix", func(t *testing.T) {
		r := mustNew(t, []Route{
			{ID: "1", Methods: []string{"GET"}},
			{ID: "2", Paths: []string{"/example"}},
		})
		runMatchCases(t, r, []matchCase{
			{"exact", req("GET", "/example", "domain.org"), "2"},
			{"below", req("GET", "/example/status/200", "domain.org"), "2"},
		})
	})
	t.Run("method does not supersede wildcard host", func(t *testing.T) {
		r := mustNew(t, []Route{
			{ID: "1", Methods: []string{"GET"}},
			{ID: "2", Hosts: []string{"domain.*"}},
		})
		runMatchCases(t, r, []matchCase{
			{"method only", req("GET", "/", "nothing.com"), "1"},
			{"wildcard", req("GET", "/", "domain.com"), "2"},
		})
	})
	t.Run("each path of a route is ranked on its own", func(t *testing.T) {
		r := mustNew(t, []Route{
			{ID: "1", Paths: []string{"/a", "/bbbbbbb"}},
			{ID: "2", Paths: []string{"/a/bb"}},
		})
		runMatchCases(t, r, []matchCase{
			{"longer wins", req("GET", "/a/bb/foobar", "domain.org"), "2"},
			{"other path of route 1", req("GET", "/bbbbbbb/x", "domain.org"), "1"},
		})
	})
	t.Run("root uri", func(t *testing.T) {
		r := mustNew(t, append([]Route{{ID: "root", Paths: []string{"/"}}}, kongSelectUseCases()[:7]...))
		runMatchCases(t, r, []matchCase{
			{"request with method", req("GET", "/", "domain.org"), "root"},
			{"does not supersede another route", req("GET", "/my-route", "domain.org"), "3"},
			{"does not supersede below another route", req("GET", "/my-route/hello/world", "domain.org"), "3"},
			{"acts as a catch-all", req("GET", "/foobar/baz", "domain.org"), "root"},
		})
	})
	t.Run("same category with conflicting values", func(t *testing.T) {
		routes := kongSelectUseCases()
		for i := 1; i <= 5; i++ {
			routes = append(routes, Route{ID: fmt.Sprint("conflict-", i), Hosts: []string{"domain.org"}, Paths: []string{"/my-uri"}})
		}
		routes = append(routes, Route{ID: "target", Hosts: []string{"domain.org"}, Paths: []string{"/my-target-uri"}})
		r := mustNew(t, routes)
		runMatchCases(t, r, []matchCase{{"target", req("GET", "/my-target-uri", "domain.org"), "target"}})
	})
	t.Run("more headers beat a longer path", func(t *testing.T) {
		r := mustNew(t, []Route{
			{ID: "1", Headers: map[string][]string{"version": {"v1"}}, Paths: []string{"/my-route/hello"}},
			{ID: "2", Headers: map[string][]string{"version": {"v1"}, "location": {"us-east"}}, Paths: []string{"/my-route"}},
		})
		h := testHeaders{"version": {"v1"}, "location": {"us-east"}}
		runMatchCases(t, r, []matchCase{
			{"exact", req("GET", "/my-route/hello", "domain.org").with(h), "2"},
			{"below", req("GET", "/my-route/hello/world", "domain.org").with(h), "2"},
		})
	})
}

// TestKongBenchmarkShapes runs the route sets of the spec's "#benchmarks"
// block (at 10^4 routes instead of 10^5) for correctness.
func TestKongBenchmarkShapes(t *testing.T) {
	const n = 10000
	t.Run("plain host", func(t *testing.T) {
		routes := make([]Route, n)
		for i := range routes {
			routes[i] = Route{ID: fmt.Sprint(i), Hosts: []string{fmt.Sprintf("domain-%d.org", i)}}
		}
		r := mustNew(t, routes)
		runMatchCases(t, r, []matchCase{{"last", req("GET", "/", fmt.Sprintf("domain-%d.org", n-1)), fmt.Sprint(n - 1)}})
	})
	t.Run("method + uri + host", func(t *testing.T) {
		routes := make([]Route, n)
		host, path := fmt.Sprintf("domain-%d.org", n), fmt.Sprintf("/my-route-%d", n)
		for i := range routes {
			routes[i] = Route{ID: fmt.Sprint(i), Hosts: []string{host}, Paths: []string{path}}
		}
		routes[n-1].Methods = []string{"POST"}
		r := mustNew(t, routes)
		runMatchCases(t, r, []matchCase{{"target", req("POST", path, host), fmt.Sprint(n - 1)}})
	})
	t.Run("headers single key", func(t *testing.T) {
		routes := make([]Route, n)
		for i := range routes {
			routes[i] = Route{ID: fmt.Sprint(i), Headers: map[string][]string{"location": {fmt.Sprintf("somewhere-%d", i)}}}
		}
		r := mustNew(t, routes)
		runMatchCases(t, r, []matchCase{{"last", req("GET", "/", "").with(testHeaders{"location": {fmt.Sprintf("somewhere-%d", n-1)}}), fmt.Sprint(n - 1)}})
	})
	t.Run("headers many keys", func(t *testing.T) {
		routes := make([]Route, n)
		for i := range routes {
			routes[i] = Route{ID: fmt.Sprint(i), Headers: map[string][]string{fmt.Sprintf("key-%d", i): {"somewhere"}}}
		}
		r := mustNew(t, routes)
		runMatchCases(t, r, []matchCase{{"last", req("GET", "/", "").with(singleHeaders{fmt.Sprintf("key-%d", n-1): "somewhere"}), fmt.Sprint(n - 1)}})
	})
	t.Run("same category identical values", func(t *testing.T) {
		routes := make([]Route, n)
		for i := range routes {
			routes[i] = Route{ID: fmt.Sprint(i), Hosts: []string{"domain.org"}, Paths: []string{fmt.Sprintf("/my-route-%d", n)}}
		}
		routes[n-1].Paths = []string{"/my-real-route"}
		r := mustNew(t, routes)
		runMatchCases(t, r, []matchCase{{"target", req("GET", "/my-real-route", "domain.org"), fmt.Sprint(n - 1)}})
	})
	t.Run("method + uri + host + headers", func(t *testing.T) {
		routes := make([]Route, n)
		host, path := fmt.Sprintf("domain-%d.org", n), fmt.Sprintf("/my-route-%d", n)
		loc := map[string][]string{"location": {fmt.Sprintf("somewhere-%d", n)}}
		for i := range routes {
			routes[i] = Route{ID: fmt.Sprint(i), Hosts: []string{host}, Paths: []string{path}, Headers: loc}
		}
		routes[n-1].Methods = []string{"POST"}
		r := mustNew(t, routes)
		h := testHeaders{"location": {fmt.Sprintf("somewhere-%d", n)}}
		runMatchCases(t, r, []matchCase{{"target", req("POST", path, host).with(h), fmt.Sprint(n - 1)}})
	})
}

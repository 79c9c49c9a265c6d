// Package kongfixture holds Kong's router path-handling fixture
// (spec/fixtures/router_path_handling_tests.lua, Kong 3.9.x) as Go data, so
// the httppath unit tests and the router's end-to-end tests replay the same
// table. Only tests import it.
package kongfixture

// PathHandling is one row of the fixture. Like the fixture, a row may list
// several strip_path and path_handling values; it expands to every
// combination.
type PathHandling struct {
	ServicePath string
	RoutePath   string // "" = the route matched by host, not by path
	Strip       []bool
	Handling    []string
	Request     string
	Want        string
}

var (
	both = []bool{false, true}
	off  = []bool{false}
	on   = []bool{true}
	v0v1 = []string{"v0", "v1"}
	v0   = []string{"v0"}
	v1   = []string{"v1"}
)

// PathHandlingRows reproduces the fixture row by row (the comments are the
// fixture's own row numbers).
var PathHandlingRows = []PathHandling{
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
	{"/srv", "/rou", off, v0, "/roureq", "/srv/roureq"},
	{"/srv", "/rou", off, v1, "/roureq", "/srvroureq"},
	{"/srv", "/rou", on, v0, "/roureq", "/srv/req"},
	{"/srv", "/rou", on, v1, "/roureq", "/srvreq"},
	// 19
	{"/srv/", "/rou", off, v0v1, "/rou", "/srv/rou"},
	{"/srv/", "/rou", on, v0, "/rou", "/srv"},
	{"/srv/", "/rou", on, v1, "/rou", "/srv/"},
	// 22
	{"/service", "/", both, v0v1, "/", "/service"},
	{"/service", "/", both, v0, "/route", "/service/route"},
	{"/service", "/", both, v1, "/route", "/serviceroute"},
	{"/service", "/", both, v0, "/route/", "/service/route/"},
	{"/service", "/", both, v1, "/route/", "/serviceroute/"},
	// 27
	{"/service", "/", both, v0, "/routereq", "/service/routereq"},
	{"/service", "/", both, v1, "/routereq", "/serviceroutereq"},
	{"/service", "/", both, v0, "/route/req", "/service/route/req"},
	{"/service", "/", both, v1, "/route/req", "/serviceroute/req"},
	// 31
	{"/service", "/route", off, v0, "/route", "/service/route"},
	{"/service", "/route", off, v1, "/route", "/serviceroute"},
	{"/service", "/route", off, v0, "/route/", "/service/route/"},
	{"/service", "/route", off, v1, "/route/", "/serviceroute/"},
	{"/service", "/route", off, v0, "/routereq", "/service/routereq"},
	{"/service", "/route", off, v1, "/routereq", "/serviceroutereq"},
	{"/service", "/route", on, v0v1, "/route", "/service"},
	{"/service", "/route", on, v0v1, "/route/", "/service/"},
	{"/service", "/route", on, v0, "/routereq", "/service/req"},
	{"/service", "/route", on, v1, "/routereq", "/servicereq"},
	// 41
	{"/service", "/route/", off, v0, "/route/", "/service/route/"},
	{"/service", "/route/", off, v1, "/route/", "/serviceroute/"},
	{"/service", "/route/", off, v0, "/route/req", "/service/route/req"},
	{"/service", "/route/", off, v1, "/route/req", "/serviceroute/req"},
	{"/service", "/route/", on, v0, "/route/", "/service/"},
	{"/service", "/route/", on, v1, "/route/", "/service"},
	{"/service", "/route/", on, v0, "/route/req", "/service/req"},
	{"/service", "/route/", on, v1, "/route/req", "/servicereq"},
	// 49
	{"/service/", "/", both, v0, "/route/", "/service/route/"},
	{"/service/", "/", both, v1, "/route/", "/service/route/"},
	{"/service/", "/", both, v0v1, "/", "/service/"},
	{"/service/", "/", both, v0v1, "/route", "/service/route"},
	{"/service/", "/", both, v0v1, "/routereq", "/service/routereq"},
	{"/service/", "/", both, v0v1, "/route/req", "/service/route/req"},
	// 55
	{"/service/", "/route", off, v0v1, "/route", "/service/route"},
	{"/service/", "/route", off, v0v1, "/route/", "/service/route/"},
	{"/service/", "/route", off, v0v1, "/routereq", "/service/routereq"},
	{"/service/", "/route", on, v0, "/route", "/service"},
	{"/service/", "/route", on, v1, "/route", "/service/"},
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
	{"/service", "", both, v0, "/route", "/service/route"},
	{"/service", "", both, v1, "/route", "/serviceroute"},
	{"/service", "", both, v0, "/route/", "/service/route/"},
	{"/service", "", both, v1, "/route/", "/serviceroute/"},
	// 74
	{"/service/", "", both, v0v1, "/", "/service/"},
	{"/service/", "", both, v0v1, "/route", "/service/route"},
	{"/service/", "", both, v0v1, "/route/", "/service/route/"}}

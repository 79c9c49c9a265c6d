package router

import (
	"errors"
	"fmt"
	"net/textproto"
	"regexp"
	"slices"
	"strings"
)

// entry is one (route, path) pair. Like Kong since 3.3, a route with several
// paths is split so that each path is ranked with its own priority.
type entry struct {
	route    *Route
	routeIdx int // position in the routes given to New, for deterministic ties
	pathIdx  int

	path     string     // route path as configured, "" when the route has none
	plainLen int        // bytes a plain path consumes (len(path))
	re       *pathRegex // nil for plain paths

	methods []string
	headers []headerMatcher
	snis    []string
	hosts   []hostPattern

	prio     priority
	category category
	key      uint64 // rank key, see rankEntries
}

// hostPattern is a parsed route host.
type hostPattern struct {
	kind hostKind
	name string // lower-cased; for wildcards the part without '*'
	port int    // -1 when the route host carries no port
}

type hostKind uint8

const (
	hostExact  hostKind = iota
	hostSuffix          // "*.example.com": name ".example.com"
	hostPrefix          // "example.*": name "example."
)

// headerMatcher is one configured header: the request must carry the header
// with any of the literal values (compared case-insensitively) or a value
// matching one of the "~*" regexes.
type headerMatcher struct {
	name    string           // canonical MIME form, as fasthttp stores names
	values  []string         // ASCII lower-cased literal values
	regexes []*regexp.Regexp // compiled with (?i), unanchored like Kong
}

var httpProtocols = []string{"http", "https", "grpc", "grpcs"}

// servesHTTP reports whether a route can match HTTP requests. A route
// without protocols gets Kong's default {"http", "https"}. The request scheme
// is deliberately not checked: a route lacking it still matches so the proxy
// can answer 426 or redirect.
func servesHTTP(rt *Route) bool {
	if len(rt.Protocols) == 0 {
		return true
	}
	for _, p := range rt.Protocols {
		if slices.Contains(httpProtocols, p) {
			return true
		}
	}
	return false
}

// compileRoute turns a route into its entries, one per path (or a single
// path-less entry).
func compileRoute(rt *Route, routeIdx int) ([]entry, error) {
	if len(rt.Methods)+len(rt.Hosts)+len(rt.Paths)+len(rt.Headers)+len(rt.SNIs) == 0 {
		return nil, &RouteError{RouteID: rt.ID, Err: errors.New("no methods, hosts, headers, paths or snis to match on")}
	}
	headers, err := compileHeaders(rt)
	if err != nil {
		return nil, err
	}
	base := entry{
		route:    rt,
		routeIdx: routeIdx,
		methods:  rt.Methods,
		headers:  headers,
		snis:     compileSNIs(rt.SNIs),
		hosts:    compileHosts(rt.Hosts),
	}
	base.prio = basePriority(rt)
	base.category = routeCategory(rt)

	if len(rt.Paths) == 0 {
		return []entry{base}, nil
	}
	entries := make([]entry, 0, len(rt.Paths))
	for i, p := range rt.Paths {
		e := base
		e.pathIdx = i
		e.path = p
		if strings.HasPrefix(p, "~") {
			re, err := compilePathRegex(p[1:])
			if err != nil {
				return nil, &RouteError{RouteID: rt.ID, Err: fmt.Errorf("invalid regex path %q: %w", p, err)}
			}
			e.re = re
			e.prio.regex = true
			e.prio.regexPriority = rt.RegexPriority
		} else {
			e.plainLen = len(p)
			e.prio.plainLen = len(p) & maxPlainLen
		}
		entries = append(entries, e)
	}
	return entries, nil
}

// compileHeaders builds one matcher per configured header name, in name
// order so that New is deterministic. Like Kong's ATC router, "_" in a name
// stands for "-" and every value starting with "~*" is a regex.
func compileHeaders(rt *Route) ([]headerMatcher, error) {
	names := make([]string, 0, len(rt.Headers))
	for name := range rt.Headers {
		names = append(names, name)
	}
	slices.Sort(names)

	matchers := make([]headerMatcher, 0, len(names))
	for _, name := range names {
		values := rt.Headers[name]
		if len(values) == 0 {
			return nil, &RouteError{RouteID: rt.ID, Err: fmt.Errorf("header %q has no values", name)}
		}
		m := headerMatcher{name: canonicalHeader(name)}
		for _, v := range values {
			if pattern, ok := strings.CutPrefix(v, "~*"); ok {
				re, err := regexp.Compile("(?i)" + pattern)
				if err != nil {
					return nil, &RouteError{RouteID: rt.ID, Err: fmt.Errorf("invalid regex %q for header %q: %w", pattern, name, err)}
				}
				m.regexes = append(m.regexes, re)
				continue
			}
			m.values = append(m.values, string(lowerASCII(nil, []byte(v))))
		}
		matchers = append(matchers, m)
	}
	return matchers, nil
}

func canonicalHeader(name string) string {
	return textproto.CanonicalMIMEHeaderKey(strings.ReplaceAll(name, "_", "-"))
}

// compileSNIs lower-cases SNIs and drops a trailing dot, which Kong ignores
// for routing.
func compileSNIs(snis []string) []string {
	if len(snis) == 0 {
		return nil
	}
	out := make([]string, len(snis))
	for i, s := range snis {
		if len(s) > 1 && s[len(s)-1] == '.' {
			s = s[:len(s)-1]
		}
		out[i] = string(lowerASCII(nil, []byte(s)))
	}
	return out
}

func compileHosts(hosts []string) []hostPattern {
	out := make([]hostPattern, 0, len(hosts))
	for _, h := range hosts {
		name, port := splitRouteHostPort(h)
		name = string(lowerASCII(nil, []byte(name)))
		hp := hostPattern{kind: hostExact, name: name, port: port}
		switch {
		case strings.HasPrefix(name, "*"):
			hp.kind, hp.name = hostSuffix, name[1:]
		case strings.HasSuffix(name, "*"):
			hp.kind, hp.name = hostPrefix, name[:len(name)-1]
		}
		out = append(out, hp)
	}
	return out
}

// splitRouteHostPort splits "host:port" (or "[v6]:port"); port is -1 when
// absent or not a number, in which case the whole string is the host, as in
// Kong's split_host_port.
func splitRouteHostPort(h string) (string, int) {
	host, port := splitHostPort([]byte(h))
	return string(host), port
}

// splitHostPort splits a Host header value into host and port. The port is
// -1 when missing or malformed; a malformed port is kept as part of the host
// (so it matches no route host), an empty one ("host:") is dropped.
func splitHostPort(h []byte) ([]byte, int) {
	colon := -1
	if len(h) > 0 && h[0] == '[' {
		end := indexByte(h, ']')
		if end < 0 {
			return h, -1
		}
		if end+1 < len(h) && h[end+1] == ':' {
			colon = end + 1
		}
	} else {
		colon = indexByte(h, ':')
	}
	if colon < 0 {
		return h, -1
	}
	if colon == len(h)-1 {
		return h[:colon], -1
	}
	port, ok := parsePort(h[colon+1:])
	if !ok {
		return h, -1
	}
	return h[:colon], port
}

func parsePort(b []byte) (int, bool) {
	if len(b) == 0 || len(b) > 5 {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, n <= 65535
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// lowerASCII appends b to dst with ASCII letters lower-cased. Kong lowers
// hosts and header values the same way (Lua's string.lower).
func lowerASCII(dst, b []byte) []byte {
	for _, c := range b {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// equalFoldASCII reports whether b equals the already lower-cased s,
// ignoring ASCII case in b.
func equalFoldASCII(b []byte, lower string) bool {
	if len(b) != len(lower) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// RouteError reports a route that cannot be compiled. Callers can drop that
// route and build the rest, so one bad entry never takes routing down.
type RouteError struct {
	RouteID string
	Err     error
}

func (e *RouteError) Error() string { return fmt.Sprintf("router: route %q: %v", e.RouteID, e.Err) }

func (e *RouteError) Unwrap() error { return e.Err }

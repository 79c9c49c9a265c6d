// Package router selects the route that serves an HTTP request, with the
// semantics of Kong's default `traditional_compatible` router flavor
// (kong-compat §3.2/§3.3, Kong 3.9 kong/router/transform.lua and atc.lua).
//
// New compiles a route set into an immutable index; Match is safe for
// concurrent use, allocation-free, and its cost does not grow with the number
// of routes: candidates are found through a host index (exact map, then
// wildcard suffix/prefix maps), then a radix tree over the normalized path
// (plain prefixes, and regex routes under their literal prefix), and only
// those candidates have their methods, headers and SNIs checked. The winner
// is the candidate with the best Kong priority (see priority.go).
package router

import "sync"

// Route is one route as the router sees it. Its fields are read-only after
// New; New keeps a copy of the struct but shares the slices and map.
type Route struct {
	ID, Name      string
	Protocols     []string            // "http","https","grpc","grpcs" (others ignored: stream routes never match HTTP)
	Methods       []string            // uppercase
	Hosts         []string            // exact, "*.example.com", "example.*", optional ":port"
	Paths         []string            // plain prefix "/x" or regex "~/re" (already validated/normalized)
	Headers       map[string][]string // name (any case) -> values; a single value "~*re" is a case-insensitive regex
	SNIs          []string
	RegexPriority int
	CreatedAt     int64
	Value         any // caller payload, returned untouched
}

// Headers gives the router access to request headers. It is satisfied by
// *fasthttp.RequestHeader. Only the first value of a repeated header is seen
// unless the implementation also satisfies MultiHeaders.
type Headers interface{ Peek(key string) []byte }

// MultiHeaders is optionally implemented by a Headers value to expose every
// value of a repeated header, which Kong matches individually ("any value
// matches"). *fasthttp.RequestHeader implements it. The returned slice only
// needs to stay valid until the next PeekAll call.
type MultiHeaders interface {
	Headers
	PeekAll(key string) [][]byte
}

// Request holds the attributes a route can match on.
type Request struct {
	Method  []byte
	Host    []byte  // raw Host header, may carry ":port"
	Path    []byte  // already normalized with httppath.Normalize, no query
	SNI     []byte  // TLS server name, empty for plain HTTP
	Scheme  string  // "http" or "https" (the listener's)
	Port    int     // listener port, used when Host carries none
	Headers Headers // may be nil when no route uses headers
}

// Match describes the route that won.
type Match struct {
	Route      *Route
	Path       string // the route path that matched ("" if the route has no paths)
	MatchedLen int    // bytes of Request.Path consumed by the path match (for strip_path)
}

// Router is an immutable index of routes. The zero value matches nothing;
// build one with New.
type Router struct {
	routes  []Route // owned copies; entries point into it
	entries []entry // one per (route, path) pair
	nHTTP   int     // routes that can match HTTP requests

	exact  map[string]*bucket // lower-cased host without port
	suffix map[string]*bucket // ".example.com" for "*.example.com"
	prefix map[string]*bucket // "example." for "example.*"
	odd    []oddWildcard      // wildcards not anchored on a dot (outside Kong's schema)
	any    *bucket            // routes without hosts
}

// New compiles routes into a Router. Routes whose protocols contain none of
// http, https, grpc or grpcs are left out (stream routes never match HTTP).
// It fails, naming the route, when a path or header regex does not compile
// or when an HTTP route has nothing to match on.
func New(routes []Route) (*Router, error) {
	r := &Router{routes: append([]Route(nil), routes...)}
	n := 0
	for i := range routes {
		n += max(1, len(routes[i].Paths))
	}
	r.entries = make([]entry, 0, n)
	for i := range r.routes {
		rt := &r.routes[i]
		if !servesHTTP(rt) {
			continue
		}
		entries, err := compileRoute(rt, i)
		if err != nil {
			return nil, err
		}
		r.entries = append(r.entries, entries...)
		r.nHTTP++
	}
	rankEntries(r.entries)
	r.buildIndex()
	return r, nil
}

// Len returns the number of routes the router can match HTTP requests
// against (stream-only routes given to New are not counted).
func (r *Router) Len() int { return r.nHTTP }

// Match finds the route that serves req and describes it in m. It reports
// false, and zeroes m, when no route matches. It is safe for concurrent use
// and does not allocate, short of a regex route being tried on a path so
// long (over 256K regex states) that it falls back to the standard library.
func (r *Router) Match(req *Request, m *Match) bool {
	s := search{req: req, path: req.Path, best: noMatch}
	host, port := splitHostPort(req.Host)
	if port < 0 {
		port = req.Port
	}
	s.port = port

	// Route hosts are stored lower-cased, so the request host is looked up
	// lower-cased: as is when it has no upper-case letter, else lowered
	// into a stack buffer (a pooled one for hosts longer than DNS allows).
	switch {
	case len(host) == 0:
	case !hasUpperASCII(host):
		r.searchHost(&s, host)
	case len(host) <= maxHostLen:
		var buf [maxHostLen]byte
		r.searchHost(&s, lowerASCII(buf[:0], host))
	default:
		buf := hostBufPool.Get().(*[]byte)
		*buf = lowerASCII((*buf)[:0], host)
		r.searchHost(&s, *buf)
		hostBufPool.Put(buf)
	}
	s.bucket(r.any)

	if s.winner == nil {
		*m = Match{}
		return false
	}
	*m = Match{Route: s.winner.route, Path: s.winner.path, MatchedLen: s.matchedLen}
	return true
}

// hostBufPool holds buffers for lower-casing overlong Host headers.
var hostBufPool = sync.Pool{New: func() any { return new([]byte) }}

// searchHost visits every bucket whose host pattern matches host: the exact
// host, then "*.suffix" patterns at each dot, then "prefix.*" patterns.
// The wildcard must cover at least one character, hence the index bounds.
func (r *Router) searchHost(s *search, host []byte) {
	s.bucket(r.exact[string(host)])
	if len(r.suffix) > 0 {
		for i := 1; i < len(host); i++ {
			if host[i] == '.' {
				s.bucket(r.suffix[string(host[i:])])
			}
		}
	}
	if len(r.prefix) > 0 {
		for i := 0; i < len(host)-1; i++ {
			if host[i] == '.' {
				s.bucket(r.prefix[string(host[:i+1])])
			}
		}
	}
	for i := range r.odd {
		if r.odd[i].matches(host) {
			s.bucket(r.odd[i].bucket)
		}
	}
}

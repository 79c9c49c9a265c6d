package router

import (
	"fmt"
	"math/rand/v2"
	"net/textproto"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// refResult is what the reference matcher decides.
type refResult struct {
	id         string
	path       string
	matchedLen int
}

// refMatch is a deliberately naive reference for Match: it checks every
// (route, path) pair against the request and keeps the best one by the
// documented ordering. It shares no code with the index.
func refMatch(routes []Route, rq *Request) (refResult, bool) {
	type candidate struct {
		res       refResult
		rankKey   []int
		createdAt int64
		routeIdx  int
		pathIdx   int
	}
	var best *candidate
	better := func(a, b *candidate) bool {
		if c := slices.Compare(a.rankKey, b.rankKey); c != 0 {
			return c < 0
		}
		if a.createdAt != b.createdAt {
			return a.createdAt < b.createdAt
		}
		if a.res.id != b.res.id {
			return a.res.id < b.res.id
		}
		if a.routeIdx != b.routeIdx {
			return a.routeIdx < b.routeIdx
		}
		return a.pathIdx < b.pathIdx
	}

	reqHost, reqPort := refSplitHost(string(rq.Host))
	if reqPort < 0 {
		reqPort = rq.Port
	}
	for ri := range routes {
		rt := &routes[ri]
		if !refServesHTTP(rt) {
			continue
		}
		hostOK, portMatched := refHostMatch(rt.Hosts, reqHost, reqPort)
		if !hostOK || !refMethod(rt, rq) || !refSNI(rt, rq) || !refHeaders(rt, rq) {
			continue
		}
		paths := rt.Paths
		if len(paths) == 0 {
			paths = []string{""}
		}
		for pi, p := range paths {
			matchedLen, ok := refPath(p, string(rq.Path))
			if !ok {
				continue
			}
			c := &candidate{
				res:       refResult{id: rt.ID, path: p, matchedLen: matchedLen},
				rankKey:   refRankKey(rt, p, portMatched),
				createdAt: rt.CreatedAt,
				routeIdx:  ri,
				pathIdx:   pi,
			}
			if best == nil || better(c, best) {
				best = c
			}
		}
	}
	if best == nil {
		return refResult{}, false
	}
	return best.res, true
}

// refRankKey lists, most significant first and smaller-is-better, the
// priority fields of get_priority, the category order, then the port
// preference.
func refRankKey(rt *Route, path string, portMatched bool) []int {
	weight := 0
	for _, n := range []int{len(rt.Methods), len(rt.Hosts), len(rt.Headers), len(rt.SNIs), len(rt.Paths)} {
		if n > 0 {
			weight++
		}
	}
	plainHosts := len(rt.Hosts) > 0
	for _, h := range rt.Hosts {
		if strings.Contains(h, "*") {
			plainHosts = false
		}
	}
	regex := strings.HasPrefix(path, "~")
	regexPriority, plainLen := 0, 0
	if regex {
		regexPriority = rt.RegexPriority
	} else {
		plainLen = len(path)
	}
	category := 0
	for i, n := range []int{len(rt.Hosts), len(rt.Headers), len(rt.Paths), len(rt.Methods), len(rt.SNIs)} {
		if n > 0 {
			category |= 0x40 >> i
		}
	}
	return []int{-weight, -b2i(plainHosts), -min(len(rt.Headers), 255), -b2i(regex), -regexPriority, -plainLen, -category, -b2i(portMatched)}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func refServesHTTP(rt *Route) bool {
	if len(rt.Protocols) == 0 {
		return true
	}
	for _, p := range rt.Protocols {
		switch p {
		case "http", "https", "grpc", "grpcs":
			return true
		}
	}
	return false
}

func refSplitHost(h string) (string, int) {
	name, port, found := strings.Cut(h, ":")
	if strings.HasPrefix(h, "[") { // IPv6 literal: the port follows "]:"
		end := strings.Index(h, "]")
		found = end >= 0 && strings.HasPrefix(h[end+1:], ":")
		if found {
			name, port = h[:end+1], h[end+2:]
		}
	}
	if !found {
		return refLower(h), -1
	}
	if port == "" {
		return refLower(name), -1
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 0 || n > 65535 || len(port) > 5 || strings.ContainsAny(port, "+-") {
		return refLower(h), -1
	}
	return refLower(name), n
}

// refLower lower-cases ASCII letters only, like Lua's string.lower; unlike
// strings.ToLower it leaves invalid UTF-8 alone.
func refLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// refHostMatch reports whether any route host matches, and whether one
// with an explicit port did.
func refHostMatch(hosts []string, host string, port int) (ok, portMatched bool) {
	if len(hosts) == 0 {
		return true, false
	}
	for _, h := range hosts {
		name, hp := refSplitHost(h)
		var nameOK bool
		switch {
		case strings.HasPrefix(name, "*"):
			nameOK = len(host) > len(name)-1 && strings.HasSuffix(host, name[1:])
		case strings.HasSuffix(name, "*"):
			nameOK = len(host) > len(name)-1 && strings.HasPrefix(host, name[:len(name)-1])
		default:
			nameOK = host == name
		}
		if !nameOK || host == "" || (hp >= 0 && hp != port) {
			continue
		}
		ok = true
		if hp >= 0 {
			portMatched = true
		}
	}
	return ok, portMatched
}

func refMethod(rt *Route, rq *Request) bool {
	return len(rt.Methods) == 0 || slices.Contains(rt.Methods, string(rq.Method))
}

func refSNI(rt *Route, rq *Request) bool {
	if len(rt.SNIs) == 0 || rq.Scheme != "https" {
		return true
	}
	for _, s := range rt.SNIs {
		if strings.EqualFold(strings.TrimSuffix(s, "."), string(rq.SNI)) {
			return true
		}
	}
	return false
}

func refHeaders(rt *Route, rq *Request) bool {
	for name, values := range rt.Headers {
		if rq.Headers == nil {
			return false
		}
		canonical := textproto.CanonicalMIMEHeaderKey(strings.ReplaceAll(name, "_", "-"))
		var got [][]byte
		if mh, ok := rq.Headers.(MultiHeaders); ok {
			got = mh.PeekAll(canonical)
		} else if v := rq.Headers.Peek(canonical); len(v) > 0 {
			got = [][]byte{v}
		}
		if !slices.ContainsFunc(got, func(v []byte) bool { return refHeaderValue(values, string(v)) }) {
			return false
		}
	}
	return true
}

func refHeaderValue(values []string, v string) bool {
	for _, want := range values {
		if pattern, ok := strings.CutPrefix(want, "~*"); ok {
			if regexp.MustCompile("(?i)" + pattern).MatchString(v) {
				return true
			}
		} else if strings.EqualFold(want, v) {
			return true
		}
	}
	return false
}

func refPath(p, path string) (int, bool) {
	switch {
	case p == "":
		return 0, true
	case strings.HasPrefix(p, "~"):
		loc := regexp.MustCompile("^(?:" + p[1:] + ")").FindStringIndex(path)
		if loc == nil {
			return 0, false
		}
		return loc[1], true
	case strings.HasPrefix(path, p):
		return len(p), true
	}
	return 0, false
}

// Pools of values, small enough that random routes and requests collide.
var (
	poolHosts = []string{
		"a.com", "b.com", "x.a.com", "y.x.a.com", "a.org", "A.Com", "*.a.com", "*.x.a.com",
		"a.*", "x.*", "a.com:8080", "*.a.com:8080", "a.*:8080", "x.a.com:80", "*a.com",
	}
	poolPaths = []string{
		"/", "/a", "/ab", "/a/b", "/a/b/c", "/b", "/abc/d", "/a/", "/b/c",
		`~/a/\d+`, `~/a`, `~/(a|b)/c`, `~/a/[0-9]*$`, `~/A`, `~/a(?i)B`, `~/\w+/c`, `~/ab|/b`, `~/`, `~/a/\d*/x`,
	}
	poolMethods  = []string{"GET", "POST", "PUT"}
	poolHdrNames = []string{"X-A", "x_b", "X-C"}
	poolHdrVals  = []string{"1", "2", "V", `~*^v\d$`}
	poolSNIs     = []string{"s.com", "t.com."}

	poolReqHosts = []string{"a.com", "b.com", "x.a.com", "y.x.a.com", "a.org", "a.com:8080", "A.COM", "x.a.com:8080", "a.co.uk", "", "a.org:9", "x.a.com:80", "ba.com"}
	poolReqPaths = []string{"/", "/a", "/ab", "/a/1", "/a/12/x", "/a/b", "/a/b/c", "/b/c", "/abc/d", "/zz", "/aB", "/a/", "/a//x", "/b"}
	poolReqVals  = []string{"1", "2", "v", "V7", "x"}
)

func pick[T any](rng *rand.Rand, pool []T) T { return pool[rng.IntN(len(pool))] }

func pickN[T any](rng *rand.Rand, pool []T, max int) []T {
	n := 1 + rng.IntN(max)
	out := make([]T, 0, n)
	for range n {
		out = append(out, pick(rng, pool))
	}
	return out
}

func randomRoute(rng *rand.Rand, id int) Route {
	rt := Route{ID: fmt.Sprintf("r%03d", id), RegexPriority: rng.IntN(4) - 1, CreatedAt: int64(rng.IntN(3))}
	for len(rt.Methods)+len(rt.Hosts)+len(rt.Paths)+len(rt.Headers)+len(rt.SNIs) == 0 {
		if rng.IntN(3) == 0 {
			rt.Methods = pickN(rng, poolMethods, 2)
		}
		if rng.IntN(2) == 0 {
			rt.Hosts = pickN(rng, poolHosts, 3)
		}
		if rng.IntN(3) != 0 {
			rt.Paths = pickN(rng, poolPaths, 3)
		}
		if rng.IntN(3) == 0 {
			rt.Headers = map[string][]string{}
			for range 1 + rng.IntN(2) {
				rt.Headers[pick(rng, poolHdrNames)] = pickN(rng, poolHdrVals, 2)
			}
		}
		if rng.IntN(6) == 0 {
			rt.SNIs = pickN(rng, poolSNIs, 2)
		}
	}
	switch rng.IntN(10) {
	case 0:
		rt.Protocols = []string{"https"}
	case 1:
		rt.Protocols = []string{"tcp"}
	}
	return rt
}

func randomRequest(rng *rand.Rand) *Request {
	rq := req(pick(rng, []string{"GET", "POST", "PUT", "DELETE"}), pick(rng, poolReqPaths), pick(rng, poolReqHosts))
	if rng.IntN(2) == 0 {
		rq.Port = 8080
	}
	if rng.IntN(3) == 0 {
		rq.Scheme, rq.SNI = "https", []byte(pick(rng, []string{"s.com", "t.com", "u.com"}))
	}
	switch rng.IntN(3) {
	case 0:
		h := testHeaders{}
		for range rng.IntN(4) {
			name := pick(rng, []string{"X-A", "X-B", "x-c"})
			h[name] = append(h[name], pick(rng, poolReqVals))
		}
		rq.Headers = h
	case 1:
		h := singleHeaders{}
		for range rng.IntN(3) {
			h[pick(rng, []string{"X-A", "X-B", "X-C"})] = pick(rng, poolReqVals)
		}
		rq.Headers = h
	}
	return rq
}

// checkAgainstReference compares Match with refMatch on one request.
func checkAgainstReference(t *testing.T, r *Router, routes []Route, rq *Request) {
	t.Helper()
	var m Match
	ok := r.Match(rq, &m)
	want, wantOK := refMatch(routes, rq)
	got := refResult{}
	if ok {
		got = refResult{id: m.Route.ID, path: m.Path, matchedLen: m.MatchedLen}
	}
	if ok != wantOK || got != want {
		t.Fatalf("request %s %s host=%q port=%d scheme=%s sni=%q headers=%v:\n  index     %+v (%v)\n  reference %+v (%v)\nroutes:\n%s",
			rq.Method, rq.Path, rq.Host, rq.Port, rq.Scheme, rq.SNI, rq.Headers, got, ok, want, wantOK, describeRoutes(routes))
	}
}

func describeRoutes(routes []Route) string {
	var b strings.Builder
	for _, rt := range routes {
		fmt.Fprintf(&b, "  %s proto=%v methods=%v hosts=%v paths=%v headers=%v snis=%v rp=%d created=%d\n",
			rt.ID, rt.Protocols, rt.Methods, rt.Hosts, rt.Paths, rt.Headers, rt.SNIs, rt.RegexPriority, rt.CreatedAt)
	}
	return b.String()
}

func TestMatchAgreesWithLinearReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for set := range 400 {
		n := 1 + rng.IntN(12)
		if set%20 == 0 {
			n = 150 + rng.IntN(150) // big sets exercise the header value index
		}
		routes := make([]Route, n)
		for i := range routes {
			routes[i] = randomRoute(rng, i)
		}
		r := mustNew(t, routes)
		for range 200 {
			checkAgainstReference(t, r, routes, randomRequest(rng))
		}
	}
}

func TestHeaderIndexAgreesWithReference(t *testing.T) {
	// Many routes on one path that differ only by a header value, so the
	// path's item list is indexed by that header.
	rng := rand.New(rand.NewPCG(3, 4))
	var routes []Route
	for i := range 60 {
		rt := Route{ID: fmt.Sprintf("t%02d", i), Paths: []string{"/tenant"}, Headers: map[string][]string{
			"X-Tenant": {fmt.Sprintf("T%d", i%20), fmt.Sprintf("alias%d", i)},
		}}
		if i%7 == 0 {
			rt.Headers["X-Tenant"] = []string{`~*^t1\d$`}
		}
		if i%5 == 0 {
			rt.Headers["X-Other"] = []string{"o"}
		}
		routes = append(routes, rt)
	}
	routes = append(routes, Route{ID: "fallback", Paths: []string{"/"}})
	r := mustNew(t, routes)
	long := strings.Repeat("X", maxIndexedValueLen+1)
	for range 2000 {
		h := testHeaders{}
		for range rng.IntN(3) {
			h["x-tenant"] = append(h["x-tenant"], pick(rng, []string{"t3", "T3", "ALIAS7", "t15", "nope", long}))
		}
		if rng.IntN(2) == 0 {
			h["X-Other"] = []string{"O"}
		}
		if rng.IntN(10) == 0 {
			for range maxIndexedValues + 1 {
				h["x-tenant"] = append(h["x-tenant"], "nope")
			}
		}
		checkAgainstReference(t, r, routes, req("GET", "/tenant/x", "").with(h))
	}
}

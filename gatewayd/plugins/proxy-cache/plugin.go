// Package proxycache is Kong's proxy-cache plugin: it caches upstream
// responses in memory by a key derived from the request, serves later
// matching requests from the cache, and reports what happened in
// X-Cache-Status (Miss, Hit, Refresh or Bypass).
package proxycache

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
)

// Name and Priority are Kong 3.9's.
const (
	Name     = "proxy-cache"
	Priority = 100
)

// Response headers the plugin sets.
const (
	hdrStatus = "X-Cache-Status"
	hdrKey    = "X-Cache-Key"
	hdrAge    = "Age"
	hdrDebug  = "Kong-Debug"
)

// X-Cache-Status values.
const (
	statusMiss    = "Miss"
	statusHit     = "Hit"
	statusRefresh = "Refresh"
	statusBypass  = "Bypass"
)

func init() {
	plugin.Register(plugin.Spec{
		Name:        Name,
		Priority:    Priority,
		Description: "Cache and serve commonly requested responses in memory.",
		Config:      configFields(),
		New:         New,
	})
}

// proxyCache is one compiled proxy-cache configuration.
type proxyCache struct {
	methods      []string
	statuses     [901]bool
	contentTypes []mediaType
	cacheTTL     int64
	storageTTL   int64
	hasStorage   bool
	cacheControl bool

	ignoreURICase   bool
	varyQuery       []string
	varyHeaders     []string
	varyHeaderNames []string

	showAge, showStatus, showKey bool

	store *store
	now   func() time.Time
}

// New compiles one proxy-cache configuration.
func New(env *plugin.Env) (any, error) {
	cfg := env.Config
	p := &proxyCache{
		methods:       strList(cfg["request_method"]),
		cacheTTL:      int64(num(cfg["cache_ttl"], 300)),
		cacheControl:  cfg["cache_control"] == true,
		ignoreURICase: cfg["ignore_uri_case"] == true,
		varyQuery:     strList(cfg["vary_query_params"]),
		varyHeaders:   strList(cfg["vary_headers"]),
		showAge:       true, showStatus: true, showKey: true,
		now: env.Host.Now,
	}
	if p.now == nil {
		p.now = time.Now
	}
	for _, v := range anyList(cfg["response_code"]) {
		if n, ok := v.(float64); ok && n >= 0 && int(n) < len(p.statuses) {
			p.statuses[int(n)] = true
		}
	}
	for _, ct := range strList(cfg["content_type"]) {
		if m, ok := parseMediaType(ct); ok {
			p.contentTypes = append(p.contentTypes, m)
		}
	}
	if v, ok := cfg["storage_ttl"].(float64); ok {
		p.storageTTL, p.hasStorage = int64(v), true
	}
	for _, h := range p.varyHeaders {
		p.varyHeaderNames = append(p.varyHeaderNames, strings.ReplaceAll(h, "_", "-"))
	}
	if rh, ok := cfg["response_headers"].(map[string]any); ok {
		p.showAge = rh["age"] != false
		p.showStatus = rh[hdrStatus] != false
		p.showKey = rh[hdrKey] != false
	}
	dict := "kong_db_cache"
	if mem, ok := cfg["memory"].(map[string]any); ok {
		if name, ok := mem["dictionary_name"].(string); ok {
			dict = name
		}
	}
	v, err := env.Host.Keep("proxy-cache/"+dict, func() (any, error) { return newStore(storeCapacity), nil })
	if err != nil {
		return nil, fmt.Errorf("opening the %q cache dictionary: %w", dict, err)
	}
	p.store = v.(*store)
	return p, nil
}

// pending is the per-request state of a cacheable request on its way
// upstream (Kong's kong.ctx.plugin.proxy_cache).
type pending struct {
	key       string
	cacheable bool
	headers   []header
	ctype     string
	ttl       float64
}

// Access serves the request from the cache, or marks it to be stored.
func (p *proxyCache) Access(c *plugin.Context) {
	debug := c.Header(hdrDebug) != nil
	var cc directives
	if p.cacheControl {
		cc = parseDirectives(c.HeaderValues("Cache-Control"))
	}
	if !p.cacheableRequest(c, &cc) {
		p.setHeader(c, debug, p.showStatus, hdrStatus, statusBypass)
		return
	}
	key := p.cacheKey(c)
	p.setHeader(c, debug, p.showKey, hdrKey, key)

	now := p.now()
	e := p.store.fetch(key, now)
	if e == nil {
		// Not cached, but the client only wants cached data (RFC 7234
		// 5.2.1.7).
		if p.cacheControl && cc.onlyIfCached {
			c.Exit(504, nil, "")
			return
		}
		p.signal(c, debug, key, statusMiss)
		return
	}

	age := now.Unix() - e.timestamp
	if p.cacheControl {
		if cc.hasMaxAge && float64(age) > cc.maxAge ||
			cc.hasMaxStale && float64(age)-e.ttl > cc.maxStale ||
			cc.hasMinFresh && e.ttl-float64(age) < cc.minFresh {
			p.signal(c, debug, key, statusRefresh)
			return
		}
	} else if age > p.cacheTTL {
		// Stored up to storage_ttl, but not served once stale.
		p.signal(c, debug, key, statusRefresh)
		return
	}

	c.Exit(e.status, e.body, e.contentType)
	for _, h := range e.headers {
		if h.first {
			c.SetResponseHeader(h.name, h.value)
		} else {
			c.AddResponseHeader(h.name, h.value)
		}
	}
	p.setHeader(c, debug, p.showAge, hdrAge, strconv.FormatInt(age, 10))
	p.setHeader(c, debug, p.showStatus, hdrStatus, statusHit)
}

// signal marks the request to be stored once its response is known.
func (p *proxyCache) signal(c *plugin.Context, debug bool, key, status string) {
	c.SetLocal(&pending{key: key})
	p.setHeader(c, debug, p.showStatus, hdrStatus, status)
}

// Response checks whether the upstream response may be stored and takes
// its headers.
func (p *proxyCache) Response(c *plugin.Context) {
	st, _ := c.Local().(*pending)
	if st == nil {
		return
	}
	var cc directives
	var expires []byte
	ctype := ""
	c.VisitResponseHeaders(func(name, value []byte) {
		switch {
		case equalFold(name, "cache-control"):
			if p.cacheControl {
				cc = mergeDirectives(cc, value)
			}
		case equalFold(name, "expires"):
			// The last one wins.
			expires = append(expires[:0], value...)
		case equalFold(name, "content-type"):
			ctype = string(value)
		}
	})
	now := p.now()
	if !p.cacheableResponse(c, &cc, ctype, expires, now) {
		p.setHeader(c, c.Header(hdrDebug) != nil, p.showStatus, hdrStatus, statusBypass)
		c.SetLocal(nil)
		return
	}
	st.cacheable = true
	st.ctype = ctype
	st.ttl = float64(p.cacheTTL)
	if p.cacheControl {
		st.ttl = resourceTTL(cc, expires, now)
	}
	seen := map[string]bool{}
	c.VisitResponseHeaders(func(name, value []byte) {
		if !storable(name) {
			return
		}
		n := string(name)
		lower := strings.ToLower(n)
		st.headers = append(st.headers, header{name: n, value: string(value), first: !seen[lower]})
		seen[lower] = true
	})
}

// Body stores the complete response of a cacheable request.
func (p *proxyCache) Body(c *plugin.Context) {
	st, _ := c.Local().(*pending)
	if st == nil || !st.cacheable {
		return
	}
	now := p.now()
	e := &entry{
		key:         st.key,
		status:      c.Status(),
		contentType: st.ctype,
		headers:     st.headers,
		body:        append([]byte(nil), c.ResponseBody()...),
		timestamp:   now.Unix(),
		ttl:         st.ttl,
	}
	// Kong's storage TTL: storage_ttl, else the resource TTL.
	ttl := st.ttl
	if p.hasStorage {
		ttl = float64(p.storageTTL)
	}
	if ttl > 0 {
		e.expires = now.Add(time.Duration(ttl * float64(time.Second)))
	}
	if !p.store.set(e) {
		c.Logger().Warn("proxy-cache: response too large for the cache dictionary", "bytes", len(e.body))
	}
	c.SetLocal(nil)
}

func (p *proxyCache) cacheableRequest(c *plugin.Context, cc *directives) bool {
	method := c.Method()
	ok := false
	for _, m := range p.methods {
		if string(method) == m {
			ok = true
			break
		}
	}
	if !ok {
		return false
	}
	// Kong also names ngx.var.authorization here, a variable nginx does
	// not define: requests with credentials stay cacheable, as in Kong.
	return !(p.cacheControl && (cc.noStore || cc.noCache))
}

func (p *proxyCache) cacheableResponse(c *plugin.Context, cc *directives, ctype string, expires []byte, now time.Time) bool {
	if s := c.Status(); s < 0 || s >= len(p.statuses) || !p.statuses[s] {
		return false
	}
	if len(ctype) == 0 {
		return false
	}
	// An unparsable type matches only "*/*", as in Kong.
	got, _ := parseMediaType(ctype)
	matched := false
	for i := range p.contentTypes {
		if p.contentTypes[i].matches(&got) {
			matched = true
			break
		}
	}
	if !matched {
		return false
	}
	if p.cacheControl && (cc.private || cc.noStore || cc.noCache) {
		return false
	}
	if p.cacheControl && resourceTTL(*cc, expires, now) <= 0 {
		return false
	}
	return true
}

// setHeader sets a diagnostic header when configured, or always for a
// request carrying Kong-Debug.
func (p *proxyCache) setHeader(c *plugin.Context, debug, enabled bool, name, value string) {
	if debug || enabled {
		c.SetResponseHeader(name, value)
	}
}

// storable reports whether a response header is replayed on hits: not
// hop-by-hop (Kong's list, Content-Length included), not a
// ratelimit-remaining counter, not one of the plugin's own headers, and
// not one the server or the gateway sets per response.
func storable(name []byte) bool {
	switch {
	case equalFold(name, "connection"), equalFold(name, "keep-alive"), equalFold(name, "proxy-authenticate"),
		equalFold(name, "proxy-authorization"), equalFold(name, "te"), equalFold(name, "trailers"),
		equalFold(name, "transfer-encoding"), equalFold(name, "upgrade"), equalFold(name, "content-length"),
		equalFold(name, "content-type"), equalFold(name, "age"), equalFold(name, "x-cache-status"),
		equalFold(name, "x-cache-key"), equalFold(name, "date"), equalFold(name, "server"),
		equalFold(name, "x-kong-request-id"):
		return false
	}
	return !containsFold(name, "ratelimit-remaining")
}

func containsFold(b []byte, s string) bool {
	for i := 0; i+len(s) <= len(b); i++ {
		if equalFold(b[i:i+len(s)], s) {
			return true
		}
	}
	return false
}

// mergeDirectives adds the directives of one more Cache-Control header.
func mergeDirectives(d directives, value []byte) directives {
	next := parseDirectives([][]byte{value})
	d.noStore = d.noStore || next.noStore
	d.noCache = d.noCache || next.noCache
	d.private = d.private || next.private
	d.onlyIfCached = d.onlyIfCached || next.onlyIfCached
	if next.hasMaxAge {
		d.maxAge, d.hasMaxAge = next.maxAge, true
	}
	if next.hasSMaxAge {
		d.sMaxAge, d.hasSMaxAge = next.sMaxAge, true
	}
	if next.hasMaxStale {
		d.maxStale, d.hasMaxStale = next.maxStale, true
	}
	if next.hasMinFresh {
		d.minFresh, d.hasMinFresh = next.minFresh, true
	}
	return d
}

func anyList(v any) []any {
	l, _ := v.([]any)
	return l
}

func strList(v any) []string {
	var out []string
	for _, x := range anyList(v) {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func num(v any, def float64) float64 {
	if n, ok := v.(float64); ok {
		return n
	}
	return def
}

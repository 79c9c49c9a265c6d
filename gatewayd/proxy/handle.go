package proxy

import (
	"bytes"
	"crypto/tls"
	"errors"
	"net"
	"net/netip"
	"os"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/httpheader"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/httppath"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/router"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/runtime"
	"github.com/valyala/fasthttp"
)

// reqState holds per-request scratch buffers, pooled so the hot path does
// not allocate.
type reqState struct {
	rawPath []byte
	sni     []byte
	ip      []byte
	norm    []byte
	up      []byte
	scratch []byte
	logLine []byte
	match   router.Match
	rreq    router.Request
	id      [32]byte
	pc      plugin.Context
}

var statePool = sync.Pool{New: func() any {
	return &reqState{norm: make([]byte, 0, 256), up: make([]byte, 0, 256), scratch: make([]byte, 0, 256), logLine: make([]byte, 0, 512)}
}}

var (
	hdrVia          = []byte("Via")
	hdrRequestID    = []byte("X-Gatewayd-Request-Id")
	hdrUpLatency    = []byte("X-Gatewayd-Upstream-Latency")
	hdrProxyLatency = []byte("X-Gatewayd-Proxy-Latency")
	hdrRespLatency  = []byte("X-Gatewayd-Response-Latency")
	hdrXFProto      = []byte("X-Forwarded-Proto")
	hdrXRealIP      = []byte("X-Real-IP")
	hdrDebug        = []byte("Gatewayd-Debug")
	hdrServer       = []byte("Server")
	strHTTP         = []byte("http")
	strHTTPS        = []byte("https")
	strTrace        = []byte("TRACE")
	viaSep          = []byte(", ")
	// Canonical (fasthttp-normalized) request header names, for the
	// *Canonical header methods: "X-Real-IP" travels as "X-Real-Ip", as it
	// always has.
	ckXRealIP         = canonical("X-Real-IP")
	ckXFF             = canonical("X-Forwarded-For")
	ckXFProto         = canonical("X-Forwarded-Proto")
	ckXFHost          = canonical("X-Forwarded-Host")
	ckXFPort          = canonical("X-Forwarded-Port")
	ckXFPath          = canonical("X-Forwarded-Path")
	ckXFPrefix        = canonical("X-Forwarded-Prefix")
	ckRequestID       = canonical("X-Gatewayd-Request-Id")
	errNoRoute        = "no Route matched with those values"
	errNoService      = "no Service found with those values"
	errUseHTTPS       = "Please use HTTPS protocol"
	errTimeout        = "The upstream server is timing out"
	errBadUpstream    = "An invalid response was received from the upstream server"
	errNoPeer         = "failure to get a peer from the ring-balancer"
	errNameResolution = "name resolution failed"
)

func canonical(name string) []byte { return fasthttp.AppendNormalizedHeaderKey(nil, name) }

func (p *Proxy) handle(ctx *fasthttp.RequestCtx, l Listener, port []byte) {
	// fasthttp read the clock just before calling the handler.
	start := ctx.Time()
	if start.IsZero() {
		start = time.Now()
	}
	p.stats.total.Add(1)
	st := statePool.Get().(*reqState)
	defer statePool.Put(st)
	p.newRequestID(&st.id)

	snap := p.opts.Snapshot()
	req := &ctx.Request
	// Response header names keep their case (the upstream's, Kong's
	// "X-RateLimit-Remaining-Minute"); see package httpheader.
	ctx.Response.Header.DisableNormalizing()
	rawHeaders := req.Header.RawHeaders()
	scan := scanRawHeaders(rawHeaders)
	if scan.conflict {
		// Content-Length together with Transfer-Encoding is the classic
		// request-smuggling shape (RFC 9112 §6.1): refuse it and close the
		// connection so no bytes are reinterpreted as a next request.
		ctx.SetConnectionClose()
		p.reply(ctx, st, start, fasthttp.StatusBadRequest, "Bad request", false)
		return
	}
	if bytes.Equal(req.Header.Method(), strTrace) {
		p.reply(ctx, st, start, fasthttp.StatusMethodNotAllowed, "Method not allowed", false)
		return
	}

	// Match on the normalized path; the raw one feeds X-Forwarded-Path.
	uri := req.Header.RequestURI()
	rawPath, query, hasQuery := splitRequestURI(uri)
	st.rawPath = append(st.rawPath[:0], rawPath...)
	st.norm = httppath.Normalize(st.norm[:0], st.rawPath)
	trusted := p.trusted(ctx)

	// Plugins see the request through a pooled plugin.Context; with no
	// plugin configured none of this runs.
	var pc *plugin.Context
	if snap != nil && snap.Plugins != nil && snap.Plugins.Count() > 0 {
		pc = &st.pc
		pc.Reset(ctx, plugin.RequestInfo{Scheme: l.Scheme, Port: l.Port, ClientIP: p.clientAddr(ctx, trusted),
			Path: st.norm, RequestID: st.id[:], Data: snap.Data, Logger: p.opts.Logger, Started: start})
		snap.Plugins.Rewrite(pc)
		if pc.Exited() {
			p.finishExit(ctx, st, start, pc)
			return
		}
	}

	st.rreq = router.Request{
		Method:  req.Header.Method(),
		Host:    req.Header.Host(),
		Path:    st.norm,
		Scheme:  l.Scheme,
		Port:    l.Port,
		Headers: &req.Header,
	}
	if l.Scheme == "https" {
		if cs := ctx.TLSConnectionState(); cs != nil {
			st.sni = append(st.sni[:0], cs.ServerName...)
			st.rreq.SNI = st.sni
		}
	}
	if snap == nil || !snap.Router.Match(&st.rreq, &st.match) {
		if pc != nil {
			snap.Plugins.Global.Collect(pc)
		}
		p.reply(ctx, st, start, fasthttp.StatusNotFound, errNoRoute, false)
		p.afterResponse(st, pc)
		return
	}
	rt := st.match.Route.Value.(*runtime.Route)
	debug := p.opts.AllowDebugHeader && len(req.Header.PeekBytes(hdrDebug)) > 0
	if debug {
		setDebugHeaders(&ctx.Response, st.match.Route, rt)
	}

	if l.Scheme == "http" && !rt.HTTP && rt.HTTPS && !(trusted && bytes.EqualFold(req.Header.PeekBytes(hdrXFProto), strHTTPS)) {
		p.redirectHTTPS(ctx, st, start, rt, uri)
		return
	}
	svc := rt.Service
	// Hop-by-hop headers go first, so a client's "Connection: X-Forwarded-For"
	// cannot remove what plugins or the gateway set next (CVE-2021-33197's shape).
	// The raw header block says which hop-by-hop names the client sent; it
	// is the whole story unless a rewrite plugin changed the headers.
	if len(rawHeaders) == 0 || (pc != nil && snap.Plugins.HasRewrite()) {
		scan.hop = hopAll
	}
	removeHopByHop(&req.Header, scan.hop)
	if pc != nil {
		var sref *plugin.ServiceRef
		if svc != nil {
			sref = svc.Ref
		}
		pc.SetRoute(rt.Ref, sref)
		rt.Plan.Access(pc)
		if pc.Exited() {
			p.finishExit(ctx, st, start, pc)
			return
		}
	}
	if svc == nil {
		p.reply(ctx, st, start, fasthttp.StatusServiceUnavailable, errNoService, false)
		p.afterResponse(st, pc)
		return
	}

	// Upstream path (strip_path / path_handling, or a plugin's) plus the
	// query, untouched unless a plugin changed it.
	prefixLen := 0
	if rt.StripPath && st.match.MatchedLen > 0 {
		prefixLen = st.match.MatchedLen
	}
	st.up = st.up[:0]
	if pc != nil {
		if path, ok := pc.UpstreamPath(); ok {
			st.up = append(st.up, path...)
		}
	}
	if len(st.up) == 0 {
		st.up = httppath.UpstreamPath(st.up, svc.Path, st.match.Path, rt.StripPath, rt.PathHandling, st.norm, st.match.MatchedLen)
	}
	p.setForwardHeaders(ctx, st, l, port, trusted, prefixLen)
	if pc != nil {
		st.scratch, hasQuery = pc.UpstreamQuery(st.scratch[:0], query, hasQuery)
		query = st.scratch
	}
	if hasQuery {
		st.up = append(st.up, '?')
		st.up = append(st.up, query...)
	}
	req.SetRequestURIBytes(st.up)
	req.UseHostHeader = true
	if !rt.PreserveHost {
		req.Header.SetHost(svc.HostHeader)
	}
	st.scratch = viaValue(st.scratch[:0], req.Header.PeekCanonical(hdrVia), p.via)
	req.Header.SetCanonical(hdrVia, st.scratch)
	if p.opts.UpstreamRequestID {
		req.Header.SetCanonical(ckRequestID, st.id[:])
	}
	u := req.URI()
	u.DisablePathNormalizing = true
	if svc.TLS {
		u.SetSchemeBytes(strHTTPS)
	} else {
		u.SetSchemeBytes(strHTTP)
	}

	// Durations from the monotonic clock alone: time.Since reads one clock
	// where time.Now reads two (wall and monotonic).
	proxyLatency := time.Since(start)
	upstreamAddr, target, err := p.forward(ctx, svc)
	upstreamLatency := time.Since(start) - proxyLatency
	if pc != nil {
		pc.UpstreamStarted = start.Add(proxyLatency)
		pc.UpstreamDone = pc.UpstreamStarted.Add(upstreamLatency)
		if upstreamAddr != nil && pc.HasLog() {
			pc.UpstreamAddr = upstreamAddr.String()
		}
	}
	if debug {
		// The upstream call reset the response; add the headers back.
		setDebugHeaders(&ctx.Response, st.match.Route, rt)
	}
	if err != nil {
		status, msg := classify(err)
		p.logRequest(ctx, st, start, rt, svc, target, upstreamAddr, status, upstreamLatency)
		p.reply(ctx, st, start, status, msg, true)
		if pc != nil {
			pc.ResponseSource = "error"
		}
		p.afterResponse(st, pc)
		return
	}
	resp := &ctx.Response
	present := scanResponseHeaders(&resp.Header)
	st.scratch = removeHopByHopResponse(&resp.Header, present, st.scratch)
	if present&respVia == 0 {
		// The upstream sent no Via: ours is the only one. (A Connection
		// header naming Via matters only when there is one to remove;
		// nginx and most upstreams send "Connection: keep-alive".)
		resp.Header.SetCanonical(hdrVia, p.via)
	} else {
		st.scratch = viaValue(st.scratch[:0], httpheader.Peek(&resp.Header, "Via"), p.via)
		httpheader.SetBytesKV(&resp.Header, hdrVia, st.scratch)
	}
	// Response header names are not normalized: the names below are used
	// as spelled.
	if p.opts.LatencyTokens {
		st.scratch = strconv.AppendInt(st.scratch[:0], upstreamLatency.Milliseconds(), 10)
		resp.Header.SetCanonical(hdrUpLatency, st.scratch)
		st.scratch = strconv.AppendInt(st.scratch[:0], proxyLatency.Milliseconds(), 10)
		resp.Header.SetCanonical(hdrProxyLatency, st.scratch)
	}
	if p.opts.RequestIDHeader {
		resp.Header.SetCanonical(hdrRequestID, st.id[:])
	}
	p.afterResponse(st, pc)
	p.logRequest(ctx, st, start, rt, svc, target, upstreamAddr, resp.StatusCode(), upstreamLatency)
}

// afterResponse runs the response, body and log phases of the plugins the
// request collected, whichever way its response was produced.
func (p *Proxy) afterResponse(st *reqState, pc *plugin.Context) {
	if pc == nil {
		return
	}
	pc.ApplyPending()
	pc.RunResponse()
	pc.RunBody()
	if pc.HasLog() {
		pc.UpstreamURI = string(st.up)
		pc.RunLog()
	}
}

// finishExit renders a plugin's short-circuit response (Kong's
// kong.response.exit / error) and runs the remaining phases.
func (p *Proxy) finishExit(ctx *fasthttp.RequestCtx, st *reqState, start time.Time, pc *plugin.Context) {
	e := pc.ExitValue()
	if e.IsError {
		p.reply(ctx, st, start, e.Status, e.Message, false)
	} else {
		resp := &ctx.Response
		resp.Reset()
		resp.Header.DisableNormalizing()
		resp.SetStatusCode(e.Status)
		if p.opts.ServerTokens {
			resp.Header.SetBytesKV(hdrServer, p.server)
		}
		if p.opts.RequestIDHeader {
			resp.Header.SetBytesKV(hdrRequestID, st.id[:])
		}
		if p.opts.LatencyTokens {
			resp.Header.SetBytesK(hdrRespLatency, strconv.FormatInt(time.Since(start).Milliseconds(), 10))
		}
		if e.ContentType != "" {
			resp.Header.SetContentType(e.ContentType)
		}
		resp.SetBody(e.Body)
		p.logLocal(ctx, st, start, e.Status)
	}
	st.up = st.up[:0]
	p.afterResponse(st, pc)
}

// clientAddr is the client address plugins see: the peer, or the address
// from real_ip_header when the peer is trusted (nginx's realip module).
func (p *Proxy) clientAddr(ctx *fasthttp.RequestCtx, trusted bool) netip.Addr {
	a, _ := netip.AddrFromSlice(ctx.RemoteIP())
	a = a.Unmap()
	if trusted && p.opts.RealIPHeader != "" {
		if v := ctx.Request.Header.Peek(p.opts.RealIPHeader); len(v) > 0 {
			if r, err := netip.ParseAddr(p.realIPFrom(v)); err == nil {
				return r.Unmap()
			}
		}
	}
	return a
}

// Hop-by-hop request headers (RFC 7230 §6.1), one bit each.
const (
	hopConnection uint8 = 1 << iota
	hopKeepAlive
	hopProxyConnection
	hopTE
	hopTrailer
	hopTransferEncoding
	hopUpgrade
	hopAll = 1<<iota - 1
)

// rawScan is what one pass over the request's raw header lines found.
type rawScan struct {
	// conflict: Content-Length together with Transfer-Encoding.
	conflict bool
	// hop has a bit for every hop-by-hop header name present.
	hop uint8
}

// scanRawHeaders reads the raw header block once: fasthttp keeps no trace
// of a Content-Length + Transfer-Encoding pair once it has parsed the
// request, and knowing which hop-by-hop names the client sent spares the
// pipeline deleting absent ones.
func scanRawHeaders(raw []byte) rawScan {
	var s rawScan
	var cl bool
	for len(raw) > 0 {
		line := raw
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			line, raw = raw[:i], raw[i+1:]
		} else {
			raw = nil
		}
		colon := bytes.IndexByte(line, ':')
		if colon < 0 {
			continue
		}
		name := line[:colon]
		switch len(name) {
		case 2:
			if equalFold(name, "TE") {
				s.hop |= hopTE
			}
		case 7:
			if equalFold(name, "Trailer") {
				s.hop |= hopTrailer
			} else if equalFold(name, "Upgrade") {
				s.hop |= hopUpgrade
			}
		case 10:
			if equalFold(name, "Connection") {
				s.hop |= hopConnection
			} else if equalFold(name, "Keep-Alive") {
				s.hop |= hopKeepAlive
			}
		case 14:
			cl = cl || equalFold(name, "Content-Length")
		case 16:
			if equalFold(name, "Proxy-Connection") {
				s.hop |= hopProxyConnection
			}
		case 17:
			if equalFold(name, "Transfer-Encoding") {
				s.hop |= hopTransferEncoding
			}
		}
	}
	s.conflict = cl && s.hop&hopTransferEncoding != 0
	return s
}

// equalFold compares ASCII case-insensitively without allocating.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		x, y := b[i], s[i]
		if x == y {
			continue
		}
		if x|0x20 != y|0x20 || x|0x20 < 'a' || x|0x20 > 'z' {
			return false
		}
	}
	return true
}

// splitRequestURI separates the path and query of a request target,
// dropping the scheme and authority of absolute-form targets.
func splitRequestURI(uri []byte) (path, query []byte, hasQuery bool) {
	if bytes.HasPrefix(uri, []byte("http://")) || bytes.HasPrefix(uri, []byte("https://")) {
		rest := uri[bytes.Index(uri, []byte("//"))+2:]
		if i := bytes.IndexByte(rest, '/'); i >= 0 {
			uri = rest[i:]
		} else {
			uri = []byte("/")
		}
	}
	if i := bytes.IndexByte(uri, '?'); i >= 0 {
		return uri[:i], uri[i+1:], true
	}
	if len(uri) == 0 {
		return []byte("/"), nil, false
	}
	return uri, nil, false
}

// forward sends the request to the service, retrying connection failures
// on the next target up to service.retries times. Requests are never
// retried once the upstream may have seen them.
func (p *Proxy) forward(ctx *fasthttp.RequestCtx, svc *runtime.Service) (net.Addr, string, error) {
	var lastErr error
	target := svc.Direct
	for attempt := 0; attempt <= svc.Retries; attempt++ {
		idx := 0
		if svc.Balancer != nil {
			idx = svc.Balancer.Pick()
			if idx < 0 {
				return nil, "", errNoTargets
			}
			target = svc.Balancer.Targets[idx].Addr
		}
		hc := p.client(svc, idx, target)
		err := hc.Do(&ctx.Request, &ctx.Response)
		if err == nil {
			return ctx.Response.RemoteAddr(), target, nil
		}
		lastErr = err
		if !retryable(err) {
			break
		}
	}
	return nil, target, lastErr
}

var errNoTargets = errors.New("no targets")

func retryable(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, fasthttp.ErrDialTimeout)
}

// classify maps an upstream failure to Kong's status and message.
func classify(err error) (int, string) {
	var dnsErr *net.DNSError
	switch {
	case errors.Is(err, errNoTargets):
		return fasthttp.StatusServiceUnavailable, errNoPeer
	case errors.As(err, &dnsErr):
		return fasthttp.StatusServiceUnavailable, errNameResolution
	case errors.Is(err, fasthttp.ErrTimeout), errors.Is(err, fasthttp.ErrDialTimeout), errors.Is(err, os.ErrDeadlineExceeded):
		return fasthttp.StatusGatewayTimeout, errTimeout
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return fasthttp.StatusGatewayTimeout, errTimeout
	}
	return fasthttp.StatusBadGateway, errBadUpstream
}

// client returns the pooled connection client for one service target.
func (p *Proxy) client(svc *runtime.Service, idx int, addr string) *fasthttp.HostClient {
	key := svc.ClientKeys[idx]
	if c, ok := p.clients.Load(key); ok {
		return c.(*fasthttp.HostClient)
	}
	connect := svc.Connect
	hc := &fasthttp.HostClient{
		Addr:                   addr,
		IsTLS:                  svc.TLS,
		Dial:                   func(a string) (net.Conn, error) { return p.dial(a, connect) },
		MaxConns:               4096,
		MaxConnWaitTimeout:     connect,
		MaxIdleConnDuration:    p.opts.KeepaliveIdle,
		ReadTimeout:            svc.Read,
		WriteTimeout:           svc.Write,
		ReadBufferSize:         32 << 10,
		DisablePathNormalizing: true,
		// Upstream header names reach the client spelled as sent.
		DisableHeaderNamesNormalizing: true,
		NoDefaultUserAgentHeader:      true,
		MaxIdemponentCallAttempts:     1,
		RetryIfErr:                    func(*fasthttp.Request, int, error) (bool, bool) { return false, false },
	}
	if svc.TLS {
		host, _, _ := net.SplitHostPort(addr)
		hc.TLSConfig = &tls.Config{ServerName: host, InsecureSkipVerify: !svc.TLSVerify} // #nosec G402 -- Kong's tls_verify defaults to off
	}
	actual, _ := p.clients.LoadOrStore(key, hc)
	return actual.(*fasthttp.HostClient)
}

// trusted reports whether the connection's peer is in trusted_ips.
func (p *Proxy) trusted(ctx *fasthttp.RequestCtx) bool {
	if len(p.opts.TrustedIPs) == 0 {
		return false
	}
	addr, ok := netip.AddrFromSlice(ctx.RemoteIP())
	if !ok {
		return false
	}
	addr = addr.Unmap()
	for _, pfx := range p.opts.TrustedIPs {
		if pfx.Contains(addr) {
			return true
		}
	}
	return false
}

// setForwardHeaders sets Kong's upstream headers: X-Real-IP, X-Forwarded-*
// (client values kept only from trusted peers), X-Forwarded-For appended.
// Request header names are canonical (fasthttp normalizes them on the way
// in), so the precomputed canonical names skip normalization.
func (p *Proxy) setForwardHeaders(ctx *fasthttp.RequestCtx, st *reqState, l Listener, port []byte, trusted bool, prefixLen int) {
	h := &ctx.Request.Header
	st.ip = appendClientIP(st.ip[:0], ctx)
	if trusted && p.opts.RealIPHeader != "" {
		if v := h.Peek(p.opts.RealIPHeader); len(v) > 0 {
			h.SetBytesK(hdrXRealIP, p.realIPFrom(v))
		} else {
			h.SetCanonical(ckXRealIP, st.ip)
		}
	} else {
		h.SetCanonical(ckXRealIP, st.ip)
	}
	if xff := h.PeekCanonical(ckXFF); len(xff) > 0 {
		st.scratch = append(append(append(st.scratch[:0], xff...), viaSep...), st.ip...)
		h.SetCanonical(ckXFF, st.scratch)
	} else {
		h.SetCanonical(ckXFF, st.ip)
	}
	setUnlessTrusted(h, ckXFProto, trusted, schemeBytes(l.Scheme))
	host := h.Host()
	if i := bytes.LastIndexByte(host, ':'); i >= 0 && bytes.IndexByte(host[i:], ']') < 0 {
		host = host[:i]
	}
	setUnlessTrusted(h, ckXFHost, trusted, host)
	setUnlessTrusted(h, ckXFPort, trusted, port)
	setUnlessTrusted(h, ckXFPath, trusted, st.rawPath)
	if prefixLen > 1 && prefixLen <= len(st.norm) {
		setUnlessTrusted(h, ckXFPrefix, trusted, st.norm[:prefixLen])
	} else if !trusted && h.PeekCanonical(ckXFPrefix) != nil {
		h.DelBytes(ckXFPrefix)
	}
}

func schemeBytes(scheme string) []byte {
	if scheme == "https" {
		return strHTTPS
	}
	return strHTTP
}

// appendClientIP appends the peer address without allocating.
func appendClientIP(dst []byte, ctx *fasthttp.RequestCtx) []byte {
	if a, ok := netip.AddrFromSlice(ctx.RemoteIP()); ok {
		return a.Unmap().AppendTo(dst)
	}
	return append(dst, ctx.RemoteIP().String()...)
}

func (p *Proxy) realIPFrom(v []byte) string {
	// With real_ip_recursive the rightmost untrusted address wins;
	// otherwise the last address in the header.
	parts := bytes.Split(v, []byte(","))
	for i := len(parts) - 1; i >= 0; i-- {
		s := string(bytes.TrimSpace(parts[i]))
		a, err := netip.ParseAddr(s)
		if err != nil {
			continue
		}
		if !p.opts.RealIPRecursive || i == 0 {
			return s
		}
		trusted := false
		for _, pfx := range p.opts.TrustedIPs {
			if pfx.Contains(a.Unmap()) {
				trusted = true
				break
			}
		}
		if !trusted {
			return s
		}
	}
	return string(bytes.TrimSpace(parts[0]))
}

// setUnlessTrusted sets a header by its canonical name unless a trusted
// peer already sent it.
func setUnlessTrusted(h *fasthttp.RequestHeader, key []byte, trusted bool, v []byte) {
	if trusted && len(h.PeekCanonical(key)) > 0 {
		return
	}
	h.SetCanonical(key, v)
}

// viaValue appends to dst the Via value to send: ours after any existing
// value.
func viaValue(dst, cur, via []byte) []byte {
	if len(cur) > 0 {
		dst = append(append(dst, cur...), viaSep...)
	}
	return append(dst, via...)
}

func setDebugHeaders(resp *fasthttp.Response, r *router.Route, rt *runtime.Route) {
	resp.Header.Set("Gatewayd-Route-Id", r.ID)
	if r.Name != "" {
		resp.Header.Set("Gatewayd-Route-Name", r.Name)
	}
	if rt.Service != nil {
		resp.Header.Set("Gatewayd-Service-Id", rt.Service.ID)
		if rt.Service.Name != "" {
			resp.Header.Set("Gatewayd-Service-Name", rt.Service.Name)
		}
	}
}

func (p *Proxy) redirectHTTPS(ctx *fasthttp.RequestCtx, st *reqState, start time.Time, rt *runtime.Route, uri []byte) {
	if rt.RedirectCode == fasthttp.StatusUpgradeRequired || rt.RedirectCode == 0 {
		ctx.Response.Header.Set("Connection", "Upgrade")
		ctx.Response.Header.Set("Upgrade", "TLS/1.2, HTTP/1.1")
		p.reply(ctx, st, start, fasthttp.StatusUpgradeRequired, errUseHTTPS, false)
		return
	}
	host := ctx.Request.Header.Host()
	if i := bytes.LastIndexByte(host, ':'); i >= 0 && !bytes.Contains(host[i:], []byte("]")) {
		host = host[:i]
	}
	path, query, hasQuery := splitRequestURI(uri)
	loc := "https://" + string(host) + string(path)
	if hasQuery {
		loc += "?" + string(query)
	}
	ctx.Response.Reset()
	ctx.Response.Header.DisableNormalizing()
	ctx.Response.SetStatusCode(rt.RedirectCode)
	ctx.Response.Header.Set("Location", loc)
	ctx.Response.Header.SetBytesKV(hdrServer, p.server)
	if p.opts.RequestIDHeader {
		ctx.Response.Header.SetBytesKV(hdrRequestID, st.id[:])
	}
}

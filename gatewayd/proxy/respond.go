package proxy

import (
	"bytes"
	"strconv"
	"strings"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/httpheader"
	"github.com/valyala/fasthttp"
)

// reply sends a gateway-generated response with Kong's body format,
// negotiated on Accept: JSON by default for gateway decisions (no route,
// no service), error_default_type for upstream failures (nginx-level
// errors in Kong), text/plain, HTML or XML on request.
func (p *Proxy) reply(ctx *fasthttp.RequestCtx, st *reqState, start time.Time, status int, msg string, upstreamFailure bool) {
	resp := &ctx.Response
	keep := resp.Header.Peek("Gatewayd-Route-Id") != nil
	var debug [][2]string
	if keep {
		resp.Header.VisitAll(func(k, v []byte) {
			if bytes.HasPrefix(k, []byte("Gatewayd-")) {
				debug = append(debug, [2]string{string(k), string(v)})
			}
		})
	}
	upgrade := status == fasthttp.StatusUpgradeRequired
	resp.ResetBody()
	resp.Header.Reset()
	resp.Header.DisableNormalizing()
	for _, kv := range debug {
		resp.Header.Set(kv[0], kv[1])
	}
	if upgrade {
		resp.Header.Set("Connection", "Upgrade")
		resp.Header.Set("Upgrade", "TLS/1.2, HTTP/1.1")
	}
	resp.SetStatusCode(status)
	if p.opts.ServerTokens {
		resp.Header.SetBytesKV(hdrServer, p.server)
	}
	if p.opts.RequestIDHeader {
		resp.Header.SetBytesKV(hdrRequestID, st.id[:])
	}
	if p.opts.LatencyTokens {
		resp.Header.SetBytesK(hdrRespLatency, strconv.FormatInt(time.Since(start).Milliseconds(), 10))
	}
	kind := negotiate(ctx.Request.Header.Peek("Accept"), upstreamFailure, p.opts.ErrorDefaultType)
	id := string(st.id[:])
	switch kind {
	case "text/plain":
		resp.Header.SetContentType("text/plain; charset=utf-8")
		resp.SetBodyString(msg + "\nrequest_id: " + id + "\n")
	case "text/html":
		resp.Header.SetContentType("text/html; charset=utf-8")
		resp.SetBodyString("<!doctype html>\n<html>\n  <head>\n    <meta charset=\"utf-8\">\n    <title>Error</title>\n  </head>\n  <body>\n    <h1>Error</h1>\n    <p>" +
			htmlEscape(msg) + ".</p>\n    <p>request_id: " + id + "</p>\n  </body>\n</html>\n")
	case "application/xml":
		resp.Header.SetContentType("application/xml; charset=utf-8")
		resp.SetBodyString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<error>\n  <message>" + htmlEscape(msg) +
			"</message>\n  <requestid>" + id + "</requestid>\n</error>\n")
	default:
		resp.Header.SetContentType("application/json; charset=utf-8")
		resp.SetBodyString(`{"message":"` + jsonEscape(msg) + `","request_id":"` + id + `"}`)
	}
	if st != nil && !upstreamFailure {
		p.logLocal(ctx, st, start, status)
	}
}

// negotiate picks the error body type from Accept.
func negotiate(accept []byte, upstreamFailure bool, defaultType string) string {
	a := string(accept)
	switch {
	case strings.Contains(a, "application/json"):
		return "application/json"
	case strings.Contains(a, "text/html"):
		return "text/html"
	case strings.Contains(a, "application/xml"), strings.Contains(a, "text/xml"):
		return "application/xml"
	case strings.Contains(a, "text/plain"):
		return "text/plain"
	}
	if upstreamFailure {
		return defaultType
	}
	return "application/json"
}

func jsonEscape(s string) string {
	if !strings.ContainsAny(s, "\"\\\n\r\t") {
		return s
	}
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\r", `\r`, "\t", `\t`)
	return r.Replace(s)
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

// errorHandler answers requests fasthttp could not parse, with Kong's 400s.
func (p *Proxy) errorHandler(ctx *fasthttp.RequestCtx, err error) {
	msg := "Bad request"
	status := fasthttp.StatusBadRequest
	e := err.Error()
	switch {
	case strings.Contains(e, "small read buffer"), strings.Contains(e, "too large"):
		msg = "Request header or cookie too large"
		if strings.Contains(e, "body size exceeds") {
			status, msg = fasthttp.StatusRequestEntityTooLarge, "Request Entity Too Large"
		}
	case strings.Contains(e, "body size exceeds"):
		status, msg = fasthttp.StatusRequestEntityTooLarge, "Request Entity Too Large"
	case strings.Contains(e, "timeout"):
		status, msg = fasthttp.StatusRequestTimeout, "Request Timeout"
	}
	ctx.Response.Reset()
	ctx.SetConnectionClose()
	ctx.Response.SetStatusCode(status)
	ctx.Response.Header.SetBytesKV(hdrServer, p.server)
	ctx.Response.Header.SetContentType("text/plain; charset=utf-8")
	ctx.Response.SetBodyString(msg + "\n")
}

// hop-by-hop headers (RFC 7230 §6.1) never cross the proxy. The request
// list is in the order of the hop* bits.
var (
	hopByHopRequest  = []string{"Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade"}
	hopByHopResponse = []string{"Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Upgrade"}
)

// removeHopByHop deletes the hop-by-hop headers present (bits of present,
// hopAll when unknown) and every header named in Connection from a request.
// It runs before the gateway adds its own headers, so "Connection:
// X-Forwarded-For" cannot strip them.
func removeHopByHop(h *fasthttp.RequestHeader, present uint8) {
	if present&hopConnection != 0 {
		if c := h.Peek("Connection"); len(c) > 0 {
			for _, name := range bytes.Split(c, []byte(",")) {
				name = bytes.TrimSpace(name)
				if len(name) > 0 && !bytes.EqualFold(name, []byte("close")) && !bytes.EqualFold(name, []byte("keep-alive")) {
					h.DelBytes(name)
				}
			}
		}
	}
	for i, k := range hopByHopRequest {
		if present&(1<<i) != 0 {
			h.Del(k)
		}
	}
	h.ResetConnectionClose()
}

// Response headers the proxy looks for, one bit each: Connection, then
// hopByHopResponse in order, then Via.
const (
	respConnection uint8 = 1 << iota
	respKeepAlive
	respProxyConnection
	respTE
	respTrailer
	respUpgrade
	respVia
)

// scanResponseHeaders finds, in one pass and whatever their case, which
// hop-by-hop headers and whether a Via the upstream response carries.
func scanResponseHeaders(h *fasthttp.ResponseHeader) uint8 {
	var present uint8
	for k := range h.All() {
		switch len(k) {
		case 2:
			if equalFold(k, "TE") {
				present |= respTE
			}
		case 3:
			if equalFold(k, "Via") {
				present |= respVia
			}
		case 7:
			if equalFold(k, "Trailer") {
				present |= respTrailer
			} else if equalFold(k, "Upgrade") {
				present |= respUpgrade
			}
		case 10:
			if equalFold(k, "Connection") {
				present |= respConnection
			} else if equalFold(k, "Keep-Alive") {
				present |= respKeepAlive
			}
		case 16:
			if equalFold(k, "Proxy-Connection") {
				present |= respProxyConnection
			}
		}
	}
	return present
}

// removeHopByHopResponse does the same for an upstream response, whose
// header names keep their case: matching is case-insensitive. present has
// the bits scanResponseHeaders found.
func removeHopByHopResponse(h *fasthttp.ResponseHeader, present uint8, scratch []byte) []byte {
	if present&respConnection != 0 {
		if c := httpheader.Peek(h, "Connection"); len(c) > 0 {
			// Deleting headers may reuse the buffer c points into: walk a copy.
			scratch = append(scratch[:0], c...)
			for rest := scratch; len(rest) > 0; {
				name := rest
				if i := bytes.IndexByte(rest, ','); i >= 0 {
					name, rest = rest[:i], rest[i+1:]
				} else {
					rest = nil
				}
				name = bytes.TrimSpace(name)
				if len(name) > 0 && !equalFold(name, "close") && !equalFold(name, "keep-alive") {
					httpheader.Del(h, string(name))
				}
			}
			httpheader.Del(h, "Connection")
		}
	}
	for i, k := range hopByHopResponse {
		if present&(respKeepAlive<<i) != 0 {
			httpheader.Del(h, k)
		}
	}
	h.ResetConnectionClose()
	return scratch
}

package router

import (
	"net/textproto"
	"strings"
	"testing"
)

// testHeaders is a request header set for tests. It implements MultiHeaders
// like *fasthttp.RequestHeader: names are looked up case-insensitively.
type testHeaders map[string][]string

func (h testHeaders) PeekAll(key string) [][]byte {
	var out [][]byte
	for name, values := range h {
		if textproto.CanonicalMIMEHeaderKey(name) == textproto.CanonicalMIMEHeaderKey(key) {
			for _, v := range values {
				out = append(out, []byte(v))
			}
		}
	}
	return out
}

func (h testHeaders) Peek(key string) []byte {
	if all := h.PeekAll(key); len(all) > 0 {
		return all[0]
	}
	return nil
}

// singleHeaders only implements Headers, so the router sees first values only.
type singleHeaders map[string]string

func (h singleHeaders) Peek(key string) []byte {
	for name, v := range h {
		if strings.EqualFold(name, key) {
			return []byte(v)
		}
	}
	return nil
}

// req builds a plain-HTTP request on listener port 80.
func req(method, path, host string) *Request {
	return &Request{Method: []byte(method), Path: []byte(path), Host: []byte(host), Scheme: "http", Port: 80}
}

func (r *Request) with(h Headers) *Request {
	r.Headers = h
	return r
}

func mustNew(t testing.TB, routes []Route) *Router {
	t.Helper()
	r, err := New(routes)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return r
}

// matchID returns the id of the winning route, "" when nothing matches.
func matchID(r *Router, rq *Request) string {
	var m Match
	if !r.Match(rq, &m) {
		return ""
	}
	return m.Route.ID
}

// matchCase is a request and the id of the route expected to win ("" = none).
type matchCase struct {
	name string
	req  *Request
	want string
}

func runMatchCases(t *testing.T, r *Router, cases []matchCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := matchID(r, c.req); got != c.want {
				t.Fatalf("matched %q, want %q", got, c.want)
			}
		})
	}
}

// Package upstream is a small, fast HTTP echo server that acceptance tests and examples put
// behind gatewayd, in the manner of httpbin but local: no test depends on the internet.
//
// Every path answers 200 with a JSON description of the request as the upstream received it
// (see Echo). A few paths behave differently, so that proxy behaviour can be tested:
//
//	/status/{code}  answers with that status code (200-599), body as for any path
//	/delay/{ms}     waits ms milliseconds (at most 30 s) before answering
//	/close          closes the connection without answering (the proxy should answer 502)
package upstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// MaxDelay bounds /delay/{ms} so a mistyped test cannot hang a run.
const MaxDelay = 30 * time.Second

// maxBody bounds how much of a request body is read and echoed.
const maxBody = 16 << 20

// Echo is the JSON body the upstream answers with.
type Echo struct {
	Method string `json:"method"`
	// Path is the request path exactly as it arrived on the wire, escapes included
	// ("/a%2Fb" stays "/a%2Fb"), so tests can check what the proxy forwarded.
	Path string `json:"path"`
	// Query is the raw query string, without the "?".
	Query string `json:"query"`
	// URL is the URL the request was addressed to: scheme, Host header, raw path and query.
	URL string `json:"url"`
	// Headers are the request headers with canonical names. Host is in Host, not here.
	Headers map[string][]string `json:"headers"`
	Body    string              `json:"body"`
	Host    string              `json:"host"`
}

// Server is a running upstream.
type Server struct {
	// URL is the base URL, e.g. "http://127.0.0.1:41234" (no trailing slash).
	URL string
	// Host is the IP address the server listens on ("127.0.0.1").
	Host string
	// Port is the TCP port the server listens on.
	Port int

	srv     *http.Server
	handler *handler
	done    chan struct{}
}

// Start runs an upstream on a free loopback port for the duration of a test.
func Start(t testing.TB) *Server {
	t.Helper()
	s, err := Listen("127.0.0.1:0")
	if err != nil {
		t.Fatalf("upstream: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// Listen runs an upstream on addr ("host:port") until Close.
func Listen(addr string) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", addr, err)
	}
	return Serve(ln), nil
}

// Serve runs an upstream on ln until Close.
func Serve(ln net.Listener) *Server {
	h := &handler{}
	s := &Server{
		handler: h,
		done:    make(chan struct{}),
		srv: &http.Server{
			Handler:           h,
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       2 * time.Minute,
		},
	}
	if tcp, ok := ln.Addr().(*net.TCPAddr); ok {
		s.Host = tcp.IP.String()
		s.Port = tcp.Port
	}
	s.URL = "http://" + ln.Addr().String()
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(ln)
	}()
	return s
}

// Requests reports how many requests the server has received (/close included).
func (s *Server) Requests() int64 { return s.handler.requests.Load() }

// Addr is host:port, handy for a gateway target or upstream `host:port` field.
func (s *Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// Close stops the server at once: open connections are closed and requests sleeping in
// /delay are cancelled.
func (s *Server) Close() error {
	err := s.srv.Close()
	<-s.done
	return err
}

// Shutdown stops accepting connections and waits for requests in flight, until ctx ends.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		_ = s.srv.Close()
	}
	<-s.done
	return err
}

// Handler returns the echo handler, for callers that run their own http.Server.
func Handler() http.Handler { return &handler{} }

type handler struct {
	requests atomic.Int64
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.requests.Add(1)
	status := http.StatusOK
	switch p := r.URL.Path; {
	case p == "/close":
		closeWithoutAnswer(w)
		return
	case strings.HasPrefix(p, "/status/"):
		code, err := strconv.Atoi(strings.TrimPrefix(p, "/status/"))
		if err != nil || code < 200 || code > 599 {
			http.Error(w, "status code must be a number from 200 to 599", http.StatusBadRequest)
			return
		}
		status = code
	case strings.HasPrefix(p, "/delay/"):
		ms, err := strconv.Atoi(strings.TrimPrefix(p, "/delay/"))
		if err != nil || ms < 0 {
			http.Error(w, "delay must be a non-negative number of milliseconds", http.StatusBadRequest)
			return
		}
		d := min(time.Duration(ms)*time.Millisecond, MaxDelay)
		timer := time.NewTimer(d)
		select {
		case <-timer.C:
		case <-r.Context().Done():
			timer.Stop()
			return
		}
	}

	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil {
		http.Error(w, "reading request body: "+err.Error(), http.StatusBadRequest)
		return
	}
	out, err := json.Marshal(Describe(r, body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	if !bodyAllowed(status) {
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(out)+1))
	w.WriteHeader(status)
	_, _ = w.Write(append(out, '\n'))
}

// Describe returns the Echo for a request whose body has already been read.
func Describe(r *http.Request, body []byte) Echo {
	path, query := rawTarget(r)
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	url := scheme + "://" + r.Host + path
	if query != "" {
		url += "?" + query
	}
	headers := make(map[string][]string, len(r.Header))
	for k, v := range r.Header {
		headers[http.CanonicalHeaderKey(k)] = append(headers[http.CanonicalHeaderKey(k)], v...)
	}
	return Echo{
		Method:  r.Method,
		Path:    path,
		Query:   query,
		URL:     url,
		Headers: headers,
		Body:    string(body),
		Host:    r.Host,
	}
}

// rawTarget splits the request target as received into its path and query, without
// unescaping either. Absolute-form targets ("GET http://host/p") give their path part.
func rawTarget(r *http.Request) (path, query string) {
	target := r.RequestURI
	if target == "" { // a request built in-process rather than read off the wire
		return r.URL.EscapedPath(), r.URL.RawQuery
	}
	if !strings.HasPrefix(target, "/") && target != "*" {
		if i := strings.Index(target, "://"); i >= 0 {
			rest := target[i+3:]
			if j := strings.IndexAny(rest, "/?"); j >= 0 {
				target = rest[j:]
			} else {
				target = "/"
			}
			if strings.HasPrefix(target, "?") {
				target = "/" + target
			}
		}
	}
	path, query, _ = strings.Cut(target, "?")
	return path, query
}

func bodyAllowed(status int) bool {
	return status != http.StatusNoContent && status != http.StatusNotModified && (status < 100 || status > 199)
}

func closeWithoutAnswer(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		// HTTP/2 cannot hijack; aborting the handler resets the stream instead.
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close()
}

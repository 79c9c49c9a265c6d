package upstream_test

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/acctest/upstream"
)

var client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{Proxy: nil}}

func get(t *testing.T, url string) (*http.Response, upstream.Echo) {
	t.Helper()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading body: %v", err)
	}
	var e upstream.Echo
	if len(body) > 0 {
		if err := json.Unmarshal(body, &e); err != nil {
			t.Fatalf("body is not an echo: %v\n%s", err, body)
		}
	}
	return resp, e
}

// rawRequest writes req verbatim and returns the response read off the connection.
func rawRequest(t *testing.T, addr, req string) (*http.Response, upstream.Echo) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.WriteString(conn, req); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading response: %v", err)
	}
	defer resp.Body.Close()
	var e upstream.Echo
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
		t.Fatalf("decoding echo: %v", err)
	}
	return resp, e
}

func TestStartListensOnLoopback(t *testing.T) {
	s := upstream.Start(t)
	if s.Host != "127.0.0.1" || s.Port == 0 {
		t.Fatalf("Host, Port = %q, %d; want 127.0.0.1 and a port", s.Host, s.Port)
	}
	if want := "http://" + s.Addr(); s.URL != want {
		t.Fatalf("URL = %q, want %q", s.URL, want)
	}
}

func TestEchoDescribesTheRequest(t *testing.T) {
	s := upstream.Start(t)
	req, err := http.NewRequest("POST", s.URL+"/anything/here?b=2&a=1", strings.NewReader(`{"k":"v"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "example.test"
	req.Header.Set("content-type", "application/json")
	req.Header.Add("x-multi", "one")
	req.Header.Add("X-Multi", "two")
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, content-type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var e upstream.Echo
	if err := json.NewDecoder(resp.Body).Decode(&e); err != nil {
		t.Fatal(err)
	}
	checks := []struct{ name, got, want string }{
		{"method", e.Method, "POST"},
		{"path", e.Path, "/anything/here"},
		{"query", e.Query, "b=2&a=1"},
		{"host", e.Host, "example.test"},
		{"url", e.URL, "http://example.test/anything/here?b=2&a=1"},
		{"body", e.Body, `{"k":"v"}`},
		{"content-type", strings.Join(e.Headers["Content-Type"], ","), "application/json"},
		{"x-multi", strings.Join(e.Headers["X-Multi"], ","), "one,two"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	if _, ok := e.Headers["Host"]; ok {
		t.Errorf("Host appears in headers; it belongs in host")
	}
}

func TestEchoKeepsThePathAsReceived(t *testing.T) {
	s := upstream.Start(t)
	tests := []struct {
		name, target, wantPath, wantQuery string
	}{
		{"escaped slash", "/a%2Fb/c", "/a%2Fb/c", ""},
		{"needless escapes", "/%7Euser/%41", "/%7Euser/%41", ""},
		{"escaped query", "/p?q=a%20b&r=%2F", "/p", "q=a%20b&r=%2F"},
		{"double slash", "//x//y", "//x//y", ""},
		{"empty query", "/p?", "/p", ""},
		{"absolute form", "http://example.test/abs%2Fpath?z=1", "/abs%2Fpath", "z=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, e := rawRequest(t, s.Addr(), "GET "+tt.target+" HTTP/1.1\r\nHost: h.test\r\nConnection: close\r\n\r\n")
			if resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
			if e.Path != tt.wantPath || e.Query != tt.wantQuery {
				t.Fatalf("path, query = %q, %q; want %q, %q", e.Path, e.Query, tt.wantPath, tt.wantQuery)
			}
		})
	}
}

func TestStatusAnswersTheRequestedCode(t *testing.T) {
	s := upstream.Start(t)
	tests := []struct {
		path     string
		want     int
		wantEcho bool
	}{
		{"/status/200", 200, true},
		{"/status/418", 418, true},
		{"/status/503", 503, true},
		{"/status/204", 204, false},
		{"/status/304", 304, false},
		{"/status/99", 400, false},
		{"/status/600", 400, false},
		{"/status/teapot", 400, false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, e := func() (*http.Response, upstream.Echo) {
				resp, err := client.Get(s.URL + tt.path)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				body, _ := io.ReadAll(resp.Body)
				var e upstream.Echo
				_ = json.Unmarshal(body, &e)
				return resp, e
			}()
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.want)
			}
			if got := e.Path == tt.path; got != tt.wantEcho {
				t.Fatalf("echo present = %v, want %v (path %q)", got, tt.wantEcho, e.Path)
			}
		})
	}
}

func TestDelayWaitsBeforeAnswering(t *testing.T) {
	s := upstream.Start(t)
	start := time.Now()
	resp, e := get(t, s.URL+"/delay/150?x=1")
	if took := time.Since(start); took < 150*time.Millisecond {
		t.Fatalf("answered after %v, want at least 150ms", took)
	}
	if resp.StatusCode != 200 || e.Path != "/delay/150" || e.Query != "x=1" {
		t.Fatalf("status %d, path %q, query %q", resp.StatusCode, e.Path, e.Query)
	}
	resp, err := client.Get(s.URL + "/delay/soon")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 400 {
		t.Fatalf("/delay/soon: status %d, want 400", resp.StatusCode)
	}
}

func TestCloseDoesNotWaitForDelayedRequests(t *testing.T) {
	s, err := upstream.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		resp, err := client.Get(s.URL + "/delay/60000")
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	deadline := time.Now().Add(5 * time.Second)
	for s.Requests() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	start := time.Now()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("Close took %v", took)
	}
	select {
	case err := <-errc:
		if err == nil {
			t.Fatal("delayed request was answered after Close")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("delayed request still pending 5s after Close")
	}
}

func TestCloseDropsTheConnectionUnanswered(t *testing.T) {
	s := upstream.Start(t)
	conn, err := net.DialTimeout("tcp", s.Addr(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(conn, "GET /close HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	n, err := conn.Read(make([]byte, 1))
	if n != 0 || err == nil {
		t.Fatalf("read %d bytes, err %v; want no answer and a closed connection", n, err)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatal("connection was left open")
	}

	if _, err := client.Get(s.URL + "/close"); err == nil {
		t.Fatal("http client got an answer from /close")
	}
	if got := s.Requests(); got != 2 {
		t.Fatalf("Requests() = %d, want 2", got)
	}
}

func TestServesKeepAliveRequests(t *testing.T) {
	s := upstream.Start(t)
	for i := 0; i < 50; i++ {
		if resp, _ := get(t, s.URL+"/"); resp.StatusCode != 200 {
			t.Fatalf("request %d: status %d", i, resp.StatusCode)
		}
	}
}

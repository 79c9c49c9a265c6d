package httplog

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin/plugintest"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// received is one request the log server got.
type received struct {
	method, uri, host string
	header            http.Header
	body              []byte
}

// logServer is an httptest server on 127.0.0.1 answering with the queued
// statuses (then 200) and recording every request.
type logServer struct {
	*httptest.Server
	mu       sync.Mutex
	statuses []int
	got      chan received
}

func newLogServer(t *testing.T, statuses ...int) *logServer {
	s := &logServer{statuses: statuses, got: make(chan received, 100)}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.got <- received{method: r.Method, uri: r.RequestURI, host: r.Host, header: r.Header.Clone(), body: body}
		s.mu.Lock()
		status := 200
		if len(s.statuses) > 0 {
			status, s.statuses = s.statuses[0], s.statuses[1:]
		}
		s.mu.Unlock()
		w.WriteHeader(status)
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *logServer) next(t *testing.T) received {
	t.Helper()
	select {
	case r := <-s.got:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("the log server got nothing")
	}
	return received{}
}

func (s *logServer) none(t *testing.T, wait time.Duration) {
	t.Helper()
	select {
	case r := <-s.got:
		t.Fatalf("unexpected request: %s", r.body)
	case <-time.After(wait):
	}
}

func TestSchema(t *testing.T) {
	h := plugintest.New(t)
	doc := h.Plugin(schema.Doc{"name": Name, "config": schema.Doc{"http_endpoint": "http://127.0.0.1:9/logs"}})
	cfg := doc["config"].(map[string]any)
	for k, want := range map[string]any{"method": "POST", "content_type": "application/json", "timeout": 10000.0,
		"keepalive": 60000.0, "retry_count": nil, "queue_size": nil, "flush_timeout": nil, "headers": nil} {
		if cfg[k] != want {
			t.Errorf("default %s = %v, want %v", k, cfg[k], want)
		}
	}
	q := cfg["queue"].(map[string]any)
	for k, want := range map[string]any{"max_batch_size": 1.0, "max_coalescing_delay": 1.0, "max_entries": 10000.0,
		"max_bytes": nil, "max_retry_time": 60.0, "initial_retry_delay": 0.01, "max_retry_delay": 60.0, "concurrency_limit": 1.0} {
		if q[k] != want {
			t.Errorf("default queue.%s = %v, want %v", k, q[k], want)
		}
	}

	endpoint := "http://127.0.0.1:9/logs"
	cases := []struct {
		name   string
		config schema.Doc
		want   string
	}{
		{"endpoint is required", schema.Doc{}, "schema violation (config.http_endpoint: required field missing)"},
		{"endpoint needs a host", schema.Doc{"http_endpoint": "example.com/logs"}, "schema violation (config.http_endpoint: missing host in url)"},
		{"endpoint needs a scheme", schema.Doc{"http_endpoint": "//example.com/logs"}, "schema violation (config.http_endpoint: missing scheme in url)"},
		{"method", schema.Doc{"http_endpoint": endpoint, "method": "GET"}, "schema violation (config.method: expected one of: POST, PUT, PATCH)"},
		{"content type", schema.Doc{"http_endpoint": endpoint, "content_type": "text/plain"},
			"schema violation (config.content_type: expected one of: application/json, application/json; charset=utf-8)"},
		{"Host header", schema.Doc{"http_endpoint": endpoint, "headers": schema.Doc{"hOsT": "x"}},
			"schema violation (config.headers: cannot contain 'Host' header)"},
		{"Content-Type header", schema.Doc{"http_endpoint": endpoint, "headers": schema.Doc{"content-type": "x"}},
			"schema violation (config.headers: cannot contain 'Content-Type' header)"},
		{"Content-Length header", schema.Doc{"http_endpoint": endpoint, "headers": schema.Doc{"Content-Length": "1"}},
			"schema violation (config.headers: cannot contain 'Content-Length' header)"},
		// Kong's pattern has [nn] where [Nn] was meant.
		{"Content-LeNgth slips through like in Kong", schema.Doc{"http_endpoint": endpoint, "headers": schema.Doc{"CONTENT-LENGTH": "1"}}, ""},
		{"header names", schema.Doc{"http_endpoint": endpoint, "headers": schema.Doc{"bad name": "1"}},
			"schema violation (config.headers: bad header name 'bad name', allowed characters are A-Z, a-z, 0-9, '_', and '-')"},
		{"user info and Authorization", schema.Doc{"http_endpoint": "http://u:p@127.0.0.1/", "headers": schema.Doc{"authorization": "x"}},
			"schema violation (config: " + msgUserinfoAndAuthorization + ")"},
		{"Authorization without user info", schema.Doc{"http_endpoint": endpoint, "headers": schema.Doc{"Authorization": "x"}}, ""},
		{"concurrency limit", schema.Doc{"http_endpoint": endpoint, "queue": schema.Doc{"concurrency_limit": 2}},
			"schema violation (config.queue: {\n  concurrency_limit = \"expected one of: -1, 1\"\n})"},
		{"batch size", schema.Doc{"http_endpoint": endpoint, "queue": schema.Doc{"max_batch_size": 0}},
			"schema violation (config.queue: {\n  max_batch_size = \"value should be between 1 and 1000000\"\n})"},
		{"deprecated fields accepted", schema.Doc{"http_endpoint": endpoint, "retry_count": 3, "queue_size": 5, "flush_timeout": 1}, ""},
		{"Lua rejected", schema.Doc{"http_endpoint": endpoint, "custom_fields_by_lua": schema.Doc{"x": "return 1"}},
			"schema violation (config.custom_fields_by_lua: " + msgLuaUnsupported + ")"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := h.PluginError(schema.Doc{"name": Name, "config": tc.config}); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSingleEntryIsOneJSONObject(t *testing.T) {
	srv := newLogServer(t)
	h := plugintest.New(t)
	h.Plugin(schema.Doc{"name": Name, "config": schema.Doc{"http_endpoint": srv.URL + "/logs?token=dropped", "method": "PUT",
		"content_type": "application/json; charset=utf-8"}})
	h.Do(plugintest.Request{URI: "/orders?x=1", Headers: [][2]string{{"Authorization", "secret"}}}, plugintest.Upstream{Status: 202})
	r := srv.next(t)
	if r.method != "PUT" || r.uri != "/logs" {
		t.Fatalf("request line: %s %s (Kong sends no endpoint query)", r.method, r.uri)
	}
	if r.header.Get("Content-Type") != "application/json; charset=utf-8" || r.header.Get("Authorization") != "" {
		t.Fatalf("headers: %v", r.header)
	}
	if r.host != strings.TrimPrefix(srv.URL, "http://") {
		t.Fatalf("Host %q", r.host)
	}
	var entry map[string]any
	if err := json.Unmarshal(r.body, &entry); err != nil {
		t.Fatalf("body is not one JSON object: %s", r.body)
	}
	req := entry["request"].(map[string]any)
	if req["uri"] != "/orders?x=1" || req["headers"].(map[string]any)["authorization"] != "REDACTED" ||
		entry["response"].(map[string]any)["status"] != 202.0 {
		t.Fatalf("entry: %s", r.body)
	}
}

func TestBatchesAreJSONArrays(t *testing.T) {
	srv := newLogServer(t)
	h := plugintest.New(t)
	h.Plugin(schema.Doc{"name": Name, "config": schema.Doc{"http_endpoint": srv.URL,
		"queue": schema.Doc{"max_batch_size": 3, "max_coalescing_delay": 30}}})
	start := time.Now()
	for _, uri := range []string{"/a", "/b", "/c"} {
		h.Do(plugintest.Request{URI: uri}, plugintest.Upstream{})
	}
	r := srv.next(t)
	if time.Since(start) > 10*time.Second {
		t.Fatal("a full batch must be sent without waiting for the coalescing delay")
	}
	var batch []map[string]any
	if err := json.Unmarshal(r.body, &batch); err != nil || len(batch) != 3 {
		t.Fatalf("body %s: %v", r.body, err)
	}
	for i, uri := range []string{"/a", "/b", "/c"} {
		if batch[i]["request"].(map[string]any)["uri"] != uri {
			t.Fatalf("entry %d out of order: %v", i, batch[i]["request"])
		}
	}
	if r.uri != "/" {
		t.Fatalf("an endpoint without path posts to /: %q", r.uri)
	}
}

func TestPartialBatchIsSentAfterTheCoalescingDelay(t *testing.T) {
	srv := newLogServer(t)
	h := plugintest.New(t)
	h.Plugin(schema.Doc{"name": Name, "config": schema.Doc{"http_endpoint": srv.URL,
		"queue": schema.Doc{"max_batch_size": 10, "max_coalescing_delay": 0.2}}})
	h.Do(plugintest.Request{}, plugintest.Upstream{})
	h.Do(plugintest.Request{}, plugintest.Upstream{})
	var batch []any
	if err := json.Unmarshal(srv.next(t).body, &batch); err != nil || len(batch) != 2 {
		t.Fatalf("batch of %d: %v", len(batch), err)
	}
}

func TestDeprecatedQueueSizeBatches(t *testing.T) {
	srv := newLogServer(t)
	h := plugintest.New(t)
	h.Plugin(schema.Doc{"name": Name, "config": schema.Doc{"http_endpoint": srv.URL, "queue_size": 2, "flush_timeout": 30}})
	h.Do(plugintest.Request{}, plugintest.Upstream{})
	h.Do(plugintest.Request{}, plugintest.Upstream{})
	var batch []any
	if err := json.Unmarshal(srv.next(t).body, &batch); err != nil || len(batch) != 2 {
		t.Fatalf("queue_size must set the batch size: %d %v", len(batch), err)
	}
}

func TestRetriesUntilSuccess(t *testing.T) {
	srv := newLogServer(t, 500, 503)
	h := plugintest.New(t)
	h.Plugin(schema.Doc{"name": Name, "config": schema.Doc{"http_endpoint": srv.URL,
		"queue": schema.Doc{"initial_retry_delay": 0.01}}})
	h.Do(plugintest.Request{URI: "/retry"}, plugintest.Upstream{})
	first := srv.next(t)
	for i := 0; i < 2; i++ {
		if again := srv.next(t); string(again.body) != string(first.body) {
			t.Fatalf("attempt %d sent another body", i+2)
		}
	}
	srv.none(t, 100*time.Millisecond)
}

func TestNoRetryWithNegativeMaxRetryTime(t *testing.T) {
	srv := newLogServer(t, 500, 500, 500)
	h := plugintest.New(t)
	h.Plugin(schema.Doc{"name": Name, "config": schema.Doc{"http_endpoint": srv.URL,
		"queue": schema.Doc{"max_retry_time": -1, "initial_retry_delay": 0.01}}})
	h.Do(plugintest.Request{}, plugintest.Upstream{})
	srv.next(t)
	srv.none(t, 200*time.Millisecond)
}

func TestCustomHeadersAndBasicAuthFromTheURL(t *testing.T) {
	srv := newLogServer(t)
	h := plugintest.New(t)
	endpoint := strings.Replace(srv.URL, "http://", "http://bob:pa%40ss@", 1) + "/in"
	h.Plugin(schema.Doc{"name": Name, "config": schema.Doc{"http_endpoint": endpoint,
		"headers": schema.Doc{"X-Api-Key": "k1", "X-Env": "test"}}})
	h.Do(plugintest.Request{}, plugintest.Upstream{})
	r := srv.next(t)
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte("bob:pa%40ss"))
	if got := r.header.Get("Authorization"); got != want {
		t.Fatalf("Authorization %q, want %q (Kong encodes the raw user info)", got, want)
	}
	if r.header.Get("X-Api-Key") != "k1" || r.header.Get("X-Env") != "test" || r.uri != "/in" {
		t.Fatalf("custom headers: %v %s", r.header, r.uri)
	}
}

func TestConfiguredAuthorizationIsSentWithoutUserinfo(t *testing.T) {
	srv := newLogServer(t)
	h := plugintest.New(t)
	h.Plugin(schema.Doc{"name": Name, "config": schema.Doc{"http_endpoint": srv.URL, "headers": schema.Doc{"Authorization": "Bearer t"}}})
	h.Do(plugintest.Request{}, plugintest.Upstream{})
	if got := srv.next(t).header.Get("Authorization"); got != "Bearer t" {
		t.Fatalf("Authorization %q", got)
	}
}

func TestQueueIsFlushedAndClosedWhenThePluginIsRemoved(t *testing.T) {
	srv := newLogServer(t)
	h := plugintest.New(t)
	doc := h.Plugin(schema.Doc{"name": Name, "config": schema.Doc{"http_endpoint": srv.URL,
		"queue": schema.Doc{"max_batch_size": 10, "max_coalescing_delay": 60}}})
	h.Do(plugintest.Request{URI: "/1"}, plugintest.Upstream{})
	h.Do(plugintest.Request{URI: "/2"}, plugintest.Upstream{})
	srv.none(t, 50*time.Millisecond) // still coalescing
	q := keptQueue(t, h, doc)
	cat, err := plugin.NewCatalog([]string{"bundled"})
	if err != nil {
		t.Fatal(err)
	}
	gen := h.Host.BeginBuild()
	plugin.Compile(cat, nil, plugin.NewData(nil), h.Host, nil)
	start := time.Now()
	h.Host.Commit(gen)

	var batch []any
	if err := json.Unmarshal(srv.next(t).body, &batch); err != nil || len(batch) != 2 {
		t.Fatalf("flushed batch: %d %v", len(batch), err)
	}
	if time.Since(start) > 10*time.Second {
		t.Fatal("close must not wait for the coalescing delay")
	}
	select {
	case <-q.stopped:
	default:
		t.Fatal("worker still running after close")
	}
	if q.enqueue([]byte(`{}`)) {
		t.Fatal("a closed queue must drop late entries")
	}
}

// keptQueue returns the queue New kept for a plugin document.
func keptQueue(t *testing.T, h *plugintest.Harness, doc schema.Doc) *queue {
	t.Helper()
	cfg := doc["config"].(map[string]any)
	key, err := keepKey(cfg, queueParams(cfg))
	if err != nil {
		t.Fatal(err)
	}
	v, err := h.Host.Keep(key, func() (any, error) { return nil, errors.New("queue not kept") })
	if err != nil {
		t.Fatal(err)
	}
	return v.(*queue)
}

func TestQueueDropsOldestWhenFull(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var sent []string
	q := newQueue("t", queueConfig{maxBatchSize: 1, maxEntries: 2, maxRetryTime: time.Minute,
		initialRetryDelay: time.Millisecond, maxRetryDelay: time.Millisecond},
		func(_ context.Context, batch [][]byte) error {
			<-release
			mu.Lock()
			sent = append(sent, string(batch[0]))
			mu.Unlock()
			return nil
		}, nil)
	q.enqueue([]byte("first"))
	for q.count() != 0 { // the worker took it and blocks
		time.Sleep(time.Millisecond)
	}
	for _, e := range []string{"a", "b", "c"} {
		q.enqueue([]byte(e))
	}
	close(release)
	if err := q.Close(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(sent, ","); got != "first,b,c" {
		t.Fatalf("sent %s, want first,b,c", got)
	}
}

func TestQueueMaxBytes(t *testing.T) {
	block := make(chan struct{})
	q := newQueue("t", queueConfig{maxBatchSize: 1, maxEntries: 100, maxBytes: 10, maxRetryTime: time.Minute},
		func(context.Context, [][]byte) error { <-block; return nil }, nil)
	defer func() { close(block); q.Close() }()
	q.enqueue([]byte("x"))
	for q.count() != 0 {
		time.Sleep(time.Millisecond)
	}
	if q.enqueue([]byte("01234567890")) {
		t.Fatal("an entry larger than max_bytes must be refused")
	}
	q.enqueue([]byte("123456"))
	q.enqueue([]byte("7890ab")) // 12 bytes would not fit: the oldest goes
	q.mu.Lock()
	n, bytes := len(q.entries), q.bytes
	q.mu.Unlock()
	if n != 1 || bytes != 6 {
		t.Fatalf("queue holds %d entries, %d bytes", n, bytes)
	}
}

func TestUnlimitedConcurrencySendsEachEntryAtOnce(t *testing.T) {
	srv := newLogServer(t)
	h := plugintest.New(t)
	h.Plugin(schema.Doc{"name": Name, "config": schema.Doc{"http_endpoint": srv.URL,
		"queue": schema.Doc{"concurrency_limit": -1, "max_batch_size": 1}}})
	h.Do(plugintest.Request{URI: "/x"}, plugintest.Upstream{})
	h.Do(plugintest.Request{URI: "/y"}, plugintest.Upstream{})
	for i := 0; i < 2; i++ {
		var entry map[string]any
		if err := json.Unmarshal(srv.next(t).body, &entry); err != nil {
			t.Fatalf("entry %d: %v", i, err)
		}
	}
}

func TestSendErrorsNameTheServer(t *testing.T) {
	srv := newLogServer(t, 418)
	s, err := newSender(schema.Doc{"http_endpoint": srv.URL}, 1)
	if err != nil {
		t.Fatal(err)
	}
	err = s.send(context.Background(), [][]byte{[]byte(`{}`)})
	host := strings.TrimPrefix(srv.URL, "http://")
	if err == nil || err.Error() != "request to "+host+" returned status code 418 and body ok" {
		t.Fatalf("error %v", err)
	}
	srv.Close()
	if err := s.send(context.Background(), [][]byte{[]byte(`{}`)}); err == nil || !strings.HasPrefix(err.Error(), "failed request to "+host) {
		t.Fatalf("connection error %v", err)
	}
}

func TestParseURLLikeLuaSocket(t *testing.T) {
	cases := []struct {
		in                              string
		scheme, userinfo, host, port, p string
	}{
		{"http://u:p@h.example:8080/a/b?q=1#f", "http", "u:p", "h.example", "8080", "/a/b"},
		{"https://[::1]:9/x", "https", "", "::1", "9", "/x"},
		{"https://[::1]/x", "https", "", "::1", "", "/x"},
		{"http://h", "http", "", "h", "", ""},
		{"h.example/x", "", "", "", "", "h.example/x"},
	}
	for _, tc := range cases {
		u := parseURL(tc.in)
		if u.scheme != tc.scheme || u.userinfo != tc.userinfo || u.host != tc.host || u.port != tc.port || u.path != tc.p {
			t.Errorf("parseURL(%q) = %+v", tc.in, u)
		}
	}
}

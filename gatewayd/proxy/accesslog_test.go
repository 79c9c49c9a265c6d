package proxy

import (
	"bytes"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the log writer goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestAccessLogLines(t *testing.T) {
	pl := newPipelineWith(t, pipelineOptions{})
	probe := &headerProbe{}
	probe.serve(t, pl)
	var out syncBuffer
	al := NewAccessLog(&out)
	pl.p.opts.AccessLog = al
	before := time.Now().UTC()
	for i := 0; i < 3; i++ {
		if resp := do(t, pl, "GET /bench/items?x=1 HTTP/1.1\r\nHost: bench.local\r\n\r\n"); resp.StatusCode() != 200 {
			t.Fatalf("status %d", resp.StatusCode())
		}
	}
	if resp := do(t, pl, "GET /nowhere HTTP/1.1\r\nHost: bench.local\r\n\r\n"); resp.StatusCode() != 404 {
		t.Fatalf("status %d", resp.StatusCode())
	}
	al.Close()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines:\n%s", len(lines), out.String())
	}
	for i, line := range lines {
		var e struct {
			Time      string `json:"time"`
			RequestID string `json:"request_id"`
			ClientIP  string `json:"client_ip"`
			Method    string `json:"method"`
			URI       string `json:"uri"`
			Status    int    `json:"status"`
			Size      int    `json:"response_size"`
			Latencies struct {
				Request  *int `json:"request"`
				Upstream *int `json:"upstream"`
			} `json:"latencies"`
			Route *struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"route"`
			Service *struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"service"`
			Upstream *struct {
				Host string `json:"host"`
				Addr string `json:"addr"`
				URI  string `json:"uri"`
			} `json:"upstream"`
		}
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("line %d is not JSON: %v\n%s", i, err, line)
		}
		ts, err := time.Parse(time.RFC3339Nano, e.Time)
		if err != nil || ts.Before(before.Add(-time.Second)) || ts.After(time.Now().Add(time.Second)) || !strings.HasSuffix(e.Time, "Z") {
			t.Errorf("line %d time %q: %v", i, e.Time, err)
		}
		if len(e.RequestID) != 32 || e.ClientIP != "127.0.0.1" || e.Method != "GET" || e.Latencies.Request == nil || e.Latencies.Upstream == nil {
			t.Errorf("line %d: %s", i, line)
		}
		if i < 3 {
			if e.Status != 200 || e.URI != "/bench/items" || e.Size != 2 || e.Route == nil || e.Route.Name != "bench" ||
				e.Service == nil || e.Service.Name != "bench" || e.Upstream == nil || e.Upstream.Host != "upstream.bench:80" ||
				e.Upstream.URI != "/items?x=1" || e.Upstream.Addr == "" {
				t.Errorf("line %d: %s", i, line)
			}
		} else if e.Status != 404 || e.URI != "/nowhere" || e.Route != nil || e.Service != nil {
			t.Errorf("line %d: %s", i, line)
		}
	}
	if al.Dropped() != 0 {
		t.Errorf("dropped %d", al.Dropped())
	}
}

func TestAccessLogTimeFormat(t *testing.T) {
	for _, ts := range []time.Time{
		time.Date(2026, 11, 22, 1, 2, 3, 0, time.UTC),
		time.Date(2026, 11, 22, 1, 2, 3, 120000000, time.UTC),
		time.Date(2026, 11, 22, 1, 2, 3, 123456789, time.UTC),
		time.Date(2026, 11, 22, 1, 2, 3, 5, time.FixedZone("x", 3600)),
		time.Date(1999, 1, 1, 23, 59, 59, 999999999, time.UTC),
	} {
		var c logClock
		got := string(c.appendTime(nil, ts))
		want := ts.UTC().Format(time.RFC3339Nano)
		if got != want {
			t.Errorf("%v: %q, want %q", ts, got, want)
		}
		if again := string(c.appendTime(nil, ts.Add(time.Nanosecond))); again != ts.Add(time.Nanosecond).UTC().Format(time.RFC3339Nano) {
			t.Errorf("cached second: %q", again)
		}
	}
}

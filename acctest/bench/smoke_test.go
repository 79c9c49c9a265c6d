package main

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestSmoke runs the harness for a few seconds: every contender (direct,
// nginx, HAProxy, Caddy and each gatewayd configuration) must start and
// answer the benchmark request with 200, under wrk and under the
// fixed-rate generator. It asserts nothing about timings.
func TestSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("starts nginx, HAProxy, Caddy and gatewayd")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	var log strings.Builder
	err := run(ctx, smokeConfig(defaultConfig()), &log)
	t.Log(log.String())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range contenderDefs {
		if strings.HasPrefix(d.key, "baseline") {
			continue // only with -baseline
		}
		if !strings.Contains(log.String(), "smoke: "+pad(d.key)+" answered 200") {
			t.Errorf("%s did not report an answer", d.key)
		}
	}
}

func pad(s string) string { return s + strings.Repeat(" ", max(0, 16-len(s))) }

func TestParseWrk(t *testing.T) {
	out := "Running 1s test @ http://127.0.0.1:1/bench\n" +
		"GWBENCH requests=12000 duration_us=1000000 status_errors=2 connect=0 read=1 write=0 timeout=3 p50=120 p90=300 p99=900 p999=1500 max=4000\n"
	r, err := parseWrk(out)
	if err != nil {
		t.Fatal(err)
	}
	if r.RPS() != 12000 || r.StatusErrors != 2 || r.SocketErrors != 4 || r.P50 != 120 || r.P99 != 900 || r.P999 != 1500 {
		t.Fatalf("parsed %+v", r)
	}
	if _, err := parseWrk("no report"); err == nil {
		t.Fatal("want an error without the report line")
	}
}

func TestStats(t *testing.T) {
	if m := median([]float64{3, 1, 2}); m != 2 {
		t.Fatalf("median %v", m)
	}
	if m := median([]float64{4, 1, 2, 3}); m != 2.5 {
		t.Fatalf("median %v", m)
	}
	s := []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	if p := percentile(s, 50); p != 5 {
		t.Fatalf("p50 %v", p)
	}
	if p := percentile(s, 99); p != 10 {
		t.Fatalf("p99 %v", p)
	}
}

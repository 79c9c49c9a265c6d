package ratelimiting

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
)

func testLimiter(t testing.TB, host *plugin.Host, id string, cfg map[string]any) *limiter {
	t.Helper()
	full := map[string]any{"limit_by": "consumer", "policy": "local", "fault_tolerant": true,
		"hide_client_headers": false, "error_code": 429.0, "error_message": "API rate limit exceeded", "sync_rate": -1.0}
	for k, v := range cfg {
		full[k] = v
	}
	impl, err := New(&plugin.Env{ID: id, Name: "rate-limiting", Config: full, Host: host})
	if err != nil {
		t.Fatal(err)
	}
	return impl.(*limiter)
}

// Concurrent requests never let more than the limit through.
func TestLocalStoreIsExactUnderConcurrency(t *testing.T) {
	host := plugin.NewHost("n", "h", "v", nil)
	defer host.Close()
	l := testLimiter(t, host, "p1", map[string]any{"minute": 100.0, "hour": 1000.0})
	store := l.local
	now := time.Date(2024, 5, 10, 12, 0, 0, 0, time.UTC).Unix()
	starts := windowStarts(now, l.mask)
	var passed atomic.Int64
	var wg sync.WaitGroup
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				var usage [numPeriods]int64
				if err := store.count(l, identifier{s: "alice"}, now, &starts, &usage); err != nil {
					t.Error(err)
					return
				}
				if float64(usage[pMinute]) < l.limits[pMinute] {
					passed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	if passed.Load() != 100 {
		t.Fatalf("%d requests passed, want 100", passed.Load())
	}
}

// Identifiers whose windows all expired are dropped once their shard
// grows again, so memory follows the active identifiers.
func TestLocalStoreForgetsExpiredIdentifiers(t *testing.T) {
	host := plugin.NewHost("n", "h", "v", nil)
	defer host.Close()
	l := testLimiter(t, host, "p1", map[string]any{"second": 5.0, "minute": 10.0})
	store := l.local
	t0 := time.Date(2024, 5, 10, 12, 0, 0, 0, time.UTC).Unix()
	count := func(now int64, id identifier) {
		starts := windowStarts(now, l.mask)
		var usage [numPeriods]int64
		if err := store.count(l, id, now, &starts, &usage); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 2000; i++ {
		count(t0, identifier{ip: netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)})})
		count(t0, identifier{s: fmt.Sprintf("consumer-%d", i)})
	}
	if n := store.size(); n != 4000 {
		t.Fatalf("size %d", n)
	}
	// Still inside the minute window: nothing may be dropped.
	for i := 0; i < 2000; i++ {
		count(t0+59, identifier{s: fmt.Sprintf("late-%d", i)})
	}
	if n := store.size(); n != 6000 {
		t.Fatalf("size %d after 59s, want 6000", n)
	}
	later := t0 + 59 + 60 + sweepEvery
	for i := 0; i < 2000; i++ {
		count(later, identifier{s: fmt.Sprintf("new-%d", i)})
	}
	if n := store.size(); n > 2000+2*localShards {
		t.Fatalf("size %d: expired identifiers kept", n)
	}
}

func TestRemovedInstanceStoresAreClosedAndTolerateLateRequests(t *testing.T) {
	host := plugin.NewHost("n", "h", "v", nil)
	defer host.Close()
	gen := host.BeginBuild()
	l := testLimiter(t, host, "p1", map[string]any{"minute": 1.0})
	host.Commit(gen)
	store := l.local

	var c plugin.Context
	info := plugin.RequestInfo{ClientIP: netip.MustParseAddr("192.0.2.1")}
	c.Reset(nil, info)
	l.Access(&c)
	c.Reset(nil, info)
	l.Access(&c)
	if !c.Exited() || c.ExitValue().Status != 429 {
		t.Fatalf("second request not limited: %+v", c.ExitValue())
	}

	// A new snapshot without the instance closes its counters.
	host.Commit(host.BeginBuild())
	if !store.closed.Load() {
		t.Fatal("store of a removed instance still open")
	}
	// A request that still holds the old instance passes uncounted.
	c.Reset(nil, info)
	l.Access(&c)
	if c.Exited() {
		t.Fatalf("late request answered %+v", c.ExitValue())
	}
}

func TestRedisClientsAreSharedAndClosedWithTheirLastInstance(t *testing.T) {
	host := plugin.NewHost("n", "h", "v", nil)
	defer host.Close()
	redisCfg := map[string]any{"host": "127.0.0.1", "port": 1.0, "timeout": 100.0, "database": 0.0, "ssl": false, "ssl_verify": false}
	cfg := map[string]any{"minute": 1.0, "policy": "redis", "fault_tolerant": false, "redis": redisCfg}
	gen := host.BeginBuild()
	a := testLimiter(t, host, "a", cfg)
	b := testLimiter(t, host, "b", cfg)
	host.Commit(gen)
	sa, sb := a.redis.store, b.redis.store
	if sa != sb {
		t.Fatal("instances with the same redis config do not share a client")
	}
	host.Commit(host.BeginBuild())
	if !sa.closed.Load() {
		t.Fatal("client not closed")
	}
	// fault_tolerant=false would answer 500 on a Redis error; a closed
	// client is not an error, the request passes.
	var c plugin.Context
	c.Reset(nil, plugin.RequestInfo{ClientIP: netip.MustParseAddr("192.0.2.1")})
	a.Access(&c)
	if c.Exited() {
		t.Fatalf("late request answered %+v", c.ExitValue())
	}
}

func TestWindowStartsFollowKongTimestamps(t *testing.T) {
	now := time.Date(2024, 2, 29, 13, 45, 30, 0, time.UTC)
	got := windowStarts(now.Unix(), 0xff)
	want := [numPeriods]time.Time{
		now,
		time.Date(2024, 2, 29, 13, 45, 0, 0, time.UTC),
		time.Date(2024, 2, 29, 13, 0, 0, 0, time.UTC),
		time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	for p := range want {
		if got[p] != want[p].Unix() {
			t.Errorf("%s start = %v, want %v", periodNames[p], time.Unix(got[p], 0).UTC(), want[p])
		}
	}
}

func TestNumbersRenderLikeLuaTostring(t *testing.T) {
	for in, want := range map[float64]string{0: "0", 5: "5", 4095: "4095", 4096: "4096", 1.5: "1.5",
		0.1 + 0.2: "0.3", 1e15: "1e+15", -1: "-1"} {
		if got := formatNumber(in); got != want {
			t.Errorf("formatNumber(%v) = %q, want %q", in, got, want)
		}
	}
}

func TestClusterPolicyWarnsOncePerInstance(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	host := plugin.NewHost("n", "h", "v", nil)
	defer host.Close()
	for snapshot := 0; snapshot < 3; snapshot++ {
		gen := host.BeginBuild()
		impl, err := New(&plugin.Env{ID: "p1", Name: "rate-limiting", Logger: log, Host: host,
			Config: map[string]any{"minute": 1.0, "policy": "cluster", "fault_tolerant": true}})
		if err != nil {
			t.Fatal(err)
		}
		if impl.(*limiter).local == nil {
			t.Fatal("cluster policy does not count locally")
		}
		host.Commit(gen)
	}
	if n := strings.Count(buf.String(), "cluster policy is not supported"); n != 1 {
		t.Fatalf("%d warnings:\n%s", n, buf.String())
	}
}

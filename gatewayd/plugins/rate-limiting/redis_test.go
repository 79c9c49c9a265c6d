package ratelimiting_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	acctestredis "github.com/gatewayd-toolkit/gatewayd/acctest/redis"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin/plugintest"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
	"github.com/redis/go-redis/v9"
)

// startRedis runs a throwaway redis-server (acctest/redis: a missing
// redis-server fails the test) and returns its port and a client for
// inspecting the keys the plugin wrote.
func startRedis(t *testing.T, extra ...string) (int, *redis.Client) {
	t.Helper()
	srv := acctestredis.Start(t, extra...)
	opt := &redis.Options{Addr: srv.Addr, Protocol: 2, DisableIdentity: true}
	for i := 0; i+1 < len(extra); i++ {
		if extra[i] == "--requirepass" {
			opt.Password = extra[i+1]
		}
	}
	client := redis.NewClient(opt)
	t.Cleanup(func() { client.Close() })
	return srv.Port, client
}

func redisConfig(port int, cfg schema.Doc) schema.Doc {
	out := schema.Doc{"policy": "redis", "redis": schema.Doc{"host": "127.0.0.1", "port": port}}
	for k, v := range cfg {
		out[k] = v
	}
	return out
}

// windowKey is Kong's counter key for a global instance.
func windowKey(id string, start time.Time, period string) string {
	return fmt.Sprintf("ratelimit:00000000-0000-0000-0000-000000000000:00000000-0000-0000-0000-000000000000:%s:%d:%s",
		id, start.UnixMilli(), period)
}

func TestRedisPolicyCountsWithKongKeys(t *testing.T) {
	port, rdb := startRedis(t)
	now := time.Now().UTC().Truncate(time.Minute).Add(10 * time.Second)
	h := plugintest.New(t)
	h.Host.Now = func() time.Time { return now }
	h.Plugin(limitPlugin(redisConfig(port, schema.Doc{"minute": 2, "hour": 10})))
	expect(t, h.Do(plugintest.Request{}, plugintest.Upstream{}), 200, map[string]string{
		"X-RateLimit-Remaining-Minute": "1", "X-RateLimit-Remaining-Hour": "9", "RateLimit-Reset": "50"})
	expect(t, h.Do(plugintest.Request{}, plugintest.Upstream{}), 200, map[string]string{"X-RateLimit-Remaining-Minute": "0"})
	res := h.Do(plugintest.Request{}, plugintest.Upstream{})
	expect(t, res, 429, map[string]string{"X-RateLimit-Remaining-Minute": "0", "X-RateLimit-Remaining-Hour": "8", "Retry-After": "50"})
	if string(res.Body) != body("API rate limit exceeded") {
		t.Fatalf("body %s", res.Body)
	}

	ctx := context.Background()
	// Kong's redis policy increments before comparing, rejected requests
	// included.
	for key, want := range map[string]int64{
		windowKey("127.0.0.1", now.Truncate(time.Minute), "minute"): 3,
		windowKey("127.0.0.1", now.Truncate(time.Hour), "hour"):     3,
	} {
		got, err := rdb.Get(ctx, key).Int64()
		if err != nil || got != want {
			t.Errorf("%s = %d (%v), want %d", key, got, err, want)
		}
		ttl, err := rdb.TTL(ctx, key).Result()
		if err != nil || ttl <= 0 {
			t.Errorf("%s has no expiry: %v %v", key, ttl, err)
		}
	}
	if ttl := rdb.TTL(ctx, windowKey("127.0.0.1", now.Truncate(time.Minute), "minute")).Val(); ttl > time.Minute {
		t.Errorf("minute key TTL %v", ttl)
	}
}

func TestRedisKeysCarryThePluginScope(t *testing.T) {
	port, rdb := startRedis(t)
	now := time.Now().UTC().Truncate(time.Minute)
	h := plugintest.New(t)
	h.Host.Now = func() time.Time { return now }
	h.Plugin(schema.Doc{"name": "rate-limiting", "route": plugintest.Ref(plugintest.RouteID), "service": plugintest.Ref(plugintest.ServiceID),
		"config": redisConfig(port, schema.Doc{"minute": 5, "limit_by": "header", "header_name": "X-Tenant"})})
	expect(t, h.Do(plugintest.Request{Headers: [][2]string{{"X-Tenant", "acme"}}}, plugintest.Upstream{}), 200, nil)
	key := fmt.Sprintf("ratelimit:%s:%s:acme:%d:minute", plugintest.RouteID, plugintest.ServiceID, now.UnixMilli())
	if got := rdb.Get(context.Background(), key).Val(); got != "1" {
		t.Fatalf("%s = %q; keys %v", key, got, rdb.Keys(context.Background(), "*").Val())
	}
}

// Two gateways (two hosts, two configurations) share one Redis: the limit
// is global.
func TestRedisCountersAreSharedBetweenGateways(t *testing.T) {
	port, _ := startRedis(t)
	now := time.Now().UTC().Truncate(time.Minute)
	var gateways []*plugintest.Harness
	for i := 0; i < 2; i++ {
		h := plugintest.New(t)
		h.Host.Now = func() time.Time { return now }
		h.Plugin(limitPlugin(redisConfig(port, schema.Doc{"minute": 3})))
		gateways = append(gateways, h)
	}
	for i, want := range []int{200, 200, 200, 429, 429} {
		expect(t, gateways[i%2].Do(plugintest.Request{}, plugintest.Upstream{}), want, nil)
	}
}

func TestRedisWindowResets(t *testing.T) {
	port, _ := startRedis(t)
	now := time.Now().UTC().Truncate(time.Minute)
	h := plugintest.New(t)
	h.Host.Now = func() time.Time { return now }
	h.Plugin(limitPlugin(redisConfig(port, schema.Doc{"minute": 1})))
	expect(t, h.Do(plugintest.Request{}, plugintest.Upstream{}), 200, nil)
	expect(t, h.Do(plugintest.Request{}, plugintest.Upstream{}), 429, map[string]string{"Retry-After": "60"})
	now = now.Add(time.Minute)
	expect(t, h.Do(plugintest.Request{}, plugintest.Upstream{}), 200, nil)
}

func TestRedisUnreachable(t *testing.T) {
	// A redis that went away: its port no longer answers.
	srv := acctestredis.Start(t)
	srv.Stop()
	port := srv.Port
	cases := []struct {
		name          string
		faultTolerant bool
		status        int
		body          string
	}{
		{"fault tolerant lets requests through without headers", true, 200, ""},
		{"not fault tolerant answers 500", false, 500, body("An unexpected error occurred")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := plugintest.New(t)
			h.Plugin(limitPlugin(redisConfig(port, schema.Doc{"minute": 1, "fault_tolerant": tc.faultTolerant,
				"redis": schema.Doc{"host": "127.0.0.1", "port": port, "timeout": 200}})))
			for i := 0; i < 3; i++ {
				res := h.Do(plugintest.Request{}, plugintest.Upstream{})
				expect(t, res, tc.status, map[string]string{"X-RateLimit-Limit-Minute": "", "RateLimit-Remaining": ""})
				if tc.body != "" && string(res.Body) != tc.body {
					t.Fatalf("body %s", res.Body)
				}
			}
		})
	}
}

func TestRedisAuthentication(t *testing.T) {
	port, _ := startRedis(t, "--requirepass", "s3cret")
	for _, tc := range []struct {
		name, user, password string
		status               int
	}{
		{"password", "", "s3cret", 200},
		{"username and password", "default", "s3cret", 200},
		{"wrong password", "", "wrong", 500},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := plugintest.New(t)
			r := schema.Doc{"host": "127.0.0.1", "port": port, "password": tc.password}
			if tc.user != "" {
				r["username"] = tc.user
			}
			h.Plugin(limitPlugin(schema.Doc{"minute": 5, "policy": "redis", "fault_tolerant": false, "redis": r}))
			expect(t, h.Do(plugintest.Request{}, plugintest.Upstream{}), tc.status, nil)
		})
	}
}

// With sync_rate, usage is read from Redis once and increments are sent
// in batches every sync_rate seconds.
func TestRedisSyncRateBatchesIncrements(t *testing.T) {
	port, rdb := startRedis(t)
	now := time.Now().UTC().Truncate(time.Minute)
	h := plugintest.New(t)
	h.Host.Now = func() time.Time { return now }
	h.Plugin(limitPlugin(redisConfig(port, schema.Doc{"minute": 3, "sync_rate": 0.05})))
	for i, want := range []string{"2", "1", "0"} {
		expect(t, h.Do(plugintest.Request{}, plugintest.Upstream{}), 200, map[string]string{"X-RateLimit-Remaining-Minute": want})
		_ = i
	}
	expect(t, h.Do(plugintest.Request{}, plugintest.Upstream{}), 429, nil)
	key := windowKey("127.0.0.1", now, "minute")
	deadline := time.Now().Add(3 * time.Second)
	for rdb.Get(context.Background(), key).Val() != "3" {
		if time.Now().After(deadline) {
			t.Fatalf("%s = %q after sync, want 3", key, rdb.Get(context.Background(), key).Val())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if ttl := rdb.TTL(context.Background(), key).Val(); ttl <= 0 {
		t.Fatalf("no expiry on %s: %v", key, ttl)
	}
	// After the sync the local copy is dropped and Redis is read again.
	expect(t, h.Do(plugintest.Request{}, plugintest.Upstream{}), 429, nil)
}

package main

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/runtime/runtimetest"
)

// adminWorkers is how many Admin API writes are in flight while a
// configuration is loaded (decK's default parallelism is 10).
const adminWorkers = 16

// rateLimitConfig never triggers: one window (as Kong's benchmark suite,
// whose limit is a huge daily one) with a limit no run reaches.
var rateLimitConfig = map[string]any{"minute": 1e9, "policy": "local"}

func uuidOf(kind, i int) string { return fmt.Sprintf("%08d-0000-4000-8000-%012d", kind, i) }

// configureGatewayd creates, through the Admin API client every tool
// uses (gatewayd/api), the configuration of one gatewayd contender:
//
//	plain  one service and one route (/bench), no plugins
//	auth   plain + one consumer with a key-auth key, key-auth and
//	       rate-limiting (local) on the route
//	scale  n services, n routes (a mix of prefix, regex, host and header
//	       routes around /bench), n consumers with a key-auth key each,
//	       key-auth and rate-limiting as global plugins; the benchmark
//	       request hits route n/2 with consumer n/2's key
func configureGatewayd(ctx context.Context, adminURL, kind string, n int, upstreamPort int) error {
	c, err := api.New(api.Config{AdminURL: adminURL, Timeout: 60 * time.Second, Retries: 2,
		HTTPClient: &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: adminWorkers}}})
	if err != nil {
		return err
	}
	upstreamURL := fmt.Sprintf("http://127.0.0.1:%d", upstreamPort)
	switch kind {
	case "plain", "auth":
		svc, err := c.Create(ctx, "services", api.Entity{"name": "bench", "url": upstreamURL})
		if err != nil {
			return err
		}
		route, err := c.Create(ctx, "routes", api.Entity{"name": "bench", "paths": []any{"/bench"}, "strip_path": false,
			"service": map[string]any{"id": svc["id"]}})
		if err != nil {
			return err
		}
		if kind == "plain" {
			return nil
		}
		cons, err := c.Create(ctx, "consumers", api.Entity{"username": "bench"})
		if err != nil {
			return err
		}
		if _, err := c.Create(ctx, "consumers/"+api.Path(cons["id"].(string))+"/key-auth", api.Entity{"key": benchKey}); err != nil {
			return err
		}
		for _, p := range []api.Entity{
			{"name": "key-auth", "route": map[string]any{"id": route["id"]}},
			{"name": "rate-limiting", "route": map[string]any{"id": route["id"]}, "config": rateLimitConfig},
		} {
			if _, err := c.Create(ctx, "plugins", p); err != nil {
				return err
			}
		}
		return nil
	case "scale":
		return loadScale(ctx, c, n, upstreamURL, true)
	}
	return fmt.Errorf("unknown configuration %q", kind)
}

// loadScale creates n services, routes, consumers and key-auth
// credentials, and (with plugins) global key-auth and rate-limiting.
func loadScale(ctx context.Context, c *api.Client, n int, upstreamURL string, plugins bool) error {
	target := n / 2
	steps := []struct {
		what string
		one  func(i int) error
	}{
		{"services", func(i int) error {
			_, err := c.Create(ctx, "services", api.Entity{"id": uuidOf(1, i), "name": fmt.Sprintf("svc-%d", i), "url": upstreamURL})
			return err
		}},
		{"routes", func(i int) error {
			r := api.Entity{"id": uuidOf(2, i), "name": fmt.Sprintf("route-%d", i), "strip_path": false,
				"service": map[string]any{"id": uuidOf(1, i)}}
			if i == target {
				r["paths"] = []any{"/bench"}
			} else {
				runtimetest.MixedRoute(r, i)
			}
			_, err := c.Create(ctx, "routes", r)
			return err
		}},
		{"consumers", func(i int) error {
			_, err := c.Create(ctx, "consumers", api.Entity{"id": uuidOf(3, i), "username": fmt.Sprintf("consumer-%d", i)})
			return err
		}},
		{"key-auth credentials", func(i int) error {
			key := fmt.Sprintf("%s-%d", benchKey, i)
			if i == target {
				key = benchKey
			}
			_, err := c.Create(ctx, "consumers/"+uuidOf(3, i)+"/key-auth", api.Entity{"id": uuidOf(4, i), "key": key})
			return err
		}},
	}
	for _, s := range steps {
		if err := parallel(ctx, n, adminWorkers, s.one); err != nil {
			return fmt.Errorf("creating %s: %w", s.what, err)
		}
	}
	if !plugins {
		return nil
	}
	for _, p := range []api.Entity{{"name": "key-auth"}, {"name": "rate-limiting", "config": rateLimitConfig}} {
		if _, err := c.Create(ctx, "plugins", p); err != nil {
			return err
		}
	}
	return nil
}

// parallel runs one(0..n-1) on workers goroutines and returns the first
// error.
func parallel(ctx context.Context, n, workers int, one func(i int) error) error {
	var next atomic.Int64
	var first error
	var once sync.Once
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				if err := one(i); err != nil {
					once.Do(func() { first = err })
					next.Store(int64(n)) // stop the others
					return
				}
			}
		}()
	}
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return first
}

package runtime_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/admin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/entity"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/router"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/runtime"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store/sqlstore"
)

func noPlugins(string) (entity.PluginInfo, bool) { return entity.PluginInfo{}, false }

// docs builds n services with one route each, mixing prefix, regex, host
// and header routes, as the snapshot builder reads them from the store.
func docs(n int) map[string][]store.Doc {
	out := map[string][]store.Doc{}
	for i := 0; i < n; i++ {
		sid := fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		out["services"] = append(out["services"], store.Doc{"id": sid, "name": fmt.Sprintf("svc-%d", i), "protocol": "http",
			"host": "127.0.0.1", "port": float64(9000 + i%100), "path": nil, "retries": 5.0, "enabled": true,
			"connect_timeout": 60000.0, "read_timeout": 60000.0, "write_timeout": 60000.0})
		route := store.Doc{"id": fmt.Sprintf("10000000-0000-4000-8000-%012d", i), "protocols": []any{"http", "https"},
			"service": map[string]any{"id": sid}, "strip_path": true, "path_handling": "v0", "https_redirect_status_code": 426.0,
			"regex_priority": 0.0, "created_at": float64(i)}
		switch i % 4 {
		case 0:
			route["paths"] = []any{fmt.Sprintf("/api/v%d/items", i)}
		case 1:
			route["paths"] = []any{fmt.Sprintf("~/users/%d/[0-9]+$", i)}
		case 2:
			route["hosts"] = []any{fmt.Sprintf("host-%d.example.com", i)}
		case 3:
			route["paths"] = []any{fmt.Sprintf("/h/%d", i)}
			route["headers"] = map[string]any{"x-tenant": []any{fmt.Sprintf("t%d", i)}}
		}
		out["routes"] = append(out["routes"], route)
	}
	return out
}

func TestBuildCompilesRoutesToServices(t *testing.T) {
	snap, problems := runtime.Build(docs(8), 7)
	if len(problems) > 0 {
		t.Fatalf("problems: %v", problems)
	}
	if snap.Revision != 7 || snap.RouteCount != 8 || len(snap.Services) != 8 {
		t.Fatalf("snapshot: rev %d, %d routes, %d services", snap.Revision, snap.RouteCount, len(snap.Services))
	}
	var m router.Match
	req := router.Request{Method: []byte("GET"), Host: []byte("x"), Path: []byte("/api/v4/items/1"), Scheme: "http", Port: 8000}
	if !snap.Router.Match(&req, &m) {
		t.Fatal("route /api/v4/items did not match")
	}
	rt := m.Route.Value.(*runtime.Route)
	if rt.Service == nil || rt.Service.Name != "svc-4" || rt.Service.Direct != "127.0.0.1:9004" || rt.Service.HostHeader != "127.0.0.1:9004" {
		t.Fatalf("compiled route: %+v service %+v", rt, rt.Service)
	}
}

func TestBuildIgnoresRoutesOfDisabledServices(t *testing.T) {
	d := docs(1)
	d["services"][0]["enabled"] = false
	snap, _ := runtime.Build(d, 1)
	if snap.RouteCount != 0 {
		t.Fatalf("a disabled service's routes must not be routed; got %d routes", snap.RouteCount)
	}
}

func TestBuildBalancesUpstreamServices(t *testing.T) {
	d := map[string][]store.Doc{
		"services":  {{"id": "00000000-0000-4000-8000-000000000001", "protocol": "http", "host": "up.internal", "port": 80.0, "enabled": true}},
		"upstreams": {{"id": "00000000-0000-4000-8000-000000000002", "name": "up.internal", "host_header": "backend.example"}},
		"targets": {
			{"upstream": map[string]any{"id": "00000000-0000-4000-8000-000000000002"}, "target": "10.0.0.1:8000", "weight": 100.0},
			{"upstream": map[string]any{"id": "00000000-0000-4000-8000-000000000002"}, "target": "10.0.0.2:8000", "weight": 0.0},
		},
	}
	snap, _ := runtime.Build(d, 1)
	svc := snap.Services["00000000-0000-4000-8000-000000000001"]
	if svc.Balancer == nil || svc.Balancer.Len() != 1 || svc.HostHeader != "backend.example" || len(svc.ClientKeys) != 1 {
		t.Fatalf("upstream service: %+v", svc)
	}
}

// BenchmarkBuild reports the snapshot build time (DESIGN target: 10k
// routes in <= 100 ms).
func BenchmarkBuild(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		d := docs(n)
		b.Run(fmt.Sprintf("routes=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, problems := runtime.Build(d, 1); len(problems) > 0 {
					b.Fatal(problems)
				}
			}
		})
	}
}

// BenchmarkWriteToLive measures the delay from an admin API 201 to the new
// route being matchable in the running snapshot, on the embedded store
// (DESIGN target: <= 50 ms).
func BenchmarkWriteToLive(b *testing.B) {
	ctx := context.Background()
	reg := entity.Core(noPlugins)
	st, err := sqlstore.Open(ctx, sqlstore.Config{Driver: sqlstore.DriverSQLite, Path: filepath.Join(b.TempDir(), "g.db"),
		Options: sqlstore.Options{AutoMigrate: true}}, store.MetasFromSchemas(reg))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	log := slog.New(slog.DiscardHandler)
	mgr := runtime.NewManager(st, log)
	if err := mgr.Load(ctx); err != nil {
		b.Fatal(err)
	}
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go mgr.Run(rctx)
	srv := httptest.NewServer(admin.New(admin.Options{Registry: reg, Store: st, Logger: log}))
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/services", "application/x-www-form-urlencoded", strings.NewReader("name=s&url=http://127.0.0.1:1"))
	if err != nil || resp.StatusCode != 201 {
		b.Fatalf("service: %v %v", err, resp)
	}
	resp.Body.Close()
	var total time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		path := fmt.Sprintf("/live-%d", i)
		start := time.Now()
		resp, err := http.Post(srv.URL+"/services/s/routes", "application/x-www-form-urlencoded", strings.NewReader("paths[]="+path))
		if err != nil || resp.StatusCode != 201 {
			b.Fatalf("route: %v %v", err, resp)
		}
		resp.Body.Close()
		acked := time.Now()
		req := router.Request{Method: []byte("GET"), Host: []byte("x"), Path: []byte(path), Scheme: "http", Port: 8000}
		var m router.Match
		for deadline := acked.Add(5 * time.Second); ; {
			if mgr.Current().Router.Match(&req, &m) && m.Path == path {
				break
			}
			if time.Now().After(deadline) {
				b.Fatalf("route %s never went live", path)
			}
			time.Sleep(100 * time.Microsecond)
		}
		total += time.Since(acked)
		_ = start
	}
	b.ReportMetric(float64(total.Microseconds())/float64(b.N)/1000, "ms-to-live")
}

func TestBuildDropsOnlyTheRouteTheRouterRejects(t *testing.T) {
	d := docs(4)
	// A route the admin API would never store: nothing to match on.
	d["routes"] = append(d["routes"], store.Doc{"id": "20000000-0000-4000-8000-000000000000", "protocols": []any{"http"},
		"service": map[string]any{"id": "00000000-0000-4000-8000-000000000000"}})
	snap, problems := runtime.Build(d, 1)
	if len(problems) != 1 || !strings.Contains(problems[0].Error(), "20000000-0000-4000-8000-000000000000") {
		t.Fatalf("want one problem naming the bad route, got %v", problems)
	}
	if snap.RouteCount != 4 {
		t.Fatalf("the good routes must still be routed: %d", snap.RouteCount)
	}
}

package runtime_test

import (
	"context"
	"fmt"
	"path/filepath"
	goruntime "runtime"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/entity"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	_ "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/bundled"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/runtime"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/runtime/runtimetest"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store/sqlstore"
)

// scaleStore is an SQLite store holding n services, n routes (prefix,
// regex, host and header routes), n consumers with a key-auth credential
// each, and global key-auth and rate-limiting: the configuration of
// acctest/bench -memory, written as the Admin API writes it (validated
// documents with defaults) and read back as the runtime reads it.
func scaleStore(tb testing.TB, n int, extraPlugins ...schema.Doc) (store.Store, runtime.Plugins) {
	tb.Helper()
	ctx := context.Background()
	cat, err := plugin.NewCatalog([]string{"bundled"})
	if err != nil {
		tb.Fatal(err)
	}
	reg := entity.Core(cat.Lookup)
	for _, e := range cat.Entities() {
		reg.Add(e)
	}
	st, err := sqlstore.Open(ctx, sqlstore.Config{Driver: sqlstore.DriverSQLite, Path: filepath.Join(tb.TempDir(), "g.db"),
		Options: sqlstore.Options{AutoMigrate: true}}, store.MetasFromSchemas(reg))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	now := time.Now()
	err = st.Write(ctx, func(w store.Writer) error {
		add := func(name string, in schema.Doc) schema.Doc {
			doc, errs := reg.Get(name).Prepare(in, nil, schema.Insert, now)
			if len(errs) > 0 {
				tb.Fatalf("%s: %s", name, errs.Message())
			}
			if err := w.Insert(ctx, name, doc); err != nil {
				tb.Fatalf("%s: %v", name, err)
			}
			return doc
		}
		for i := 0; i < n; i++ {
			svc := add("services", schema.Doc{"name": fmt.Sprintf("svc-%d", i), "url": "http://127.0.0.1:9000"})
			r := schema.Doc{"name": fmt.Sprintf("route-%d", i), "service": map[string]any{"id": svc["id"]}}
			add("routes", runtimetest.MixedRoute(r, i))
			c := add("consumers", schema.Doc{"username": fmt.Sprintf("consumer-%d", i)})
			add("keyauth_credentials", schema.Doc{"key": fmt.Sprintf("key-%d", i), "consumer": map[string]any{"id": c["id"]}})
		}
		add("plugins", schema.Doc{"name": "key-auth"})
		add("plugins", schema.Doc{"name": "rate-limiting", "config": map[string]any{"minute": 1e9}})
		for _, p := range extraPlugins {
			add("plugins", p)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return st, runtime.Plugins{Catalog: cat, Host: plugin.NewHost("bench", "bench", "bench", nil)}
}

func heapAlloc() uint64 {
	goruntime.GC()
	goruntime.GC()
	var m goruntime.MemStats
	goruntime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkScale loads 10k services, routes, consumers and key-auth
// credentials with global key-auth and rate-limiting, as the daemon does
// (store.ReadAll, then the build), and reports the load and build times
// and the heap the installed snapshot keeps (live-MB). With a log-phase
// plugin (prometheus) the snapshot also keeps the route, service and
// consumer documents for log serializers. acctest/bench -memory measures
// the daemon's RSS.
func BenchmarkScale(b *testing.B) {
	for _, tc := range []struct {
		name  string
		extra []schema.Doc
	}{
		{"key-auth+rate-limiting", nil},
		{"key-auth+rate-limiting+prometheus", []schema.Doc{{"name": "prometheus"}}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			const n = 10000
			st, plugins := scaleStore(b, n, tc.extra...)
			ctx := context.Background()
			var snap *runtime.Snapshot
			var read, build time.Duration
			var live uint64
			for i := 0; i < b.N; i++ {
				snap = nil
				base := heapAlloc()
				start := time.Now()
				docs, rev, err := st.ReadAll(ctx, plugins.Entities())
				if err != nil {
					b.Fatal(err)
				}
				read += time.Since(start)
				start = time.Now()
				s, problems := plugins.Build(docs, rev)
				build += time.Since(start)
				if len(problems) > 0 {
					b.Fatal(problems)
				}
				docs = nil
				snap = s
				live += heapAlloc() - base
			}
			if snap.RouteCount != n {
				b.Fatalf("%d routes", snap.RouteCount)
			}
			b.ReportMetric(float64(read.Milliseconds())/float64(b.N), "readall-ms")
			b.ReportMetric(float64(build.Milliseconds())/float64(b.N), "build-ms")
			b.ReportMetric(float64(live)/float64(b.N)/(1<<20), "live-MB")
		})
	}
}

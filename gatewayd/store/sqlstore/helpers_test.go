package sqlstore

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/acctest/postgres"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store"
)

// testMetas mimic Kong's core entities.
var testMetas = []store.Meta{
	{Name: "certificates"},
	{
		Name:    "services",
		Uniques: []string{"name"},
		Foreign: []store.ForeignKey{{Field: "client_certificate", Entity: "certificates", OnDelete: store.SetNull}},
	},
	{
		Name:    "routes",
		Uniques: []string{"name"},
		Foreign: []store.ForeignKey{{Field: "service", Entity: "services", OnDelete: store.Restrict}},
	},
	{Name: "consumers", Uniques: []string{"username", "custom_id"}},
	{
		Name:     "plugins",
		CacheKey: []string{"name", "route", "service", "consumer"},
		Foreign: []store.ForeignKey{
			{Field: "route", Entity: "routes", OnDelete: store.Cascade},
			{Field: "service", Entity: "services", OnDelete: store.Cascade},
			{Field: "consumer", Entity: "consumers", OnDelete: store.Cascade},
		},
	},
	{
		Name:    "upstreams",
		Uniques: []string{"name"},
		// Cascade (Kong restricts) so certificates → upstreams → targets
		// gives the tests a three-level cascade.
		Foreign: []store.ForeignKey{{Field: "client_certificate", Entity: "certificates", OnDelete: store.Cascade}},
	},
	{
		Name:     "targets",
		CacheKey: []string{"upstream", "target"},
		Foreign:  []store.ForeignKey{{Field: "upstream", Entity: "upstreams", OnDelete: store.Cascade}},
	},
}

// backend is one database engine the suite runs against.
type backend struct {
	name string
	// config returns the configuration of a fresh, empty database.
	config func(t testing.TB) Config
}

var backends = []backend{
	{name: "sqlite", config: func(t testing.TB) Config {
		return Config{Driver: DriverSQLite, Path: filepath.Join(t.TempDir(), "data", "gatewayd.db"),
			Options: Options{AutoMigrate: true}}
	}},
	{name: "postgres", config: func(t testing.TB) Config {
		return Config{Driver: DriverPostgres, DSN: postgres.Start(t),
			Options: Options{AutoMigrate: true}}
	}},
}

// eachBackend runs fn once per engine, as subtests.
func eachBackend(t *testing.T, fn func(t *testing.T, b backend)) {
	t.Helper()
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { fn(t, b) })
	}
}

func openStore(t testing.TB, cfg Config) *Store {
	t.Helper()
	s, err := Open(t.Context(), cfg, testMetas)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// newStore opens a store on a fresh database of backend b.
func newStore(t testing.TB, b backend) *Store {
	t.Helper()
	return openStore(t, b.config(t))
}

func ref(id string) any {
	if id == "" {
		return nil
	}
	return map[string]any{"id": id}
}

func strs(xs ...string) any {
	if len(xs) == 0 {
		return nil
	}
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func service(id, name string, tags ...string) store.Doc {
	return store.Doc{"id": id, "name": nullable(name), "host": "example.com", "port": float64(80),
		"client_certificate": nil, "tags": strs(tags...)}
}

func route(id, name, serviceID string, tags ...string) store.Doc {
	return store.Doc{"id": id, "name": nullable(name), "paths": strs("/" + id), "service": ref(serviceID), "tags": strs(tags...)}
}

func plugin(id, name, routeID, serviceID, consumerID string) store.Doc {
	return store.Doc{"id": id, "name": name, "route": ref(routeID), "service": ref(serviceID),
		"consumer": ref(consumerID), "config": map[string]any{"minute": float64(5)}, "enabled": true}
}

func consumer(id, username, customID string) store.Doc {
	return store.Doc{"id": id, "username": nullable(username), "custom_id": nullable(customID)}
}

func upstream(id, name, certID string) store.Doc {
	return store.Doc{"id": id, "name": name, "client_certificate": ref(certID)}
}

func target(id, upstreamID, addr string) store.Doc {
	return store.Doc{"id": id, "upstream": ref(upstreamID), "target": addr, "weight": float64(100)}
}

func certificate(id string) store.Doc {
	return store.Doc{"id": id, "cert": "-----BEGIN CERTIFICATE-----", "key": "-----BEGIN PRIVATE KEY-----"}
}

// item is one entity to insert.
type item struct {
	entity string
	doc    store.Doc
}

// insert inserts items in one transaction and fails the test on error.
func insert(t testing.TB, s *Store, items ...item) {
	t.Helper()
	err := s.Write(t.Context(), func(w store.Writer) error {
		for _, it := range items {
			if err := w.Insert(t.Context(), it.entity, it.doc); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("insert: %v", err)
	}
}

// write runs one operation in its own transaction and returns its error.
func write(t testing.TB, s *Store, fn func(w store.Writer) error) error {
	t.Helper()
	return s.Write(t.Context(), fn)
}

// normalize round-trips doc through JSON, as the store does.
func normalize(t testing.TB, doc store.Doc) store.Doc {
	t.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var out store.Doc
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func assertDoc(t testing.TB, got, want store.Doc) {
	t.Helper()
	if w := normalize(t, want); !reflect.DeepEqual(got, w) {
		t.Fatalf("document mismatch\n got: %v\nwant: %v", got, w)
	}
}

func mustGet(t testing.TB, s *Store, entity, id string) store.Doc {
	t.Helper()
	doc, err := s.Get(t.Context(), entity, id)
	if err != nil {
		t.Fatalf("Get %s %s: %v", entity, id, err)
	}
	return doc
}

func assertMissing(t testing.TB, s *Store, entity, id string) {
	t.Helper()
	if _, err := s.Get(t.Context(), entity, id); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Get %s %s: want ErrNotFound, got %v", entity, id, err)
	}
}

func mustRevision(t testing.TB, s *Store) int64 {
	t.Helper()
	rev, err := s.Revision(t.Context())
	if err != nil {
		t.Fatalf("Revision: %v", err)
	}
	return rev
}

// ids lists the ids of docs, in order.
func ids(docs []store.Doc) []string {
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i], _ = d["id"].(string)
	}
	return out
}

// snapshot reads every test entity, for "store unchanged" comparisons.
func snapshot(t testing.TB, s *Store) (map[string][]store.Doc, int64) {
	t.Helper()
	names := make([]string, len(testMetas))
	for i, m := range testMetas {
		names[i] = m.Name
	}
	all, rev, err := s.ReadAll(t.Context(), names)
	if err != nil {
		t.Fatalf("ReadAll: %v", err)
	}
	return all, rev
}

func assertUnchanged(t testing.TB, s *Store, beforeDocs map[string][]store.Doc, beforeRev int64) {
	t.Helper()
	afterDocs, afterRev := snapshot(t, s)
	if afterRev != beforeRev {
		t.Errorf("revision changed from %d to %d", beforeRev, afterRev)
	}
	if !reflect.DeepEqual(afterDocs, beforeDocs) {
		t.Errorf("store changed\nbefore: %v\n after: %v", beforeDocs, afterDocs)
	}
}

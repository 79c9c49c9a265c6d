package runtime_test

import (
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/entity"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/router"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/runtime"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store"
)

// TestSnapshotKeepsDocumentsOnlyWhenNeeded: the route, service and
// consumer documents are what log serializers (and request-termination's
// echo) render; a snapshot keeps them unless every configured plugin
// declares it never reads them and none has a log handler, and the
// per-entity document lists are never kept past the build (the indexes
// built from them are).
func TestSnapshotKeepsDocumentsOnlyWhenNeeded(t *testing.T) {
	cat, err := plugin.NewCatalog([]string{"bundled"})
	if err != nil {
		t.Fatal(err)
	}
	reg := entity.Core(cat.Lookup)
	for _, e := range cat.Entities() {
		reg.Add(e)
	}
	build := func(plugins ...schema.Doc) *runtime.Snapshot {
		docs := map[string][]store.Doc{}
		add := func(name string, in schema.Doc) schema.Doc {
			doc, errs := reg.Get(name).Prepare(in, nil, schema.Insert, time.Now())
			if len(errs) > 0 {
				t.Fatalf("%s: %s", name, errs.Message())
			}
			docs[name] = append(docs[name], doc)
			return doc
		}
		svc := add("services", schema.Doc{"name": "s", "url": "http://127.0.0.1:9000"})
		add("routes", schema.Doc{"name": "r", "paths": []any{"/r"}, "service": map[string]any{"id": svc["id"]}})
		c := add("consumers", schema.Doc{"username": "alice"})
		add("keyauth_credentials", schema.Doc{"key": "k1", "consumer": map[string]any{"id": c["id"]}})
		for _, p := range plugins {
			add("plugins", p)
		}
		snap, problems := runtime.Plugins{Catalog: cat, Host: plugin.NewHost("", "", "", nil)}.Build(docs, 1)
		if len(problems) > 0 {
			t.Fatal(problems)
		}
		return snap
	}
	route := func(snap *runtime.Snapshot) *runtime.Route {
		var m router.Match
		if !snap.Router.Match(&router.Request{Method: []byte("GET"), Host: []byte("x"), Path: []byte("/r"), Scheme: "http", Port: 8000}, &m) {
			t.Fatal("no match")
		}
		return m.Route.Value.(*runtime.Route)
	}

	snap := build(schema.Doc{"name": "key-auth"})
	rt := route(snap)
	if rt.Ref.Doc != nil || rt.Service.Ref.Doc != nil || snap.Data.LoadConsumer("alice").Doc != nil {
		t.Error("without a log-phase plugin the entity documents should not be kept")
	}
	if snap.Data.Docs("keyauth_credentials") != nil {
		t.Error("document lists are for the build only")
	}
	if snap.Data.LoadConsumer("alice") == nil {
		t.Error("the consumer index must stay")
	}

	snap = build(schema.Doc{"name": "key-auth"}, schema.Doc{"name": "rate-limiting", "config": map[string]any{"minute": 10.0}})
	if rt = route(snap); rt.Ref.Doc != nil {
		t.Error("key-auth and rate-limiting never read the documents")
	}

	for _, p := range []schema.Doc{
		{"name": "file-log", "config": map[string]any{"path": "/dev/null"}},     // a log serializer
		{"name": "request-termination", "config": map[string]any{"echo": true}}, // echoes the matched route
	} {
		snap = build(schema.Doc{"name": "key-auth"}, p)
		rt = route(snap)
		if rt.Ref.Doc["name"] != "r" || rt.Service.Ref.Doc["name"] != "s" || snap.Data.LoadConsumer("alice").Doc["username"] != "alice" {
			t.Errorf("%s needs the documents: route %v service %v", p["name"], rt.Ref.Doc, rt.Service.Ref.Doc)
		}
	}
}

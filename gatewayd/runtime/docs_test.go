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

// TestSnapshotKeepsDocumentsOnlyForLogPlugins: the route, service and
// consumer documents are what log serializers render; a snapshot keeps
// them when a plugin with a log handler is configured and lets them go
// otherwise, and the per-entity document lists are never kept past the
// build (the indexes built from them are).
func TestSnapshotKeepsDocumentsOnlyForLogPlugins(t *testing.T) {
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

	snap = build(schema.Doc{"name": "key-auth"}, schema.Doc{"name": "file-log", "config": map[string]any{"path": "/dev/null"}})
	rt = route(snap)
	if rt.Ref.Doc["name"] != "r" || rt.Service.Ref.Doc["name"] != "s" || snap.Data.LoadConsumer("alice").Doc["username"] != "alice" {
		t.Errorf("a log-phase plugin needs the documents: route %v service %v", rt.Ref.Doc, rt.Service.Ref.Doc)
	}
}

package declarative_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/declarative"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/entity"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store/sqlstore"
)

// dbless opens (or reopens) a DB-less store at path.
func dbless(t *testing.T, path string) (*declarative.DBless, *sqlstore.Store) {
	return dblessB(t, path)
}

func dblessB(t testing.TB, path string) (*declarative.DBless, *sqlstore.Store) {
	t.Helper()
	all := entity.Core(func(string) (entity.PluginInfo, bool) { return entity.PluginInfo{}, false })
	for _, e := range plugin.AllEntities() {
		all.Add(e)
	}
	metas := append(store.MetasFromSchemas(all), declarative.StoreMeta())
	st, err := sqlstore.Open(context.Background(), sqlstore.Config{Driver: sqlstore.DriverSQLite, Path: path,
		Options: sqlstore.Options{AutoMigrate: true, PollInterval: -1}}, metas)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for _, m := range metas {
		tables = append(tables, m.Name)
	}
	d := declarative.NewDBless(localRegistry(t), st, tables)
	if err := d.Init(context.Background()); err != nil {
		t.Fatal(err)
	}
	return d, st
}

func load(t *testing.T, d *declarative.DBless, src string) (*declarative.Resolved, error) {
	t.Helper()
	f, err := declarative.Parse(localRegistry(t), []declarative.Source{{Name: "kong.yml", Data: []byte(src)}}, declarative.ParseOptions{})
	if err != nil {
		return nil, err
	}
	return d.Load(context.Background(), f)
}

func allDocs(t *testing.T, st store.Store) map[string][]store.Doc {
	t.Helper()
	docs, _, err := st.ReadAll(context.Background(), []string{"services", "routes", "plugins", "consumers", "keyauth_credentials"})
	if err != nil {
		t.Fatal(err)
	}
	return docs
}

func names(docs []store.Doc, field string) []string {
	var out []string
	for _, d := range docs {
		out = append(out, d[field].(string))
	}
	return out
}

const dblessV1 = `_format_version: "3.0"
services:
- name: a
  host: a.example.com
  routes:
  - name: ra
    paths: [/a]
- name: b
  host: b.example.com
consumers:
- username: bob
  keyauth_credentials:
  - key: bob-key
`

func TestLoadReplacesEverythingInOneTransactionAndKeepsIDs(t *testing.T) {
	d, st := dbless(t, filepath.Join(t.TempDir(), "dbless.db"))
	if d.Hash() != declarative.EmptyHash {
		t.Fatalf("hash before any load: %s", d.Hash())
	}
	if _, err := load(t, d, dblessV1); err != nil {
		t.Fatal(err)
	}
	first := allDocs(t, st)
	rev, _ := st.Revision(context.Background())
	r, err := load(t, d, `_format_version: "3.0"
services:
- name: b
  host: b2.example.com
- name: c
  host: c.example.com
`)
	if err != nil {
		t.Fatal(err)
	}
	if r.Count() != 2 {
		t.Fatalf("resolved %d entities", r.Count())
	}
	after := allDocs(t, st)
	if got := names(after["services"], "name"); !reflect.DeepEqual(sorted(got), []string{"b", "c"}) {
		t.Fatalf("services after replace: %v", got)
	}
	if len(after["routes"])+len(after["consumers"])+len(after["keyauth_credentials"]) != 0 {
		t.Fatalf("entities missing from the new file must go: %v", after)
	}
	idOf := func(docs []store.Doc, name string) any {
		for _, doc := range docs {
			if doc["name"] == name {
				return doc["id"]
			}
		}
		return nil
	}
	if idOf(first["services"], "b") != idOf(after["services"], "b") || idOf(after["services"], "b") == nil {
		t.Fatal("an entity keeps its id across reloads")
	}
	if now, _ := st.Revision(context.Background()); now != rev+1 {
		t.Fatalf("a load is one transaction: revision %d -> %d", rev, now)
	}
}

func sorted(in []string) []string {
	out := append([]string(nil), in...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestAnInvalidLoadLeavesTheConfigurationAsItWas(t *testing.T) {
	d, st := dbless(t, filepath.Join(t.TempDir(), "dbless.db"))
	if _, err := load(t, d, dblessV1); err != nil {
		t.Fatal(err)
	}
	before, hash := allDocs(t, st), d.Hash()
	_, err := load(t, d, `_format_version: "3.0"
services:
- name: x
  host: x.example.com
routes:
- name: r
  service: missing
  paths: [/r]
`)
	var errs declarative.Errors
	if !errors.As(err, &errs) || !strings.Contains(err.Error(), "kong.yml:7: routes[0] (routes.r): service: invalid reference 'service: missing' (no such entry in 'services')") {
		t.Fatalf("error %v", err)
	}
	if !reflect.DeepEqual(allDocs(t, st), before) || d.Hash() != hash {
		t.Fatal("a rejected configuration must change nothing")
	}
}

func TestTheLoadedConfigurationAndItsHashSurviveARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dbless.db")
	d, st := dbless(t, path)
	if _, err := load(t, d, dblessV1); err != nil {
		t.Fatal(err)
	}
	hash, docs := d.Hash(), allDocs(t, st)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	d2, st2 := dbless(t, path)
	defer st2.Close()
	if d2.Hash() != hash {
		t.Fatalf("hash after restart %s, want %s", d2.Hash(), hash)
	}
	if !reflect.DeepEqual(allDocs(t, st2), docs) {
		t.Fatal("entities after restart differ")
	}
}

func TestExportLoadsBackToTheSameEntities(t *testing.T) {
	d, st := dbless(t, filepath.Join(t.TempDir(), "dbless.db"))
	if _, err := load(t, d, dblessV1+"  basicauth_credentials:\n  - {username: bob, password: pw}\n"); err != nil {
		t.Fatal(err)
	}
	docs, _, err := st.ReadAll(context.Background(), []string{"services", "routes", "consumers", "keyauth_credentials", "basicauth_credentials"})
	if err != nil {
		t.Fatal(err)
	}
	text, err := d.Export(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := load(t, d, string(text)); err != nil {
		t.Fatalf("reloading the export: %v\n%s", err, text)
	}
	again, _, _ := st.ReadAll(context.Background(), []string{"services", "routes", "consumers", "keyauth_credentials", "basicauth_credentials"})
	for kind, list := range docs {
		for i := range list {
			a, b := withoutTimes(list[i]), withoutTimes(again[kind][i])
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("%s differs after export and reload:\n%v\n%v", kind, a, b)
			}
		}
	}
}

func withoutTimes(d store.Doc) store.Doc {
	out := store.Doc{}
	for k, v := range d {
		if k != "created_at" && k != "updated_at" {
			out[k] = v
		}
	}
	return out
}

// slowStore holds the first write until released, to overlap two loads.
type slowStore struct {
	*sqlstore.Store
	entered, release chan struct{}
}

func (s *slowStore) Write(ctx context.Context, fn func(w store.Writer) error) error {
	s.entered <- struct{}{}
	<-s.release
	return s.Store.Write(ctx, fn)
}

func TestASecondLoadWhileOneRunsIsBusy(t *testing.T) {
	_, st := dbless(t, filepath.Join(t.TempDir(), "dbless.db"))
	slow := &slowStore{Store: st, entered: make(chan struct{}, 1), release: make(chan struct{})}
	d := declarative.NewDBless(localRegistry(t), slow, []string{"services", "routes", "consumers", "keyauth_credentials"})
	done := make(chan error, 1)
	go func() { _, err := load(t, d, dblessV1); done <- err }()
	select {
	case <-slow.entered:
	case <-time.After(10 * time.Second):
		t.Fatal("first load never reached the store")
	}
	if _, err := load(t, d, dblessV1); !errors.Is(err, declarative.ErrBusy) {
		t.Fatalf("concurrent load: %v, want ErrBusy", err)
	}
	close(slow.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// BenchmarkDBlessLoad times POST /config's work for 5,000 services, 5,000
// routes and 5,000 plugins: parse, validate and replace everything in one
// SQLite transaction (Kong's published DB-less reload of ~5k routes: ~10 s).
func BenchmarkDBlessLoad(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("_format_version: \"3.0\"\nservices:\n")
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&sb, "- name: svc-%d\n  url: http://10.0.%d.%d:8080/p%d\n  routes:\n  - name: r-%d\n    paths: [/api/%d]\n"+
			"  plugins:\n  - name: request-termination\n    config: {status_code: %d}\n", i, i/250, i%250, i, i, i, 200+i%50)
	}
	src := sb.String()
	d, st := dblessB(b, filepath.Join(b.TempDir(), "dbless.db"))
	defer st.Close()
	reg := localRegistry(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		f, err := declarative.Parse(reg, []declarative.Source{{Name: "scale.yaml", Data: []byte(src)}}, declarative.ParseOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := d.Load(context.Background(), f); err != nil {
			b.Fatal(err)
		}
	}
}

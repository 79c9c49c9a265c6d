package admin_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/admin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/declarative"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/entity"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store/sqlstore"
)

// dblessAPI is the admin API of a gatewayd running with database = off.
func dblessAPI(t *testing.T) *api {
	t.Helper()
	t.Parallel()
	reg := entity.Core(testPlugins.lookup)
	reg.Add(testCredentials())
	metas := append(store.MetasFromSchemas(reg), declarative.StoreMeta())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := sqlstore.Open(ctx, sqlstore.Config{Driver: sqlstore.DriverSQLite, Path: filepath.Join(t.TempDir(), "dbless.db"),
		Options: sqlstore.Options{AutoMigrate: true, PollInterval: -1}}, metas)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	var tables []string
	for _, m := range metas {
		tables = append(tables, m.Name)
	}
	c := &clock{}
	c.sec.Store(t0)
	srv := admin.New(admin.Options{Registry: reg, Store: st, Plugins: testPlugins, ReadOnly: true,
		Declarative: declarative.NewDBless(reg, st, tables), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: c.now})
	return &api{t: t, h: srv, server: srv, store: st, clock: c}
}

const smallConfig = `_format_version: "3.0"
services:
- name: svc1
  url: http://example.com
  routes:
  - name: r1
    paths: [/a]
consumers:
- username: bob
`

// svc1ID is Kong's deterministic id of a service named svc1.
const svc1ID = "2254ba65-245b-5b72-a0b8-7341d45f5e77"

func TestPostConfigAcceptsEveryBodyKongAccepts(t *testing.T) {
	asJSON, _ := json.Marshal(map[string]any{"config": smallConfig})
	for _, tc := range []struct {
		name string
		send func(a *api) *res
	}{
		{"a JSON body that is the configuration", func(a *api) *res {
			return a.json("POST", "/config", `{"_format_version":"3.0","services":[{"name":"svc1","url":"http://example.com",
				"routes":[{"name":"r1","paths":["/a"]}]}],"consumers":[{"username":"bob"}]}`)
		}},
		{"a YAML string under config in JSON", func(a *api) *res { return a.json("POST", "/config", string(asJSON)) }},
		{"a form field", func(a *api) *res {
			return a.form("POST", "/config", "config="+strings.NewReplacer("\n", "%0A", " ", "+", ":", "%3A", "/", "%2F", "\"", "%22").Replace(smallConfig))
		}},
		{"a multipart file", func(a *api) *res {
			return a.multipart("POST", "/config", part{name: "config", value: smallConfig, filename: "kong.yml"})
		}},
		{"a raw YAML body", func(a *api) *res {
			return a.do("POST", "/config", strings.NewReader(smallConfig), "application/yaml")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := dblessAPI(t)
			body := tc.send(a).status(http.StatusCreated).obj()
			services, _ := body["services"].(map[string]any)
			if _, ok := services[svc1ID]; !ok || len(body["routes"].(map[string]any)) != 1 {
				t.Fatalf("201 body must list the flattened entities by id: %v", body)
			}
			a.get("/services/svc1").status(http.StatusOK)
			a.get("/routes/r1").status(http.StatusOK)
			a.get("/consumers/bob").status(http.StatusOK)
		})
	}
}

func TestPostConfigReplacesTheWholeConfiguration(t *testing.T) {
	a := dblessAPI(t)
	a.do("POST", "/config", strings.NewReader(smallConfig), "application/yaml").status(http.StatusCreated)
	a.do("POST", "/config", strings.NewReader("_format_version: \"3.0\"\nservices:\n- name: svc1\n  url: http://other.example.com\n"),
		"application/yaml").status(http.StatusCreated)
	if got := a.get("/services/svc1").obj(); got["id"] != svc1ID || got["host"] != "other.example.com" {
		t.Fatalf("svc1 keeps its id and takes the new values: %v", got)
	}
	a.get("/routes/r1").status(http.StatusNotFound)
	a.get("/consumers/bob").status(http.StatusNotFound)
}

func TestPostConfigRejectsInvalidInputWithKongsCode14(t *testing.T) {
	a := dblessAPI(t)
	a.do("POST", "/config", strings.NewReader(smallConfig), "application/yaml").status(http.StatusCreated)
	bad := `{"_format_version":"3.0","services":[{"name":"ok","host":"h"},{"name":"s","host":"h","port":"x","routes":[{"paths":["nope"]}]}]}`
	a.json("POST", "/config", bad).expect(http.StatusBadRequest, `{"code":14,"name":"invalid declarative configuration",
		"message":"declarative config is invalid: {services={[2]={port=\"expected an integer\",routes={{paths={\"should start with: / (fixed path) or ~/ (regex path)\"}}}}}}",
		"fields":{"services":[null,{"port":"expected an integer","routes":[{"paths":["should start with: / (fixed path) or ~/ (regex path)"]}]}]}}`)
	flat := a.json("POST", "/config?flatten_errors=1", bad).status(http.StatusBadRequest).obj()["flattened_errors"].([]any)
	want := `[{"entity":{"host":"h","name":"s","port":"x"},"entity_name":"s","entity_type":"service","errors":[{"field":"port","message":"expected an integer","type":"field"}]},` +
		`{"entity":{"paths":["nope"]},"entity_type":"route","errors":[{"field":"paths[0]","message":"should start with: / (fixed path) or ~/ (regex path)","type":"field"}]}]`
	if got, _ := json.Marshal(flat); string(got) != want {
		t.Fatalf("flattened_errors\n got %s\nwant %s", got, want)
	}
	// Nothing of the invalid configuration was applied.
	a.get("/services/svc1").status(http.StatusOK)
	a.get("/services/ok").status(http.StatusNotFound)
}

func TestPostConfigErrorsForMissingAndUnsafeInput(t *testing.T) {
	a := dblessAPI(t)
	a.json("POST", "/config", `{}`).message(http.StatusBadRequest, "expected a declarative configuration")
	a.do("POST", "/config", strings.NewReader(""), "application/yaml").message(http.StatusBadRequest, "expected a declarative configuration")
	a.do("POST", "/config", strings.NewReader("x"), "text/plain").message(http.StatusUnsupportedMediaType, "Unsupported Media Type")
	// A body must not read the server's environment (GATEWAYD_PG_PASSWORD...).
	r := a.do("POST", "/config", strings.NewReader("_format_version: \"3.0\"\nconsumers:\n- username: ${{ env \"GATEWAYD_ADMIN_TOKEN\" }}\n"),
		"application/yaml").status(http.StatusBadRequest)
	if !strings.Contains(string(r.Body), "substitution is not available") {
		t.Fatalf("env substitution in a body: %s", r.Body)
	}
	r = a.do("POST", "/config", strings.NewReader("_format_version: \"3.0\"\nservices: [oops\n"), "application/yaml").status(http.StatusBadRequest)
	if obj := r.obj(); obj["code"] != 14.0 || !strings.Contains(obj["message"].(string), "failed parsing declarative configuration") {
		t.Fatalf("YAML syntax error: %s", r.Body)
	}
}

func TestCheckHashAnswers304ForTheLoadedConfiguration(t *testing.T) {
	a := dblessAPI(t)
	if h := a.get("/status").obj()["configuration_hash"]; h != declarative.EmptyHash {
		t.Fatalf("before any load configuration_hash = %v", h)
	}
	a.do("POST", "/config?check_hash=1", strings.NewReader(smallConfig), "application/yaml").status(http.StatusCreated)
	hash := a.get("/status").obj()["configuration_hash"].(string)
	if len(hash) != 32 || hash == declarative.EmptyHash {
		t.Fatalf("configuration_hash %q", hash)
	}
	a.do("POST", "/config?check_hash=1", strings.NewReader(smallConfig), "application/yaml").empty(http.StatusNotModified)
	// Without check_hash the same configuration is loaded again.
	a.do("POST", "/config", strings.NewReader(smallConfig), "application/yaml").status(http.StatusCreated)
	changed := strings.Replace(smallConfig, "bob", "alice", 1)
	a.do("POST", "/config?check_hash=1", strings.NewReader(changed), "application/yaml").status(http.StatusCreated)
	if a.get("/status").obj()["configuration_hash"] == hash {
		t.Fatal("a new configuration must change the hash")
	}
}

func TestGetConfigReturnsALoadableExport(t *testing.T) {
	a := dblessAPI(t)
	a.do("POST", "/config", strings.NewReader(smallConfig), "application/yaml").status(http.StatusCreated)
	before := a.get("/routes/r1").obj()
	text := a.get("/config").status(http.StatusOK).str("config")
	for _, want := range []string{"_format_version: \"3.0\"", "_transform: false", "id: " + svc1ID, "service: " + svc1ID} {
		if !strings.Contains(text, want) {
			t.Fatalf("GET /config lacks %q:\n%s", want, text)
		}
	}
	body, _ := json.Marshal(map[string]any{"config": text})
	a.json("POST", "/config", string(body)).status(http.StatusCreated)
	if after := a.get("/routes/r1").obj(); after["id"] != before["id"] || fmt.Sprint(after["service"]) != fmt.Sprint(before["service"]) {
		t.Fatalf("re-loading the export changed the route: %v -> %v", before, after)
	}
}

func TestEntityWritesAreRefusedWithoutADatabase(t *testing.T) {
	a := dblessAPI(t)
	a.do("POST", "/config", strings.NewReader(smallConfig), "application/yaml").status(http.StatusCreated)
	for _, tc := range []struct{ method, path, verb, entity string }{
		{"POST", "/services", "create", "services"},
		{"PUT", "/services/svc1", "create or update", "services"},
		{"PATCH", "/services/svc1", "update", "services"},
		{"DELETE", "/services/svc1", "remove", "services"},
		{"POST", "/services/svc1/routes", "create", "routes"},
	} {
		a.json(tc.method, tc.path, `{"host":"x"}`).expect(http.StatusMethodNotAllowed, `{"code":12,"name":"operation unsupported",
			"message":"cannot %s '%s' entities when not using a database"}`, tc.verb, tc.entity)
	}
	// Reads keep working.
	a.get("/services").status(http.StatusOK)
	a.json("POST", "/schemas/services/validate", `{"host":"example.com"}`).status(http.StatusOK)
}

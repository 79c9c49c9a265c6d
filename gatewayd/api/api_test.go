package api_test

import (
	"context"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/acctest/harness"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
)

func TestMain(m *testing.M) { os.Exit(harness.RunMain(m)) }

// The client must stay usable outside gatewayd (provider, modules, CLI,
// against Kong): it imports nothing else from gatewayd/.
func TestImportsNoOtherGatewaydPackage(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		ast, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range ast.Imports {
			p := strings.Trim(imp.Path.Value, `"`)
			if strings.HasPrefix(p, "github.com/gatewayd-toolkit/gatewayd/") {
				t.Errorf("%s imports %s", f, p)
			}
		}
	}
}

func newClient(t *testing.T, gw *harness.Gatewayd, cfg api.Config) *api.Client {
	t.Helper()
	cfg.AdminURL = gw.AdminURL
	c, err := api.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCRUDAgainstGatewayd(t *testing.T) {
	gw := harness.StartGatewayd(t, harness.Options{Extra: map[string]string{"admin_token": "s3cret"}})
	ctx := context.Background()
	if _, err := newClient(t, gw, api.Config{}).Info(ctx); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("without token: %v", err)
	}
	c := newClient(t, gw, api.Config{Token: "s3cret"})
	info, err := c.Info(ctx)
	if err != nil || !info.IsGatewayd() || info.Version == "" {
		t.Fatalf("info: %+v %v", info, err)
	}
	svc, err := c.Create(ctx, "services", api.Entity{"name": "svc", "url": "http://127.0.0.1:9/x", "tags": []string{"team-a"}})
	if err != nil || svc["path"] != "/x" {
		t.Fatalf("create: %v %v", svc, err)
	}
	_, err = c.Create(ctx, "services", api.Entity{"name": "svc", "host": "example.com"})
	var apiErr *api.Error
	if !api.IsConflict(err) || !asError(err, &apiErr) || apiErr.Code != 5 || apiErr.Fields["name"] != "svc" {
		t.Fatalf("duplicate: %v", err)
	}
	_, err = c.Create(ctx, "services", api.Entity{"name": "bad", "host": "example.com", "port": 70000})
	if !asError(err, &apiErr) || apiErr.Status != 400 || len(apiErr.FieldErrors()) != 1 || apiErr.FieldErrors()[0][0] != "port" {
		t.Fatalf("invalid port: %v %v", err, apiErr.FieldErrors())
	}
	if _, err := c.Update(ctx, "services/svc", api.Entity{"retries": 2}); err != nil {
		t.Fatal(err)
	}
	got, err := c.Get(ctx, "services/svc")
	if err != nil || got["retries"] != 2.0 {
		t.Fatalf("get: %v %v", got, err)
	}
	if _, err := c.Get(ctx, "services/nope"); !api.IsNotFound(err) {
		t.Fatalf("missing: %v", err)
	}
	for i := 0; i < 5; i++ {
		if _, err := c.Create(ctx, "consumers", api.Entity{"username": "u" + string(rune('a'+i)), "tags": []string{"t", map[bool]string{true: "even", false: "odd"}[i%2 == 0]}}); err != nil {
			t.Fatal(err)
		}
	}
	all, err := c.List(ctx, "consumers", api.ListOptions{PageSize: 2})
	if err != nil || len(all) != 5 {
		t.Fatalf("list across pages: %d %v", len(all), err)
	}
	even, err := c.List(ctx, "consumers", api.ListOptions{Tags: []string{"t", "even"}})
	if err != nil || len(even) != 3 {
		t.Fatalf("tags AND: %d %v", len(even), err)
	}
	if err := c.Delete(ctx, "services/svc"); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(ctx, "services/svc"); err != nil {
		t.Fatalf("deleting twice: %v", err)
	}
	sch, err := c.PluginSchema(ctx, "key-auth")
	if err != nil || sch.Field("config").Sub("key_names") == nil {
		t.Fatalf("plugin schema: %v", err)
	}
	if err := c.Validate(ctx, "plugins", api.Entity{"name": "key-auth", "config": map[string]any{"key_names": []any{"in valid"}}}); err == nil {
		t.Fatal("validate accepted an invalid header name")
	}
}

func asError(err error, target **api.Error) bool {
	e, ok := err.(*api.Error)
	if ok {
		*target = e
	}
	return ok
}

// Transient failures (5xx, 429, connection errors) are retried with
// backoff; client errors are not.
func TestRetriesTransientFailuresOnly(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		switch {
		case r.URL.Path == "/flaky" && n < 3:
			w.WriteHeader(503)
		case r.URL.Path == "/bad":
			w.WriteHeader(400)
			_, _ = w.Write([]byte(`{"code":2,"name":"schema violation","message":"bad","fields":{"a":"b"}}`))
		default:
			_, _ = w.Write([]byte(`{"ok":true}`))
		}
	}))
	defer srv.Close()
	c, _ := api.New(api.Config{AdminURL: srv.URL, RetryWait: time.Millisecond})
	if _, err := c.Get(context.Background(), "flaky"); err != nil || calls.Load() != 3 {
		t.Fatalf("flaky: %v after %d calls", err, calls.Load())
	}
	calls.Store(0)
	_, err := c.Get(context.Background(), "bad")
	if err == nil || calls.Load() != 1 || !strings.Contains(err.Error(), "400 bad") {
		t.Fatalf("bad: %v after %d calls", err, calls.Load())
	}
}

func TestConfigValidationAndEnv(t *testing.T) {
	if _, err := api.New(api.Config{AdminURL: "localhost:8001"}); err == nil {
		t.Fatal("accepted a URL without scheme")
	}
	t.Setenv(api.EnvAdminURL, "http://127.0.0.1:18001")
	t.Setenv(api.EnvAdminToken, "tok")
	cfg := api.Config{}.FromEnv()
	if cfg.AdminURL != "http://127.0.0.1:18001" || cfg.Token != "tok" {
		t.Fatalf("FromEnv: %+v", cfg)
	}
	if cfg := (api.Config{AdminURL: "http://x:1"}).FromEnv(); cfg.AdminURL != "http://x:1" {
		t.Fatal("FromEnv overrode an explicit URL")
	}
}

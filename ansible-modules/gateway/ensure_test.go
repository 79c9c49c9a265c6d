package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/ansible-modules/module"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
)

// fakeAdmin is an Admin API holding services by name, recording writes.
type fakeAdmin struct {
	mu       sync.Mutex
	services map[string]api.Entity
	writes   []string // "PATCH services/<id> {body}"
}

func newFakeAdmin(t *testing.T) (*fakeAdmin, string) {
	f := &fakeAdmin{services: map[string]api.Entity{}}
	srv := httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(srv.Close)
	return f, srv.URL
}

func (f *fakeAdmin) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	path := strings.Trim(r.URL.Path, "/")
	if r.Method != http.MethodGet {
		f.writes = append(f.writes, r.Method+" "+path+" "+string(body))
	}
	switch {
	case path == "schemas/services":
		_, _ = w.Write([]byte(`{"fields":[{"name":{"type":"string"}},{"retries":{"type":"integer"}},{"tags":{"type":"set","elements":{"type":"string"}}}]}`))
	case r.Method == http.MethodPost && path == "services":
		var e api.Entity
		_ = json.Unmarshal(body, &e)
		e["id"] = "id-" + e["name"].(string)
		f.services[e["name"].(string)] = e
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(e)
	case strings.HasPrefix(path, "services/"):
		f.entity(w, r, strings.TrimPrefix(path, "services/"), body)
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeAdmin) entity(w http.ResponseWriter, r *http.Request, key string, body []byte) {
	for name, e := range f.services {
		if name != key && e["id"] != key {
			continue
		}
		switch r.Method {
		case http.MethodGet:
			_ = json.NewEncoder(w).Encode(e)
		case http.MethodPatch:
			var p api.Entity
			_ = json.Unmarshal(body, &p)
			for k, v := range p {
				e[k] = v
			}
			_ = json.NewEncoder(w).Encode(e)
		case http.MethodDelete:
			delete(f.services, name)
			w.WriteHeader(http.StatusNoContent)
		}
		return
	}
	w.WriteHeader(http.StatusNotFound)
	_, _ = w.Write([]byte(`{"message":"Not found"}`))
}

type exited struct{ code int }

// ensureService runs Ensure for a service as a module would, with args.
func ensureService(t *testing.T, url string, args map[string]any) map[string]any {
	t.Helper()
	args["admin_url"] = url
	data, _ := json.Marshal(args)
	argsFile := filepath.Join(t.TempDir(), "args")
	if err := os.WriteFile(argsFile, data, 0o600); err != nil {
		t.Fatal(err)
	}
	spec := module.Spec{Options: Spec(EntityOptions(), map[string]module.Option{"name": {}, "retries": {Type: module.Int}}), SupportsCheckMode: true}
	var out bytes.Buffer
	func() {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(exited); !ok {
					panic(r)
				}
			}
		}()
		m := module.NewFrom(spec, []string{"gateway_service", argsFile}, &out, func(c int) { panic(exited{c}) })
		c, err := Client(m)
		if err != nil {
			t.Fatal(err)
		}
		desired := api.Entity{}
		Put(m, desired, "name", "retries", "tags")
		err = Ensure(context.Background(), m, c, Target{Kind: "services", Label: "service", Name: m.Str("name"), Desired: desired,
			Find: FindAt(c, "services/"+m.Str("name")), Create: PostTo(c, "services"), Path: ByID("services")})
		if err != nil {
			m.Fail(ErrorMessage(err))
		}
	}()
	var res map[string]any
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("module output: %v\n%s", err, out.String())
	}
	return res
}

func TestEnsureCreatesThenReportsNoChange(t *testing.T) {
	f, url := newFakeAdmin(t)
	if res := ensureService(t, url, map[string]any{"name": "s", "retries": 3}); res["changed"] != true || res["msg"] != "service s created" {
		t.Fatalf("create: %v", res)
	}
	if res := ensureService(t, url, map[string]any{"name": "s", "retries": "3"}); res["changed"] != false {
		t.Fatalf("second run: %v", res)
	}
	if len(f.writes) != 1 {
		t.Fatalf("writes %v, want only the create", f.writes)
	}
}

func TestEnsureUpdatesOnlyTheFieldsThatDiffer(t *testing.T) {
	f, url := newFakeAdmin(t)
	f.services["s"] = api.Entity{"id": "id-s", "name": "s", "retries": 5.0, "tags": []any{"b", "a"}, "created_at": 1.0}
	res := ensureService(t, url, map[string]any{"name": "s", "retries": 3, "tags": []any{"a", "b"}, "_ansible_diff": true})
	if res["changed"] != true || len(f.writes) != 1 || f.writes[0] != `PATCH services/id-s {"retries":3}` {
		t.Fatalf("result %v, writes %v", res, f.writes)
	}
	diff := res["diff"].(map[string]any)
	before, after := diff["before"].(map[string]any), diff["after"].(map[string]any)
	if before["retries"] != 5.0 || after["retries"] != 3.0 || !sameJSON(before["tags"], after["tags"]) {
		t.Fatalf("diff %v", diff)
	}
	if _, ok := before["created_at"]; ok {
		t.Fatalf("a diff leaves timestamps out: %v", before)
	}
}

func sameJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func TestEnsureInCheckModePredictsAndNeverWrites(t *testing.T) {
	f, url := newFakeAdmin(t)
	if res := ensureService(t, url, map[string]any{"name": "new", "_ansible_check_mode": true}); res["changed"] != true {
		t.Fatalf("predicted create: %v", res)
	}
	f.services["s"] = api.Entity{"id": "id-s", "name": "s", "retries": 5.0}
	if res := ensureService(t, url, map[string]any{"name": "s", "retries": 1, "_ansible_check_mode": true}); res["changed"] != true {
		t.Fatalf("predicted update: %v", res)
	}
	if res := ensureService(t, url, map[string]any{"name": "s", "state": "absent", "_ansible_check_mode": true}); res["changed"] != true {
		t.Fatalf("predicted delete: %v", res)
	}
	if len(f.writes) != 0 {
		t.Fatalf("check mode wrote: %v", f.writes)
	}
}

func TestEnsureAbsentOnAMissingEntityIsNoChange(t *testing.T) {
	f, url := newFakeAdmin(t)
	if res := ensureService(t, url, map[string]any{"name": "gone", "state": "absent"}); res["changed"] != false || res["failed"] != false {
		t.Fatalf("absent on missing: %v", res)
	}
	f.services["s"] = api.Entity{"id": "id-s", "name": "s"}
	if res := ensureService(t, url, map[string]any{"name": "s", "state": "absent"}); res["changed"] != true || len(f.services) != 0 {
		t.Fatalf("delete: %v (left %v)", res, f.services)
	}
}

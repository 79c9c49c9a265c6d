package admin_test

// Non-CRUD endpoints (kong-compat.md §2.2) and admin authentication.

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/admin"
)

func TestRoot(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a.get("/").expect(200, `{"tagline":"Welcome to gatewayd","version":"3.9.1","gatewayd_version":"0.1.0-test",
			"edition":"community","hostname":"gatewayd-test","node_id":"3a4b5c6d-0000-4000-8000-000000000001",
			"lua_version":"<any>","timers":{"running":0,"pending":0},
			"plugins":{"available_on_server":{"key-auth":{"version":"3.9.1","priority":1250},
				"rate-limiting":{"version":"3.9.1","priority":910}},"enabled_in_cluster":[]},
			"configuration":{"database":"<any>"},"pids":{"master":"<any>","workers":["<any>"]}}`)
		r := a.get("/")
		if got := r.Header.Get("Server"); got != "gatewayd/0.1.0-test" {
			t.Fatalf("Server header %q", got)
		}
		if r.Header.Get("X-Gatewayd-Admin-Latency") == "" {
			t.Fatal("missing X-Gatewayd-Admin-Latency")
		}
	})
}

func TestStatus(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a.get("/status").expect(200, `{"database":{"reachable":true},"server":{"total_requests":0},
			"memory":{"lua_shared_dicts":{},"workers_lua_vms":[{"pid":"<any>","http_allocated_gc":"<any>"}]}}`)
	})
}

// DB-less: no database section in /status, writes are refused with code 12.
func TestReadOnly(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		r := a.get("/status").status(200)
		if _, ok := r.obj()["database"]; ok {
			t.Fatalf("read-only /status must not report a database: %s", r.Body)
		}
		a.json("POST", "/services", `{"host":"x.test"}`).expect(405, `{"code":12,"name":"operation unsupported",
			"message":"cannot create 'services' entities when not using a database"}`)
		a.json("PATCH", "/services/x", `{}`).expect(405, `{"code":12,"name":"operation unsupported",
			"message":"cannot update 'services' entities when not using a database"}`)
		a.json("PUT", "/services/x", `{}`).expect(405, `{"code":12,"name":"operation unsupported",
			"message":"cannot create or update 'services' entities when not using a database"}`)
		a.delete("/services/x").expect(405, `{"code":12,"name":"operation unsupported",
			"message":"cannot remove 'services' entities when not using a database"}`)
	}, func(o *admin.Options) { o.ReadOnly = true })
}

func TestSchemasEndpoints(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		r := a.get("/schemas/consumers").status(200)
		got := r.obj()
		var names []string
		for _, f := range got["fields"].([]any) {
			for k := range f.(map[string]any) {
				names = append(names, k)
			}
		}
		if strings.Join(names, ",") != "id,created_at,updated_at,username,custom_id,tags" {
			t.Fatalf("consumer fields %v", names)
		}
		if c := show(got["entity_checks"]); c != `[{"at_least_one_of":["custom_id","username"]}]` {
			t.Fatalf("entity_checks %s", c)
		}
		username := got["fields"].([]any)[3].(map[string]any)["username"].(map[string]any)
		if username["type"] != "string" || username["unique"] != true {
			t.Fatalf("username field %s", show(username))
		}
		routes := a.get("/schemas/routes").status(200).obj()
		if !strings.Contains(show(routes["fields"]), `{"protocols":{`) {
			t.Fatalf("routes schema lacks protocols: %s", show(routes["fields"]))
		}
		a.get("/schemas/nope").message(404, "No entity named 'nope'")
		a.get("/schemas/plugins").status(200)
		a.get("/schemas/plugins/key-auth").status(200)
		a.get("/schemas/plugins/nope").message(404, "No plugin named 'nope'")

		// validate: same checks as a write, nothing stored
		a.json("POST", "/schemas/services/validate", `{"host":"x.test","name":"v"}`).
			message(200, "schema validation successful")
		a.form("POST", "/schemas/routes/validate", "paths=/a&protocols=http").
			message(200, "schema validation successful")
		a.json("POST", "/schemas/services/validate", `{"port":"x"}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"2 schema violations (host: required field missing; port: expected an integer)",
			"fields":{"host":"required field missing","port":"expected an integer"}}`)
		a.json("POST", "/schemas/nope/validate", `{}`).message(404, "No entity named 'nope'")
		a.json("POST", "/schemas/plugins/validate", `{"name":"rate-limiting","config":{"second":1}}`).
			message(200, "schema validation successful")
		a.json("POST", "/schemas/plugins/validate", `{"name":"rate-limiting","config":{}}`).expect(400, `{"code":2,
			"name":"schema violation",
			"message":"schema violation (at least one of these fields must be non-empty: 'config.second', 'config.minute', 'config.hour')",
			"fields":{"@entity":["at least one of these fields must be non-empty: 'config.second', 'config.minute', 'config.hour'"]}}`)
		a.get("/services").expect(200, `{"data":[],"next":null}`)
		a.get("/routes").expect(200, `{"data":[],"next":null}`)
	})
}

func TestEndpointsAndPlugins(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		data := a.get("/endpoints").status(200).obj()["data"].([]any)
		var list []string
		for _, d := range data {
			list = append(list, d.(string))
		}
		if !sort.StringsAreSorted(list) {
			t.Fatalf("/endpoints not sorted: %v", list)
		}
		has := map[string]bool{}
		for _, e := range list {
			has[e] = true
		}
		for _, want := range []string{"/", "/services", "/services/{services}", "/services/{services}/routes",
			"/services/{services}/routes/{routes}", "/routes/{routes}/service", "/upstreams/{upstreams}/targets",
			"/upstreams/{upstreams}/targets/{targets}", "/certificates/{certificates}/snis", "/consumers/{consumers}/plugins",
			"/schemas/{db_entity_name}", "/schemas/{db_entity_name}/validate", "/tags", "/status", "/plugins/enabled"} {
			if !has[want] {
				t.Errorf("/endpoints lacks %s", want)
			}
		}
		for _, gone := range []string{"/targets", "/targets/{targets}", "/targets/{targets}/upstream", "/snis/{snis}/certificate"} {
			if has[gone] {
				t.Errorf("/endpoints lists disabled %s", gone)
			}
		}
		a.get("/plugins/enabled").expect(200, `{"enabled_plugins":["key-auth","rate-limiting"]}`)
		a.get("/config").message(400, "this endpoint is only available when Kong is configured to not use a database")
	})
}

func TestTagsEndpoint(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		svc := a.mustCreate("/services", `{"host":"x.test","tags":["a","b"]}`)
		consumer := a.mustCreate("/consumers", `{"username":"c","tags":["a"]}`)
		a.mustCreate("/consumers", `{"username":"untagged"}`)
		rows := func(path string) []string {
			t.Helper()
			var out []string
			for _, d := range a.get(path).status(200).obj()["data"].([]any) {
				m := d.(map[string]any)
				out = append(out, fmt.Sprintf("%s/%s/%s", m["entity_name"], m["entity_id"], m["tag"]))
			}
			sort.Strings(out)
			return out
		}
		want := []string{"consumers/" + consumer + "/a", "services/" + svc + "/a", "services/" + svc + "/b"}
		sort.Strings(want)
		if got := rows("/tags"); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("/tags = %v, want %v", got, want)
		}
		wantA := []string{"consumers/" + consumer + "/a", "services/" + svc + "/a"}
		sort.Strings(wantA)
		if got := rows("/tags/a"); strings.Join(got, " ") != strings.Join(wantA, " ") {
			t.Fatalf("/tags/a = %v, want %v", got, wantA)
		}
		a.get("/tags/zzz").expect(200, `{"data":[],"next":null}`)
		// paging
		r := a.get("/tags?size=2").status(200)
		if r.obj()["next"] != "/tags?offset="+escape(r.str("offset")) {
			t.Fatalf("/tags next = %v", r.obj()["next"])
		}
		a.get(r.obj()["next"].(string)).expect(200, `{"data":["<any>"],"next":null}`)
		a.get("/tags?size=0").expect(400, `{"code":9,"name":"invalid size","message":"size must be an integer between 1 and 1000"}`)
	})
}

func TestAdminToken(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a.get("/").message(401, "Unauthorized")
		a.do("GET", "/services", nil, "", "Authorization", "Bearer wrong").message(401, "Unauthorized")
		a.do("GET", "/services", nil, "", "Authorization", "Basic czNjcmV0").message(401, "Unauthorized")
		a.json("POST", "/services", `{"host":"x.test"}`).message(401, "Unauthorized")
		r := a.do("GET", "/services", nil, "", "Authorization", "Bearer s3cret")
		r.expect(200, `{"data":[],"next":null}`)
		a.do("GET", "/services", nil, "", "Authorization", "bearer s3cret").status(200)
		if got := a.get("/").Header.Get("WWW-Authenticate"); got == "" {
			t.Fatal("401 without WWW-Authenticate")
		}
	}, func(o *admin.Options) { o.Token = "s3cret" })
}

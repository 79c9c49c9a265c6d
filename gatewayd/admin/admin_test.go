package admin_test

// Admin API conformance suite (kong-compat.md §1 and §2). Every test runs
// against SQLite and PostgreSQL; expectations are Kong 3.9's status codes
// and bodies, byte for byte where Kong's text is known.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// The Kong quickstart: a service from name+url, a route nested under it,
// then the same with JSON bodies and POST /routes with a service reference.
func TestQuickstart(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		// curl -i -X POST http://localhost:8001/services --data name=example_service --data url='http://httpbin.konghq.com'
		svc := a.form("POST", "/services", "name=example_service&url=http://httpbin.konghq.com").
			expect(201, merge(serviceDefaults, `{"name":"example_service","host":"httpbin.konghq.com"}`))
		svcID := svc.id()
		wantSvc := merge(serviceDefaults, `{"id":%q,"name":"example_service","host":"httpbin.konghq.com"}`, svcID)
		a.get("/services/example_service").expect(200, wantSvc)
		a.get("/services/"+svcID).expect(200, wantSvc)

		// curl -i -X POST http://localhost:8001/services/example_service/routes --data 'paths[]=/mock' --data name=example_route
		route := a.form("POST", "/services/example_service/routes", "paths[]=/mock&name=example_route").
			expect(201, merge(routeDefaults, `{"name":"example_route","paths":["/mock"],"service":{"id":%q}}`, svcID))
		wantRoute := merge(routeDefaults, `{"id":%q,"name":"example_route","paths":["/mock"],"service":{"id":%q}}`, route.id(), svcID)
		a.get("/routes/example_route").expect(200, wantRoute)
		a.get("/services/example_service/routes").expect(200, `{"data":[%s],"next":null}`, wantRoute)
		a.get("/services/example_service/routes/example_route").expect(200, wantRoute)
		a.get("/routes/example_route/service").expect(200, wantSvc)

		// The same with JSON bodies.
		svc2 := a.json("POST", "/services", `{"name":"s2","url":"https://example.test:8443/api/v1"}`).
			expect(201, merge(serviceDefaults, `{"name":"s2","protocol":"https","host":"example.test","port":8443,"path":"/api/v1"}`)).id()
		a.json("POST", "/routes", fmt.Sprintf(`{"name":"r2","paths":["/x"],"methods":["GET","POST"],"service":{"id":%q}}`, svc2)).
			expect(201, merge(routeDefaults, `{"name":"r2","paths":["/x"],"methods":["GET","POST"],"service":{"id":%q}}`, svc2))
		// A service referenced by its name is resolved to its id.
		a.json("POST", "/routes", `{"hosts":["a.test"],"service":{"name":"s2"}}`).
			expect(201, merge(routeDefaults, `{"hosts":["a.test"],"service":{"id":%q}}`, svc2))
		// form: service.id / service.name
		a.form("POST", "/routes", "hosts=b.test&service.name=s2").
			expect(201, merge(routeDefaults, `{"hosts":["b.test"],"service":{"id":%q}}`, svc2))
		a.form("POST", "/routes", "hosts=c.test&service.id="+svcID).
			expect(201, merge(routeDefaults, `{"hosts":["c.test"],"service":{"id":%q}}`, svcID))
		a.get("/services/s2/routes?size=1").status(200)
	})
}

// §1.1 url shorthand.
func TestServiceURLShorthand(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		cases := []struct{ url, want string }{
			{"http://x.test/", `{"protocol":"http","host":"x.test","port":80,"path":"/"}`},
			{"http://x.test", `{"protocol":"http","host":"x.test","port":80,"path":null}`},
			{"https://x.test:80/", `{"protocol":"https","host":"x.test","port":80,"path":"/"}`},
			{"https://x.test", `{"protocol":"https","host":"x.test","port":443,"path":null}`},
			{"http://x.test:8080/a/b?q=1#frag", `{"protocol":"http","host":"x.test","port":8080,"path":"/a/b"}`},
			{"grpc://x.test:9000", `{"protocol":"grpc","host":"x.test","port":9000,"path":null}`},
			{"tcp://x.test", `{"protocol":"tcp","host":"x.test","port":80,"path":null}`},
			{"http://[::1]:81/p", `{"protocol":"http","host":"::1","port":81,"path":"/p"}`},
			{"http://user:pw@x.test/p%20q", `{"protocol":"http","host":"x.test","port":80,"path":"/p%20q"}`},
		}
		for i, c := range cases {
			name := fmt.Sprintf("u%d", i)
			a.json("POST", "/services", fmt.Sprintf(`{"name":%q,"url":%q}`, name, c.url)).
				expect(201, merge(merge(serviceDefaults, `{"name":%q}`, name), c.want))
		}
		// The url is write-only and never rendered; form bodies work the same.
		a.form("POST", "/services", "name=f&url=https://form.test:8443/").
			expect(201, merge(serviceDefaults, `{"name":"f","protocol":"https","host":"form.test","port":8443,"path":"/"}`))
		// An unparsable url leaves no host and a path that is not one.
		a.json("POST", "/services", `{"url":"invalid url"}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"2 schema violations (host: required field missing; path: should start with: /)",
			"fields":{"host":"required field missing","path":"should start with: /"}}`)
		// PATCH with url replaces protocol, host, port and path.
		a.json("PATCH", "/services/u0", `{"url":"https://new.test"}`).
			expect(200, merge(serviceDefaults, `{"name":"u0","protocol":"https","host":"new.test","port":443,"path":null}`))
		// A url whose port is not a number.
		a.json("POST", "/services", `{"url":"http://x.test:abc/"}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (port: expected an integer)","fields":{"port":"expected an integer"}}`)
		// A url with an unknown scheme.
		a.json("POST", "/services", `{"url":"ftp://x.test/"}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (protocol: expected one of: grpc, grpcs, http, https, tcp, tls, tls_passthrough, udp)",
			"fields":{"protocol":"expected one of: grpc, grpcs, http, https, tcp, tls, tls_passthrough, udp"}}`)
	})
}

func TestSchemaViolations(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		// single
		a.json("POST", "/services", `{}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (host: required field missing)","fields":{"host":"required field missing"}}`)
		// several, sorted by field name
		a.json("POST", "/services", `{"host":"x.test","port":"a","retries":-1,"protocol":"ftp","foo":1}`).expect(400, `{
			"code":2,"name":"schema violation",
			"message":"4 schema violations (foo: unknown field; port: expected an integer; protocol: expected one of: grpc, grpcs, http, https, tcp, tls, tls_passthrough, udp; retries: value should be between 0 and 32767)",
			"fields":{"foo":"unknown field","port":"expected an integer",
				"protocol":"expected one of: grpc, grpcs, http, https, tcp, tls, tls_passthrough, udp",
				"retries":"value should be between 0 and 32767"}}`)
		// type errors of every kind
		a.json("POST", "/services", `{"host":"x.test","name":5,"enabled":"yes","tags":"a","connect_timeout":1.5}`).expect(400, `{
			"code":2,"name":"schema violation",
			"message":"4 schema violations (connect_timeout: expected an integer; enabled: expected a boolean; name: expected a string; tags: expected a set)",
			"fields":{"connect_timeout":"expected an integer","enabled":"expected a boolean","name":"expected a string","tags":"expected a set"}}`)
		// host validation
		a.json("POST", "/services", `{"host":"x.test:80"}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (host: must not have a port)","fields":{"host":"must not have a port"}}`)
		a.json("POST", "/services", `{"host":"x y"}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (host: invalid value: x y)","fields":{"host":"invalid value: x y"}}`)
		// validators run in Kong's order: starts_with before match_none
		a.json("POST", "/services", `{"host":"x.test","path":"a//b"}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (path: should start with: /)","fields":{"path":"should start with: /"}}`)
		a.json("POST", "/services", `{"host":"x.test","path":"/a//b"}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (path: must not have empty segments)","fields":{"path":"must not have empty segments"}}`)
		// utf8 names
		a.json("POST", "/services", `{"host":"x.test","name":"a b"}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (name: invalid value 'a b': the only accepted ascii characters are alphanumerics or ., -, _, and ~)",
			"fields":{"name":"invalid value 'a b': the only accepted ascii characters are alphanumerics or ., -, _, and ~"}}`)
		a.json("POST", "/services", `{"host":"x.test","name":"ñandú.test~_-"}`).status(201)
		// tags
		a.json("POST", "/services", `{"host":"x.test","tags":["ok","a,b"]}`).expect(400, "{\"code\":2,\"name\":\"schema violation\","+
			"\"message\":\"schema violation (tags.2: invalid tag 'a,b': expected printable ascii (except `,` and `/`) or valid utf-8 sequences)\","+
			"\"fields\":{\"tags\":[null,\"invalid tag 'a,b': expected printable ascii (except `,` and `/`) or valid utf-8 sequences\"]}}")
		// an id that is not a UUID
		a.json("POST", "/services", `{"host":"x.test","id":"nope"}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (id: expected a valid UUID)","fields":{"id":"expected a valid UUID"}}`)
		// array elements: 1-based index in the message, sparse array in fields
		a.json("POST", "/routes", `{"protocols":["http","ftp"],"paths":["/"]}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (protocols.2: expected one of: grpc, grpcs, http, https, tcp, tls, tls_passthrough, udp)",
			"fields":{"protocols":[null,"expected one of: grpc, grpcs, http, https, tcp, tls, tls_passthrough, udp"]}}`)
		// nested record fields: config.x
		a.json("POST", "/plugins", `{"name":"rate-limiting","config":{"second":"x","foo":1}}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"2 schema violations (config.foo: unknown field; config.second: expected a number)",
			"fields":{"config":{"foo":"unknown field","second":"expected a number"}}}`)
		// nested array inside a record: pretty-printed like Kong's pl.pretty
		a.json("POST", "/plugins", `{"name":"key-auth","config":{"key_names":["ok","bad name"]}}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (config.key_names: {\n  [2] = \"bad header name 'bad name', allowed characters are A-Z, a-z, 0-9, '_', and '-'\"\n})",
			"fields":{"config":{"key_names":[null,"bad header name 'bad name', allowed characters are A-Z, a-z, 0-9, '_', and '-'"]}}}`)
		// entity-level errors come first, under @entity
		a.json("POST", "/consumers", `{}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (at least one of these fields must be non-empty: 'custom_id', 'username')",
			"fields":{"@entity":["at least one of these fields must be non-empty: 'custom_id', 'username'"]}}`)
		a.json("POST", "/routes", `{"protocols":["http"],"regex_priority":"x"}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"2 schema violations (must set one of 'methods', 'hosts', 'headers', 'paths' when 'protocols' is 'http'; regex_priority: expected an integer)",
			"fields":{"@entity":["must set one of 'methods', 'hosts', 'headers', 'paths' when 'protocols' is 'http'"],"regex_priority":"expected an integer"}}`)
		// plugin-level entity checks use config.* paths (rate-limiting)
		a.json("POST", "/plugins", `{"name":"rate-limiting","config":{}}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (at least one of these fields must be non-empty: 'config.second', 'config.minute', 'config.hour')",
			"fields":{"@entity":["at least one of these fields must be non-empty: 'config.second', 'config.minute', 'config.hour'"]}}`)
		a.json("POST", "/plugins", `{"name":"rate-limiting","config":{"minute":0,"policy":"cluster"}}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"2 schema violations (config.minute: value must be greater than 0; config.policy: expected one of: local, redis)",
			"fields":{"config":{"minute":"value must be greater than 0","policy":"expected one of: local, redis"}}}`)
		// conditional checks: path must be null for stream services
		a.json("POST", "/services", `{"host":"x.test","protocol":"tcp","path":"/a"}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"2 schema violations (failed conditional validation given value of field 'protocol'; path: value must be null)",
			"fields":{"@entity":["failed conditional validation given value of field 'protocol'"],"path":"value must be null"}}`)
		a.json("POST", "/services", `{"host":"x.test","tls_verify":true}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"2 schema violations (failed conditional validation given value of field 'protocol'; tls_verify: value must be null)",
			"fields":{"@entity":["failed conditional validation given value of field 'protocol'"],"tls_verify":"value must be null"}}`)
		// nothing was stored by any of the failed writes above (but the one 201)
		a.get("/services").expect(200, `{"data":["<any>"],"next":null}`)
		a.get("/routes").expect(200, `{"data":[],"next":null}`)
		a.get("/plugins").expect(200, `{"data":[],"next":null}`)
	})
}

func TestRouteChecks(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		v := func(body, msg, fields string) {
			t.Helper()
			a.json("POST", "/routes", body).expect(400, `{"code":2,"name":"schema violation","message":%s,"fields":%s}`, quote(msg), fields)
		}
		v(`{}`, "schema violation (must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'https')",
			`{"@entity":["must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'https'"]}`)
		v(`{"protocols":["http"]}`, "schema violation (must set one of 'methods', 'hosts', 'headers', 'paths' when 'protocols' is 'http')",
			`{"@entity":["must set one of 'methods', 'hosts', 'headers', 'paths' when 'protocols' is 'http'"]}`)
		v(`{"protocols":["grpcs"]}`, "schema violation (must set one of 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'grpcs')",
			`{"@entity":["must set one of 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'grpcs'"]}`)
		v(`{"protocols":["grpc"]}`, "schema violation (must set one of 'hosts', 'headers', 'paths' when 'protocols' is 'grpc')",
			`{"@entity":["must set one of 'hosts', 'headers', 'paths' when 'protocols' is 'grpc'"]}`)
		v(`{"protocols":["tcp"]}`, "schema violation (must set one of 'sources', 'destinations', 'snis' when 'protocols' is 'tcp', 'tls' or 'udp')",
			`{"@entity":["must set one of 'sources', 'destinations', 'snis' when 'protocols' is 'tcp', 'tls' or 'udp'"]}`)
		v(`{"protocols":["tls_passthrough"]}`, "schema violation (must set snis when 'protocols' is 'tls_passthrough')",
			`{"@entity":["must set snis when 'protocols' is 'tls_passthrough'"]}`)
		// snis only with https/grpcs/tls/tls_passthrough
		v(`{"protocols":["http"],"hosts":["a.test"],"snis":["a.test"]}`,
			"2 schema violations ('snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or 'tls_passthrough'; snis: length must be 0)",
			`{"@entity":["'snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or 'tls_passthrough'"],"snis":"length must be 0"}`)
		// methods must be uppercase
		v(`{"methods":["GET","get"]}`, "schema violation (methods.2: invalid value: get)", `{"methods":[null,"invalid value: get"]}`)
		// hosts
		v(`{"hosts":["*.a.*"]}`, "schema violation (hosts.1: invalid wildcard: must have at most one wildcard)",
			`{"hosts":["invalid wildcard: must have at most one wildcard"]}`)
		v(`{"hosts":["a.*.test"]}`, "schema violation (hosts.1: invalid wildcard: must be placed at leftmost or rightmost label)",
			`{"hosts":["invalid wildcard: must be placed at leftmost or rightmost label"]}`)
		v(`{"hosts":["ok.test","a b"]}`, "schema violation (hosts.2: invalid hostname: a b)", `{"hosts":[null,"invalid hostname: a b"]}`)
		v(`{"hosts":["a.test:99999"]}`, "schema violation (hosts.1: invalid port number)", `{"hosts":["invalid port number"]}`)
		// paths
		v(`{"paths":["x"]}`, "schema violation (paths.1: should start with: / (fixed path) or ~/ (regex path))",
			`{"paths":["should start with: / (fixed path) or ~/ (regex path)"]}`)
		v(`{"paths":["/a//b"]}`, "schema violation (paths.1: must not have empty segments)", `{"paths":["must not have empty segments"]}`)
		v(`{"paths":["/ok",""]}`, "schema violation (paths.2: length must be at least 1)", `{"paths":[null,"length must be at least 1"]}`)
		v(`{"paths":["/a/../b"]}`, "schema violation (paths.1: non-normalized path, consider use '/b' instead)",
			`{"paths":["non-normalized path, consider use '/b' instead"]}`)
		v(`{"paths":["/%zz"]}`, "schema violation (paths.1: invalid url-encoded value: '%zz')", `{"paths":["invalid url-encoded value: '%zz'"]}`)
		// headers: host is forbidden
		v(`{"headers":{"Host":["a.test"]}}`, "schema violation (headers: cannot contain 'host' header, which must be specified in the 'hosts' attribute)",
			`{"headers":"cannot contain 'host' header, which must be specified in the 'hosts' attribute"}`)
		// mutually exclusive protocols
		v(`{"protocols":["http","tcp"],"paths":["/"]}`, "schema violation (protocols: these sets are mutually exclusive: ('http', 'https'), ('tcp', 'tls', 'udp'))",
			`{"protocols":"these sets are mutually exclusive: ('http', 'https'), ('tcp', 'tls', 'udp')"}`)
		// stream routes cannot match on http attributes, http routes not on sources
		v(`{"protocols":["tcp"],"sources":[{"ip":"10.0.0.0/8"}],"paths":["/"]}`,
			"schema violation (paths: cannot set 'paths' when 'protocols' is 'tcp', 'tls', 'tls_passthrough' or 'udp')",
			`{"paths":"cannot set 'paths' when 'protocols' is 'tcp', 'tls', 'tls_passthrough' or 'udp'"}`)
		v(`{"paths":["/"],"sources":[{"ip":"10.0.0.1"}]}`, "schema violation (sources: cannot set 'sources' when 'protocols' is 'http' or 'https')",
			`{"sources":"cannot set 'sources' when 'protocols' is 'http' or 'https'"}`)
		v(`{"protocols":["tcp"],"sources":[{}]}`, "schema violation (sources.1: {\n  [\"@entity\"] = {\n    \"at least one of these fields must be non-empty: 'ip', 'port'\"\n  }\n})",
			`{"sources":[{"@entity":["at least one of these fields must be non-empty: 'ip', 'port'"]}]}`)
		v(`{"protocols":["grpc"],"paths":["/"],"strip_path":true}`, "schema violation (strip_path: cannot set 'strip_path' when 'protocols' is 'grpc' or 'grpcs')",
			`{"strip_path":"cannot set 'strip_path' when 'protocols' is 'grpc' or 'grpcs'"}`)

		// valid routes of every family, with their rendered defaults
		a.json("POST", "/routes", `{"protocols":["tcp"],"destinations":[{"ip":"10.0.0.1","port":80}]}`).
			expect(201, merge(routeDefaults, `{"protocols":["tcp"],"destinations":[{"ip":"10.0.0.1","port":80}]}`))
		a.json("POST", "/routes", `{"protocols":["grpc"],"paths":["/svc.Greeter"]}`).
			expect(201, merge(routeDefaults, `{"protocols":["grpc"],"paths":["/svc.Greeter"],"strip_path":false}`))
		a.json("POST", "/routes", `{"protocols":["https"],"snis":["a.test"]}`).
			expect(201, merge(routeDefaults, `{"protocols":["https"],"snis":["a.test"]}`))
		a.json("POST", "/routes", `{"headers":{"x-version":["1","2"]},"hosts":["*.example.test","example.*"],"paths":["~/items/\\d+$"]}`).
			expect(201, merge(routeDefaults, `{"headers":{"x-version":["1","2"]},"hosts":["*.example.test","example.*"],"paths":["~/items/\\d+$"]}`))
		// sets are deduplicated
		a.json("POST", "/routes", `{"methods":["GET","GET","POST"]}`).
			expect(201, merge(routeDefaults, `{"methods":["GET","POST"]}`))
	})
}

// §1.9 and §2.7: 409 unique, foreign key codes 4 and 13, restrict/cascade.
func TestConstraints(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		svc := a.mustCreate("/services", `{"name":"svc","host":"svc.test"}`)
		a.json("POST", "/services", `{"name":"svc","host":"other.test"}`).expect(409, `{"code":5,"name":"unique constraint violation",
			"message":"UNIQUE violation detected on '{name=\"svc\"}'","fields":{"name":"svc"}}`)
		// PUT onto another entity's unique name
		a.json("PUT", "/services/"+uuid.NewString(), `{"name":"svc","host":"other.test"}`).expect(409, `{"code":5,
			"name":"unique constraint violation","message":"UNIQUE violation detected on '{name=\"svc\"}'","fields":{"name":"svc"}}`)
		// PATCH another service onto the name
		a.mustCreate("/services", `{"name":"svc2","host":"svc.test"}`)
		a.json("PATCH", "/services/svc2", `{"name":"svc"}`).expect(409, `{"code":5,"name":"unique constraint violation",
			"message":"UNIQUE violation detected on '{name=\"svc\"}'","fields":{"name":"svc"}}`)
		// primary key already used
		a.json("POST", "/services", fmt.Sprintf(`{"id":%q,"host":"x.test"}`, svc)).expect(400, `{"code":3,"name":"primary key violation",
			"message":"primary key violation on key '{id=\"%[1]s\"}'","fields":{"id":%[2]q}}`, svc, svc)

		// foreign key to nothing: code 4
		missing := uuid.NewString()
		a.json("POST", "/routes", fmt.Sprintf(`{"paths":["/"],"service":{"id":%q}}`, missing)).expect(400, `{"code":4,
			"name":"foreign key violation","message":"the foreign key '{id=\"%[1]s\"}' does not reference an existing 'services' entity.",
			"fields":{"service":{"id":%[2]q}}}`, missing, missing)
		// foreign key by endpoint key that does not resolve: code 13
		a.json("POST", "/routes", `{"paths":["/"],"service":{"name":"nope"}}`).expect(400, `{"code":13,"name":"foreign keys unresolved",
			"message":"foreign key unresolved (service.name: the foreign key cannot be resolved with '{name=\"nope\"}' for an existing 'services' entity)",
			"fields":{"service":{"name":"the foreign key cannot be resolved with '{name=\"nope\"}' for an existing 'services' entity"}}}`)
		// several unresolved keys, sorted; any unique field of the parent resolves
		a.mustCreate("/consumers", `{"username":"bob","custom_id":"c-1"}`)
		a.json("POST", "/plugins", `{"name":"rate-limiting","config":{"second":1},"service":{"name":"nope"},"consumer":{"username":"nobody"}}`).
			expect(400, `{"code":13,"name":"foreign keys unresolved",
			"message":"2 foreign keys unresolved (consumer.username: the foreign key cannot be resolved with '{username=\"nobody\"}' for an existing 'consumers' entity; service.name: the foreign key cannot be resolved with '{name=\"nope\"}' for an existing 'services' entity)",
			"fields":{"consumer":{"username":"the foreign key cannot be resolved with '{username=\"nobody\"}' for an existing 'consumers' entity"},
				"service":{"name":"the foreign key cannot be resolved with '{name=\"nope\"}' for an existing 'services' entity"}}}`)
		cplug := a.json("POST", "/plugins", `{"name":"rate-limiting","config":{"second":1},"consumer":{"custom_id":"c-1"}}`).
			expect(201, merge(pluginDefaults, `{"name":"rate-limiting","config":{"second":1,"minute":null,"hour":null,"policy":"local"},
				"consumer":{"id":"<uuid>"}}`)).id()
		// only the primary key of a reference is kept
		k := a.json("POST", "/routes", fmt.Sprintf(`{"paths":["/k"],"service":{"id":%q,"name":"ignored"}}`, svc)).
			expect(201, merge(routeDefaults, `{"paths":["/k"],"service":{"id":%q}}`, svc)).id()
		a.delete("/routes/" + k).empty(204)
		// a malformed foreign key
		a.json("POST", "/routes", `{"paths":["/"],"service":{"id":null}}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (service.id: required field missing)","fields":{"service":{"id":"required field missing"}}}`)
		a.json("POST", "/routes", `{"paths":["/"],"service":{"id":"x"}}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (service.id: expected a valid UUID)","fields":{"service":{"id":"expected a valid UUID"}}}`)
		a.json("POST", "/routes", `{"paths":["/"],"service":"svc"}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (service: expected a record)","fields":{"service":"expected a record"}}`)

		// restrict: a service with routes cannot go
		route := a.mustCreate("/routes", fmt.Sprintf(`{"paths":["/"],"service":{"id":%q}}`, svc))
		a.delete("/services/svc").expect(400, `{"code":4,"name":"foreign key violation",
			"message":"an existing 'routes' entity references this 'services' entity","fields":{"@referenced_by":"routes"}}`)
		a.get("/services/svc").status(200)
		// cascade: route -> plugins
		plugin := a.mustCreate("/routes/"+route+"/plugins", `{"name":"key-auth"}`)
		a.delete("/routes/" + route).empty(204)
		a.get("/plugins/"+plugin).message(404, "Not found")
		a.delete("/services/svc").empty(204)
		a.get("/services/svc").message(404, "Not found")
		// service -> plugins, consumer -> plugins
		svc3 := a.mustCreate("/services", `{"host":"x.test"}`)
		p1 := a.mustCreate("/services/"+svc3+"/plugins", `{"name":"rate-limiting","config":{"minute":5}}`)
		consumer := a.get("/consumers/bob").status(200).id()
		p2 := a.get("/consumers/bob/plugins/" + cplug).status(200).id()
		a.delete("/services/" + svc3).empty(204)
		a.delete("/consumers/" + consumer).empty(204)
		a.get("/plugins/" + p1).status(404)
		a.get("/plugins/" + p2).status(404)
		a.get("/plugins").expect(200, `{"data":[],"next":null}`)
	})
}

// §2.3: PUT is create-or-replace, by id or by endpoint key.
func TestPut(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		id := uuid.NewString()
		// create by id
		a.json("PUT", "/services/"+id, `{"host":"a.test","retries":3,"tags":["x"]}`).
			expect(200, merge(serviceDefaults, `{"id":%q,"host":"a.test","retries":3,"tags":["x"]}`, id))
		// replace by id: unset fields go back to defaults, created_at is reset
		a.clock.advance(10 * 1e9)
		a.json("PUT", "/services/"+id, `{"host":"b.test","name":"named"}`).
			expect(200, merge(serviceDefaults, `{"id":%q,"host":"b.test","name":"named","created_at":%d,"updated_at":%d}`, id, t0+10, t0+10))
		// replace by name keeps the id, the URL name overrides the body's
		a.clock.advance(10 * 1e9)
		a.json("PUT", "/services/named", `{"host":"c.test","name":"ignored","created_at":5}`).
			expect(200, merge(serviceDefaults, `{"id":%q,"host":"c.test","name":"named","created_at":5,"updated_at":%d}`, id, t0+20))
		a.get("/services").expect(200, `{"data":[%s],"next":null}`,
			merge(serviceDefaults, `{"id":%q,"host":"c.test","name":"named","created_at":5,"updated_at":%d}`, id, t0+20))
		// create by name
		a.form("PUT", "/services/by-name", "host=d.test").
			expect(200, merge(serviceDefaults, `{"name":"by-name","host":"d.test","created_at":%d,"updated_at":%d}`, t0+20, t0+20))
		// missing required fields
		a.json("PUT", "/services/x", `{}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (host: required field missing)","fields":{"host":"required field missing"}}`)
		a.json("PUT", "/routes/"+uuid.NewString(), `{}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'https')",
			"fields":{"@entity":["must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'https'"]}}`)
		// an endpoint key that is not a valid value: code 10
		a.json("PUT", "/upstreams/1.2.3.4", `{}`).expect(400, `{"code":10,"name":"invalid unique name",
			"message":"Invalid name ('1.2.3.4'); no ip addresses allowed"}`)
		a.json("PUT", "/services/bad@name", `{"host":"x.test"}`).expect(400, `{"code":10,"name":"invalid unique name",
			"message":"invalid value 'bad@name': the only accepted ascii characters are alphanumerics or ., -, _, and ~"}`)
		// ... also on reads and deletes by that key
		a.get("/upstreams/1.2.3.4").expect(400, `{"code":10,"name":"invalid unique name",
			"message":"Invalid name ('1.2.3.4'); no ip addresses allowed"}`)
		a.delete("/services/bad@name").expect(400, `{"code":10,"name":"invalid unique name",
			"message":"invalid value 'bad@name': the only accepted ascii characters are alphanumerics or ., -, _, and ~"}`)
		// entities without an endpoint key take only ids: code 1
		a.get("/ca_certificates/foo").expect(400, `{"code":1,"name":"invalid primary key",
			"message":"invalid primary key: '{id=\"expected a valid UUID\"}'","fields":{"id":"expected a valid UUID"}}`)
		// PUT on a route replaces arrays and nested service
		svc := a.mustCreate("/services", `{"host":"s.test"}`)
		rid := uuid.NewString()
		a.json("PUT", "/routes/"+rid, fmt.Sprintf(`{"paths":["/a","/b"],"service":{"id":%q}}`, svc)).
			expect(200, merge(routeDefaults, `{"id":%q,"paths":["/a","/b"],"service":{"id":%q},"created_at":%d,"updated_at":%d}`, rid, svc, t0+20, t0+20))
		a.json("PUT", "/routes/"+rid, `{"hosts":["h.test"]}`).
			expect(200, merge(routeDefaults, `{"id":%q,"hosts":["h.test"],"created_at":%d,"updated_at":%d}`, rid, t0+20, t0+20))
	})
}

// §2.3: PATCH merges records, replaces arrays, null clears, 404 when absent.
func TestPatch(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		id := a.mustCreate("/services", `{"name":"s","host":"a.test","tags":["a","b"],"path":"/p"}`)
		a.clock.advance(5 * 1e9)
		a.json("PATCH", "/services/s", `{"retries":1,"tags":["c"],"path":null}`).
			expect(200, merge(serviceDefaults, `{"id":%q,"name":"s","host":"a.test","retries":1,"tags":["c"],"updated_at":%d}`, id, t0+5))
		// [] sets an empty array, rendered as []
		a.json("PATCH", "/services/"+id, `{"tags":[]}`).
			expect(200, merge(serviceDefaults, `{"id":%q,"name":"s","host":"a.test","retries":1,"tags":[],"updated_at":%d}`, id, t0+5))
		// an empty form PATCH changes nothing
		a.form("PATCH", "/services/s", "").
			expect(200, merge(serviceDefaults, `{"id":%q,"name":"s","host":"a.test","retries":1,"tags":[],"updated_at":%d}`, id, t0+5))
		// form: empty string clears
		a.form("PATCH", "/services/s", "tags=").
			expect(200, merge(serviceDefaults, `{"id":%q,"name":"s","host":"a.test","retries":1,"updated_at":%d}`, id, t0+5))
		// a required field cannot be cleared
		a.json("PATCH", "/services/s", `{"host":null}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (host: required field missing)","fields":{"host":"required field missing"}}`)
		// records merge (upstream healthchecks), arrays inside replace
		up := a.mustCreate("/upstreams", `{"name":"up.test"}`)
		a.json("PATCH", "/upstreams/up.test", `{"healthchecks":{"active":{"healthy":{"interval":5,"http_statuses":[200]}}}}`).
			expect(200, merge(upstreamDefaults, `{"id":%q,"name":"up.test","created_at":%d,"updated_at":%d,"healthchecks":%s}`, up, t0+5, t0+5,
				strings.Replace(healthchecksDefaults, `"healthy":{"interval":0,"http_statuses":[200,302],"successes":0}`,
					`"healthy":{"interval":5,"http_statuses":[200],"successes":0}`, 1)))
		// plugin config merges
		p := a.mustCreate("/plugins", `{"name":"rate-limiting","config":{"minute":10,"hour":100}}`)
		a.json("PATCH", "/plugins/"+p, `{"config":{"minute":20}}`).
			expect(200, merge(pluginDefaults, `{"id":%q,"name":"rate-limiting","config":{"second":null,"minute":20,"hour":100,"policy":"local"},
				"created_at":%d,"updated_at":%d}`, p, t0+5, t0+5))
		// form PATCH of a plugin infers config with the stored plugin's schema
		a.form("PATCH", "/plugins/"+p, "config.second=2&enabled=false").
			expect(200, merge(pluginDefaults, `{"id":%q,"name":"rate-limiting","config":{"second":2,"minute":20,"hour":100,"policy":"local"},
				"enabled":false,"created_at":%d,"updated_at":%d}`, p, t0+5, t0+5))
		// the id cannot change
		a.json("PATCH", "/services/s", fmt.Sprintf(`{"id":%q}`, uuid.NewString())).status(200).obj()
		a.get("/services/" + id).status(200)
		// absent: 404
		a.json("PATCH", "/services/"+uuid.NewString(), `{"retries":1}`).message(404, "Not found")
		a.json("PATCH", "/services/nope", `{"retries":1}`).message(404, "Not found")
		// schema violations on PATCH
		a.json("PATCH", "/services/s", `{"port":70000}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (port: value should be between 0 and 65535)","fields":{"port":"value should be between 0 and 65535"}}`)
	})
}

// §2.3: DELETE is 204 even when the entity does not exist.
func TestDelete(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a.mustCreate("/services", `{"name":"s","host":"a.test"}`)
		a.delete("/services/s").empty(204)
		a.delete("/services/s").empty(204)
		a.delete("/services/" + uuid.NewString()).empty(204)
		a.delete("/consumers/nobody").empty(204)
		a.get("/services").expect(200, `{"data":[],"next":null}`)
	})
}

// §2.1: nested collections and entities, /routes/{r}/service.
func TestNestedEndpoints(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		s1 := a.mustCreate("/services", `{"name":"s1","host":"a.test"}`)
		s2 := a.mustCreate("/services", `{"name":"s2","host":"b.test"}`)
		r1 := a.json("POST", "/services/s1/routes", `{"name":"r1","paths":["/1"]}`).status(201).id()
		// the parent in the URL wins over the body
		r2 := a.json("POST", "/services/s1/routes", fmt.Sprintf(`{"name":"r2","paths":["/2"],"service":{"id":%q}}`, s2)).
			expect(201, merge(routeDefaults, `{"name":"r2","paths":["/2"],"service":{"id":%q}}`, s1)).id()
		a.mustCreate("/services/s2/routes", `{"name":"r3","paths":["/3"]}`)
		// missing parent: 404
		a.json("POST", "/services/nope/routes", `{"paths":["/"]}`).message(404, "Not found")
		a.get("/services/nope/routes").message(404, "Not found")
		a.get("/services/"+uuid.NewString()+"/routes").message(404, "Not found")

		list := a.get("/services/s1/routes").status(200).obj()["data"].([]any)
		if len(list) != 2 {
			t.Fatalf("want 2 routes of s1, got %d", len(list))
		}
		// nested entity: 404 unless it belongs to the parent
		a.get("/services/s1/routes/r1").status(200)
		a.get("/services/s2/routes/r1").message(404, "Not found")
		a.get("/services/s1/routes/" + r2).status(200)
		a.json("PATCH", "/services/s2/routes/r1", `{"paths":["/x"]}`).message(404, "Not found")
		a.json("PATCH", "/services/s1/routes/r1", `{"paths":["/x"]}`).
			expect(200, merge(routeDefaults, `{"id":%q,"name":"r1","paths":["/x"],"service":{"id":%q}}`, r1, s1))
		a.delete("/services/s2/routes/r1").message(404, "Not found")
		a.delete("/services/s1/routes/nope").message(404, "Not found")
		a.delete("/services/nope/routes/r1").message(404, "Not found")
		a.get("/routes/r1").status(200)
		// nested PUT sets the parent
		r4 := uuid.NewString()
		a.json("PUT", "/services/s2/routes/"+r4, `{"paths":["/4"]}`).
			expect(200, merge(routeDefaults, `{"id":%q,"paths":["/4"],"service":{"id":%q}}`, r4, s2))
		a.delete("/services/s1/routes/r1").empty(204)
		a.get("/routes/r1").message(404, "Not found")

		// /routes/{r}/service
		wantS1 := merge(serviceDefaults, `{"id":%q,"name":"s1","host":"a.test"}`, s1)
		a.get("/routes/r2/service").expect(200, wantS1)
		a.delete("/routes/r2/service").message(405, "Method not allowed")
		a.json("PATCH", "/routes/r2/service", `{"retries":9}`).
			expect(200, merge(wantS1, `{"retries":9}`))
		a.json("PUT", "/routes/r2/service", `{"host":"replaced.test"}`).
			expect(200, merge(serviceDefaults, `{"id":%q,"host":"replaced.test"}`, s1))
		a.get("/routes/nope/service").message(404, "Not found")
		// a route without service: GET/PATCH/DELETE 404, PUT creates and links one
		orphan := a.mustCreate("/routes", `{"name":"orphan","paths":["/o"]}`)
		a.get("/routes/orphan/service").message(404, "Not found")
		a.json("PATCH", "/routes/orphan/service", `{"retries":1}`).message(404, "Not found")
		a.delete("/routes/orphan/service").message(404, "Not found")
		created := a.json("PUT", "/routes/orphan/service", `{"host":"linked.test"}`).
			expect(200, merge(serviceDefaults, `{"host":"linked.test"}`)).id()
		a.get("/routes/"+orphan).expect(200, merge(routeDefaults, `{"id":%q,"name":"orphan","paths":["/o"],"service":{"id":%q}}`, orphan, created))
		// consumers/{c}/plugins, upstreams/{u}/targets exist; snis/{s}/certificate does not
		a.get("/consumers/"+uuid.NewString()+"/plugins").message(404, "Not found")
		a.get("/snis/x.test/certificate").message(404, "Not found")
	})
}

// §2.4 paging.
func TestPaging(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a.get("/services").expect(200, `{"data":[],"next":null}`)
		// the raw body must say [] (never null)
		if r := a.get("/consumers"); !strings.Contains(string(r.Body), `"data":[]`) {
			t.Fatalf("empty page must render data as []: %s", r.Body)
		}
		ids := map[string]bool{}
		for i := 0; i < 5; i++ {
			ids[a.mustCreate("/services", fmt.Sprintf(`{"name":"s%d","host":"x.test","tags":["t%d","all"]}`, i, i%2))] = true
		}
		seen := map[string]bool{}
		r := a.get("/services?size=2").status(200)
		for page := 1; ; page++ {
			p := r.obj()
			data := p["data"].([]any)
			for _, d := range data {
				seen[d.(map[string]any)["id"].(string)] = true
			}
			if p["next"] == nil {
				if _, has := p["offset"]; has {
					t.Fatalf("last page must not carry an offset: %s", r.Body)
				}
				if page != 3 || len(data) != 1 {
					t.Fatalf("want 3 pages with 1 entity on the last, got page %d with %d", page, len(data))
				}
				break
			}
			off := p["offset"].(string)
			want := "/services?offset=" + escape(off) + "&size=2"
			if p["next"] != want {
				t.Fatalf("next = %v, want %s", p["next"], want)
			}
			if len(data) != 2 {
				t.Fatalf("want 2 per page, got %d", len(data))
			}
			r = a.get(p["next"].(string)).status(200)
		}
		if len(seen) != 5 {
			t.Fatalf("paging saw %d of 5 services", len(seen))
		}
		// tags and size propagate into next (tags first, as Kong builds it)
		r = a.get("/services?tags=all&size=2").status(200)
		off := r.str("offset")
		if got, want := r.obj()["next"], "/services?offset="+escape(off)+"&tags=all&size=2"; got != want {
			t.Fatalf("next = %v, want %s", got, want)
		}
		// a page exactly at the end has no next
		a.get("/services?size=5").expect(200, `{"data":["<any>","<any>","<any>","<any>","<any>"],"next":null}`)
		// the default size is 100
		if n := len(a.get("/services").obj()["data"].([]any)); n != 5 {
			t.Fatalf("got %d", n)
		}
		// invalid size and offset
		a.get("/services?size=x").expect(400, `{"code":9,"name":"invalid size","message":"size must be a number"}`)
		a.get("/services?size=0").expect(400, `{"code":9,"name":"invalid size","message":"size must be an integer between 1 and 1000"}`)
		a.get("/services?size=1001").expect(400, `{"code":9,"name":"invalid size","message":"size must be an integer between 1 and 1000"}`)
		a.get("/services?size=1.5").expect(400, `{"code":9,"name":"invalid size","message":"size must be an integer between 1 and 1000"}`)
		a.get("/services?offset=x").expect(400, `{"code":7,"name":"invalid offset","message":"'x' is not a valid offset: bad base64 encoding"}`)
		// unknown query parameters are ignored
		a.get("/services?foo=bar&size=1000").status(200)

		// nested: next is /services/<s as given>/routes?offset=... without size
		for i := 0; i < 3; i++ {
			a.mustCreate("/services/s0/routes", fmt.Sprintf(`{"paths":["/%d"],"tags":["r"]}`, i))
		}
		r = a.get("/services/s0/routes?size=2&tags=zzz").status(200)
		if n := len(r.obj()["data"].([]any)); n != 2 {
			t.Fatalf("nested collections ignore tags: want 2, got %d", n)
		}
		off = r.str("offset")
		if got, want := r.obj()["next"], "/services/s0/routes?offset="+escape(off); got != want {
			t.Fatalf("nested next = %v, want %s", got, want)
		}
		a.get(r.obj()["next"].(string)).expect(200, `{"data":["<any>"],"next":null}`)
	})
}

// §2.5 tag filters.
func TestTagFilters(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a.mustCreate("/consumers", `{"username":"ab","tags":["a","b"]}`)
		a.mustCreate("/consumers", `{"username":"a","tags":["a"]}`)
		a.mustCreate("/consumers", `{"username":"c","tags":["c","with space"]}`)
		a.mustCreate("/consumers", `{"username":"none"}`)
		a.mustCreate("/consumers", `{"username":"semi","tags":["x;y"]}`)
		names := func(path string) string {
			t.Helper()
			data := a.get(path).status(200).obj()["data"].([]any)
			var out []string
			for _, d := range data {
				out = append(out, d.(map[string]any)["username"].(string))
			}
			sortStrings(out)
			return strings.Join(out, ",")
		}
		for path, want := range map[string]string{
			"/consumers?tags=a":            "a,ab",
			"/consumers?tags=a,b":          "ab",
			"/consumers?tags=a/c":          "a,ab,c",
			"/consumers?tags=b/c":          "ab,c",
			"/consumers?tags=zzz":          "",
			"/consumers?tags=with%20space": "c",
			"/consumers?tags=a,b,c,d,e":    "",
			"/consumers?tags=%C3%B1":       "",
			"/consumers?tags=x;y":          "semi",
		} {
			if got := names(path); got != want {
				t.Errorf("%s: got %q, want %q", path, got, want)
			}
		}
		a.get("/consumers?tags=a,b/c").expect(400, `{"code":11,"name":"invalid options",
			"message":"invalid option (tags: invalid filter syntax)","options":{"tags":"invalid filter syntax"}}`)
		a.get("/consumers?tags=").expect(400, `{"code":11,"name":"invalid options",
			"message":"invalid option (tags: cannot be null)","options":{"tags":"cannot be null"}}`)
		a.get("/consumers?tags=a,b,c,d,e,f").expect(400, `{"code":11,"name":"invalid options",
			"message":"invalid option (tags: cannot query more than 5 tags)","options":{"tags":"cannot query more than 5 tags"}}`)
		a.get("/consumers?tags=a,,b").expect(400, `{"code":11,"name":"invalid options",
			"message":"invalid option (tags: invalid filter syntax)","options":{"tags":"invalid filter syntax"}}`)
		a.get("/consumers?tags=%01").expect(400, `{"code":11,"name":"invalid options",
			"message":"invalid option (tags: invalid filter syntax)","options":{"tags":"invalid filter syntax"}}`)
	})
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// escape is ngx.escape_uri / url.QueryEscape for the offset tokens.
func escape(s string) string {
	r := strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D")
	return r.Replace(s)
}

// §2.6 request bodies.
func TestRequestBodies(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		// invalid JSON
		a.json("POST", "/services", `{"host":`).message(400, "Cannot parse JSON body")
		a.json("POST", "/services", `["host"]`).message(400, "Cannot parse JSON body")
		a.json("POST", "/services", ``).message(400, "Cannot parse JSON body")
		a.json("PATCH", "/services/x", `{`).message(400, "Cannot parse JSON body")
		// 415: a body without a content type, or with an unknown one
		a.do("POST", "/services", strings.NewReader("host=x.test"), "").message(415, "Unsupported Media Type")
		a.do("POST", "/services", strings.NewReader(`{"host":"x.test"}`), "text/plain").message(415, "Unsupported Media Type")
		a.do("POST", "/services", strings.NewReader(`{}`), "invalid").message(415, "Unsupported Media Type")
		// no body at all is an empty form
		a.do("POST", "/services", nil, "").expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (host: required field missing)","fields":{"host":"required field missing"}}`)
		a.do("POST", "/services", nil, "multipart/form-data").expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (host: required field missing)","fields":{"host":"required field missing"}}`)
		// GET ignores bodies
		a.do("GET", "/services", strings.NewReader("garbage"), "text/plain").expect(200, `{"data":[],"next":null}`)
		// content type parameters are fine
		a.do("POST", "/services", strings.NewReader(`{"name":"cs","host":"x.test"}`), "application/json; charset=utf-8").status(201)

		// form decoding: indexed, appended, repeated, dotted, inferred
		a.form("POST", "/routes", "paths[2]=/b&paths[1]=/a&methods=GET&strip_path=false&regex_priority=5&preserve_host=true").
			expect(201, merge(routeDefaults, `{"paths":["/a","/b"],"methods":["GET"],"strip_path":false,"regex_priority":5,"preserve_host":true}`))
		a.form("POST", "/routes", "hosts=a.test&hosts=b.test&tags[]=x&tags[]=y&name=").
			expect(201, merge(routeDefaults, `{"hosts":["a.test","b.test"],"tags":["x","y"]}`))
		a.form("POST", "/routes", "headers.x-foo=bar&headers.x-foo=baz&paths=/h").
			expect(201, merge(routeDefaults, `{"headers":{"x-foo":["bar","baz"]},"paths":["/h"]}`))
		a.form("POST", "/routes", "headers[x-bar]=1&paths=/m").
			expect(201, merge(routeDefaults, `{"headers":{"x-bar":["1"]},"paths":["/m"]}`))
		// ";" is data and a malformed escape is kept as written (nginx's decode_args)
		a.form("POST", "/routes", "headers.x-v=a;b&paths=/semi&tags=100%&tags=a+b%21").
			expect(201, merge(routeDefaults, `{"headers":{"x-v":["a;b"]},"paths":["/semi"],"tags":["100%","a b!"]}`))
		a.form("POST", "/services", "host=x.test&port=8080&retries=0&tls_verify=&name=inferred").
			expect(201, merge(serviceDefaults, `{"name":"inferred","host":"x.test","port":8080,"retries":0}`))
		// values that do not convert keep their type error
		a.form("POST", "/services", "host=x.test&port=eighty&enabled=yes").expect(400, `{"code":2,"name":"schema violation",
			"message":"2 schema violations (enabled: expected a boolean; port: expected an integer)",
			"fields":{"enabled":"expected a boolean","port":"expected an integer"}}`)
		// plugin config is inferred with the plugin's schema
		a.form("POST", "/plugins", "name=key-auth&config.key_names[1]=x-key&config.key_names[2]=apikey&config.hide_credentials=true").
			expect(201, merge(pluginDefaults, `{"name":"key-auth","config":{"key_names":["x-key","apikey"],"hide_credentials":true}}`))
		a.form("POST", "/plugins", "name=rate-limiting&config.minute=5&config.policy=redis&protocols=http&protocols=https&tags=t").
			expect(201, merge(pluginDefaults, `{"name":"rate-limiting","config":{"second":null,"minute":5,"hour":null,"policy":"redis"},
				"protocols":["http","https"],"tags":["t"]}`))
		// JSON is taken as is: no inference
		a.json("POST", "/services", `{"host":"x.test","port":"5"}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (port: expected an integer)","fields":{"port":"expected an integer"}}`)
		// multipart, files included (curl -F cert=@cert.pem)
		a.multipart("POST", "/services", part{name: "name", value: "mp"}, part{name: "url", value: "http://mp.test:81/x"},
			part{name: "tags[1]", value: "one"}, part{name: "tags[2]", value: "two"}).
			expect(201, merge(serviceDefaults, `{"name":"mp","host":"mp.test","port":81,"path":"/x","tags":["one","two"]}`))
		c := testCerts(t)
		a.multipart("POST", "/certificates", part{name: "cert", value: c.leaf.cert, filename: "cert.pem"},
			part{name: "key", value: c.leaf.key, filename: "key.pem"}, part{name: "snis[1]", value: "mp.test"}).
			expect(201, `{"id":"<uuid>","created_at":%d,"updated_at":%d,"cert":%s,"key":%s,"cert_alt":null,"key_alt":null,
				"tags":null,"snis":["mp.test"]}`, t0, t0, quote(c.leaf.cert), quote(c.leaf.key))
		// more than 1000 arguments
		var b strings.Builder
		b.WriteString("host=x.test")
		for i := 0; i < 1001; i++ {
			fmt.Fprintf(&b, "&tags=%d", i)
		}
		a.form("POST", "/services", b.String()).message(400, "Too many arguments")
	})
}

// §2.1 routing of the admin API itself.
func TestRouting(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a.get("/nope").message(404, "Not found")
		a.get("/services/a/b/c/d").message(404, "Not found")
		// HEAD: like GET without a body; 404 has an empty body too
		r := a.do("HEAD", "/services", nil, "")
		r.empty(200)
		if r.Header.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Fatalf("HEAD content type %q", r.Header.Get("Content-Type"))
		}
		a.do("HEAD", "/nope", nil, "").empty(404)
		// other methods on a matched path
		a.do("DELETE", "/services", nil, "").message(405, "Method not allowed")
		a.json("POST", "/services/x", `{}`).message(405, "Method not allowed")
		a.do("PUT", "/status", nil, "").message(405, "Method not allowed")
		// OPTIONS lists the sorted methods
		for path, allow := range map[string]string{
			"/services":                  "GET, HEAD, OPTIONS, POST",
			"/services/x":                "DELETE, GET, HEAD, OPTIONS, PATCH, PUT",
			"/services/x/routes":         "GET, HEAD, OPTIONS, POST",
			"/routes/x/service":          "DELETE, GET, HEAD, OPTIONS, PATCH, PUT",
			"/status":                    "GET, HEAD, OPTIONS",
			"/schemas/services/validate": "OPTIONS, POST",
		} {
			r := a.do("OPTIONS", path, nil, "").empty(204)
			if got := r.Header.Get("Allow"); got != allow {
				t.Errorf("OPTIONS %s: Allow %q, want %q", path, got, allow)
			}
			if got := r.Header.Get("Access-Control-Allow-Methods"); got != allow {
				t.Errorf("OPTIONS %s: Access-Control-Allow-Methods %q, want %q", path, got, allow)
			}
			if got := r.Header.Get("Access-Control-Allow-Headers"); got != "Content-Type" {
				t.Errorf("OPTIONS %s: Access-Control-Allow-Headers %q", path, got)
			}
		}
		a.do("OPTIONS", "/nope", nil, "").message(404, "Not found")
		// trailing slash
		a.mustCreate("/upstreams/", `{"name":"u.test"}`)
		a.get("/upstreams/u.test/targets/").expect(200, `{"data":[],"next":null}`)
		a.get("/services/").expect(200, `{"data":[],"next":null}`)
		// escaped keys
		a.mustCreate("/snis", fmt.Sprintf(`{"name":"*.wild.test","certificate":{"id":%q}}`,
			a.mustCreate("/certificates", fmt.Sprintf(`{"cert":%s,"key":%s}`, quote(testCerts(t).leaf.cert), quote(testCerts(t).leaf.key)))))
		a.get("/snis/%2A.wild.test").status(200)
		// CORS and identification headers
		r = a.do("GET", "/", nil, "", "Origin", "http://gui.test")
		if r.Header.Get("Access-Control-Allow-Origin") != "http://gui.test" {
			t.Fatalf("Access-Control-Allow-Origin = %q", r.Header.Get("Access-Control-Allow-Origin"))
		}
		if r := a.get("/status"); r.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Fatalf("Access-Control-Allow-Origin = %q", r.Header.Get("Access-Control-Allow-Origin"))
		}
	})
}

// A failed write leaves the store unchanged.
func TestAtomicWrites(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		c := testCerts(t)
		cert := func(snis string) string {
			return fmt.Sprintf(`{"cert":%s,"key":%s,"snis":%s}`, quote(c.leaf.cert), quote(c.leaf.key), snis)
		}
		first := a.mustCreate("/certificates", cert(`["taken.test"]`))
		before := a.get("/certificates").status(200).Body
		beforeSNIs := a.get("/snis").status(200).Body
		// the second sni conflicts: neither the certificate nor the first sni is created
		a.json("POST", "/certificates", cert(`["fresh.test","taken.test"]`)).expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (snis: taken.test already associated with existing certificate '%[1]s')",
			"fields":{"snis":"taken.test already associated with existing certificate '%[1]s'"}}`, first)
		if after := a.get("/certificates").Body; string(after) != string(before) {
			t.Fatalf("certificates changed:\n%s\n%s", before, after)
		}
		if after := a.get("/snis").Body; string(after) != string(beforeSNIs) {
			t.Fatalf("snis changed:\n%s\n%s", beforeSNIs, after)
		}
		// a rejected PUT does not replace
		a.json("PUT", "/certificates/"+first, cert(`["a.test","a.test"]`)).expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (snis: a.test is duplicated)","fields":{"snis":"a.test is duplicated"}}`)
		if after := a.get("/certificates").Body; string(after) != string(before) {
			t.Fatalf("certificates changed:\n%s\n%s", before, after)
		}
		// a restricted delete keeps everything
		svc := a.mustCreate("/services", `{"host":"x.test"}`)
		a.mustCreate("/services/"+svc+"/routes", `{"paths":["/"]}`)
		a.delete("/services/" + svc).status(400)
		a.get("/services/" + svc).status(200)
		a.get("/services/"+svc+"/routes").expect(200, `{"data":["<any>"],"next":null}`)
	})
}

package admin_test

// Per-entity conformance: consumers, plugins, upstreams, targets,
// certificates, SNIs and CA certificates (kong-compat.md §1.3-§1.8).

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// §1.4 consumers.
func TestConsumers(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		bob := a.form("POST", "/consumers", "username=bob&custom_id=b-1").
			expect(201, merge(consumerDefaults, `{"username":"bob","custom_id":"b-1"}`)).id()
		wantBob := merge(consumerDefaults, `{"id":%q,"username":"bob","custom_id":"b-1"}`, bob)
		a.json("POST", "/consumers", `{"custom_id":"only-custom"}`).
			expect(201, merge(consumerDefaults, `{"custom_id":"only-custom"}`))
		// at_least_one_of, also when the values are empty
		a.form("POST", "/consumers", "username=&custom_id=").expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (at least one of these fields must be non-empty: 'custom_id', 'username')",
			"fields":{"@entity":["at least one of these fields must be non-empty: 'custom_id', 'username'"]}}`)
		// JSON "" is a string too short, and still not a username
		a.json("POST", "/consumers", `{"username":""}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"2 schema violations (at least one of these fields must be non-empty: 'custom_id', 'username'; username: length must be at least 1)",
			"fields":{"@entity":["at least one of these fields must be non-empty: 'custom_id', 'username'"],"username":"length must be at least 1"}}`)
		// both fields are unique
		a.json("POST", "/consumers", `{"username":"bob"}`).expect(409, `{"code":5,"name":"unique constraint violation",
			"message":"UNIQUE violation detected on '{username=\"bob\"}'","fields":{"username":"bob"}}`)
		a.json("POST", "/consumers", `{"username":"tom","custom_id":"b-1"}`).expect(409, `{"code":5,"name":"unique constraint violation",
			"message":"UNIQUE violation detected on '{custom_id=\"b-1\"}'","fields":{"custom_id":"b-1"}}`)
		// ?custom_id=
		a.get("/consumers?custom_id=b-1").expect(200, `{"data":[%s],"next":null}`, wantBob)
		a.get("/consumers?custom_id=nope").expect(200, `{"data":[],"next":null}`)
		a.get("/consumers?custom_id=").message(400, "custom_id must be an unempty string")
		// by username, PUT by username
		a.get("/consumers/bob").expect(200, wantBob)
		a.json("PUT", "/consumers/alice", `{"tags":["x"]}`).
			expect(200, merge(consumerDefaults, `{"username":"alice","tags":["x"]}`))
		a.json("PATCH", "/consumers/bob", `{"custom_id":null}`).
			expect(200, merge(wantBob, `{"custom_id":null}`))
		a.json("PATCH", "/consumers/bob", `{"username":null}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (at least one of these fields must be non-empty: 'custom_id', 'username')",
			"fields":{"@entity":["at least one of these fields must be non-empty: 'custom_id', 'username'"]}}`)
	})
}

// §1.3 plugins: storage, scoping, cache-key uniqueness, no_consumer.
func TestPlugins(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		svc := a.mustCreate("/services", `{"name":"svc","host":"x.test"}`)
		route := a.mustCreate("/services/svc/routes", `{"name":"r","paths":["/"]}`)
		consumer := a.mustCreate("/consumers", `{"username":"bob"}`)

		// global, with defaults from the plugin schema
		global := a.json("POST", "/plugins", `{"name":"key-auth"}`).
			expect(201, merge(pluginDefaults, `{"name":"key-auth","config":%s}`, keyAuthConfig)).id()
		// scoped through nested endpoints
		onSvc := a.json("POST", "/services/svc/plugins", `{"name":"key-auth","config":{"hide_credentials":true}}`).
			expect(201, merge(pluginDefaults, `{"name":"key-auth","service":{"id":%q},
				"config":{"key_names":["apikey"],"hide_credentials":true}}`, svc)).id()
		onRoute := a.json("POST", "/routes/r/plugins", `{"name":"rate-limiting","instance_name":"rl-r","config":{"second":5}}`).
			expect(201, merge(pluginDefaults, `{"name":"rate-limiting","instance_name":"rl-r","route":{"id":%q},
				"config":{"second":5,"minute":null,"hour":null,"policy":"local"}}`, route)).id()
		onConsumer := a.json("POST", "/consumers/bob/plugins", `{"name":"rate-limiting","config":{"hour":5},"protocols":["http"]}`).
			expect(201, merge(pluginDefaults, `{"name":"rate-limiting","consumer":{"id":%q},"protocols":["http"],
				"config":{"second":null,"minute":null,"hour":5,"policy":"local"}}`, consumer)).id()
		// scoped through foreign keys in the body, by id and by endpoint key
		both := a.json("POST", "/plugins", `{"name":"rate-limiting","service":{"name":"svc"},"consumer":{"username":"bob"},"config":{"minute":1}}`).
			expect(201, merge(pluginDefaults, `{"name":"rate-limiting","service":{"id":%q},"consumer":{"id":%q},
				"config":{"second":null,"minute":1,"hour":null,"policy":"local"}}`, svc, consumer)).id()

		// one instance per (name, route, service, consumer)
		a.json("POST", "/services/"+svc+"/plugins", `{"name":"key-auth"}`).expect(409, `{"code":5,"name":"unique constraint violation",
			"message":"UNIQUE violation detected on '{consumer=null,name=\"key-auth\",route=null,service={id=\"%[1]s\"}}'",
			"fields":{"consumer":null,"name":"key-auth","route":null,"service":{"id":%[2]q}}}`, svc, svc)
		a.json("POST", "/plugins", `{"name":"key-auth"}`).expect(409, `{"code":5,"name":"unique constraint violation",
			"message":"UNIQUE violation detected on '{consumer=null,name=\"key-auth\",route=null,service=null}'",
			"fields":{"consumer":null,"name":"key-auth","route":null,"service":null}}`)
		// instance_name is unique too
		a.json("POST", "/plugins", `{"name":"rate-limiting","instance_name":"rl-r","config":{"second":1}}`).expect(409, `{"code":5,
			"name":"unique constraint violation","message":"UNIQUE violation detected on '{instance_name=\"rl-r\"}'","fields":{"instance_name":"rl-r"}}`)
		// key-auth cannot be consumer-scoped
		a.json("POST", "/consumers/bob/plugins", `{"name":"key-auth"}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (consumer: value must be null)","fields":{"consumer":"value must be null"}}`)
		// unknown plugin
		a.json("POST", "/plugins", `{"name":"nope"}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (name: plugin 'nope' not enabled; add it to the 'plugins' configuration property)",
			"fields":{"name":"plugin 'nope' not enabled; add it to the 'plugins' configuration property"}}`)
		a.json("POST", "/plugins", `{}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (name: required field missing)","fields":{"name":"required field missing"}}`)
		a.json("POST", "/plugins", `{"name":"key-auth","route":{"id":"x"},"protocols":["ftp"]}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"2 schema violations (protocols.1: expected one of: grpc, grpcs, http, https, tcp, tls, tls_passthrough, udp; route.id: expected a valid UUID)",
			"fields":{"protocols":["expected one of: grpc, grpcs, http, https, tcp, tls, tls_passthrough, udp"],"route":{"id":"expected a valid UUID"}}}`)

		// listing and scoping
		count := func(path string) int {
			t.Helper()
			return len(a.get(path).status(200).obj()["data"].([]any))
		}
		if n := count("/plugins"); n != 5 {
			t.Fatalf("/plugins: %d", n)
		}
		if n := count("/services/svc/plugins"); n != 2 {
			t.Fatalf("/services/svc/plugins: %d", n)
		}
		if n := count("/routes/r/plugins"); n != 1 {
			t.Fatalf("/routes/r/plugins: %d", n)
		}
		if n := count("/consumers/bob/plugins"); n != 2 {
			t.Fatalf("/consumers/bob/plugins: %d", n)
		}
		// by instance_name, nested entity by id
		a.get("/plugins/rl-r").status(200)
		a.get("/routes/r/plugins/" + onRoute).status(200)
		a.get("/services/svc/plugins/"+onRoute).message(404, "Not found")
		a.get("/plugins/" + onConsumer + "/consumer").status(200)
		a.get("/plugins/"+global+"/service").message(404, "Not found")
		// PUT by instance_name replaces
		a.json("PUT", "/plugins/rl-r", `{"name":"rate-limiting","config":{"minute":7}}`).
			expect(200, merge(pluginDefaults, `{"id":%q,"name":"rate-limiting","instance_name":"rl-r",
				"config":{"second":null,"minute":7,"hour":null,"policy":"local"}}`, onRoute))
		// enabled_in_cluster of GET / lists the stored plugins' names
		a.get("/").status(200)
		if got := show(a.get("/").obj()["plugins"].(map[string]any)["enabled_in_cluster"]); got != `["key-auth","rate-limiting"]` {
			t.Fatalf("enabled_in_cluster = %s", got)
		}

		// cascades
		a.delete("/consumers/bob").empty(204)
		a.get("/plugins/"+onConsumer).message(404, "Not found")
		a.get("/plugins/"+both).message(404, "Not found")
		a.get("/plugins/" + onSvc).status(200)
		a.delete("/routes/r").empty(204)
		a.delete("/services/svc").empty(204)
		a.get("/plugins/"+onSvc).message(404, "Not found")
		// left: the global key-auth and rl-r, global since its PUT
		a.get("/plugins/"+global).expect(200, merge(pluginDefaults, `{"id":%q,"name":"key-auth","config":%s}`, global, keyAuthConfig))
		if n := count("/plugins"); n != 2 {
			t.Fatalf("/plugins: %d", n)
		}
	})
}

// §1.6 upstreams.
func TestUpstreams(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		a.json("POST", "/upstreams", `{"name":"up.test"}`).expect(201, merge(upstreamDefaults, `{"name":"up.test"}`))
		a.json("POST", "/upstreams", `{}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (name: required field missing)","fields":{"name":"required field missing"}}`)
		for name, msg := range map[string]string{
			"1.2.3.4":    "Invalid name ('1.2.3.4'); no ip addresses allowed",
			"up.test:80": "Invalid name ('up.test:80'); no port allowed",
			"bad name":   "Invalid name ('bad name'); must be a valid hostname",
			"[::1]":      "Invalid name ('[::1]'); no ip addresses allowed",
		} {
			a.json("POST", "/upstreams", fmt.Sprintf(`{"name":%q}`, name)).expect(400, `{"code":2,"name":"schema violation",
				"message":%s,"fields":{"name":%s}}`, quote("schema violation (name: "+msg+")"), quote(msg))
		}
		a.json("POST", "/upstreams", `{"name":"up.test"}`).expect(409, `{"code":5,"name":"unique constraint violation",
			"message":"UNIQUE violation detected on '{name=\"up.test\"}'","fields":{"name":"up.test"}}`)
		// hash_on couples with algorithm
		a.json("POST", "/upstreams", `{"name":"h.test","hash_on":"header","hash_on_header":"x-user"}`).
			expect(201, merge(upstreamDefaults, `{"name":"h.test","algorithm":"consistent-hashing","hash_on":"header","hash_on_header":"x-user"}`))
		a.json("PATCH", "/upstreams/h.test", `{"hash_on":"none"}`).
			expect(200, merge(upstreamDefaults, `{"name":"h.test","algorithm":"round-robin","hash_on_header":"x-user"}`))
		a.json("POST", "/upstreams", `{"name":"lc.test","algorithm":"least-connections"}`).
			expect(201, merge(upstreamDefaults, `{"name":"lc.test","algorithm":"least-connections"}`))
		// hashing on a header needs the header
		a.json("POST", "/upstreams", `{"name":"h2.test","hash_on":"header"}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"2 schema violations (failed conditional validation given value of field 'hash_on'; hash_on_header: required field missing)",
			"fields":{"@entity":["failed conditional validation given value of field 'hash_on'"],"hash_on_header":"required field missing"}}`)
		a.json("POST", "/upstreams", `{"name":"h3.test","hash_on":"header","hash_on_header":"x","hash_fallback":"header","hash_fallback_header":"x"}`).
			expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (values of these fields must be distinct: 'hash_on_header', 'hash_fallback_header')",
			"fields":{"@entity":["values of these fields must be distinct: 'hash_on_header', 'hash_fallback_header'"]}}`)
		a.json("POST", "/upstreams", `{"name":"h4.test","hash_on_header":"bad header"}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (hash_on_header: bad header name 'bad header', allowed characters are A-Z, a-z, 0-9, '_', and '-')",
			"fields":{"hash_on_header":"bad header name 'bad header', allowed characters are A-Z, a-z, 0-9, '_', and '-'"}}`)
		// slots and healthchecks validation
		a.json("POST", "/upstreams", `{"name":"s.test","slots":5,"healthchecks":{"active":{"concurrency":0}}}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"2 schema violations (healthchecks.active: {\n  concurrency = \"value should be between 1 and 2147483648\"\n}; slots: value should be between 10 and 65536)",
			"fields":{"healthchecks":{"active":{"concurrency":"value should be between 1 and 2147483648"}},"slots":"value should be between 10 and 65536"}}`)
		// partial healthchecks are completed with defaults
		a.json("POST", "/upstreams", `{"name":"hc.test","healthchecks":{"threshold":50,"passive":{"unhealthy":{"tcp_failures":3}}}}`).
			expect(201, merge(upstreamDefaults, `{"name":"hc.test","healthchecks":%s}`,
				strings.Replace(strings.Replace(healthchecksDefaults, `"threshold":0`, `"threshold":50`, 1),
					`"unhealthy":{"http_statuses":[429,500,503],"tcp_failures":0`, `"unhealthy":{"http_statuses":[429,500,503],"tcp_failures":3`, 1)))
		a.json("PUT", "/upstreams/put.test", `{"host_header":"h.test:8080"}`).
			expect(200, merge(upstreamDefaults, `{"name":"put.test","host_header":"h.test:8080"}`))
	})
}

// §1.7 targets.
func TestTargets(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		up := a.mustCreate("/upstreams", `{"name":"up.test"}`)
		other := a.mustCreate("/upstreams", `{"name":"other.test"}`)
		tgt := a.form("POST", "/upstreams/up.test/targets", "target=konghq.test").
			expect(201, merge(targetDefaults, `{"target":"konghq.test:8000","upstream":{"id":%q}}`, up)).id()
		wantTgt := merge(targetDefaults, `{"id":%q,"target":"konghq.test:8000","upstream":{"id":%q}}`, tgt, up)
		a.json("POST", "/upstreams/"+up+"/targets", `{"target":"10.0.0.1:81","weight":0}`).
			expect(201, merge(targetDefaults, `{"target":"10.0.0.1:81","weight":0,"upstream":{"id":%q}}`, up))
		a.json("POST", "/upstreams/up.test/targets", `{"target":"::1"}`).
			expect(201, merge(targetDefaults, `{"target":"[::1]:8000","upstream":{"id":%q}}`, up))
		// unique per upstream
		a.json("POST", "/upstreams/up.test/targets", `{"target":"konghq.test:8000"}`).expect(409, `{"code":5,
			"name":"unique constraint violation",
			"message":"UNIQUE violation detected on '{target=\"konghq.test:8000\",upstream={id=\"%[1]s\"}}'",
			"fields":{"target":"konghq.test:8000","upstream":{"id":%[2]q}}}`, up, up)
		a.json("POST", "/upstreams/other.test/targets", `{"target":"konghq.test"}`).
			expect(201, merge(targetDefaults, `{"target":"konghq.test:8000","upstream":{"id":%q}}`, other))
		// invalid
		a.json("POST", "/upstreams/up.test/targets", `{"target":"a b"}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (target: Invalid target; not a valid hostname or ip address)",
			"fields":{"target":"Invalid target; not a valid hostname or ip address"}}`)
		a.json("POST", "/upstreams/up.test/targets", `{"weight":70000}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"2 schema violations (target: required field missing; weight: value should be between 0 and 65535)",
			"fields":{"target":"required field missing","weight":"value should be between 0 and 65535"}}`)
		a.json("POST", "/upstreams/nope.test/targets", `{"target":"a.test"}`).message(404, "Not found")
		// the top-level /targets endpoints are disabled
		a.get("/targets").message(404, "Not found")
		a.json("POST", "/targets", fmt.Sprintf(`{"target":"a.test","upstream":{"id":%q}}`, up)).message(404, "Not found")
		a.get("/targets/"+tgt).message(404, "Not found")
		a.get("/targets/"+tgt+"/upstream").message(404, "Not found")
		// lookup by id or host:port, under the right upstream only
		a.get("/upstreams/up.test/targets/"+tgt).expect(200, wantTgt)
		a.get("/upstreams/up.test/targets/konghq.test:8000").expect(200, wantTgt)
		a.get("/upstreams/up.test/targets/konghq.test").expect(200, wantTgt)
		a.get("/upstreams/other.test/targets/"+tgt).message(404, "Not found")
		a.get("/upstreams/up.test/targets/nope.test:1").message(404, "Not found")
		// PATCH and PUT update; PUT on a missing target is 404
		a.json("PATCH", "/upstreams/up.test/targets/konghq.test:8000", `{"weight":5}`).expect(200, merge(wantTgt, `{"weight":5}`))
		a.json("PUT", "/upstreams/up.test/targets/"+tgt, `{"weight":6}`).expect(200, merge(wantTgt, `{"weight":6}`))
		a.json("PUT", "/upstreams/up.test/targets/"+uuid.NewString(), `{"target":"n.test"}`).message(404, "Not found")
		// listing, deleting (404 when missing under an upstream)
		a.get("/upstreams/up.test/targets").expect(200, `{"data":["<any>","<any>","<any>"],"next":null}`)
		a.delete("/upstreams/up.test/targets/konghq.test:8000").empty(204)
		a.delete("/upstreams/up.test/targets/konghq.test:8000").message(404, "Not found")
		// deleting an upstream deletes its targets
		a.delete("/upstreams/up.test").empty(204)
		a.get("/upstreams/"+up+"/targets").message(404, "Not found")
		a.get("/upstreams/other.test/targets").expect(200, `{"data":["<any>"],"next":null}`)
		a.delete("/upstreams/other.test").empty(204)
		if n := countRows(t, a, "targets"); n != 0 {
			t.Fatalf("%d targets left after deleting their upstreams", n)
		}
	})
}

// countRows counts an entity's rows straight from the store.
func countRows(t *testing.T, a *api, entity string) int {
	t.Helper()
	all, _, err := a.store.ReadAll(t.Context(), []string{entity})
	if err != nil {
		t.Fatal(err)
	}
	return len(all[entity])
}

// §1.8 certificates and SNIs.
func TestCertificates(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		c := testCerts(t)
		certJSON := func(pair keyPair, extra string) string {
			return fmt.Sprintf(`{"cert":%s,"key":%s%s}`, quote(pair.cert), quote(pair.key), extra)
		}
		want := func(id string, pair keyPair, snis string) string {
			if id == "" {
				id = "<uuid>"
			}
			return fmt.Sprintf(`{"id":%q,"created_at":%d,"updated_at":%d,"cert":%s,"key":%s,"cert_alt":null,"key_alt":null,
				"tags":null,"snis":%s}`, id, t0, t0, quote(pair.cert), quote(pair.key), snis)
		}
		// snis are created, listed sorted, and [] when none
		id := a.json("POST", "/certificates", certJSON(c.leaf, `,"snis":["b.test","a.test"]`)).
			expect(201, want("", c.leaf, `["a.test","b.test"]`)).id()
		bare := a.json("POST", "/certificates", certJSON(c.leaf2, "")).expect(201, want("", c.leaf2, `[]`)).id()
		if r := a.get("/certificates/" + bare); !strings.Contains(string(r.Body), `"snis":[]`) {
			t.Fatalf("snis must render as []: %s", r.Body)
		}
		a.get("/snis/a.test").expect(200, `{"id":"<uuid>","name":"a.test","created_at":%d,"updated_at":%d,"tags":null,
			"certificate":{"id":%q}}`, t0, t0, id)
		a.get("/certificates/"+id+"/snis").expect(200, `{"data":["<any>","<any>"],"next":null}`)
		// reachable by SNI name
		a.get("/certificates/a.test").expect(200, want(id, c.leaf, `["a.test","b.test"]`))
		a.get("/certificates/nope.test").message(404, "SNI not found")
		a.get("/certificates/"+uuid.NewString()).message(404, "Not found")
		a.get("/certificates/*.*").expect(400, `{"code":10,"name":"invalid unique name","message":"only one wildcard must be specified"}`)
		// errors
		a.json("POST", "/certificates", certJSON(c.leaf2, `,"snis":["x.test","y.test","x.test"]`)).expect(400, `{"code":2,
			"name":"schema violation","message":"schema violation (snis: x.test is duplicated)","fields":{"snis":"x.test is duplicated"}}`)
		a.json("POST", "/certificates", certJSON(c.leaf2, `,"snis":["a.test"]`)).expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (snis: a.test already associated with existing certificate '%[1]s')",
			"fields":{"snis":"a.test already associated with existing certificate '%[1]s'"}}`, id)
		a.json("POST", "/certificates", certJSON(keyPair{c.leaf.cert, c.leaf2.key}, "")).expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (certificate does not match key)","fields":{"@entity":["certificate does not match key"]}}`)
		a.json("POST", "/certificates", `{}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"2 schema violations (cert: required field missing; key: required field missing)",
			"fields":{"cert":"required field missing","key":"required field missing"}}`)
		a.json("POST", "/certificates", `{"cert":"nope","key":"nope"}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"2 schema violations (cert: invalid certificate: unable to parse PEM certificate; key: invalid key: unable to parse PEM)",
			"fields":{"cert":"invalid certificate: unable to parse PEM certificate","key":"invalid key: unable to parse PEM"}}`)
		a.json("POST", "/certificates", certJSON(c.leaf2, `,"snis":["*.a.*"]`)).expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (name: only one wildcard must be specified)","fields":{"name":"only one wildcard must be specified"}}`)
		a.json("POST", "/certificates", certJSON(c.leaf2, `,"key_alt":`+quote(c.leaf.key))).expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (all or none of these fields must be set: 'cert_alt', 'key_alt')",
			"fields":{"@entity":["all or none of these fields must be set: 'cert_alt', 'key_alt'"]}}`)
		a.json("POST", "/certificates", certJSON(c.leaf2, `,"cert_alt":`+quote(c.leaf.cert)+`,"key_alt":`+quote(c.leaf.key))).
			expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (certificate and alternative certificate need to have different type (e.g. RSA and ECDSA), the provided certificates were both of the same type)",
			"fields":{"@entity":["certificate and alternative certificate need to have different type (e.g. RSA and ECDSA), the provided certificates were both of the same type"]}}`)
		if n := countRows(t, a, "certificates"); n != 2 {
			t.Fatalf("failed writes created certificates: %d", n)
		}

		// PATCH: snis replace; absent keeps them; null clears them
		a.json("PATCH", "/certificates/"+id, `{"snis":["c.test","a.test"]}`).expect(200, want(id, c.leaf, `["a.test","c.test"]`))
		a.get("/snis/b.test").message(404, "Not found")
		a.json("PATCH", "/certificates/a.test", `{"tags":["t"]}`).expect(200, merge(want(id, c.leaf, `["a.test","c.test"]`), `{"tags":["t"]}`))
		a.json("PATCH", "/certificates/"+bare, `{"snis":["a.test"]}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (snis: a.test already associated with existing certificate '%[1]s')",
			"fields":{"snis":"a.test already associated with existing certificate '%[1]s'"}}`, id)
		a.json("PATCH", "/certificates/"+bare, `{"snis":null}`).expect(200, want(bare, c.leaf2, `[]`))
		a.json("PATCH", "/certificates/nope.test", `{}`).message(404, "SNI not found")
		// PUT by SNI: the URL name joins the body's snis
		a.json("PUT", "/certificates/new.test", certJSON(c.leaf2, `,"snis":["other.test"]`)).
			expect(200, want("", c.leaf2, `["new.test","other.test"]`))
		// ... but without snis in the body the URL name is not added: Kong's
		// prepare_args turns absent snis into null on PUT
		a.json("PUT", "/certificates/quirk.test", certJSON(c.leaf2, "")).expect(200, want("", c.leaf2, `[]`))
		a.get("/certificates/quirk.test").message(404, "SNI not found")
		// PUT by id without snis clears them
		a.json("PUT", "/certificates/"+id, certJSON(c.leaf, "")).expect(200, merge(want(id, c.leaf, `[]`), `{}`))
		a.get("/snis/a.test").message(404, "Not found")
		// nested SNIs
		a.json("POST", "/certificates/"+id+"/snis", `{"name":"n.test"}`).
			expect(201, `{"id":"<uuid>","name":"n.test","created_at":%d,"updated_at":%d,"tags":null,"certificate":{"id":%q}}`, t0, t0, id)
		a.json("POST", "/certificates/new.test/snis", `{"name":"n2.test"}`).status(201)
		a.json("POST", "/certificates/nope.test/snis", `{"name":"n3.test"}`).message(404, "SNI not found")
		a.json("POST", "/certificates/"+id+"/snis", `{"name":"n.test"}`).expect(409, `{"code":5,"name":"unique constraint violation",
			"message":"UNIQUE violation detected on '{name=\"n.test\"}'","fields":{"name":"n.test"}}`)
		a.json("POST", "/snis", fmt.Sprintf(`{"name":"*.w.test","certificate":{"id":%q}}`, id)).status(201)
		a.json("POST", "/snis", fmt.Sprintf(`{"name":"*.w.*","certificate":{"id":%q}}`, id)).expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (name: only one wildcard must be specified)","fields":{"name":"only one wildcard must be specified"}}`)
		a.json("PUT", "/snis/"+uuid.NewString(), `{}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"2 schema violations (certificate: required field missing; name: required field missing)",
			"fields":{"certificate":"required field missing","name":"required field missing"}}`)
		// deleting a certificate (here by SNI) deletes its SNIs
		a.delete("/certificates/n.test").empty(204)
		a.get("/snis/n.test").message(404, "Not found")
		a.get("/snis/*.w.test").message(404, "Not found")
		a.delete("/certificates/nope.test").message(404, "SNI not found")
		a.delete("/certificates/" + uuid.NewString()).empty(204)
	})
}

// §1.8 CA certificates.
func TestCACertificates(t *testing.T) {
	each(t, func(t *testing.T, a *api) {
		c := testCerts(t)
		block, _ := pem.Decode([]byte(c.ca.cert))
		sum := sha256.Sum256(block.Bytes)
		digest := hex.EncodeToString(sum[:])
		id := a.json("POST", "/ca_certificates", fmt.Sprintf(`{"cert":%s,"tags":["ca"]}`, quote(c.ca.cert))).
			expect(201, `{"id":"<uuid>","created_at":%d,"updated_at":%d,"cert":%s,"cert_digest":%q,"tags":["ca"]}`,
				t0, t0, quote(c.ca.cert), digest).id()
		// the digest is computed, whatever the body says
		a.json("POST", "/ca_certificates", fmt.Sprintf(`{"cert":%s,"cert_digest":"x"}`, quote(c.ca.cert))).expect(409, `{"code":5,
			"name":"unique constraint violation","message":"UNIQUE violation detected on '{cert_digest=\"%[1]s\"}'",
			"fields":{"cert_digest":%[2]q}}`, digest, digest)
		a.multipart("PUT", "/ca_certificates/"+id, part{name: "cert", value: c.ca.cert, filename: "ca.pem"}).
			expect(200, `{"id":%q,"created_at":%d,"updated_at":%d,"cert":%s,"cert_digest":%q,"tags":null}`,
				id, t0, t0, quote(c.ca.cert), digest)
		v := func(cert, msg string) {
			t.Helper()
			a.json("POST", "/ca_certificates", fmt.Sprintf(`{"cert":%s}`, quote(cert))).expect(400, `{"code":2,"name":"schema violation",
				"message":%s,"fields":{"@entity":[%s]}}`, quote("schema violation ("+msg+")"), quote(msg))
		}
		v(c.notCA.cert, `certificate does not appear to be a CA because it is missing the "CA" basic constraint`)
		v(c.expiredCA.cert, `certificate expired, "Not After" time is in the past`)
		v(c.ca.cert+c.notCA.cert, "please submit only one certificate at a time")
		a.json("POST", "/ca_certificates", `{"cert":"garbage"}`).expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (cert: invalid certificate: unable to parse PEM certificate)",
			"fields":{"cert":"invalid certificate: unable to parse PEM certificate"}}`)
		a.json("PATCH", "/ca_certificates/"+id, fmt.Sprintf(`{"cert":%s}`, quote(c.notCA.cert))).expect(400, `{"code":2,"name":"schema violation",
			"message":"schema violation (certificate does not appear to be a CA because it is missing the \"CA\" basic constraint)",
			"fields":{"@entity":["certificate does not appear to be a CA because it is missing the \"CA\" basic constraint"]}}`)
		a.delete("/ca_certificates/" + id).empty(204)
		a.get("/ca_certificates").expect(200, `{"data":[],"next":null}`)
	})
}

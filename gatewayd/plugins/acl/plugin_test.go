package acl_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin/plugintest"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/acl"
	keyauth "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/key-auth"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// testGroups (priority 1000, between key-auth and acl) stands in for an
// authentication plugin that reports authenticated groups (ldap-auth,
// oauth2): X-Test-Groups lists them; X-Test-Credential authenticates a
// credential that has no consumer.
type testGroups struct{}

func (testGroups) Access(c *plugin.Context) {
	if v := c.Header("X-Test-Groups"); v != nil {
		var list []string
		if len(v) > 0 {
			list = strings.Split(string(v), ",")
		} else {
			list = []string{}
		}
		c.Set(acl.AuthenticatedGroupsKey, list)
	}
	if len(c.Header("X-Test-Credential")) > 0 {
		c.Authenticate(nil, &plugin.Credential{ID: "ext", Identifier: "ext"})
	}
}

func init() {
	plugin.Register(plugin.Spec{Name: "test-groups", Priority: 1000,
		New: func(*plugin.Env) (any, error) { return testGroups{}, nil }})
}

type fixture struct {
	h                      *plugintest.Harness
	admin, guest, nobody   schema.Doc // nobody has no groups
	anon, anonWithoutGroup schema.Doc
}

// noKeyAuth as newFixture's anon leaves key-auth out.
const noKeyAuth = "-"

// newFixture sets key-auth (with anon as anonymous, if any) and the acl
// config. Keys: "admin-key" (groups zeta, alpha in acl-id order), "guest-key"
// (guests), "nobody-key" (no groups).
func newFixture(t *testing.T, config schema.Doc, anon string) *fixture {
	t.Helper()
	h := plugintest.New(t)
	f := &fixture{h: h}
	f.admin = h.Add("consumers", schema.Doc{"username": "admin", "custom_id": "admin-custom"})
	f.guest = h.Consumer("guest")
	f.nobody = h.Consumer("nobody")
	f.anon = h.Consumer("anon")
	f.anonWithoutGroup = h.Consumer("anon-no-group")
	for _, c := range []struct {
		consumer schema.Doc
		key      string
	}{{f.admin, "admin-key"}, {f.guest, "guest-key"}, {f.nobody, "nobody-key"}} {
		h.Add(keyauth.EntityName, schema.Doc{"key": c.key, "consumer": plugintest.Ref(c.consumer["id"])})
	}
	// Inserted out of id order: Kong lists groups in primary-key order.
	h.Add(acl.EntityName, schema.Doc{"id": "00000000-0000-4000-8000-0000000000c2", "group": "alpha", "consumer": plugintest.Ref(f.admin["id"])})
	h.Add(acl.EntityName, schema.Doc{"id": "00000000-0000-4000-8000-0000000000c1", "group": "zeta", "consumer": plugintest.Ref(f.admin["id"])})
	h.Add(acl.EntityName, schema.Doc{"group": "guests", "consumer": plugintest.Ref(f.guest["id"])})
	h.Add(acl.EntityName, schema.Doc{"group": "public", "consumer": plugintest.Ref(f.anon["id"])})
	ka := schema.Doc{}
	if anon != "" {
		ka["anonymous"] = anon
	}
	if anon != noKeyAuth {
		h.Plugin(schema.Doc{"name": "key-auth", "config": ka})
	}
	if config != nil {
		h.Plugin(schema.Doc{"name": "acl", "config": config})
	}
	return f
}

func hdr(kv ...string) [][2]string {
	var out [][2]string
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, [2]string{kv[i], kv[i+1]})
	}
	return out
}

func TestConfigValidation(t *testing.T) {
	f := newFixture(t, nil, "")
	got, _ := json.Marshal(f.h.Plugin(schema.Doc{"name": "acl", "config": schema.Doc{"allow": []string{"a"}}})["config"])
	if want := `{"allow":["a"],"always_use_authenticated_groups":false,"deny":null,"hide_groups_header":false}`; string(got) != want {
		t.Fatalf("config = %s, want %s", got, want)
	}
	cases := []struct {
		name string
		doc  schema.Doc
		want string
	}{
		{"allow and deny", schema.Doc{"name": "acl", "config": schema.Doc{"allow": []string{"a"}, "deny": []string{"b"}}},
			"schema violation (exactly one of these fields must be non-empty: 'config.allow', 'config.deny')"},
		{"neither", schema.Doc{"name": "acl", "config": schema.Doc{}},
			"2 schema violations (exactly one of these fields must be non-empty: 'config.allow', 'config.deny'; at least one of these fields must be non-empty: 'config.allow', 'config.deny')"},
		{"empty allow counts as unset", schema.Doc{"name": "acl", "config": schema.Doc{"allow": []string{}, "deny": []string{"b"}}}, ""},
		{"empty group name", schema.Doc{"name": "acl", "config": schema.Doc{"allow": []string{""}}},
			"schema violation (config.allow: {\n  \"length must be at least 1\"\n})"},
		{"consumer scope", schema.Doc{"name": "acl", "consumer": plugintest.Ref(f.admin["id"]), "config": schema.Doc{"allow": []string{"a"}}},
			"schema violation (consumer: value must be null)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := f.h.PluginError(tc.doc); got != tc.want {
				t.Fatalf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestACLEntity(t *testing.T) {
	f := newFixture(t, nil, "")
	cases := []struct {
		name string
		in   schema.Doc
		want string
	}{
		{"group required", schema.Doc{"consumer": plugintest.Ref(f.admin["id"])}, "schema violation (group: required field missing)"},
		{"consumer required", schema.Doc{"group": "g"}, "schema violation (consumer: required field missing)"},
		{"valid", schema.Doc{"group": "g", "consumer": plugintest.Ref(f.admin["id"])}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, errs := f.h.Prepare(acl.EntityName, tc.in)
			if got := errs.Message(); len(errs) == 0 && tc.want != "" || len(errs) > 0 && got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
	e := acl.ACLs()
	if e.Admin() != "acls" || e.Nested() != "acls" || e.EndpointKey != "group" || strings.Join(e.CacheKey, ",") != "consumer,group" || e.Field("group").Unique {
		t.Fatalf("entity %+v", e)
	}
}

func TestDecisions(t *testing.T) {
	cases := []struct {
		name       string
		config     schema.Doc
		anon       string
		headers    [][2]string
		status     int
		message    string
		wantGroups string // X-Consumer-Groups upstream; "-" for absent
	}{
		{"allow: member passes, groups in acl-id order", schema.Doc{"allow": []string{"alpha"}}, "", hdr("apikey", "admin-key"), 200, "", "zeta, alpha"},
		{"allow: any listed group suffices", schema.Doc{"allow": []string{"nope", "zeta"}}, "", hdr("apikey", "admin-key"), 200, "", "zeta, alpha"},
		{"allow: non-member is forbidden", schema.Doc{"allow": []string{"alpha"}}, "", hdr("apikey", "guest-key"), 403, "You cannot consume this service", ""},
		{"allow: consumer without groups is forbidden", schema.Doc{"allow": []string{"alpha"}}, "", hdr("apikey", "nobody-key"), 403, "You cannot consume this service", ""},
		{"allow: group names are case-sensitive", schema.Doc{"allow": []string{"Alpha"}}, "", hdr("apikey", "admin-key"), 403, "You cannot consume this service", ""},
		{"deny: member is forbidden", schema.Doc{"deny": []string{"guests"}}, "", hdr("apikey", "guest-key"), 403, "You cannot consume this service", ""},
		{"deny: non-member passes", schema.Doc{"deny": []string{"guests"}}, "", hdr("apikey", "admin-key"), 200, "", "zeta, alpha"},
		{"deny: consumer without groups passes, spoofed groups header removed", schema.Doc{"deny": []string{"guests"}}, "", hdr("apikey", "nobody-key", "X-Consumer-Groups", "alpha"), 200, "", "-"},
		{"spoofed groups header overwritten", schema.Doc{"allow": []string{"guests"}}, "", hdr("apikey", "guest-key", "X-Consumer-Groups", "alpha"), 200, "", "guests"},
		{"hide_groups_header", schema.Doc{"allow": []string{"alpha"}, "hide_groups_header": true}, "", hdr("apikey", "admin-key"), 200, "", "-"},
		{"anonymous consumer with an allowed group", schema.Doc{"allow": []string{"public"}}, "anon", nil, 200, "", "public"},
		{"anonymous consumer without the group", schema.Doc{"allow": []string{"alpha"}}, "anon", nil, 403, "You cannot consume this service", ""},
		{"anonymous consumer without any group", schema.Doc{"allow": []string{"public"}}, "anon-no-group", nil, 403, "You cannot consume this service", ""},
		{"authenticated consumer wins over anonymous", schema.Doc{"allow": []string{"alpha"}}, "anon", hdr("apikey", "admin-key"), 200, "", "zeta, alpha"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.config, tc.anon)
			res := f.h.Do(plugintest.Request{Headers: tc.headers}, plugintest.Upstream{})
			if res.Status != tc.status {
				t.Fatalf("status %d body %s, want %d", res.Status, res.Body, tc.status)
			}
			if tc.status != 200 {
				if want := `{"message":"` + tc.message + `"}`; string(res.Body) != want || res.Upstream != nil {
					t.Fatalf("body %s, want %s", res.Body, want)
				}
				return
			}
			got := res.Upstream.Headers.Values("X-Consumer-Groups")
			switch {
			case tc.wantGroups == "-" && tc.config["hide_groups_header"] == true:
				if len(got) > 0 {
					t.Fatalf("X-Consumer-Groups = %v with hide_groups_header", got)
				}
			case tc.wantGroups == "-":
				if len(got) > 0 {
					t.Fatalf("X-Consumer-Groups = %v, want none", got)
				}
			default:
				if len(got) != 1 || got[0] != tc.wantGroups {
					t.Fatalf("X-Consumer-Groups = %v, want %q", got, tc.wantGroups)
				}
			}
		})
	}
}

func TestNoAuthentication(t *testing.T) {
	h := plugintest.New(t)
	h.Plugin(schema.Doc{"name": "acl", "config": schema.Doc{"allow": []string{"a"}}})
	h.Plugin(schema.Doc{"name": "test-groups"})
	res := h.Do(plugintest.Request{}, plugintest.Upstream{})
	if res.Status != 401 || string(res.Body) != `{"message":"Unauthorized"}` || res.Headers.Get("WWW-Authenticate") != "" {
		t.Fatalf("status %d body %s headers %v", res.Status, res.Body, res.Headers)
	}
	// A credential without a consumer and without groups is a 403.
	res = h.Do(plugintest.Request{Headers: hdr("X-Test-Credential", "1")}, plugintest.Upstream{})
	if res.Status != 403 || string(res.Body) != `{"message":"You cannot consume this service"}` {
		t.Fatalf("credential without consumer: status %d body %s", res.Status, res.Body)
	}
}

func TestAuthenticatedGroups(t *testing.T) {
	cases := []struct {
		name       string
		config     schema.Doc
		anon       string
		headers    [][2]string
		status     int
		authGroups string // X-Authenticated-Groups upstream, "-" for absent
		consGroups string // X-Consumer-Groups upstream, "-" for absent
	}{
		{"no consumer: authenticated groups decide", schema.Doc{"allow": []string{"ops"}}, noKeyAuth,
			hdr("X-Test-Credential", "1", "X-Test-Groups", "dev,ops"), 200, "dev, ops", "-"},
		{"no consumer: not in group", schema.Doc{"allow": []string{"ops"}}, noKeyAuth,
			hdr("X-Test-Credential", "1", "X-Test-Groups", "dev"), 403, "", ""},
		{"no consumer, no credential: groups alone suffice", schema.Doc{"deny": []string{"ops"}}, noKeyAuth,
			hdr("X-Test-Groups", "dev"), 200, "dev", "-"},
		{"empty authenticated groups count as given", schema.Doc{"deny": []string{"ops"}}, noKeyAuth,
			hdr("X-Test-Groups", "", "X-Authenticated-Groups", "spoofed"), 200, "-", "-"},
		{"override the anonymous consumer's groups", schema.Doc{"allow": []string{"ops"}}, "anon",
			hdr("X-Test-Groups", "ops"), 200, "ops", "-"},
		{"ignored for a consumer with a credential", schema.Doc{"allow": []string{"ops"}}, "",
			hdr("apikey", "admin-key", "X-Test-Groups", "ops"), 403, "", ""},
		{"always_use_authenticated_groups", schema.Doc{"allow": []string{"ops"}, "always_use_authenticated_groups": true}, "",
			hdr("apikey", "admin-key", "X-Test-Groups", "ops"), 200, "ops", "-"},
		{"always_use_authenticated_groups falls back to consumer groups", schema.Doc{"allow": []string{"alpha"}, "always_use_authenticated_groups": true}, "",
			hdr("apikey", "admin-key"), 200, "-", "zeta, alpha"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.config, tc.anon)
			f.h.Plugin(schema.Doc{"name": "test-groups"})
			res := f.h.Do(plugintest.Request{Headers: tc.headers}, plugintest.Upstream{})
			if res.Status != tc.status {
				t.Fatalf("status %d body %s, want %d", res.Status, res.Body, tc.status)
			}
			if tc.status != 200 {
				return
			}
			for name, want := range map[string]string{"X-Authenticated-Groups": tc.authGroups, "X-Consumer-Groups": tc.consGroups} {
				got := res.Upstream.Headers.Values(name)
				if want == "-" && len(got) > 0 || want != "-" && (len(got) != 1 || got[0] != want) {
					t.Errorf("%s = %v, want %q", name, got, want)
				}
			}
		})
	}
}

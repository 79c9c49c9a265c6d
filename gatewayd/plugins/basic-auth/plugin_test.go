package basicauth_test

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin/plugintest"
	basicauth "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/basic-auth"
	keyauth "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/key-auth"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

type fixture struct {
	h           *plugintest.Harness
	alice, anon schema.Doc
	cred        schema.Doc // alice / s3cret:pw
}

func newFixture(t *testing.T, config schema.Doc) *fixture {
	t.Helper()
	h := plugintest.New(t)
	f := &fixture{h: h}
	f.alice = h.Add("consumers", schema.Doc{"username": "alice", "custom_id": "alice-custom"})
	f.anon = h.Consumer("anonymous-user")
	f.cred = h.Add(basicauth.EntityName, schema.Doc{"username": "alice", "password": "s3cret:pw", "consumer": plugintest.Ref(f.alice["id"])})
	if config != nil {
		h.Plugin(schema.Doc{"name": "basic-auth", "config": config})
	}
	return f
}

func basic(userpass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(userpass))
}

func hdr(kv ...string) [][2]string {
	var out [][2]string
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, [2]string{kv[i], kv[i+1]})
	}
	return out
}

func assertUnauthorized(t *testing.T, res plugintest.Result, realm string) {
	t.Helper()
	if res.Status != 401 || string(res.Body) != `{"message":"Unauthorized"}` || res.Upstream != nil {
		t.Fatalf("status %d body %s, want 401 Unauthorized", res.Status, res.Body)
	}
	if got, want := res.Headers.Get("WWW-Authenticate"), `Basic realm="`+realm+`"`; got != want {
		t.Fatalf("WWW-Authenticate = %q, want %q", got, want)
	}
}

func assertAuthenticated(t *testing.T, res plugintest.Result, consumer schema.Doc, identifier string) {
	t.Helper()
	if res.Status != 200 || res.Upstream == nil {
		t.Fatalf("status %d body %s, want the upstream's 200", res.Status, res.Body)
	}
	up := res.Upstream.Headers
	if up.Get("X-Consumer-ID") != consumer["id"] || up.Get("X-Consumer-Username") != consumer["username"] {
		t.Errorf("consumer headers %v", up)
	}
	custom, _ := consumer["custom_id"].(string)
	if got := up.Values("X-Consumer-Custom-ID"); custom == "" && len(got) > 0 || custom != "" && (len(got) != 1 || got[0] != custom) {
		t.Errorf("X-Consumer-Custom-ID = %v, want %q", got, custom)
	}
	if identifier == "" {
		if up.Get("X-Anonymous-Consumer") != "true" || len(up.Values("X-Credential-Identifier")) > 0 || res.Credential != nil {
			t.Errorf("anonymous headers %v credential %+v", up, res.Credential)
		}
	} else {
		if got := up.Values("X-Credential-Identifier"); len(got) != 1 || got[0] != identifier {
			t.Errorf("X-Credential-Identifier = %v, want %q", got, identifier)
		}
		if len(up.Values("X-Anonymous-Consumer")) > 0 {
			t.Errorf("X-Anonymous-Consumer sent for an authenticated consumer")
		}
		if res.Credential == nil || res.Credential.Identifier != identifier {
			t.Errorf("credential %+v", res.Credential)
		}
	}
	if res.Consumer == nil || res.Consumer.ID != consumer["id"] {
		t.Errorf("consumer %+v", res.Consumer)
	}
}

func TestConfigDefaultsMatchKong(t *testing.T) {
	f := newFixture(t, nil)
	got, _ := json.Marshal(f.h.Plugin(schema.Doc{"name": "basic-auth"})["config"])
	if want := `{"anonymous":null,"hide_credentials":false,"realm":"service"}`; string(got) != want {
		t.Fatalf("config = %s, want %s", got, want)
	}
	cases := []struct {
		name string
		doc  schema.Doc
		want string
	}{
		{"consumer scope", schema.Doc{"name": "basic-auth", "consumer": plugintest.Ref(f.alice["id"])}, "schema violation (consumer: value must be null)"},
		{"realm null", schema.Doc{"name": "basic-auth", "config": schema.Doc{"realm": nil}}, "schema violation (config.realm: required field missing)"},
		{"hide_credentials not a boolean", schema.Doc{"name": "basic-auth", "config": schema.Doc{"hide_credentials": "yes"}}, "schema violation (config.hide_credentials: expected a boolean)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := f.h.PluginError(tc.doc); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestPasswordStoredAsKongHash(t *testing.T) {
	f := newFixture(t, nil)
	want := func(pw, consumerID string) string {
		s := sha1.Sum([]byte(pw + consumerID))
		return hex.EncodeToString(s[:])
	}
	if got := f.cred["password"]; got != want("s3cret:pw", f.alice["id"].(string)) || got == "s3cret:pw" {
		t.Fatalf("stored password %v", got)
	}
	if basicauth.Hash("c", "p") != want("p", "c") {
		t.Fatalf("Hash order")
	}
	t.Run("PATCH with a password rehashes with the stored consumer", func(t *testing.T) {
		doc, errs := basicauth.Credentials().Prepare(schema.Doc{"password": "new"}, f.cred, schema.Update, time.Now())
		if len(errs) > 0 || doc["password"] != want("new", f.alice["id"].(string)) {
			t.Fatalf("doc %v errs %v", doc, errs)
		}
	})
	t.Run("PATCH without a password keeps the hash", func(t *testing.T) {
		doc, errs := basicauth.Credentials().Prepare(schema.Doc{"tags": []any{"t"}}, f.cred, schema.Update, time.Now())
		if len(errs) > 0 || doc["password"] != f.cred["password"] {
			t.Fatalf("doc %v errs %v", doc, errs)
		}
	})
	t.Run("PUT hashes", func(t *testing.T) {
		doc, errs := basicauth.Credentials().Prepare(schema.Doc{"username": "u", "password": "p", "consumer": plugintest.Ref(f.alice["id"])}, nil, schema.Upsert, time.Now())
		if len(errs) > 0 || doc["password"] != want("p", f.alice["id"].(string)) {
			t.Fatalf("doc %v errs %v", doc, errs)
		}
	})
	errCases := []struct {
		name string
		in   schema.Doc
		want string
	}{
		{"username required", schema.Doc{"password": "p", "consumer": plugintest.Ref(f.alice["id"])}, "schema violation (username: required field missing)"},
		{"password required", schema.Doc{"username": "u", "consumer": plugintest.Ref(f.alice["id"])}, "schema violation (password: required field missing)"},
		{"empty password", schema.Doc{"username": "u", "password": "", "consumer": plugintest.Ref(f.alice["id"])}, "schema violation (password: length must be at least 1)"},
		{"consumer required", schema.Doc{"username": "u", "password": "p"}, "schema violation (consumer: required field missing)"},
	}
	for _, tc := range errCases {
		t.Run(tc.name, func(t *testing.T) {
			_, errs := f.h.Prepare(basicauth.EntityName, tc.in)
			if len(errs) == 0 || errs.Message() != tc.want {
				t.Fatalf("got %q, want %q", errs.Message(), tc.want)
			}
		})
	}
	e := basicauth.Credentials()
	if e.Admin() != "basic-auths" || e.Nested() != "basic-auth" || e.EndpointKey != "username" || !e.Field("password").Sensitive {
		t.Fatalf("entity %+v", e)
	}
}

func TestAuthentication(t *testing.T) {
	cases := []struct {
		name    string
		headers [][2]string
		ok      bool
	}{
		{"valid Authorization", hdr("Authorization", basic("alice:s3cret:pw")), true},
		{"lowercase scheme", hdr("Authorization", "basic "+base64.StdEncoding.EncodeToString([]byte("alice:s3cret:pw"))), true},
		{"unpadded base64", hdr("Authorization", "Basic "+base64.RawStdEncoding.EncodeToString([]byte("alice:s3cret:pw"))), true},
		{"valid Proxy-Authorization", hdr("Proxy-Authorization", basic("alice:s3cret:pw")), true},
		{"unknown proxy user falls back to Authorization", hdr("Proxy-Authorization", basic("nobody:x"), "Authorization", basic("alice:s3cret:pw")), true},
		{"known proxy user with a wrong password does not fall back", hdr("Proxy-Authorization", basic("alice:wrong"), "Authorization", basic("alice:s3cret:pw")), false},
		{"no credentials", nil, false},
		{"wrong password", hdr("Authorization", basic("alice:wrong")), false},
		{"unknown user", hdr("Authorization", basic("bob:s3cret:pw")), false},
		{"password is case-sensitive", hdr("Authorization", basic("alice:S3CRET:pw")), false},
		{"not base64", hdr("Authorization", "Basic !!!"), false},
		{"no colon", hdr("Authorization", basic("alice")), false},
		{"empty password", hdr("Authorization", basic("alice:")), false},
		{"other scheme", hdr("Authorization", "Bearer abc"), false},
		{"upper-case BASIC is not recognised", hdr("Authorization", "BASIC "+base64.StdEncoding.EncodeToString([]byte("alice:s3cret:pw"))), false},
		{"empty header", hdr("Authorization", ""), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, schema.Doc{})
			res := f.h.Do(plugintest.Request{Headers: tc.headers}, plugintest.Upstream{})
			if !tc.ok {
				assertUnauthorized(t, res, "service")
				return
			}
			assertAuthenticated(t, res, f.alice, "alice")
			if res.Upstream.Headers.Get("Authorization") == "" && res.Upstream.Headers.Get("Proxy-Authorization") == "" {
				t.Errorf("credentials removed without hide_credentials")
			}
		})
	}
}

func TestLeadingColonsAreSkippedLikeKongsRegex(t *testing.T) {
	f := newFixture(t, schema.Doc{})
	assertAuthenticated(t, f.h.Do(plugintest.Request{Headers: hdr("Authorization", basic("::alice:s3cret:pw"))}, plugintest.Upstream{}), f.alice, "alice")
}

func TestCustomRealm(t *testing.T) {
	f := newFixture(t, schema.Doc{"realm": "kong"})
	assertUnauthorized(t, f.h.Do(plugintest.Request{}, plugintest.Upstream{}), "kong")
}

func TestHideCredentials(t *testing.T) {
	cases := []struct {
		name              string
		headers           [][2]string
		wantAuth, wantPxy bool // still sent upstream
	}{
		{"Authorization removed", hdr("Authorization", basic("alice:s3cret:pw")), false, false},
		{"Proxy-Authorization removed, Authorization kept when unused", hdr("Proxy-Authorization", basic("alice:s3cret:pw"), "Authorization", "Bearer x"), true, false},
		{"both removed when both were parsed", hdr("Proxy-Authorization", basic("nobody:x"), "Authorization", basic("alice:s3cret:pw")), false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, schema.Doc{"hide_credentials": true})
			res := f.h.Do(plugintest.Request{Headers: tc.headers}, plugintest.Upstream{})
			assertAuthenticated(t, res, f.alice, "alice")
			if got := len(res.Upstream.Headers.Values("Authorization")) > 0; got != tc.wantAuth {
				t.Errorf("Authorization sent = %v, want %v", got, tc.wantAuth)
			}
			if got := len(res.Upstream.Headers.Values("Proxy-Authorization")) > 0; got != tc.wantPxy {
				t.Errorf("Proxy-Authorization sent = %v, want %v", got, tc.wantPxy)
			}
		})
	}
}

func TestAnonymous(t *testing.T) {
	t.Run("by id", func(t *testing.T) {
		f := newFixture(t, nil)
		f.h.Plugin(schema.Doc{"name": "basic-auth", "config": schema.Doc{"anonymous": f.anon["id"]}})
		res := f.h.Do(plugintest.Request{Headers: hdr("Authorization", basic("alice:wrong"))}, plugintest.Upstream{})
		assertAuthenticated(t, res, f.anon, "")
		if res.Headers.Get("WWW-Authenticate") != "" {
			t.Errorf("WWW-Authenticate on an anonymous pass")
		}
	})
	t.Run("by username", func(t *testing.T) {
		f := newFixture(t, nil)
		f.h.Plugin(schema.Doc{"name": "basic-auth", "config": schema.Doc{"anonymous": "anonymous-user"}})
		assertAuthenticated(t, f.h.Do(plugintest.Request{}, plugintest.Upstream{}), f.anon, "")
	})
	t.Run("valid credentials still authenticate", func(t *testing.T) {
		f := newFixture(t, nil)
		f.h.Plugin(schema.Doc{"name": "basic-auth", "config": schema.Doc{"anonymous": "anonymous-user"}})
		assertAuthenticated(t, f.h.Do(plugintest.Request{Headers: hdr("Authorization", basic("alice:s3cret:pw"))}, plugintest.Upstream{}), f.alice, "alice")
	})
	t.Run("missing anonymous consumer is a 500", func(t *testing.T) {
		f := newFixture(t, nil)
		f.h.Plugin(schema.Doc{"name": "basic-auth", "config": schema.Doc{"anonymous": "00000000-0000-4000-8000-00000000dead"}})
		res := f.h.Do(plugintest.Request{}, plugintest.Upstream{})
		if res.Status != 500 || string(res.Body) != `{"message":"An unexpected error occurred"}` || res.Upstream != nil {
			t.Fatalf("status %d body %s", res.Status, res.Body)
		}
	})
}

func TestSpoofedIdentityHeadersAreOverwritten(t *testing.T) {
	f := newFixture(t, schema.Doc{})
	bob := f.h.Consumer("bob") // no custom_id
	f.h.Add(basicauth.EntityName, schema.Doc{"username": "bobby", "password": "pw", "consumer": plugintest.Ref(bob["id"])})
	res := f.h.Do(plugintest.Request{Headers: hdr("Authorization", basic("bobby:pw"),
		"X-Consumer-ID", "evil", "X-Consumer-Username", "evil", "X-Consumer-Custom-ID", "evil",
		"X-Credential-Identifier", "evil", "X-Anonymous-Consumer", "true")}, plugintest.Upstream{})
	assertAuthenticated(t, res, bob, "bobby")
	for _, name := range []string{"X-Consumer-ID", "X-Consumer-Username", "X-Credential-Identifier"} {
		if vals := res.Upstream.Headers.Values(name); len(vals) != 1 || vals[0] == "evil" {
			t.Errorf("%s = %v", name, vals)
		}
	}
}

// Kong's logical OR: key-auth (1250) and basic-auth (1100), both with
// anonymous, accept either credential; the anonymous consumer only when
// neither is valid.
func TestLogicalORWithKeyAuth(t *testing.T) {
	f := newFixture(t, nil)
	bob := f.h.Consumer("bob")
	keyCred := f.h.Add(keyauth.EntityName, schema.Doc{"key": "bob-key", "consumer": plugintest.Ref(bob["id"])})
	f.h.Plugin(schema.Doc{"name": "key-auth", "config": schema.Doc{"anonymous": f.anon["id"]}})
	f.h.Plugin(schema.Doc{"name": "basic-auth", "config": schema.Doc{"anonymous": f.anon["id"]}})
	cases := []struct {
		name       string
		headers    [][2]string
		consumer   schema.Doc
		identifier string
	}{
		{"key only", hdr("apikey", "bob-key"), bob, keyCred["id"].(string)},
		{"basic only (replaces key-auth's anonymous)", hdr("Authorization", basic("alice:s3cret:pw")), f.alice, "alice"},
		{"both: key-auth wins, basic-auth skips", hdr("apikey", "bob-key", "Authorization", basic("alice:s3cret:pw")), bob, keyCred["id"].(string)},
		{"valid key, wrong password: key-auth's credential stands", hdr("apikey", "bob-key", "Authorization", basic("alice:nope")), bob, keyCred["id"].(string)},
		{"neither valid: anonymous", hdr("apikey", "nope", "Authorization", basic("alice:nope")), f.anon, ""},
		{"nothing sent: anonymous", nil, f.anon, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := f.h.Do(plugintest.Request{Headers: tc.headers}, plugintest.Upstream{})
			assertAuthenticated(t, res, tc.consumer, tc.identifier)
		})
	}
}

func TestLogicalANDWithoutAnonymous(t *testing.T) {
	f := newFixture(t, nil)
	bob := f.h.Consumer("bob")
	f.h.Add(keyauth.EntityName, schema.Doc{"key": "bob-key", "consumer": plugintest.Ref(bob["id"])})
	f.h.Plugin(schema.Doc{"name": "key-auth"})
	f.h.Plugin(schema.Doc{"name": "basic-auth"})
	assertUnauthorized(t, f.h.Do(plugintest.Request{Headers: hdr("apikey", "bob-key")}, plugintest.Upstream{}), "service")
	res := f.h.Do(plugintest.Request{Headers: hdr("apikey", "bob-key", "Authorization", basic("alice:s3cret:pw"))}, plugintest.Upstream{})
	assertAuthenticated(t, res, f.alice, "alice")
}

package keyauth_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin/plugintest"
	keyauth "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/key-auth"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

type fixture struct {
	h        *plugintest.Harness
	alice    schema.Doc // consumer with custom_id
	cred     schema.Doc // alice's key "alice-key"
	bob      schema.Doc
	bobCred  schema.Doc // bob's key "bob-key"
	anon     schema.Doc // anonymous consumer
	pluginID string
}

func newFixture(t *testing.T, config schema.Doc) *fixture {
	t.Helper()
	h := plugintest.New(t)
	f := &fixture{h: h}
	f.alice = h.Add("consumers", schema.Doc{"username": "alice", "custom_id": "alice-custom"})
	f.bob = h.Consumer("bob")
	f.anon = h.Consumer("anonymous-user")
	f.cred = h.Add(keyauth.EntityName, schema.Doc{"key": "alice-key", "consumer": plugintest.Ref(f.alice["id"])})
	f.bobCred = h.Add(keyauth.EntityName, schema.Doc{"key": "bob-key", "consumer": plugintest.Ref(f.bob["id"])})
	if config != nil {
		f.pluginID = h.Plugin(schema.Doc{"name": "key-auth", "config": config})["id"].(string)
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

func assertUnauthorized(t *testing.T, res plugintest.Result, msg, wwwAuth string) {
	t.Helper()
	if res.Status != 401 {
		t.Fatalf("status = %d, want 401 (body %s)", res.Status, res.Body)
	}
	if want := `{"message":"` + msg + `"}`; string(res.Body) != want {
		t.Errorf("body = %s, want %s", res.Body, want)
	}
	if got := res.Headers.Get("WWW-Authenticate"); got != wwwAuth {
		t.Errorf("WWW-Authenticate = %q, want %q", got, wwwAuth)
	}
	if res.Upstream != nil {
		t.Errorf("upstream was called")
	}
}

func assertConsumer(t *testing.T, res plugintest.Result, consumer, cred schema.Doc) {
	t.Helper()
	if res.Status != 200 || res.Upstream == nil {
		t.Fatalf("status = %d, body %s; want the upstream's 200", res.Status, res.Body)
	}
	up := res.Upstream.Headers
	if got := up.Get("X-Consumer-ID"); got != consumer["id"] {
		t.Errorf("X-Consumer-ID = %q, want %v", got, consumer["id"])
	}
	if got := up.Get("X-Consumer-Username"); got != consumer["username"] {
		t.Errorf("X-Consumer-Username = %q, want %v", got, consumer["username"])
	}
	wantCustom, _ := consumer["custom_id"].(string)
	if got, ok := up["X-Consumer-Custom-Id"]; wantCustom == "" && ok || wantCustom != "" && up.Get("X-Consumer-Custom-ID") != wantCustom {
		t.Errorf("X-Consumer-Custom-ID = %q, want %q", got, wantCustom)
	}
	if cred == nil {
		if got := up.Get("X-Anonymous-Consumer"); got != "true" {
			t.Errorf("X-Anonymous-Consumer = %q, want true", got)
		}
		if _, ok := up["X-Credential-Identifier"]; ok {
			t.Errorf("X-Credential-Identifier sent for the anonymous consumer: %q", up.Get("X-Credential-Identifier"))
		}
		if res.Credential != nil {
			t.Errorf("credential = %+v for the anonymous consumer", res.Credential)
		}
	} else {
		if got := up.Get("X-Credential-Identifier"); got != cred["id"] {
			t.Errorf("X-Credential-Identifier = %q, want the credential id %v", got, cred["id"])
		}
		if _, ok := up["X-Anonymous-Consumer"]; ok {
			t.Errorf("X-Anonymous-Consumer sent for an authenticated consumer")
		}
		if res.Credential == nil || res.Credential.ID != cred["id"] || res.Credential.ConsumerID != consumer["id"] {
			t.Errorf("credential = %+v", res.Credential)
		}
	}
	if res.Consumer == nil || res.Consumer.ID != consumer["id"] {
		t.Errorf("consumer = %+v, want %v", res.Consumer, consumer["id"])
	}
}

func TestConfigDefaultsMatchKong(t *testing.T) {
	f := newFixture(t, nil)
	p := f.h.Plugin(schema.Doc{"name": "key-auth"})
	got, _ := json.Marshal(p["config"])
	want := `{"anonymous":null,"hide_credentials":false,"key_in_body":false,"key_in_header":true,"key_in_query":true,"key_names":["apikey"],"realm":null,"run_on_preflight":true}`
	if string(got) != want {
		t.Fatalf("config = %s\nwant     %s", got, want)
	}
}

func TestConfigValidation(t *testing.T) {
	f := newFixture(t, nil)
	cases := []struct {
		name string
		doc  schema.Doc
		want string
	}{
		{"key name with a space", schema.Doc{"name": "key-auth", "config": schema.Doc{"key_names": []string{"api key"}}},
			"schema violation (config.key_names: {\n  \"bad header name 'api key', allowed characters are A-Z, a-z, 0-9, '_', and '-'\"\n})"},
		{"key_names null", schema.Doc{"name": "key-auth", "config": schema.Doc{"key_names": nil}},
			"schema violation (config.key_names: required field missing)"},
		{"hide_credentials null", schema.Doc{"name": "key-auth", "config": schema.Doc{"hide_credentials": nil}},
			"schema violation (config.hide_credentials: required field missing)"},
		{"realm not a string", schema.Doc{"name": "key-auth", "config": schema.Doc{"realm": 1}},
			"schema violation (config.realm: expected a string)"},
		{"empty anonymous", schema.Doc{"name": "key-auth", "config": schema.Doc{"anonymous": ""}},
			"schema violation (config.anonymous: length must be at least 1)"},
		{"consumer scope", schema.Doc{"name": "key-auth", "consumer": plugintest.Ref(f.alice["id"]), "config": schema.Doc{}},
			"schema violation (consumer: value must be null)"},
		{"underscore and hyphen names are valid", schema.Doc{"name": "key-auth", "config": schema.Doc{"key_names": []string{"api_key", "X-Api-Key"}}}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := f.h.PluginError(tc.doc); got != tc.want {
				t.Fatalf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestCredentialEntity(t *testing.T) {
	f := newFixture(t, nil)
	isAlnum := func(s string) bool {
		for _, r := range s {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
				return false
			}
		}
		return true
	}
	t.Run("generated key is 32 random alphanumerics", func(t *testing.T) {
		seen := map[string]bool{}
		for i := 0; i < 50; i++ {
			doc, errs := f.h.Prepare(keyauth.EntityName, schema.Doc{"consumer": plugintest.Ref(f.alice["id"])})
			if len(errs) > 0 {
				t.Fatal(errs.Message())
			}
			key, _ := doc["key"].(string)
			if len(key) != 32 || !isAlnum(key) {
				t.Fatalf("generated key %q", key)
			}
			if seen[key] {
				t.Fatalf("key %q generated twice", key)
			}
			seen[key] = true
		}
	})
	t.Run("RandomKey alphabet covers letters and digits", func(t *testing.T) {
		all := ""
		for i := 0; i < 200; i++ {
			all += keyauth.RandomKey()
		}
		if !strings.ContainsAny(all, "0123456789") || !strings.ContainsAny(all, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") || !strings.ContainsAny(all, "abcdefghijklmnopqrstuvwxyz") {
			t.Fatalf("alphabet not covered")
		}
	})
	t.Run("given key is kept", func(t *testing.T) {
		doc, errs := f.h.Prepare(keyauth.EntityName, schema.Doc{"key": "my-key", "consumer": plugintest.Ref(f.alice["id"])})
		if len(errs) > 0 || doc["key"] != "my-key" {
			t.Fatalf("doc %v errs %v", doc, errs)
		}
	})
	t.Run("PATCH without key keeps the stored key", func(t *testing.T) {
		stored, _ := f.h.Prepare(keyauth.EntityName, schema.Doc{"key": "stored", "consumer": plugintest.Ref(f.alice["id"])})
		doc, errs := keyauth.Credentials().Prepare(schema.Doc{"tags": []any{"x"}}, stored, schema.Update, time.Now())
		if len(errs) > 0 || doc["key"] != "stored" {
			t.Fatalf("doc %v errs %v", doc, errs)
		}
	})
	errCases := []struct {
		name string
		in   schema.Doc
		want string
	}{
		{"consumer is required", schema.Doc{"key": "k"}, "schema violation (consumer: required field missing)"},
		{"empty key", schema.Doc{"key": "", "consumer": plugintest.Ref(f.alice["id"])}, "schema violation (key: length must be at least 1)"},
		{"key must be a string", schema.Doc{"key": 12, "consumer": plugintest.Ref(f.alice["id"])}, "schema violation (key: expected a string)"},
	}
	for _, tc := range errCases {
		t.Run(tc.name, func(t *testing.T) {
			_, errs := f.h.Prepare(keyauth.EntityName, tc.in)
			if got := errs.Message(); len(errs) == 0 || got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
	t.Run("admin names", func(t *testing.T) {
		e := keyauth.Credentials()
		if e.Admin() != "key-auths" || e.Nested() != "key-auth" || e.EndpointKey != "key" || !e.TTL {
			t.Fatalf("entity %+v", e)
		}
		if c := e.Field("consumer"); c.Reference != "consumers" || !c.Required || c.OnDelete != "cascade" {
			t.Fatalf("consumer field %+v", c)
		}
	})
}

func TestKeyLookup(t *testing.T) {
	cases := []struct {
		name    string
		config  schema.Doc
		req     plugintest.Request
		want    string // consumer username, "" for a 401
		wantMsg string
	}{
		{"key in the default header", schema.Doc{}, plugintest.Request{Headers: hdr("apikey", "alice-key")}, "alice", ""},
		{"header name is case-insensitive", schema.Doc{}, plugintest.Request{Headers: hdr("ApiKey", "alice-key")}, "alice", ""},
		{"key in the query", schema.Doc{}, plugintest.Request{URI: "/?apikey=alice-key"}, "alice", ""},
		{"header wins over query", schema.Doc{}, plugintest.Request{URI: "/?apikey=bob-key", Headers: hdr("apikey", "alice-key")}, "alice", ""},
		{"invalid header is not rescued by a valid query", schema.Doc{}, plugintest.Request{URI: "/?apikey=alice-key", Headers: hdr("apikey", "nope")}, "", "Unauthorized"},
		{"no key", schema.Doc{}, plugintest.Request{}, "", "No API key found in request"},
		{"empty header value", schema.Doc{}, plugintest.Request{Headers: hdr("apikey", "")}, "", "No API key found in request"},
		{"empty query value", schema.Doc{}, plugintest.Request{URI: "/?apikey="}, "", "No API key found in request"},
		{"invalid key", schema.Doc{}, plugintest.Request{Headers: hdr("apikey", "nope")}, "", "Unauthorized"},
		{"key sent twice in headers", schema.Doc{}, plugintest.Request{Headers: hdr("apikey", "alice-key", "apikey", "alice-key")}, "", "Duplicate API key found"},
		{"key sent twice in the query", schema.Doc{}, plugintest.Request{URI: "/?apikey=alice-key&apikey=bob-key"}, "", "Duplicate API key found"},
		{"key names tried in order", schema.Doc{"key_names": []string{"first", "second"}},
			plugintest.Request{Headers: hdr("second", "bob-key")}, "bob", ""},
		{"first key name found wins", schema.Doc{"key_names": []string{"first", "second"}},
			plugintest.Request{Headers: hdr("second", "bob-key", "first", "alice-key")}, "alice", ""},
		{"duplicate under a later name fails", schema.Doc{"key_names": []string{"first", "second"}},
			plugintest.Request{URI: "/?second=a&second=b"}, "", "Duplicate API key found"},
		{"underscore key name matches a hyphenated header", schema.Doc{"key_names": []string{"api_key"}},
			plugintest.Request{Headers: hdr("Api-Key", "alice-key")}, "alice", ""},
		{"key_in_header=false ignores headers", schema.Doc{"key_in_header": false}, plugintest.Request{Headers: hdr("apikey", "alice-key")}, "", "No API key found in request"},
		{"key_in_header=false still reads the query", schema.Doc{"key_in_header": false}, plugintest.Request{URI: "/?apikey=bob-key", Headers: hdr("apikey", "alice-key")}, "bob", ""},
		{"key_in_query=false ignores the query", schema.Doc{"key_in_query": false}, plugintest.Request{URI: "/?apikey=alice-key"}, "", "No API key found in request"},
		{"body is not read by default", schema.Doc{}, plugintest.Request{Method: "POST", Headers: hdr("Content-Type", "application/x-www-form-urlencoded"), Body: []byte("apikey=alice-key")}, "", "No API key found in request"},
		{"form body", schema.Doc{"key_in_body": true}, plugintest.Request{Method: "POST", Headers: hdr("Content-Type", "application/x-www-form-urlencoded"), Body: []byte("a=1&apikey=alice-key")}, "alice", ""},
		{"form body, encoded value", schema.Doc{"key_in_body": true, "key_names": []string{"k"}}, plugintest.Request{Method: "POST", Headers: hdr("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"), Body: []byte("k=bob%2Dkey")}, "bob", ""},
		{"form body, duplicate", schema.Doc{"key_in_body": true}, plugintest.Request{Method: "POST", Headers: hdr("Content-Type", "application/x-www-form-urlencoded"), Body: []byte("apikey=alice-key&apikey=x")}, "", "Duplicate API key found"},
		{"json body", schema.Doc{"key_in_body": true}, plugintest.Request{Method: "POST", Headers: hdr("Content-Type", "application/json"), Body: []byte(`{"apikey":"bob-key","n":1}`)}, "bob", ""},
		{"json array value is a duplicate", schema.Doc{"key_in_body": true}, plugintest.Request{Method: "POST", Headers: hdr("Content-Type", "application/json"), Body: []byte(`{"apikey":["bob-key"]}`)}, "", "Duplicate API key found"},
		{"json number value is no key", schema.Doc{"key_in_body": true}, plugintest.Request{Method: "POST", Headers: hdr("Content-Type", "application/json"), Body: []byte(`{"apikey":12}`)}, "", "No API key found in request"},
		{"invalid json is no key", schema.Doc{"key_in_body": true}, plugintest.Request{Method: "POST", Headers: hdr("Content-Type", "application/json"), Body: []byte(`{"apikey":`)}, "", "No API key found in request"},
		{"multipart body", schema.Doc{"key_in_body": true}, multipartRequest(t, "apikey", "alice-key"), "alice", ""},
		{"multipart duplicate", schema.Doc{"key_in_body": true}, multipartRequest(t, "apikey", "alice-key", "apikey", "bob-key"), "", "Duplicate API key found"},
		{"header wins over body", schema.Doc{"key_in_body": true}, plugintest.Request{Method: "POST", Headers: hdr("apikey", "alice-key", "Content-Type", "application/json"), Body: []byte(`{"apikey":"bob-key"}`)}, "alice", ""},
		{"body without content type is ignored", schema.Doc{"key_in_body": true}, plugintest.Request{Method: "POST", Body: []byte(`apikey=alice-key`)}, "", "No API key found in request"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.config)
			res := f.h.Do(tc.req, plugintest.Upstream{})
			if tc.want == "" {
				assertUnauthorized(t, res, tc.wantMsg, "Key")
				return
			}
			switch tc.want {
			case "alice":
				assertConsumer(t, res, f.alice, f.cred)
			case "bob":
				assertConsumer(t, res, f.bob, f.bobCred)
			}
		})
	}
}

func multipartRequest(t *testing.T, kv ...string) plugintest.Request {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for i := 0; i+1 < len(kv); i += 2 {
		if err := w.WriteField(kv[i], kv[i+1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return plugintest.Request{Method: "POST", Headers: hdr("Content-Type", w.FormDataContentType()), Body: buf.Bytes()}
}

func TestRealmInWWWAuthenticate(t *testing.T) {
	f := newFixture(t, schema.Doc{"realm": "kong"})
	assertUnauthorized(t, f.h.Do(plugintest.Request{}, plugintest.Upstream{}), "No API key found in request", `Key realm="kong"`)
	assertUnauthorized(t, f.h.Do(plugintest.Request{Headers: hdr("apikey", "x")}, plugintest.Upstream{}), "Unauthorized", `Key realm="kong"`)
	assertUnauthorized(t, f.h.Do(plugintest.Request{URI: "/?apikey=a&apikey=b"}, plugintest.Upstream{}), "Duplicate API key found", `Key realm="kong"`)
}

func TestHideCredentials(t *testing.T) {
	cases := []struct {
		name     string
		config   schema.Doc
		req      plugintest.Request
		wantURI  string
		wantBody string
	}{
		{"header removed", schema.Doc{"hide_credentials": true}, plugintest.Request{URI: "/p?x=1", Headers: hdr("apikey", "alice-key")}, "/p?x=1", ""},
		{"query argument removed, others kept in order", schema.Doc{"hide_credentials": true}, plugintest.Request{URI: "/p?b=2&apikey=alice-key&a=1"}, "/p?b=2&a=1", ""},
		{"only query argument removed", schema.Doc{"hide_credentials": true}, plugintest.Request{URI: "/p?apikey=alice-key"}, "/p", ""},
		{"form field removed", schema.Doc{"hide_credentials": true, "key_in_body": true},
			plugintest.Request{Method: "POST", URI: "/p", Headers: hdr("Content-Type", "application/x-www-form-urlencoded"), Body: []byte("a=1&apikey=alice-key&b=%20")}, "/p", "a=1&b=%20"},
		{"json field removed", schema.Doc{"hide_credentials": true, "key_in_body": true},
			plugintest.Request{Method: "POST", URI: "/p", Headers: hdr("Content-Type", "application/json"), Body: []byte(`{"apikey":"alice-key","n":1.50,"s":"<&>"}`)}, "/p", `{"n":1.50,"s":"<&>"}`},
		{"header key also clears the body field", schema.Doc{"hide_credentials": true, "key_in_body": true},
			plugintest.Request{Method: "POST", URI: "/p", Headers: hdr("apikey", "alice-key", "Content-Type", "application/json"), Body: []byte(`{"apikey":"other"}`)}, "/p", `{}`},
		{"not hidden by default", schema.Doc{}, plugintest.Request{URI: "/p?apikey=alice-key", Headers: hdr("apikey", "alice-key")}, "/p?apikey=alice-key", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, tc.config)
			res := f.h.Do(tc.req, plugintest.Upstream{})
			assertConsumer(t, res, f.alice, f.cred)
			hidden := tc.config["hide_credentials"] == true
			if _, ok := res.Upstream.Headers["Apikey"]; ok == hidden {
				t.Errorf("apikey header sent upstream: %v (hide_credentials=%v)", ok, hidden)
			}
			if res.Upstream.URI != tc.wantURI {
				t.Errorf("upstream URI = %q, want %q", res.Upstream.URI, tc.wantURI)
			}
			if tc.wantBody != "" && string(res.Upstream.Body) != tc.wantBody {
				t.Errorf("upstream body = %s, want %s", res.Upstream.Body, tc.wantBody)
			}
		})
	}
	t.Run("multipart part removed", func(t *testing.T) {
		f := newFixture(t, schema.Doc{"hide_credentials": true, "key_in_body": true})
		req := multipartRequest(t, "a", "1", "apikey", "alice-key", "b", "2")
		res := f.h.Do(req, plugintest.Upstream{})
		assertConsumer(t, res, f.alice, f.cred)
		r, err := http.NewRequest("POST", "/", bytes.NewReader(res.Upstream.Body))
		if err != nil {
			t.Fatal(err)
		}
		r.Header.Set("Content-Type", res.Upstream.Headers.Get("Content-Type"))
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			t.Fatalf("upstream body is not valid multipart: %v\n%s", err, res.Upstream.Body)
		}
		if _, ok := r.MultipartForm.Value["apikey"]; ok || r.FormValue("a") != "1" || r.FormValue("b") != "2" {
			t.Fatalf("upstream form = %v", r.MultipartForm.Value)
		}
	})
	t.Run("key removed even when it is invalid and anonymous takes over", func(t *testing.T) {
		f := newFixture(t, nil)
		f.h.Plugin(schema.Doc{"name": "key-auth", "config": schema.Doc{"hide_credentials": true, "anonymous": f.anon["id"]}})
		res := f.h.Do(plugintest.Request{URI: "/?apikey=wrong", Headers: hdr("apikey", "wrong")}, plugintest.Upstream{})
		assertConsumer(t, res, f.anon, nil)
		if res.Upstream.URI != "/" || res.Upstream.Headers.Get("apikey") != "" {
			t.Fatalf("key leaked upstream: %s %v", res.Upstream.URI, res.Upstream.Headers)
		}
	})
}

func TestPreflight(t *testing.T) {
	t.Run("OPTIONS authenticated by default", func(t *testing.T) {
		f := newFixture(t, schema.Doc{})
		assertUnauthorized(t, f.h.Do(plugintest.Request{Method: "OPTIONS"}, plugintest.Upstream{}), "No API key found in request", "Key")
	})
	t.Run("run_on_preflight=false lets OPTIONS through", func(t *testing.T) {
		f := newFixture(t, schema.Doc{"run_on_preflight": false})
		res := f.h.Do(plugintest.Request{Method: "OPTIONS"}, plugintest.Upstream{})
		if res.Status != 200 || res.Upstream == nil || res.Consumer != nil {
			t.Fatalf("status %d consumer %+v", res.Status, res.Consumer)
		}
		assertUnauthorized(t, f.h.Do(plugintest.Request{Method: "GET"}, plugintest.Upstream{}), "No API key found in request", "Key")
	})
}

func TestCredentialTTL(t *testing.T) {
	f := newFixture(t, schema.Doc{})
	now := time.Unix(1_700_000_000, 0)
	f.h.Host.Now = func() time.Time { return now }
	cred := f.h.AddStored(keyauth.EntityName, schema.Doc{"key": "temp-key", "consumer": plugintest.Ref(f.bob["id"]),
		"_expires_at": float64(now.Unix() + 10)})
	res := f.h.Do(plugintest.Request{Headers: hdr("apikey", "temp-key")}, plugintest.Upstream{})
	assertConsumer(t, res, f.bob, cred)
	if res.Credential.ExpiresAt != now.Unix()+10 {
		t.Errorf("ExpiresAt = %d", res.Credential.ExpiresAt)
	}
	now = now.Add(10 * time.Second)
	assertUnauthorized(t, f.h.Do(plugintest.Request{Headers: hdr("apikey", "temp-key")}, plugintest.Upstream{}), "Unauthorized", "Key")
	// Credentials without ttl never expire.
	assertConsumer(t, f.h.Do(plugintest.Request{Headers: hdr("apikey", "bob-key")}, plugintest.Upstream{}), f.bob, f.bobCred)
}

func TestAnonymous(t *testing.T) {
	t.Run("by id", func(t *testing.T) {
		f := newFixture(t, nil)
		f.h.Plugin(schema.Doc{"name": "key-auth", "config": schema.Doc{"anonymous": f.anon["id"]}})
		res := f.h.Do(plugintest.Request{}, plugintest.Upstream{})
		assertConsumer(t, res, f.anon, nil)
		if res.Headers.Get("WWW-Authenticate") != "" {
			t.Errorf("WWW-Authenticate on an anonymous pass")
		}
	})
	t.Run("by username", func(t *testing.T) {
		f := newFixture(t, nil)
		f.h.Plugin(schema.Doc{"name": "key-auth", "config": schema.Doc{"anonymous": "anonymous-user"}})
		assertConsumer(t, f.h.Do(plugintest.Request{Headers: hdr("apikey", "wrong")}, plugintest.Upstream{}), f.anon, nil)
	})
	t.Run("duplicate key falls back to anonymous", func(t *testing.T) {
		f := newFixture(t, nil)
		f.h.Plugin(schema.Doc{"name": "key-auth", "config": schema.Doc{"anonymous": "anonymous-user"}})
		assertConsumer(t, f.h.Do(plugintest.Request{URI: "/?apikey=a&apikey=b"}, plugintest.Upstream{}), f.anon, nil)
	})
	t.Run("valid key still authenticates", func(t *testing.T) {
		f := newFixture(t, nil)
		f.h.Plugin(schema.Doc{"name": "key-auth", "config": schema.Doc{"anonymous": f.anon["id"]}})
		assertConsumer(t, f.h.Do(plugintest.Request{Headers: hdr("apikey", "alice-key")}, plugintest.Upstream{}), f.alice, f.cred)
	})
	t.Run("missing anonymous consumer is a 500", func(t *testing.T) {
		f := newFixture(t, nil)
		f.h.Plugin(schema.Doc{"name": "key-auth", "config": schema.Doc{"anonymous": "ghost"}})
		res := f.h.Do(plugintest.Request{}, plugintest.Upstream{})
		if res.Status != 500 || string(res.Body) != `{"message":"An unexpected error occurred"}` || res.Upstream != nil {
			t.Fatalf("status %d body %s", res.Status, res.Body)
		}
		// A valid key does not need the anonymous consumer.
		assertConsumer(t, f.h.Do(plugintest.Request{Headers: hdr("apikey", "alice-key")}, plugintest.Upstream{}), f.alice, f.cred)
	})
}

func TestIdentityHeadersOverwriteSpoofedOnes(t *testing.T) {
	spoofed := hdr("X-Consumer-ID", "evil", "X-Consumer-Username", "evil", "X-Consumer-Custom-ID", "evil",
		"X-Credential-Identifier", "evil", "X-Anonymous-Consumer", "true")
	t.Run("authenticated", func(t *testing.T) {
		f := newFixture(t, schema.Doc{})
		res := f.h.Do(plugintest.Request{Headers: append(hdr("apikey", "bob-key"), spoofed...)}, plugintest.Upstream{})
		assertConsumer(t, res, f.bob, f.bobCred)
		for _, name := range []string{"X-Consumer-ID", "X-Consumer-Username", "X-Credential-Identifier"} {
			if vals := res.Upstream.Headers.Values(name); len(vals) != 1 || vals[0] == "evil" {
				t.Errorf("%s = %v", name, vals)
			}
		}
	})
	t.Run("anonymous", func(t *testing.T) {
		f := newFixture(t, schema.Doc{"anonymous": "anonymous-user"})
		res := f.h.Do(plugintest.Request{Headers: spoofed}, plugintest.Upstream{})
		assertConsumer(t, res, f.anon, nil)
		if vals := res.Upstream.Headers.Values("X-Anonymous-Consumer"); len(vals) != 1 {
			t.Errorf("X-Anonymous-Consumer = %v", vals)
		}
	})
}

// preAuth authenticates the consumer named in X-Pre-Auth before key-auth
// runs (priority 1300 > 1250), standing in for a higher-priority auth
// plugin such as jwt.
type preAuth struct{}

func (preAuth) Access(c *plugin.Context) {
	if name := c.Header("X-Pre-Auth"); len(name) > 0 {
		if cons := c.LoadConsumer(string(name)); cons != nil {
			c.Authenticate(cons, &plugin.Credential{ID: "pre-" + cons.ID, ConsumerID: cons.ID, Identifier: "pre"})
		}
	}
}

func init() {
	plugin.Register(plugin.Spec{Name: "test-pre-auth", Priority: 1300,
		New: func(*plugin.Env) (any, error) { return preAuth{}, nil }})
}

func TestLogicalOR(t *testing.T) {
	t.Run("with anonymous, an earlier credential skips key-auth", func(t *testing.T) {
		f := newFixture(t, schema.Doc{"anonymous": "anonymous-user"})
		f.h.Plugin(schema.Doc{"name": "test-pre-auth"})
		res := f.h.Do(plugintest.Request{Headers: hdr("X-Pre-Auth", "bob", "apikey", "alice-key")}, plugintest.Upstream{})
		if res.Status != 200 || res.Consumer == nil || res.Consumer.ID != f.bob["id"] || res.Upstream.Headers.Get("X-Credential-Identifier") != "pre" {
			t.Fatalf("status %d consumer %+v headers %v", res.Status, res.Consumer, res.Upstream.Headers)
		}
	})
	t.Run("without anonymous, key-auth must pass too (logical AND)", func(t *testing.T) {
		f := newFixture(t, schema.Doc{})
		f.h.Plugin(schema.Doc{"name": "test-pre-auth"})
		assertUnauthorized(t, f.h.Do(plugintest.Request{Headers: hdr("X-Pre-Auth", "bob")}, plugintest.Upstream{}), "No API key found in request", "Key")
		// Both succeed: key-auth's consumer is the last one set.
		assertConsumer(t, f.h.Do(plugintest.Request{Headers: hdr("X-Pre-Auth", "bob", "apikey", "alice-key")}, plugintest.Upstream{}), f.alice, f.cred)
	})
}

package hmacauth_test

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin/plugintest"
	hmacauth "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/hmac-auth"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// "test-pre-auth" (priority 2000, before hmac-auth) authenticates the
// consumer named in X-Pre-User, to exercise the logical OR.
func init() {
	plugin.Register(plugin.Spec{
		Name: "test-pre-auth", Priority: 2000,
		New: func(env *plugin.Env) (any, error) { return preAuth{}, nil },
	})
}

type preAuth struct{}

func (preAuth) Access(c *plugin.Context) {
	if u := c.Header("X-Pre-User"); len(u) > 0 {
		if cons := c.LoadConsumer(string(u)); cons != nil {
			c.Authenticate(cons, &plugin.Credential{ID: "pre", ConsumerID: cons.ID, Identifier: "pre"})
		}
	}
}

// ---- signature generator ----------------------------------------------------

const secret = "bob-secret"

var (
	pinned = time.Unix(1700000000, 0)
	date   = pinned.UTC().Format(http.TimeFormat)
)

var hashes = map[string]func() hash.Hash{
	"hmac-sha1": sha1.New, "hmac-sha256": sha256.New, "hmac-sha384": sha512.New384, "hmac-sha512": sha512.New,
}

// signature is base64(HMAC(secret, signing string)).
func signature(alg, key, signing string) string {
	m := hmac.New(hashes[alg], []byte(key))
	m.Write([]byte(signing))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func authorization(user, alg, headers, sig string) string {
	return fmt.Sprintf(`hmac username="%s", algorithm="%s", headers="%s", signature="%s"`, user, alg, headers, sig)
}

// signedDate is the Authorization value signing just the Date header.
func signedDate(alg string) string {
	return authorization("bob", alg, "date", signature(alg, secret, "date: "+date))
}

// ---- harness ------------------------------------------------------------------

type fixture struct {
	h    *plugintest.Harness
	bob  schema.Doc
	anon schema.Doc
}

func setup(t *testing.T, config schema.Doc) *fixture {
	t.Helper()
	h := plugintest.New(t)
	h.Host.Now = func() time.Time { return pinned }
	f := &fixture{h: h, bob: h.Consumer("bob"), anon: h.Consumer("anonymous")}
	h.Add(hmacauth.EntityName, schema.Doc{"consumer": plugintest.Ref(f.bob["id"]), "username": "bob", "secret": secret})
	if config == nil {
		config = schema.Doc{}
	}
	h.Plugin(schema.Doc{"name": "hmac-auth", "config": config})
	return f
}

func (f *fixture) do(req plugintest.Request) plugintest.Result {
	return f.h.Do(req, plugintest.Upstream{})
}

func assertRejected(t *testing.T, res plugintest.Result, msg, www string) {
	t.Helper()
	body := `{"message":"` + msg + `"}`
	if res.Status != 401 || string(res.Body) != body {
		t.Fatalf("got %d %s, want 401 %s", res.Status, res.Body, body)
	}
	if got := res.Headers.Get("WWW-Authenticate"); got != www {
		t.Fatalf("WWW-Authenticate = %q, want %q", got, www)
	}
	if res.Upstream != nil {
		t.Fatal("upstream was called")
	}
}

func assertAuthenticated(t *testing.T, res plugintest.Result, consumer schema.Doc) {
	t.Helper()
	if res.Status != 200 || res.Upstream == nil {
		t.Fatalf("status %d body %s", res.Status, res.Body)
	}
	up := res.Upstream.Headers
	if up.Get("X-Consumer-ID") != consumer["id"] || up.Get("X-Consumer-Username") != consumer["username"] ||
		up.Get("X-Credential-Identifier") != "bob" || up.Get("X-Anonymous-Consumer") != "" {
		t.Fatalf("upstream identity headers: %v", up)
	}
	if res.Credential == nil || res.Credential.Identifier != "bob" {
		t.Fatalf("credential = %+v", res.Credential)
	}
}

// ---- credential entity ----------------------------------------------------------

func TestCredentialEntity(t *testing.T) {
	h := plugintest.New(t)
	c := h.Consumer("bob")
	doc, errs := h.Prepare(hmacauth.EntityName, schema.Doc{"consumer": plugintest.Ref(c["id"]), "username": "bob"})
	if len(errs) > 0 {
		t.Fatal(errs.Message())
	}
	s, _ := doc["secret"].(string)
	if len(s) != 32 || strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") != "" {
		t.Fatalf("generated secret %q", s)
	}
	doc2, _ := h.Prepare(hmacauth.EntityName, schema.Doc{"consumer": plugintest.Ref(c["id"]), "username": "bob2"})
	if doc2["secret"] == s {
		t.Fatal("two generated secrets are equal")
	}
	kept, _ := h.Prepare(hmacauth.EntityName, schema.Doc{"consumer": plugintest.Ref(c["id"]), "username": "bob", "secret": "given"})
	if kept["secret"] != "given" {
		t.Fatalf("given secret replaced: %v", kept["secret"])
	}
	for input, want := range map[string]schema.Doc{
		"schema violation (username: required field missing)": {"consumer": plugintest.Ref(c["id"])},
		"schema violation (consumer: required field missing)": {"username": "x"},
	} {
		if _, errs := h.Prepare(hmacauth.EntityName, want); errs.Message() != input {
			t.Errorf("got %q, want %q", errs.Message(), input)
		}
	}
	e := h.Registry().Get(hmacauth.EntityName)
	if e.Admin() != "hmac-auths" || e.Nested() != "hmac-auth" || e.EndpointKey != "username" {
		t.Fatalf("admin names %s %s %s", e.Admin(), e.Nested(), e.EndpointKey)
	}
}

// ---- config -------------------------------------------------------------------

func TestConfigDefaults(t *testing.T) {
	h := plugintest.New(t)
	doc := h.Plugin(schema.Doc{"name": "hmac-auth", "config": schema.Doc{}})
	got, _ := json.Marshal(doc["config"])
	want := `{"algorithms":["hmac-sha1","hmac-sha256","hmac-sha384","hmac-sha512"],"anonymous":null,"clock_skew":300,` +
		`"enforce_headers":[],"hide_credentials":false,"realm":null,"validate_request_body":false}`
	if string(got) != want {
		t.Fatalf("config\n got %s\nwant %s", got, want)
	}
}

func TestConfigValidation(t *testing.T) {
	h := plugintest.New(t)
	c := h.Consumer("x")
	cases := []struct {
		name string
		doc  schema.Doc
		want string
	}{
		{"clock_skew must be positive", schema.Doc{"name": "hmac-auth", "config": schema.Doc{"clock_skew": 0}},
			"schema violation (config.clock_skew: value must be greater than 0)"},
		{"consumer scope is forbidden", schema.Doc{"name": "hmac-auth", "consumer": plugintest.Ref(c["id"]), "config": schema.Doc{}},
			"schema violation (consumer: value must be null)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := h.PluginError(tc.doc); got != tc.want {
				t.Fatalf("got %q\nwant %q", got, tc.want)
			}
		})
	}
	got := h.PluginError(schema.Doc{"name": "hmac-auth", "config": schema.Doc{"algorithms": []string{"hmac-md5"}}})
	if !strings.Contains(got, "expected one of: hmac-sha1, hmac-sha256, hmac-sha384, hmac-sha512") {
		t.Fatalf("algorithms: %q", got)
	}
}

// ---- algorithms and signing strings ---------------------------------------------

func TestEveryAlgorithmAuthenticates(t *testing.T) {
	f := setup(t, nil)
	for _, alg := range hmacauth.Algorithms {
		t.Run(alg, func(t *testing.T) {
			res := f.do(plugintest.Request{Headers: [][2]string{{"Date", date}, {"Authorization", signedDate(alg)}}})
			assertAuthenticated(t, res, f.bob)
			// Signed with another secret.
			bad := authorization("bob", alg, "date", signature(alg, "other", "date: "+date))
			assertRejected(t, f.do(plugintest.Request{Headers: [][2]string{{"Date", date}, {"Authorization", bad}}}),
				"HMAC signature does not match", "hmac")
		})
	}
}

func TestSigningStrings(t *testing.T) {
	f := setup(t, nil)
	cases := []struct {
		name    string
		method  string
		uri     string
		extra   [][2]string
		headers string
		signing string
	}{
		{"request-line with query", "GET", "/path?a=1&b=2", nil, "date request-line",
			"date: " + date + "\nGET /path?a=1&b=2 HTTP/1.1"},
		{"request-line with the normalized path (deprecated form)", "GET", "/path?a=1", nil, "request-line",
			"GET /path HTTP/1.1"},
		{"@request-target lowercases the method", "POST", "/p?q=1", nil, "@request-target date",
			"@request-target: post /p?q=1\ndate: " + date},
		{"several headers in listed order and case", "GET", "/", [][2]string{{"X-Custom", "v1"}, {"Content-MD5", "abc"}},
			"X-Custom date content-md5", "X-Custom: v1\ndate: " + date + "\ncontent-md5: abc"},
		{"an absent header signs as its name and a colon", "GET", "/", nil, "date x-missing",
			"date: " + date + "\nx-missing:"},
		{"a double space signs an empty name", "GET", "/", nil, "date  date", "date: " + date + "\n:\ndate: " + date},
		{"x-date instead of date", "GET", "/", [][2]string{{"X-Date", date}}, "x-date", "x-date: " + date},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			hdrs := append([][2]string{{"Date", date}}, tc.extra...)
			hdrs = append(hdrs, [2]string{"Authorization", authorization("bob", "hmac-sha256", tc.headers, signature("hmac-sha256", secret, tc.signing))})
			assertAuthenticated(t, f.do(plugintest.Request{Method: tc.method, URI: tc.uri, Headers: hdrs}), f.bob)
		})
	}
	// The request line must be the one received.
	hdrs := [][2]string{{"Date", date}, {"Authorization", authorization("bob", "hmac-sha256", "request-line",
		signature("hmac-sha256", secret, "GET /other HTTP/1.1"))}}
	assertRejected(t, f.do(plugintest.Request{URI: "/path", Headers: hdrs}), "HMAC signature does not match", "hmac")
}

// ---- rejections -------------------------------------------------------------------

func TestRejectionMessages(t *testing.T) {
	f := setup(t, schema.Doc{"algorithms": []string{"hmac-sha256", "hmac-sha512"}, "enforce_headers": []string{"date"}})
	old := pinned.Add(-301 * time.Second).UTC().Format(http.TimeFormat)
	valid := signedDate("hmac-sha256")
	cases := []struct {
		name string
		hdrs [][2]string
		msg  string
	}{
		{"no authorization header", [][2]string{{"Date", date}}, "Unauthorized"},
		{"no date", [][2]string{{"Authorization", valid}},
			"HMAC signature cannot be verified, a valid date or x-date header is required for HMAC Authentication"},
		{"unparsable date", [][2]string{{"Date", "yesterday"}, {"Authorization", valid}},
			"HMAC signature cannot be verified, a valid date or x-date header is required for HMAC Authentication"},
		{"date outside clock skew", [][2]string{{"Date", old}, {"Authorization", valid}},
			"HMAC signature cannot be verified, a valid date or x-date header is required for HMAC Authentication"},
		{"future date outside clock skew", [][2]string{{"Date", pinned.Add(301 * time.Second).UTC().Format(http.TimeFormat)}, {"Authorization", valid}},
			"HMAC signature cannot be verified, a valid date or x-date header is required for HMAC Authentication"},
		{"other scheme", [][2]string{{"Date", date}, {"Authorization", "Basic dXNlcjpwYXNz"}}, "HMAC signature cannot be verified"},
		{"algorithm not allowed", [][2]string{{"Date", date}, {"Authorization", signedDate("hmac-sha1")}}, "HMAC signature cannot be verified"},
		{"unknown algorithm", [][2]string{{"Date", date}, {"Authorization", authorization("bob", "hmac-md5", "date", "x")}}, "HMAC signature cannot be verified"},
		{"enforced header not signed", [][2]string{{"Date", date}, {"X-Date", date},
			{"Authorization", authorization("bob", "hmac-sha256", "x-date", signature("hmac-sha256", secret, "x-date: "+date))}},
			"HMAC signature cannot be verified"},
		{"unknown username", [][2]string{{"Date", date}, {"Authorization", authorization("carol", "hmac-sha256", "date",
			signature("hmac-sha256", secret, "date: "+date))}}, "HMAC signature cannot be verified"},
		{"wrong signature", [][2]string{{"Date", date}, {"Authorization", authorization("bob", "hmac-sha256", "date",
			signature("hmac-sha256", secret, "date: other"))}}, "HMAC signature does not match"},
		{"signature not base64", [][2]string{{"Date", date}, {"Authorization", authorization("bob", "hmac-sha256", "date", "!!!")}},
			"HMAC signature does not match"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assertRejected(t, f.do(plugintest.Request{Headers: tc.hdrs}), tc.msg, "hmac")
		})
	}
	// Within the skew, either header works.
	for _, d := range []string{"Date", "X-Date"} {
		skewed := pinned.Add(-299 * time.Second).UTC().Format(http.TimeFormat)
		auth := authorization("bob", "hmac-sha256", "date", signature("hmac-sha256", secret, "date: "+date))
		hdrs := [][2]string{{"Authorization", auth}}
		if d == "Date" {
			hdrs = append(hdrs, [2]string{"Date", date})
		} else {
			hdrs = append(hdrs, [2]string{"X-Date", skewed}, [2]string{"Date", "garbage"})
		}
		res := f.do(plugintest.Request{Headers: hdrs})
		if d == "Date" {
			assertAuthenticated(t, res, f.bob)
		} else if res.Status != 401 || !strings.Contains(string(res.Body), "does not match") {
			// X-Date passes the skew check; the signature (over a Date of
			// "garbage") then fails.
			t.Fatalf("X-Date within skew: %d %s", res.Status, res.Body)
		}
	}
}

func TestRealmInChallenge(t *testing.T) {
	f := setup(t, schema.Doc{"realm": "kong"})
	assertRejected(t, f.do(plugintest.Request{}), "Unauthorized", `hmac realm="kong"`)
}

// ---- header sources and hide_credentials --------------------------------------------

func TestProxyAuthorizationFirst(t *testing.T) {
	f := setup(t, nil)
	res := f.do(plugintest.Request{Headers: [][2]string{{"Date", date}, {"Proxy-Authorization", signedDate("hmac-sha256")},
		{"Authorization", "Bearer other"}}})
	assertAuthenticated(t, res, f.bob)
	if res.Upstream.Headers.Get("Authorization") != "Bearer other" || res.Upstream.Headers.Get("Proxy-Authorization") == "" {
		t.Fatalf("headers changed without hide_credentials: %v", res.Upstream.Headers)
	}
	// Proxy-Authorization not hmac: Authorization is used.
	res = f.do(plugintest.Request{Headers: [][2]string{{"Date", date}, {"Proxy-Authorization", "Basic x"}, {"Authorization", signedDate("hmac-sha256")}}})
	assertAuthenticated(t, res, f.bob)
}

func TestHideCredentials(t *testing.T) {
	f := setup(t, schema.Doc{"hide_credentials": true})
	res := f.do(plugintest.Request{Headers: [][2]string{{"Date", date}, {"Authorization", signedDate("hmac-sha256")}}})
	assertAuthenticated(t, res, f.bob)
	if v := res.Upstream.Headers.Get("Authorization"); v != "" {
		t.Fatalf("Authorization forwarded: %q", v)
	}
	res = f.do(plugintest.Request{Headers: [][2]string{{"Date", date}, {"Proxy-Authorization", signedDate("hmac-sha256")}, {"Authorization", "Bearer keep"}}})
	assertAuthenticated(t, res, f.bob)
	if res.Upstream.Headers.Get("Proxy-Authorization") != "" || res.Upstream.Headers.Get("Authorization") != "Bearer keep" {
		t.Fatalf("upstream headers %v", res.Upstream.Headers)
	}
}

// ---- body digest -------------------------------------------------------------------

func TestValidateRequestBody(t *testing.T) {
	f := setup(t, schema.Doc{"validate_request_body": true})
	body := []byte(`{"a":1}`)
	sum := sha256.Sum256(body)
	digest := "SHA-256=" + base64.StdEncoding.EncodeToString(sum[:])
	auth := authorization("bob", "hmac-sha256", "date digest", signature("hmac-sha256", secret, "date: "+date+"\ndigest: "+digest))
	res := f.do(plugintest.Request{Method: "POST", Body: body, Headers: [][2]string{{"Date", date}, {"Digest", digest}, {"Authorization", auth}}})
	assertAuthenticated(t, res, f.bob)

	wrong := "SHA-256=" + base64.StdEncoding.EncodeToString(make([]byte, 32))
	auth = authorization("bob", "hmac-sha256", "date digest", signature("hmac-sha256", secret, "date: "+date+"\ndigest: "+wrong))
	res = f.do(plugintest.Request{Method: "POST", Body: body, Headers: [][2]string{{"Date", date}, {"Digest", wrong}, {"Authorization", auth}}})
	assertRejected(t, res, "HMAC signature does not match", "hmac")

	res = f.do(plugintest.Request{Method: "POST", Body: body, Headers: [][2]string{{"Date", date}, {"Authorization", signedDate("hmac-sha256")}}})
	assertRejected(t, res, "HMAC signature does not match", "hmac")

	res = f.do(plugintest.Request{Headers: [][2]string{{"Date", date}, {"Authorization", signedDate("hmac-sha256")}}})
	assertAuthenticated(t, res, f.bob)
}

func TestBodyIgnoredWithoutValidation(t *testing.T) {
	f := setup(t, nil)
	res := f.do(plugintest.Request{Method: "POST", Body: []byte("x"), Headers: [][2]string{{"Date", date}, {"Digest", "SHA-256=bogus"},
		{"Authorization", signedDate("hmac-sha256")}}})
	assertAuthenticated(t, res, f.bob)
}

// ---- anonymous ----------------------------------------------------------------------

func TestAnonymous(t *testing.T) {
	for _, by := range []string{"id", "username"} {
		t.Run("by "+by, func(t *testing.T) {
			h := plugintest.New(t)
			h.Host.Now = func() time.Time { return pinned }
			bob := h.Consumer("bob")
			anon := h.Consumer("anonymous")
			h.Add(hmacauth.EntityName, schema.Doc{"consumer": plugintest.Ref(bob["id"]), "username": "bob", "secret": secret})
			h.Plugin(schema.Doc{"name": "hmac-auth", "config": schema.Doc{"anonymous": anon[by]}})
			for name, hdrs := range map[string][][2]string{
				"no credentials": nil,
				"no date":        {{"Authorization", signedDate("hmac-sha256")}},
				"bad signature":  {{"Date", date}, {"Authorization", authorization("bob", "hmac-sha256", "date", "AAAA")}},
			} {
				res := h.Do(plugintest.Request{Headers: hdrs}, plugintest.Upstream{})
				if res.Status != 200 || res.Upstream == nil {
					t.Fatalf("%s: %d %s", name, res.Status, res.Body)
				}
				up := res.Upstream.Headers
				if up.Get("X-Anonymous-Consumer") != "true" || up.Get("X-Consumer-ID") != anon["id"] ||
					up.Get("X-Consumer-Username") != "anonymous" || up.Get("X-Credential-Identifier") != "" || res.Credential != nil {
					t.Fatalf("%s: upstream headers %v", name, up)
				}
			}
			res := h.Do(plugintest.Request{Headers: [][2]string{{"Date", date}, {"Authorization", signedDate("hmac-sha256")}}}, plugintest.Upstream{})
			assertAuthenticated(t, res, bob)
		})
	}
}

func TestAnonymousConsumerMissingIs500(t *testing.T) {
	f := setup(t, schema.Doc{"anonymous": "ghost"})
	res := f.do(plugintest.Request{})
	if res.Status != 500 || string(res.Body) != `{"message":"An unexpected error occurred"}` {
		t.Fatalf("got %d %s", res.Status, res.Body)
	}
}

func TestLogicalOR(t *testing.T) {
	f := setup(t, schema.Doc{"anonymous": "anonymous"})
	f.h.Plugin(schema.Doc{"name": "test-pre-auth", "config": schema.Doc{}})
	res := f.do(plugintest.Request{Headers: [][2]string{{"X-Pre-User", "bob"}}})
	if res.Status != 200 || res.Credential == nil || res.Credential.Identifier != "pre" {
		t.Fatalf("got %d credential %+v", res.Status, res.Credential)
	}
}

func TestLogicalAND(t *testing.T) {
	f := setup(t, nil)
	f.h.Plugin(schema.Doc{"name": "test-pre-auth", "config": schema.Doc{}})
	assertRejected(t, f.do(plugintest.Request{Headers: [][2]string{{"X-Pre-User", "bob"}}}), "Unauthorized", "hmac")
}

func TestIncomingIdentityHeadersAreReplaced(t *testing.T) {
	f := setup(t, nil)
	res := f.do(plugintest.Request{Headers: [][2]string{{"Date", date}, {"Authorization", signedDate("hmac-sha1")},
		{"X-Consumer-ID", "spoofed"}, {"X-Anonymous-Consumer", "true"}, {"X-Credential-Identifier", "spoofed"}}})
	assertAuthenticated(t, res, f.bob)
}

package jwt_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"hash"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin/plugintest"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/jwt"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// Two helper plugins: "test-pre-auth" (priority 2000, before jwt)
// authenticates the consumer named in X-Pre-User, to exercise the logical
// OR; "test-token-echo" (priority 1) reports the shared token.
func init() {
	plugin.Register(plugin.Spec{
		Name: "test-pre-auth", Priority: 2000,
		New: func(env *plugin.Env) (any, error) { return preAuth{}, nil },
	})
	plugin.Register(plugin.Spec{
		Name: "test-token-echo", Priority: 1,
		New: func(env *plugin.Env) (any, error) { return tokenEcho{}, nil },
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

type tokenEcho struct{}

func (tokenEcho) Access(c *plugin.Context) {
	if t, ok := c.Get(jwt.SharedTokenKey).(string); ok {
		c.SetResponseHeader("X-Seen-Token", t)
	}
}

// ---- token generator ------------------------------------------------------

var b64 = base64.RawURLEncoding

func segment(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b64.EncodeToString(b)
}

// sign builds a JWT over header and claims with alg and the private key
// (a []byte secret for HS*).
func sign(t testing.TB, alg string, key any, header, claims map[string]any) string {
	t.Helper()
	if header == nil {
		header = map[string]any{"typ": "JWT", "alg": alg}
	}
	input := segment(header) + "." + segment(claims)
	return input + "." + b64.EncodeToString(signature(t, alg, key, []byte(input)))
}

func hashFor(alg string) (crypto.Hash, func() hash.Hash) {
	switch alg[2:] {
	case "384":
		return crypto.SHA384, sha512.New384
	case "512":
		return crypto.SHA512, sha512.New
	}
	return crypto.SHA256, sha256.New
}

func signature(t testing.TB, alg string, key any, input []byte) []byte {
	t.Helper()
	if alg == "EdDSA" {
		return ed25519.Sign(key.(ed25519.PrivateKey), input)
	}
	h, newHash := hashFor(alg)
	if alg[:2] == "HS" {
		m := hmac.New(newHash, key.([]byte))
		m.Write(input)
		return m.Sum(nil)
	}
	d := newHash()
	d.Write(input)
	digest := d.Sum(nil)
	var sig []byte
	var err error
	switch alg[:2] {
	case "RS":
		sig, err = rsa.SignPKCS1v15(rand.Reader, key.(*rsa.PrivateKey), h, digest)
	case "PS":
		sig, err = rsa.SignPSS(rand.Reader, key.(*rsa.PrivateKey), h, digest, nil)
	case "ES":
		k := key.(*ecdsa.PrivateKey)
		r, s, e := ecdsa.Sign(rand.Reader, k, digest)
		size := (k.Curve.Params().BitSize + 7) / 8
		sig = make([]byte, 2*size)
		r.FillBytes(sig[:size])
		s.FillBytes(sig[size:])
		err = e
	}
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

type keyPair struct {
	priv any
	pem  string
}

var (
	keysOnce sync.Once
	keys     map[string]keyPair // by algorithm
)

func pemOf(t testing.TB, pub any) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func testKeys(t testing.TB) map[string]keyPair {
	keysOnce.Do(func() {
		keys = map[string]keyPair{}
		rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"} {
			keys[a] = keyPair{rsaKey, pemOf(t, &rsaKey.PublicKey)}
		}
		for alg, curve := range map[string]elliptic.Curve{"ES256": elliptic.P256(), "ES384": elliptic.P384(), "ES512": elliptic.P521()} {
			k, err := ecdsa.GenerateKey(curve, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			keys[alg] = keyPair{k, pemOf(t, &k.PublicKey)}
		}
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		keys["EdDSA"] = keyPair{priv, pemOf(t, pub)}
	})
	return keys
}

// ---- harness helpers ------------------------------------------------------

const secret = "my-secret-value"

var pinned = time.Unix(1700000000, 0)

type fixture struct {
	h     *plugintest.Harness
	alice schema.Doc
	anon  schema.Doc
}

// setup creates consumers alice (jwt key "alice-key", HS256 secret) and
// anonymous, and the jwt plugin with config.
func setup(t *testing.T, config schema.Doc) *fixture {
	t.Helper()
	h := plugintest.New(t)
	h.Host.Now = func() time.Time { return pinned }
	f := &fixture{h: h, alice: h.Consumer("alice"), anon: h.Consumer("anonymous")}
	h.Add(jwt.EntityName, schema.Doc{"consumer": plugintest.Ref(f.alice["id"]), "key": "alice-key", "secret": secret})
	if config == nil {
		config = schema.Doc{}
	}
	h.Plugin(schema.Doc{"name": "jwt", "config": config})
	return f
}

func bearerHeader(tok string) [][2]string { return [][2]string{{"Authorization", "Bearer " + tok}} }

func hs256(t testing.TB, claims map[string]any) string {
	return sign(t, "HS256", []byte(secret), nil, claims)
}

func assertExit(t *testing.T, res plugintest.Result, status int, body, www string) {
	t.Helper()
	if res.Status != status || string(res.Body) != body {
		t.Fatalf("got %d %s, want %d %s", res.Status, res.Body, status, body)
	}
	if got := res.Headers.Get("WWW-Authenticate"); got != www {
		t.Fatalf("WWW-Authenticate = %q, want %q", got, www)
	}
	if res.Upstream != nil {
		t.Fatalf("upstream was called")
	}
}

func assertAuthenticated(t *testing.T, res plugintest.Result, consumer schema.Doc, identifier string) {
	t.Helper()
	if res.Status != 200 || res.Upstream == nil {
		t.Fatalf("status %d body %s", res.Status, res.Body)
	}
	up := res.Upstream.Headers
	want := http.Header{}
	want.Set("X-Consumer-ID", consumer["id"].(string))
	want.Set("X-Consumer-Username", consumer["username"].(string))
	want.Set("X-Credential-Identifier", identifier)
	for k := range want {
		if up.Get(k) != want.Get(k) {
			t.Errorf("upstream %s = %q, want %q", k, up.Get(k), want.Get(k))
		}
	}
	if up.Get("X-Anonymous-Consumer") != "" {
		t.Errorf("X-Anonymous-Consumer set on an authenticated request")
	}
	if res.Credential == nil || res.Credential.Identifier != identifier {
		t.Errorf("credential = %+v", res.Credential)
	}
}

// ---- credential entity ----------------------------------------------------

func TestSecretGeneratesKeyAndSecret(t *testing.T) {
	h := plugintest.New(t)
	c := h.Consumer("bob")
	doc, errs := h.Prepare(jwt.EntityName, schema.Doc{"consumer": plugintest.Ref(c["id"])})
	if len(errs) > 0 {
		t.Fatal(errs.Message())
	}
	for _, f := range []string{"key", "secret"} {
		s, _ := doc[f].(string)
		if len(s) != 32 || strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") != "" {
			t.Errorf("%s = %q, want 32 alphanumerics", f, s)
		}
	}
	if doc["key"] == doc["secret"] {
		t.Errorf("key and secret are equal")
	}
	if doc["algorithm"] != "HS256" {
		t.Errorf("algorithm = %v, want HS256", doc["algorithm"])
	}
	doc2, _ := h.Prepare(jwt.EntityName, schema.Doc{"consumer": plugintest.Ref(c["id"])})
	if doc2["key"] == doc["key"] {
		t.Errorf("two generated keys are equal")
	}
	kept, _ := h.Prepare(jwt.EntityName, schema.Doc{"consumer": plugintest.Ref(c["id"]), "key": "given", "secret": "s3"})
	if kept["key"] != "given" || kept["secret"] != "s3" {
		t.Errorf("given key/secret replaced: %v", kept)
	}
}

func TestSecretValidation(t *testing.T) {
	h := plugintest.New(t)
	c := h.Consumer("bob")
	ref := plugintest.Ref(c["id"])
	k := testKeys(t)
	cases := []struct {
		name string
		doc  schema.Doc
		want string
	}{
		{"consumer is required", schema.Doc{}, "schema violation (consumer: required field missing)"},
		{"unknown algorithm", schema.Doc{"consumer": ref, "algorithm": "HS1"},
			"schema violation (algorithm: expected one of: HS256, HS384, HS512, RS256, RS384, RS512, ES256, ES384, ES512, PS256, PS384, PS512, EdDSA)"},
		{"RS256 requires rsa_public_key", schema.Doc{"consumer": ref, "algorithm": "RS256"},
			"2 schema violations (failed conditional validation given value of field 'algorithm'; rsa_public_key: required field missing)"},
		{"ES384 requires rsa_public_key", schema.Doc{"consumer": ref, "algorithm": "ES384"},
			"2 schema violations (failed conditional validation given value of field 'algorithm'; rsa_public_key: required field missing)"},
		{"PS512 requires rsa_public_key", schema.Doc{"consumer": ref, "algorithm": "PS512"},
			"2 schema violations (failed conditional validation given value of field 'algorithm'; rsa_public_key: required field missing)"},
		{"EdDSA rejects an invalid key", schema.Doc{"consumer": ref, "algorithm": "EdDSA", "rsa_public_key": "not a key"},
			"2 schema violations (failed conditional validation given value of field 'algorithm'; rsa_public_key: invalid key)"},
		{"RS512 rejects a certificate-less garbage PEM",
			schema.Doc{"consumer": ref, "algorithm": "RS512", "rsa_public_key": "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"},
			"2 schema violations (failed conditional validation given value of field 'algorithm'; rsa_public_key: invalid key)"},
		{"HS256 needs no key", schema.Doc{"consumer": ref, "algorithm": "HS256"}, ""},
		{"HS512 ignores an invalid key", schema.Doc{"consumer": ref, "algorithm": "HS512", "rsa_public_key": "junk"}, ""},
	}
	for _, alg := range []string{"RS256", "ES256", "ES384", "ES512", "PS256", "EdDSA"} {
		cases = append(cases, struct {
			name string
			doc  schema.Doc
			want string
		}{alg + " accepts a PEM public key", schema.Doc{"consumer": ref, "algorithm": alg, "rsa_public_key": k[alg].pem}, ""})
	}
	rsaPriv := k["RS256"].priv.(*rsa.PrivateKey)
	cases = append(cases, struct {
		name string
		doc  schema.Doc
		want string
	}{"RS256 accepts a PKCS#1 private key", schema.Doc{"consumer": ref, "algorithm": "RS256",
		"rsa_public_key": string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaPriv)}))}, ""})
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, errs := h.Prepare(jwt.EntityName, tc.doc)
			got := ""
			if len(errs) > 0 {
				got = errs.Message()
			}
			if got != tc.want {
				t.Fatalf("got %q\nwant %q", got, tc.want)
			}
		})
	}
}

// ---- plugin config --------------------------------------------------------

func TestConfigDefaults(t *testing.T) {
	h := plugintest.New(t)
	doc := h.Plugin(schema.Doc{"name": "jwt", "config": schema.Doc{}})
	cfg := doc["config"].(map[string]any)
	want := map[string]any{
		"uri_param_names": []any{"jwt"}, "cookie_names": []any{}, "header_names": []any{"authorization"},
		"key_claim_name": "iss", "secret_is_base64": false, "claims_to_verify": nil, "maximum_expiration": 0.0,
		"anonymous": nil, "run_on_preflight": true, "realm": nil,
	}
	got, _ := json.Marshal(cfg)
	exp, _ := json.Marshal(want)
	if string(got) != string(exp) {
		t.Fatalf("config\n got %s\nwant %s", got, exp)
	}
}

func TestConfigValidation(t *testing.T) {
	h := plugintest.New(t)
	c := h.Consumer("bob")
	cases := []struct {
		name string
		doc  schema.Doc
		want string
	}{
		{"maximum_expiration below 0", schema.Doc{"name": "jwt", "config": schema.Doc{"maximum_expiration": -1}},
			"schema violation (config.maximum_expiration: value should be between 0 and 31536000)"},
		{"maximum_expiration above a year", schema.Doc{"name": "jwt", "config": schema.Doc{"maximum_expiration": 31536001, "claims_to_verify": []string{"exp"}}},
			"schema violation (config.maximum_expiration: value should be between 0 and 31536000)"},
		{"maximum_expiration needs exp verified", schema.Doc{"name": "jwt", "config": schema.Doc{"maximum_expiration": 60, "claims_to_verify": []string{"nbf"}}},
			"2 schema violations (failed conditional validation given value of field 'config.maximum_expiration'; config.claims_to_verify: expected to contain: exp)"},
		{"maximum_expiration with exp verified", schema.Doc{"name": "jwt", "config": schema.Doc{"maximum_expiration": 60, "claims_to_verify": []string{"exp", "nbf"}}}, ""},
		{"maximum_expiration with null claims_to_verify passes as in Kong", schema.Doc{"name": "jwt", "config": schema.Doc{"maximum_expiration": 60}}, ""},
		{"consumer scope is forbidden", schema.Doc{"name": "jwt", "consumer": plugintest.Ref(c["id"]), "config": schema.Doc{}},
			"schema violation (consumer: value must be null)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := h.PluginError(tc.doc); got != tc.want {
				t.Fatalf("got %q\nwant %q", got, tc.want)
			}
		})
	}
	if got := h.PluginError(schema.Doc{"name": "jwt", "config": schema.Doc{"claims_to_verify": []string{"iat"}}}); !strings.Contains(got, "expected one of: exp, nbf") {
		t.Fatalf("claims_to_verify iat: %q", got)
	}
}

// ---- algorithms ----------------------------------------------------------

func TestEveryAlgorithmAuthenticates(t *testing.T) {
	k := testKeys(t)
	h := plugintest.New(t)
	cons := h.Consumer("signer")
	h.Plugin(schema.Doc{"name": "jwt", "config": schema.Doc{}})
	type tc struct {
		alg  string
		sign any
	}
	var cases []tc
	for _, alg := range []string{"HS256", "HS384", "HS512"} {
		h.Add(jwt.EntityName, schema.Doc{"consumer": plugintest.Ref(cons["id"]), "key": "key-" + alg, "secret": "s-" + alg, "algorithm": alg})
		cases = append(cases, tc{alg, []byte("s-" + alg)})
	}
	for _, alg := range []string{"RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512", "EdDSA"} {
		h.Add(jwt.EntityName, schema.Doc{"consumer": plugintest.Ref(cons["id"]), "key": "key-" + alg, "algorithm": alg, "rsa_public_key": k[alg].pem})
		cases = append(cases, tc{alg, k[alg].priv})
	}
	for _, c := range cases {
		t.Run(c.alg, func(t *testing.T) {
			tok := sign(t, c.alg, c.sign, nil, map[string]any{"iss": "key-" + c.alg})
			assertAuthenticated(t, h.Do(plugintest.Request{Headers: bearerHeader(tok)}, plugintest.Upstream{}), cons, "key-"+c.alg)

			// A signature by another key of the same family fails.
			var other string
			switch c.alg[:2] {
			case "HS":
				other = sign(t, c.alg, []byte("wrong"), nil, map[string]any{"iss": "key-" + c.alg})
			default:
				parts := strings.Split(tok, ".")
				sig, _ := b64.DecodeString(parts[2])
				sig[len(sig)/2] ^= 0xff
				other = parts[0] + "." + parts[1] + "." + b64.EncodeToString(sig)
			}
			res := h.Do(plugintest.Request{Headers: bearerHeader(other)}, plugintest.Upstream{})
			assertExit(t, res, 401, `{"message":"Invalid signature"}`, `Bearer error="invalid_token"`)
		})
	}
}

func TestECDSASignatureOfWrongLengthIsInvalid(t *testing.T) {
	k := testKeys(t)
	h := plugintest.New(t)
	cons := h.Consumer("signer")
	h.Plugin(schema.Doc{"name": "jwt", "config": schema.Doc{}})
	h.Add(jwt.EntityName, schema.Doc{"consumer": plugintest.Ref(cons["id"]), "key": "es", "algorithm": "ES256", "rsa_public_key": k["ES256"].pem})
	tok := sign(t, "ES256", k["ES256"].priv, nil, map[string]any{"iss": "es"})
	tok += "AAAA" // 3 more signature bytes: no longer r||s of 64 bytes
	res := h.Do(plugintest.Request{Headers: bearerHeader(tok)}, plugintest.Upstream{})
	assertExit(t, res, 401, `{"message":"Invalid signature"}`, `Bearer error="invalid_token"`)
}

func TestSecretIsBase64(t *testing.T) {
	h := plugintest.New(t)
	cons := h.Consumer("b64")
	raw := []byte{0x00, 0xff, 0x10, 'k', 'e', 'y'}
	h.Add(jwt.EntityName, schema.Doc{"consumer": plugintest.Ref(cons["id"]), "key": "encoded", "secret": base64.StdEncoding.EncodeToString(raw)})
	h.Add(jwt.EntityName, schema.Doc{"consumer": plugintest.Ref(cons["id"]), "key": "not-base64", "secret": "@@@@@"})
	h.Plugin(schema.Doc{"name": "jwt", "config": schema.Doc{"secret_is_base64": true}})

	tok := sign(t, "HS256", raw, nil, map[string]any{"iss": "encoded"})
	assertAuthenticated(t, h.Do(plugintest.Request{Headers: bearerHeader(tok)}, plugintest.Upstream{}), cons, "encoded")

	// Signed with the encoded text rather than the decoded bytes.
	tok = sign(t, "HS256", []byte(base64.StdEncoding.EncodeToString(raw)), nil, map[string]any{"iss": "encoded"})
	assertExit(t, h.Do(plugintest.Request{Headers: bearerHeader(tok)}, plugintest.Upstream{}), 401,
		`{"message":"Invalid signature"}`, `Bearer error="invalid_token"`)

	tok = sign(t, "HS256", []byte("@@@@@"), nil, map[string]any{"iss": "not-base64"})
	assertExit(t, h.Do(plugintest.Request{Headers: bearerHeader(tok)}, plugintest.Upstream{}), 401,
		`{"message":"Invalid key/secret"}`, `Bearer error="invalid_token"`)
}

func TestSecretIsBase64LeavesPublicKeysAlone(t *testing.T) {
	k := testKeys(t)
	h := plugintest.New(t)
	cons := h.Consumer("rsa")
	h.Add(jwt.EntityName, schema.Doc{"consumer": plugintest.Ref(cons["id"]), "key": "rsa", "algorithm": "RS256", "rsa_public_key": k["RS256"].pem})
	h.Plugin(schema.Doc{"name": "jwt", "config": schema.Doc{"secret_is_base64": true}})
	tok := sign(t, "RS256", k["RS256"].priv, nil, map[string]any{"iss": "rsa"})
	assertAuthenticated(t, h.Do(plugintest.Request{Headers: bearerHeader(tok)}, plugintest.Upstream{}), cons, "rsa")
}

// ---- rejections -----------------------------------------------------------

func TestRejectionMessages(t *testing.T) {
	f := setup(t, nil)
	h := f.h
	h.Add(jwt.EntityName, schema.Doc{"consumer": plugintest.Ref(f.alice["id"]), "key": "hs512-key", "secret": secret, "algorithm": "HS512"})
	withErr := `Bearer error="invalid_token"`
	hdr := segment(map[string]any{"alg": "HS256", "typ": "JWT"})
	claims := segment(map[string]any{"iss": "alice-key"})
	cases := []struct {
		name    string
		req     plugintest.Request
		body    string
		www     string
		wantSts int
	}{
		{"no token", plugintest.Request{}, `{"message":"Unauthorized"}`, "Bearer", 401},
		{"empty query token is no token", plugintest.Request{URI: "/?jwt="}, `{"message":"Unauthorized"}`, "Bearer", 401},
		{"raw token without Bearer is ignored", plugintest.Request{Headers: [][2]string{{"Authorization", hs256(t, map[string]any{"iss": "alice-key"})}}},
			`{"message":"Unauthorized"}`, "Bearer", 401},
		{"Basic scheme is ignored", plugintest.Request{Headers: [][2]string{{"Authorization", "Basic dXNlcjpwYXNz"}}},
			`{"message":"Unauthorized"}`, "Bearer", 401},
		{"different tokens in query and header", plugintest.Request{URI: "/?jwt=" + hs256(t, map[string]any{"iss": "a"}),
			Headers: bearerHeader(hs256(t, map[string]any{"iss": "b"}))}, `{"message":"Multiple tokens provided"}`, withErr, 401},
		{"two query values", plugintest.Request{URI: "/?jwt=a.b.c&jwt=d.e.f"}, `{"message":"Multiple tokens provided"}`, withErr, 401},
		{"bare query flag", plugintest.Request{URI: "/?jwt"}, `{"message":"Unrecognizable token"}`, withErr, 401},
		{"bare flag and a token", plugintest.Request{URI: "/?jwt&jwt=a.b.c"}, `{"message":"Multiple tokens provided"}`, withErr, 401},
		{"one part", plugintest.Request{Headers: bearerHeader("abc")}, `{"message":"Bad token; invalid JSON"}`, withErr, 401},
		{"two parts", plugintest.Request{Headers: bearerHeader(hdr + "." + claims)}, `{"message":"Bad token; invalid JSON"}`, withErr, 401},
		{"header not base64", plugintest.Request{Headers: bearerHeader("***." + claims + ".sig")}, `{"message":"Bad token; invalid JSON"}`, withErr, 401},
		{"claims not JSON", plugintest.Request{Headers: bearerHeader(hdr + "." + b64.EncodeToString([]byte("{nope")) + ".sig")},
			`{"message":"Bad token; invalid JSON"}`, withErr, 401},
		{"no alg", plugintest.Request{Headers: bearerHeader(segment(map[string]any{"typ": "JWT"}) + "." + claims + ".sig")},
			`{"message":"Bad token; invalid alg"}`, withErr, 401},
		{"alg none", plugintest.Request{Headers: bearerHeader(segment(map[string]any{"alg": "none"}) + "." + claims + ".")},
			`{"message":"Bad token; invalid alg"}`, withErr, 401},
		{"claims false", plugintest.Request{Headers: bearerHeader(hdr + "." + b64.EncodeToString([]byte("false")) + ".sig")},
			`{"message":"Bad token; invalid claims"}`, withErr, 401},
		{"signature not base64", plugintest.Request{Headers: bearerHeader(hdr + "." + claims + ".!!!")},
			`{"message":"Bad token; invalid signature"}`, withErr, 401},
		{"no iss", plugintest.Request{Headers: bearerHeader(hs256(t, map[string]any{"sub": "x"}))},
			`{"message":"No mandatory 'iss' in claims"}`, withErr, 401},
		{"empty iss", plugintest.Request{Headers: bearerHeader(hs256(t, map[string]any{"iss": ""}))},
			`{"message":"Invalid 'iss' in claims"}`, withErr, 401},
		{"unknown iss", plugintest.Request{Headers: bearerHeader(hs256(t, map[string]any{"iss": "nobody"}))},
			`{"message":"No credentials found for given 'iss'"}`, withErr, 401},
		{"algorithm differs from the credential's", plugintest.Request{Headers: bearerHeader(hs256(t, map[string]any{"iss": "hs512-key"}))},
			`{"message":"Invalid algorithm"}`, withErr, 401},
		{"wrong secret", plugintest.Request{Headers: bearerHeader(sign(t, "HS256", []byte("other"), nil, map[string]any{"iss": "alice-key"}))},
			`{"message":"Invalid signature"}`, withErr, 401},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := h.Do(tc.req, plugintest.Upstream{})
			assertExit(t, res, tc.wantSts, tc.body, tc.www)
			if ct := res.Headers.Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("Content-Type = %q", ct)
			}
		})
	}
}

func TestRealmInChallenge(t *testing.T) {
	f := setup(t, schema.Doc{"realm": "kong"})
	res := f.h.Do(plugintest.Request{}, plugintest.Upstream{})
	assertExit(t, res, 401, `{"message":"Unauthorized"}`, `Bearer realm="kong"`)
	res = f.h.Do(plugintest.Request{Headers: bearerHeader("abc")}, plugintest.Upstream{})
	assertExit(t, res, 401, `{"message":"Bad token; invalid JSON"}`, `Bearer realm="kong" error="invalid_token"`)
}

func TestCustomKeyClaimNameReadsHeaderToo(t *testing.T) {
	f := setup(t, schema.Doc{"key_claim_name": "kid"})
	tok := sign(t, "HS256", []byte(secret), map[string]any{"alg": "HS256", "kid": "alice-key"}, map[string]any{"sub": "x"})
	assertAuthenticated(t, f.h.Do(plugintest.Request{Headers: bearerHeader(tok)}, plugintest.Upstream{}), f.alice, "alice-key")
	tok = hs256(t, map[string]any{"kid": "alice-key"})
	assertAuthenticated(t, f.h.Do(plugintest.Request{Headers: bearerHeader(tok)}, plugintest.Upstream{}), f.alice, "alice-key")
	res := f.h.Do(plugintest.Request{Headers: bearerHeader(hs256(t, map[string]any{"iss": "alice-key"}))}, plugintest.Upstream{})
	assertExit(t, res, 401, `{"message":"No mandatory 'kid' in claims"}`, `Bearer error="invalid_token"`)
}

func TestCredentialWithoutConsumer(t *testing.T) {
	f := setup(t, nil)
	f.h.Add(jwt.EntityName, schema.Doc{"consumer": plugintest.Ref("00000000-0000-4000-8000-00000000dead"), "key": "orphan", "secret": secret})
	res := f.h.Do(plugintest.Request{Headers: bearerHeader(hs256(t, map[string]any{"iss": "orphan"}))}, plugintest.Upstream{})
	assertExit(t, res, 401, `{"message":"Could not find consumer for 'iss=orphan'"}`, "")
}

// ---- registered claims ------------------------------------------------------

func TestRegisteredClaims(t *testing.T) {
	now := pinned.Unix()
	f := setup(t, schema.Doc{"claims_to_verify": []string{"exp", "nbf"}})
	withErr := `Bearer error="invalid_token"`
	cases := []struct {
		name   string
		claims map[string]any
		body   string
	}{
		{"valid window", map[string]any{"exp": now + 10, "nbf": now}, ""},
		{"expired", map[string]any{"exp": now, "nbf": now - 10}, `{"exp":"token expired"}`},
		{"not valid yet", map[string]any{"exp": now + 10, "nbf": now + 1}, `{"nbf":"token not valid yet"}`},
		{"both failing", map[string]any{"exp": now - 1, "nbf": now + 1}, `{"exp":"token expired","nbf":"token not valid yet"}`},
		{"exp missing", map[string]any{"nbf": now}, `{"exp":"must be a number"}`},
		{"exp a string", map[string]any{"exp": "soon", "nbf": now}, `{"exp":"must be a number"}`},
		{"nbf a string", map[string]any{"exp": now + 10, "nbf": "1"}, `{"nbf":"must be a number"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tc.claims["iss"] = "alice-key"
			res := f.h.Do(plugintest.Request{Headers: bearerHeader(hs256(t, tc.claims))}, plugintest.Upstream{})
			if tc.body == "" {
				assertAuthenticated(t, res, f.alice, "alice-key")
				return
			}
			assertExit(t, res, 401, tc.body, withErr)
		})
	}
}

func TestClaimsNotVerifiedUnlessConfigured(t *testing.T) {
	f := setup(t, nil)
	tok := hs256(t, map[string]any{"iss": "alice-key", "exp": pinned.Unix() - 100, "nbf": "later"})
	assertAuthenticated(t, f.h.Do(plugintest.Request{Headers: bearerHeader(tok)}, plugintest.Upstream{}), f.alice, "alice-key")
}

func TestOnlyNbfVerified(t *testing.T) {
	f := setup(t, schema.Doc{"claims_to_verify": []string{"nbf"}})
	tok := hs256(t, map[string]any{"iss": "alice-key", "exp": pinned.Unix() - 100, "nbf": pinned.Unix() + 5})
	assertExit(t, f.h.Do(plugintest.Request{Headers: bearerHeader(tok)}, plugintest.Upstream{}), 401,
		`{"nbf":"token not valid yet"}`, `Bearer error="invalid_token"`)
}

func TestMaximumExpiration(t *testing.T) {
	now := pinned.Unix()
	f := setup(t, schema.Doc{"claims_to_verify": []string{"exp"}, "maximum_expiration": 60})
	ok := hs256(t, map[string]any{"iss": "alice-key", "exp": now + 60})
	assertAuthenticated(t, f.h.Do(plugintest.Request{Headers: bearerHeader(ok)}, plugintest.Upstream{}), f.alice, "alice-key")
	tooFar := hs256(t, map[string]any{"iss": "alice-key", "exp": now + 61})
	assertExit(t, f.h.Do(plugintest.Request{Headers: bearerHeader(tooFar)}, plugintest.Upstream{}), 401,
		`{"exp":"exceeds maximum allowed expiration"}`, `Bearer error="invalid_token"`)
	// exp checks run first: an expired token reports expiry.
	expired := hs256(t, map[string]any{"iss": "alice-key", "exp": now - 1})
	assertExit(t, f.h.Do(plugintest.Request{Headers: bearerHeader(expired)}, plugintest.Upstream{}), 401,
		`{"exp":"token expired"}`, `Bearer error="invalid_token"`)
}

func TestPinnedClockDecidesExpiry(t *testing.T) {
	f := setup(t, schema.Doc{"claims_to_verify": []string{"exp"}})
	tok := hs256(t, map[string]any{"iss": "alice-key", "exp": pinned.Unix() + 30})
	assertAuthenticated(t, f.h.Do(plugintest.Request{Headers: bearerHeader(tok)}, plugintest.Upstream{}), f.alice, "alice-key")
	f.h.Host.Now = func() time.Time { return pinned.Add(31 * time.Second) }
	assertExit(t, f.h.Do(plugintest.Request{Headers: bearerHeader(tok)}, plugintest.Upstream{}), 401,
		`{"exp":"token expired"}`, `Bearer error="invalid_token"`)
}

// ---- token sources ----------------------------------------------------------

func TestTokenSources(t *testing.T) {
	f := setup(t, schema.Doc{"uri_param_names": []string{"jwt", "token"}, "cookie_names": []string{"session_jwt"},
		"header_names": []string{"authorization", "x_api_token"}})
	tok := hs256(t, map[string]any{"iss": "alice-key"})
	cases := []struct {
		name string
		req  plugintest.Request
	}{
		{"default query argument", plugintest.Request{URI: "/?jwt=" + tok}},
		{"second query argument", plugintest.Request{URI: "/x?a=1&token=" + tok}},
		{"cookie", plugintest.Request{Headers: [][2]string{{"Cookie", "other=1; session_jwt=" + tok}}}},
		{"cookie name is case-insensitive", plugintest.Request{Headers: [][2]string{{"Cookie", "SESSION_JWT=" + tok}}}},
		{"Bearer header", plugintest.Request{Headers: bearerHeader(tok)}},
		{"lowercase bearer", plugintest.Request{Headers: [][2]string{{"Authorization", "bearer " + tok}}}},
		{"custom header (underscores match dashes)", plugintest.Request{Headers: [][2]string{{"X-Api-Token", "Bearer " + tok}}}},
		{"same token in every place counts once", plugintest.Request{URI: "/?jwt=" + tok,
			Headers: [][2]string{{"Cookie", "session_jwt=" + tok}, {"Authorization", "Bearer " + tok}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assertAuthenticated(t, f.h.Do(tc.req, plugintest.Upstream{}), f.alice, "alice-key")
		})
	}
	// A cookie not in cookie_names is ignored.
	res := f.h.Do(plugintest.Request{Headers: [][2]string{{"Cookie", "jwt=" + tok}}}, plugintest.Upstream{})
	assertExit(t, res, 401, `{"message":"Unauthorized"}`, "Bearer")
}

func TestSharedTokenForLaterPlugins(t *testing.T) {
	f := setup(t, nil)
	f.h.Plugin(schema.Doc{"name": "test-token-echo", "config": schema.Doc{}})
	tok := hs256(t, map[string]any{"iss": "alice-key"})
	res := f.h.Do(plugintest.Request{Headers: bearerHeader(tok)}, plugintest.Upstream{})
	if res.Status != 200 || res.Headers.Get("X-Seen-Token") != tok {
		t.Fatalf("status %d, X-Seen-Token %q", res.Status, res.Headers.Get("X-Seen-Token"))
	}
}

// ---- anonymous, logical OR, preflight ----------------------------------------

func TestAnonymous(t *testing.T) {
	for _, by := range []string{"id", "username"} {
		t.Run("by "+by, func(t *testing.T) {
			h := plugintest.New(t)
			alice := h.Consumer("alice")
			anon := h.Consumer("anonymous")
			h.Add(jwt.EntityName, schema.Doc{"consumer": plugintest.Ref(alice["id"]), "key": "alice-key", "secret": secret})
			h.Plugin(schema.Doc{"name": "jwt", "config": schema.Doc{"anonymous": anon[by]}})

			for name, req := range map[string]plugintest.Request{
				"no token":  {},
				"bad token": {Headers: bearerHeader("abc")},
				"bad sig":   {Headers: bearerHeader(sign(t, "HS256", []byte("x"), nil, map[string]any{"iss": "alice-key"}))},
			} {
				res := h.Do(req, plugintest.Upstream{})
				if res.Status != 200 || res.Upstream == nil {
					t.Fatalf("%s: status %d %s", name, res.Status, res.Body)
				}
				up := res.Upstream.Headers
				if up.Get("X-Anonymous-Consumer") != "true" || up.Get("X-Consumer-ID") != anon["id"] ||
					up.Get("X-Consumer-Username") != "anonymous" || up.Get("X-Credential-Identifier") != "" {
					t.Fatalf("%s: upstream headers %v", name, up)
				}
				if res.Credential != nil {
					t.Fatalf("%s: anonymous request has a credential", name)
				}
			}
			tok := hs256(t, map[string]any{"iss": "alice-key"})
			assertAuthenticated(t, h.Do(plugintest.Request{Headers: bearerHeader(tok)}, plugintest.Upstream{}), alice, "alice-key")
		})
	}
}

func TestAnonymousConsumerMissingIs500(t *testing.T) {
	f := setup(t, schema.Doc{"anonymous": "no-such-consumer"})
	res := f.h.Do(plugintest.Request{}, plugintest.Upstream{})
	if res.Status != 500 || string(res.Body) != `{"message":"An unexpected error occurred"}` {
		t.Fatalf("got %d %s", res.Status, res.Body)
	}
}

func TestLogicalOR(t *testing.T) {
	f := setup(t, schema.Doc{"anonymous": "anonymous"})
	f.h.Plugin(schema.Doc{"name": "test-pre-auth", "config": schema.Doc{}})
	// Already authenticated by an earlier plugin: jwt keeps that consumer.
	res := f.h.Do(plugintest.Request{Headers: [][2]string{{"X-Pre-User", "alice"}}}, plugintest.Upstream{})
	if res.Status != 200 || res.Consumer == nil || res.Consumer.Username != "alice" || res.Credential.Identifier != "pre" {
		t.Fatalf("status %d consumer %+v", res.Status, res.Consumer)
	}
}

func TestLogicalAND(t *testing.T) {
	f := setup(t, nil)
	f.h.Plugin(schema.Doc{"name": "test-pre-auth", "config": schema.Doc{}})
	// Without anonymous, jwt must succeed even after another plugin did.
	res := f.h.Do(plugintest.Request{Headers: [][2]string{{"X-Pre-User", "alice"}}}, plugintest.Upstream{})
	assertExit(t, res, 401, `{"message":"Unauthorized"}`, "Bearer")
}

func TestPreflight(t *testing.T) {
	f := setup(t, schema.Doc{"run_on_preflight": false})
	if res := f.h.Do(plugintest.Request{Method: "OPTIONS"}, plugintest.Upstream{}); res.Status != 200 || res.Upstream == nil {
		t.Fatalf("preflight skipped: got %d", res.Status)
	}
	assertExit(t, f.h.Do(plugintest.Request{Method: "GET"}, plugintest.Upstream{}), 401, `{"message":"Unauthorized"}`, "Bearer")

	g := setup(t, nil)
	assertExit(t, g.h.Do(plugintest.Request{Method: "OPTIONS"}, plugintest.Upstream{}), 401, `{"message":"Unauthorized"}`, "Bearer")
}

func TestIncomingIdentityHeadersAreReplaced(t *testing.T) {
	f := setup(t, nil)
	tok := hs256(t, map[string]any{"iss": "alice-key"})
	res := f.h.Do(plugintest.Request{Headers: append(bearerHeader(tok),
		[2]string{"X-Consumer-ID", "spoofed"}, [2]string{"X-Anonymous-Consumer", "true"}, [2]string{"X-Consumer-Custom-ID", "spoofed"})}, plugintest.Upstream{})
	assertAuthenticated(t, res, f.alice, "alice-key")
	if v := res.Upstream.Headers.Get("X-Consumer-Custom-ID"); v != "" {
		t.Fatalf("X-Consumer-Custom-ID = %q, want removed", v)
	}
}

func TestPaddedBase64SegmentsAccepted(t *testing.T) {
	f := setup(t, nil)
	tok := hs256(t, map[string]any{"iss": "alice-key", "x": "ab"})
	parts := strings.Split(tok, ".")
	// Standard-alphabet, padded encodings of the same bytes still verify:
	// jwt_parser pads and maps the URL alphabet before decoding.
	sig, _ := b64.DecodeString(parts[2])
	padded := parts[0] + "." + parts[1] + "." + base64.URLEncoding.EncodeToString(sig)
	assertAuthenticated(t, f.h.Do(plugintest.Request{Headers: bearerHeader(padded)}, plugintest.Upstream{}), f.alice, "alice-key")
}

package admin_test

// Test harness of the Admin API conformance suite: every test runs once per
// store backend (SQLite in a temp file, PostgreSQL from acctest/postgres),
// against an admin handler built the way gatewayd/cmd/gatewayd does, with
// real HTTP requests encoded as curl would send them.

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/acctest/postgres"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/admin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/entity"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store/sqlstore"
)

// t0 is the pinned clock every test starts at; created_at/updated_at of
// entities written at t0 render as this number.
const t0 = 1700000000

// backend opens one kind of store for a test.
type backend struct {
	name   string
	config func(t *testing.T) sqlstore.Config
}

var backends = []backend{
	{"sqlite", func(t *testing.T) sqlstore.Config {
		return sqlstore.Config{Driver: sqlstore.DriverSQLite, Path: filepath.Join(t.TempDir(), "gatewayd.db"),
			Options: sqlstore.Options{AutoMigrate: true, PollInterval: -1}}
	}},
	{"postgres", func(t *testing.T) sqlstore.Config {
		return sqlstore.Config{Driver: sqlstore.DriverPostgres, DSN: postgres.Start(t),
			Options: sqlstore.Options{AutoMigrate: true, MaxConns: 4, PollInterval: -1}}
	}},
}

// apiOption tweaks admin.Options of one test.
type apiOption func(*admin.Options)

// each runs fn once per backend, each in its own parallel subtest with a
// fresh database.
func each(t *testing.T, fn func(t *testing.T, a *api), opts ...apiOption) {
	t.Helper()
	t.Parallel()
	for _, b := range backends {
		b := b
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			a := newAPI(t, b, opts...)
			fn(t, a)
			recordDuration(b.name, time.Since(start))
		})
	}
}

// durations sums the time spent per backend, reported by TestMain.
var durations sync.Map // backend name -> *atomic.Int64 (nanoseconds)

func recordDuration(name string, d time.Duration) {
	v, _ := durations.LoadOrStore(name, new(atomic.Int64))
	v.(*atomic.Int64).Add(int64(d))
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, b := range backends {
		if v, ok := durations.Load(b.name); ok {
			fmt.Printf("admin suite: %-8s %v (sum of per-test time, tests run in parallel)\n", b.name,
				time.Duration(v.(*atomic.Int64).Load()).Round(time.Millisecond))
		}
	}
	os.Exit(code)
}

// clock is the admin API's pinned, advanceable clock.
type clock struct{ sec atomic.Int64 }

func (c *clock) now() time.Time          { return time.Unix(c.sec.Load(), 0) }
func (c *clock) advance(d time.Duration) { c.sec.Add(int64(d / time.Second)) }

// api is one admin handler on one fresh store.
type api struct {
	t      *testing.T
	h      http.Handler
	server *admin.Server
	store  *sqlstore.Store
	clock  *clock
}

func newAPI(t *testing.T, b backend, opts ...apiOption) *api {
	t.Helper()
	reg := entity.Core(testPlugins.lookup)
	reg.Add(testCredentials())
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := sqlstore.Open(ctx, b.config(t), store.MetasFromSchemas(reg))
	if err != nil {
		t.Fatalf("open %s store: %v", b.name, err)
	}
	t.Cleanup(func() { _ = st.Close() })
	c := &clock{}
	c.sec.Store(t0)
	o := admin.Options{
		Registry:      reg,
		Store:         st,
		Plugins:       testPlugins,
		Version:       "0.1.0-test",
		KongVersion:   "3.9.1",
		NodeID:        "3a4b5c6d-0000-4000-8000-000000000001",
		Hostname:      "gatewayd-test",
		Configuration: map[string]any{"database": b.name},
		ServerStatus:  func() map[string]any { return map[string]any{"total_requests": 0} },
		Logger:        slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now:           c.now,
	}
	for _, opt := range opts {
		opt(&o)
	}
	srv := admin.New(o)
	return &api{t: t, h: srv, server: srv, store: st, clock: c}
}

// res is one admin response.
type res struct {
	t      *testing.T
	method string
	path   string
	Status int
	Header http.Header
	Body   []byte
}

func (a *api) do(method, path string, body io.Reader, contentType string, headers ...string) *res {
	a.t.Helper()
	req := httptest.NewRequest(method, path, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	rec := httptest.NewRecorder()
	a.h.ServeHTTP(rec, req)
	return &res{t: a.t, method: method, path: path, Status: rec.Code, Header: rec.Header(), Body: rec.Body.Bytes()}
}

func (a *api) get(path string) *res    { a.t.Helper(); return a.do(http.MethodGet, path, nil, "") }
func (a *api) delete(path string) *res { a.t.Helper(); return a.do(http.MethodDelete, path, nil, "") }

// json sends body (raw JSON text) with Content-Type: application/json, as
// curl -H 'Content-Type: application/json' -d '...' does.
func (a *api) json(method, path, body string) *res {
	a.t.Helper()
	return a.do(method, path, strings.NewReader(body), "application/json")
}

// form sends an application/x-www-form-urlencoded body, as curl -d does.
// body is already encoded ("name=x&paths[]=/a").
func (a *api) form(method, path, body string) *res {
	a.t.Helper()
	return a.do(method, path, strings.NewReader(body), "application/x-www-form-urlencoded")
}

// part is one multipart/form-data part; file parts carry a filename as
// curl -F 'cert=@cert.pem' sends them.
type part struct {
	name, value, filename string
}

func (a *api) multipart(method, path string, parts ...part) *res {
	a.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		var w io.Writer
		var err error
		if p.filename != "" {
			w, err = mw.CreateFormFile(p.name, p.filename)
		} else {
			w, err = mw.CreateFormField(p.name)
		}
		if err != nil {
			a.t.Fatal(err)
		}
		_, _ = io.WriteString(w, p.value)
	}
	_ = mw.Close()
	return a.do(method, path, &buf, mw.FormDataContentType())
}

// obj decodes the body as a JSON object.
func (r *res) obj() map[string]any {
	r.t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		r.t.Fatalf("%s %s: body is not a JSON object: %v\n%s", r.method, r.path, err, r.Body)
	}
	return m
}

// str returns a top-level string member of the JSON body.
func (r *res) str(key string) string {
	r.t.Helper()
	s, _ := r.obj()[key].(string)
	return s
}

// id returns the "id" member of the JSON body.
func (r *res) id() string { r.t.Helper(); return r.str("id") }

// status asserts the status code.
func (r *res) status(want int) *res {
	r.t.Helper()
	if r.Status != want {
		r.t.Fatalf("%s %s: status %d, want %d\nbody: %s", r.method, r.path, r.Status, want, r.Body)
	}
	return r
}

// expect asserts the status and the JSON body. want is JSON text (with
// fmt verbs filled from args) in which the string "<uuid>" matches any
// UUID and "<any>" matches any value; every other value and every key
// must match exactly.
func (r *res) expect(status int, want string, args ...any) *res {
	r.t.Helper()
	r.status(status)
	if len(args) > 0 {
		want = fmt.Sprintf(want, args...)
	}
	var w, g any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		r.t.Fatalf("bad expectation JSON: %v\n%s", err, want)
	}
	if err := json.Unmarshal(r.Body, &g); err != nil {
		r.t.Fatalf("%s %s: body is not JSON: %v\n%s", r.method, r.path, err, r.Body)
	}
	if diff := match("$", w, g); diff != "" {
		r.t.Fatalf("%s %s: body mismatch: %s\n got: %s\nwant: %s", r.method, r.path, diff, r.Body, compact(want))
	}
	return r
}

// empty asserts the status and an empty body.
func (r *res) empty(status int) *res {
	r.t.Helper()
	r.status(status)
	if len(r.Body) != 0 {
		r.t.Fatalf("%s %s: want empty body, got %s", r.method, r.path, r.Body)
	}
	return r
}

// message asserts a status and {"message": msg}.
func (r *res) message(status int, msg string) *res {
	r.t.Helper()
	b, _ := json.Marshal(map[string]any{"message": msg})
	return r.expect(status, string(b))
}

func compact(s string) string {
	var buf bytes.Buffer
	if json.Compact(&buf, []byte(s)) != nil {
		return s
	}
	return buf.String()
}

// match compares an expected JSON value with an actual one and returns a
// description of the first difference, or "".
func match(path string, want, got any) string {
	if s, ok := want.(string); ok {
		switch s {
		case "<any>":
			return ""
		case "<uuid>":
			if g, ok := got.(string); ok && schema.IsUUID(g) {
				return ""
			}
			return fmt.Sprintf("%s: want a UUID, got %s", path, show(got))
		}
	}
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: want an object, got %s", path, show(got))
		}
		keys := map[string]bool{}
		for k := range w {
			keys[k] = true
		}
		for k := range g {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			wv, wok := w[k]
			gv, gok := g[k]
			switch {
			case !wok:
				return fmt.Sprintf("%s: unexpected member %q = %s", path, k, show(gv))
			case !gok:
				return fmt.Sprintf("%s: missing member %q (want %s)", path, k, show(wv))
			}
			if d := match(path+"."+k, wv, gv); d != "" {
				return d
			}
		}
		return ""
	case []any:
		g, ok := got.([]any)
		if !ok {
			return fmt.Sprintf("%s: want an array, got %s", path, show(got))
		}
		if len(w) != len(g) {
			return fmt.Sprintf("%s: want %d elements, got %d: %s", path, len(w), len(g), show(got))
		}
		for i := range w {
			if d := match(fmt.Sprintf("%s[%d]", path, i), w[i], g[i]); d != "" {
				return d
			}
		}
		return ""
	}
	if !reflect.DeepEqual(want, got) {
		return fmt.Sprintf("%s: want %s, got %s", path, show(want), show(got))
	}
	return ""
}

func show(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// merge returns base (a JSON object) with the members of overrides set.
func merge(base string, overrides string, args ...any) string {
	if len(args) > 0 {
		overrides = fmt.Sprintf(overrides, args...)
	}
	var b, o map[string]any
	if err := json.Unmarshal([]byte(base), &b); err != nil {
		panic(fmt.Sprintf("merge base: %v\n%s", err, base))
	}
	if err := json.Unmarshal([]byte(overrides), &o); err != nil {
		panic(fmt.Sprintf("merge overrides: %v\n%s", err, overrides))
	}
	for k, v := range o {
		b[k] = v
	}
	out, _ := json.Marshal(b)
	return string(out)
}

// quote JSON-encodes a string (for building expectations).
func quote(s string) string { return show(s) }

// Default renderings of entities created at t0 (all fields present, unset
// optional fields null), as Kong's admin API renders them.
var (
	serviceDefaults = fmt.Sprintf(`{"id":"<uuid>","created_at":%[1]d,"updated_at":%[1]d,"name":null,"retries":5,
		"protocol":"http","host":null,"port":80,"path":null,"connect_timeout":60000,"write_timeout":60000,
		"read_timeout":60000,"tags":null,"client_certificate":null,"tls_verify":null,"tls_verify_depth":null,
		"ca_certificates":null,"enabled":true}`, t0)
	routeDefaults = fmt.Sprintf(`{"id":"<uuid>","created_at":%[1]d,"updated_at":%[1]d,"name":null,
		"protocols":["http","https"],"methods":null,"hosts":null,"paths":null,"headers":null,
		"https_redirect_status_code":426,"regex_priority":0,"strip_path":true,"path_handling":"v0",
		"preserve_host":false,"request_buffering":true,"response_buffering":true,"snis":null,"sources":null,
		"destinations":null,"tags":null,"service":null}`, t0)
	consumerDefaults = fmt.Sprintf(`{"id":"<uuid>","created_at":%[1]d,"updated_at":%[1]d,"username":null,
		"custom_id":null,"tags":null}`, t0)
	healthchecksDefaults = `{
		"active":{"type":"http","timeout":1,"concurrency":10,"http_path":"/","https_sni":null,
			"https_verify_certificate":true,"headers":null,
			"healthy":{"interval":0,"http_statuses":[200,302],"successes":0},
			"unhealthy":{"interval":0,"http_statuses":[429,404,500,501,502,503,504,505],"tcp_failures":0,
				"timeouts":0,"http_failures":0}},
		"passive":{"type":"http",
			"healthy":{"http_statuses":[200,201,202,203,204,205,206,207,208,226,300,301,302,303,304,305,306,307,308],
				"successes":0},
			"unhealthy":{"http_statuses":[429,500,503],"tcp_failures":0,"timeouts":0,"http_failures":0}},
		"threshold":0}`
	upstreamDefaults = fmt.Sprintf(`{"id":"<uuid>","created_at":%[1]d,"updated_at":%[1]d,"name":null,
		"algorithm":"round-robin","hash_on":"none","hash_fallback":"none","hash_on_header":null,
		"hash_fallback_header":null,"hash_on_cookie":null,"hash_on_cookie_path":"/","hash_on_query_arg":null,
		"hash_fallback_query_arg":null,"hash_on_uri_capture":null,"hash_fallback_uri_capture":null,
		"slots":10000,"healthchecks":%[2]s,"tags":null,"host_header":null,"client_certificate":null,
		"use_srv_name":false}`, t0, healthchecksDefaults)
	targetDefaults = fmt.Sprintf(`{"id":"<uuid>","created_at":%[1]d,"updated_at":%[1]d,"upstream":null,
		"target":null,"weight":100,"tags":null}`, t0)
	pluginDefaults = fmt.Sprintf(`{"id":"<uuid>","created_at":%[1]d,"updated_at":%[1]d,"name":null,
		"instance_name":null,"route":null,"service":null,"consumer":null,"config":null,
		"protocols":["grpc","grpcs","http","https"],"enabled":true,"tags":null}`, t0)
	keyAuthConfig   = `{"key_names":["apikey"],"hide_credentials":false}`
	rateLimitConfig = `{"second":null,"minute":null,"hour":null,"policy":"local"}`
)

// mustCreate POSTs a JSON body, asserts 201 and returns the entity id.
func (a *api) mustCreate(path, body string) string {
	a.t.Helper()
	return a.json(http.MethodPost, path, body).status(http.StatusCreated).id()
}

// ---------------------------------------------------------------------------
// Test plugin catalog: two plugins shaped like Kong's key-auth and
// rate-limiting (kong/plugins/{key-auth,rate-limiting}/schema.lua).

type pluginCatalog struct {
	infos map[string]entity.PluginInfo
	meta  map[string][2]any // version, priority
}

var testPlugins = newPluginCatalog()

func newPluginCatalog() *pluginCatalog {
	gt0 := 0.0
	number := func(name string) *schema.Field {
		return &schema.Field{Name: name, Kind: schema.Number, Gt: &gt0}
	}
	keyAuth := entity.PluginInfo{
		NoConsumer: true,
		Config: &schema.Field{Name: "config", Kind: schema.Record, Required: true, Fields: []*schema.Field{
			{Name: "key_names", Kind: schema.Array, Required: true, Default: schema.Strings("apikey"),
				Elements: &schema.Field{Kind: schema.String, Custom: schema.ValidateHeaderName}},
			{Name: "hide_credentials", Kind: schema.Boolean, Required: true, Default: false},
		}},
	}
	rateLimiting := entity.PluginInfo{
		Config: &schema.Field{Name: "config", Kind: schema.Record, Required: true, Fields: []*schema.Field{
			number("second"), number("minute"), number("hour"),
			{Name: "policy", Kind: schema.String, Required: true, Default: "local", OneOf: schema.Strings("local", "redis")},
		}},
		Checks: []schema.Check{schema.AtLeastOneOf{"config.second", "config.minute", "config.hour"}},
	}
	return &pluginCatalog{
		infos: map[string]entity.PluginInfo{"key-auth": keyAuth, "rate-limiting": rateLimiting},
		meta:  map[string][2]any{"key-auth": {"3.9.1", 1250}, "rate-limiting": {"3.9.1", 910}},
	}
}

func (c *pluginCatalog) lookup(name string) (entity.PluginInfo, bool) {
	i, ok := c.infos[name]
	return i, ok
}

func (c *pluginCatalog) Names() []string {
	out := make([]string, 0, len(c.infos))
	for n := range c.infos {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

func (c *pluginCatalog) Describe(name string) (map[string]any, bool) {
	i, ok := c.infos[name]
	if !ok {
		return nil, false
	}
	return map[string]any{"fields": []any{map[string]any{"config": schema.DescribeField(i.Config)}}}, true
}

func (c *pluginCatalog) Meta(name string) (string, int, bool) {
	m, ok := c.meta[name]
	if !ok {
		return "", 0, false
	}
	return m[0].(string), m[1].(int), true
}

// ---------------------------------------------------------------------------
// Test certificates, generated once per test binary with crypto/x509.

type keyPair struct{ cert, key string }

type certSet struct {
	leaf, leaf2   keyPair // two unrelated server certificates
	ca, expiredCA keyPair // a valid and an expired CA
	notCA         keyPair // a valid certificate without the CA constraint
}

var (
	certsOnce sync.Once
	certs     certSet
)

func testCerts(t *testing.T) *certSet {
	t.Helper()
	certsOnce.Do(func() {
		now := time.Now()
		certs.leaf = makeCert("leaf.test", false, now.Add(-time.Hour), now.Add(24*time.Hour))
		certs.leaf2 = makeCert("leaf2.test", false, now.Add(-time.Hour), now.Add(24*time.Hour))
		certs.ca = makeCert("Test CA", true, now.Add(-time.Hour), now.Add(24*time.Hour))
		certs.expiredCA = makeCert("Expired CA", true, now.Add(-48*time.Hour), now.Add(-24*time.Hour))
		certs.notCA = makeCert("not-a-ca.test", false, now.Add(-time.Hour), now.Add(24*time.Hour))
	})
	return &certs
}

func makeCert(cn string, isCA bool, notBefore, notAfter time.Time) keyPair {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: cn},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		BasicConstraintsValid: true,
		IsCA:                  isCA,
		DNSNames:              []string{cn},
	}
	if isCA {
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
		tmpl.DNSNames = nil
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		panic(err)
	}
	return keyPair{
		cert: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		key:  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})),
	}
}

// testCredentials is a TTL entity shaped like key-auth credentials.
func testCredentials() *schema.Entity {
	return &schema.Entity{
		Name: "test_credentials", AdminName: "test-creds", NestedName: "test-cred", EndpointKey: "key", TTL: true,
		Fields: []*schema.Field{
			schema.ID(), schema.CreatedAt(),
			{Name: "consumer", Kind: schema.Foreign, Reference: "consumers", Required: true, OnDelete: "cascade"},
			{Name: "key", Kind: schema.String, Required: true, Unique: true},
			schema.Tags(),
		},
	}
}

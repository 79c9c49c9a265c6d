package declarative_test

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
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/admin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/declarative"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/entity"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	_ "github.com/gatewayd-toolkit/gatewayd/gatewayd/plugins/bundled" // the plugins configurations use
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store/sqlstore"
)

// node is a gatewayd Admin API (the real handler and SQLite store, served
// over HTTP in-process) that syncs, diffs and dumps talk to through
// api.Client exactly as the CLI does.
type node struct {
	t   testing.TB
	url string
	st  *sqlstore.Store
	c   *api.Client
	reg *schema.Registry
}

func localRegistry(t testing.TB) *schema.Registry {
	t.Helper()
	reg, err := declarative.Registry([]string{"bundled"})
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func newNode(t testing.TB) *node {
	t.Helper()
	cat, err := plugin.NewCatalog([]string{"bundled"})
	if err != nil {
		t.Fatal(err)
	}
	reg := localRegistry(t)
	all := entity.Core(cat.Lookup)
	for _, e := range plugin.AllEntities() {
		all.Add(e)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := sqlstore.Open(ctx, sqlstore.Config{Driver: sqlstore.DriverSQLite, Path: filepath.Join(t.TempDir(), "gatewayd.db"),
		Options: sqlstore.Options{AutoMigrate: true, PollInterval: -1}}, append(store.MetasFromSchemas(all), declarative.StoreMeta()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	srv := httptest.NewServer(admin.New(admin.Options{Registry: reg, Store: st, Plugins: cat,
		Version: "test", KongVersion: "3.9.1", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	t.Cleanup(srv.Close)
	c, err := api.New(api.Config{AdminURL: srv.URL, Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return &node{t: t, url: srv.URL, st: st, c: c, reg: reg}
}

func (n *node) revision() int64 {
	n.t.Helper()
	rev, err := n.st.Revision(context.Background())
	if err != nil {
		n.t.Fatal(err)
	}
	return rev
}

func (n *node) parse(src string, tags ...string) *declarative.File {
	n.t.Helper()
	f, err := declarative.Parse(n.reg, []declarative.Source{{Name: "kong.yaml", Data: []byte(src)}},
		declarative.ParseOptions{Env: func(k string) (string, bool) { v, ok := testEnv[k]; return v, ok }, SelectTags: tags})
	if err != nil {
		n.t.Fatalf("parse: %v", err)
	}
	return f
}

var testEnv = map[string]string{"DECK_BOB_KEY": "bob-s3cret-key", "DECK_HOST": "env.example.com"}

func (n *node) sync(src string, opts declarative.SyncOptions, tags ...string) (*declarative.Result, error) {
	n.t.Helper()
	opts.Registry = n.reg
	return declarative.Sync(context.Background(), n.c, n.parse(src, tags...), opts)
}

func (n *node) mustSync(src string, tags ...string) *declarative.Result {
	n.t.Helper()
	res, err := n.sync(src, declarative.SyncOptions{}, tags...)
	if err != nil {
		n.t.Fatalf("sync: %v", err)
	}
	return res
}

func (n *node) diff(src string, tags ...string) *declarative.Result {
	n.t.Helper()
	res, err := n.sync(src, declarative.SyncOptions{DryRun: true}, tags...)
	if err != nil {
		n.t.Fatalf("diff: %v", err)
	}
	return res
}

func (n *node) dump(tags ...string) string {
	n.t.Helper()
	doc, err := declarative.Dump(context.Background(), n.c, declarative.DumpOptions{Registry: n.reg, SelectTags: tags})
	if err != nil {
		n.t.Fatalf("dump: %v", err)
	}
	out, err := declarative.Encode(doc, declarative.FormatYAML)
	if err != nil {
		n.t.Fatal(err)
	}
	return string(out)
}

// call sends a JSON request to the Admin API.
func (n *node) call(method, path string, body any) (int, map[string]any) {
	n.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, n.url+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		n.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func (n *node) get(path string) map[string]any {
	n.t.Helper()
	status, body := n.call("GET", path, nil)
	if status != 200 {
		n.t.Fatalf("GET %s: %d %v", path, status, body)
	}
	return body
}

func (n *node) missing(path string) {
	n.t.Helper()
	if status, body := n.call("GET", path, nil); status != 404 {
		n.t.Fatalf("GET %s: %d %v, want 404", path, status, body)
	}
}

// changes renders a result's changes as "+ services s1" lines.
func changes(res *declarative.Result) []string {
	var out []string
	for _, c := range res.Changes {
		out = append(out, c.String())
	}
	return out
}

// testCert is a self-signed certificate and key in PEM, indented for YAML
// block scalars.
func testCert(t testing.TB, cn string) (cert, key string) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		DNSNames: []string{cn}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kd, _ := x509.MarshalPKCS8PrivateKey(k)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd}))
}

func indent(s, prefix string) string {
	return strings.TrimRight(strings.ReplaceAll(s, "\n", "\n"+prefix), " ")
}

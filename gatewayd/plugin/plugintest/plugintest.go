// Package plugintest runs plugins the way the proxy does, without sockets:
// plugin entities and credentials are validated through the same schemas
// as the Admin API, compiled into a plugin Set, and requests go through the
// rewrite, access, response, body and log phases against a simulated
// upstream. Plugin tests use it to assert Kong's statuses, messages and
// headers.
package plugintest

import (
	"encoding/json"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/entity"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
	"github.com/google/uuid"
	"github.com/valyala/fasthttp"
)

// Default ids of the route and service requests match unless Request
// names others.
const (
	RouteID   = "00000000-0000-4000-8000-000000000001"
	ServiceID = "00000000-0000-4000-8000-000000000002"
)

// Harness holds a configuration and compiles it on demand.
type Harness struct {
	t    testing.TB
	cat  *plugin.Catalog
	reg  *schema.Registry
	docs map[string][]schema.Doc
	// Host is shared across compiles, as in gatewayd; tests may set Now.
	Host  *plugin.Host
	set   *plugin.Set
	data  *plugin.Data
	dirty bool
	// Problems from the last compile.
	Problems []error
}

// New creates a harness with every registered plugin loaded.
func New(t testing.TB) *Harness {
	t.Helper()
	cat, err := plugin.NewCatalog([]string{"bundled"})
	if err != nil {
		t.Fatal(err)
	}
	reg := entity.Core(cat.Lookup)
	for _, e := range cat.Entities() {
		reg.Add(e)
	}
	h := &Harness{t: t, cat: cat, reg: reg, docs: map[string][]schema.Doc{}, dirty: true,
		Host: plugin.NewHost("node-id", "test-host", "0.0.0-test", nil)}
	t.Cleanup(h.Host.Close)
	return h
}

// Registry returns the entity schemas (core plus plugin entities).
func (h *Harness) Registry() *schema.Registry { return h.reg }

// Prepare validates input as a POST of entity would, returning the stored
// document or Kong's errors.
func (h *Harness) Prepare(entityName string, input schema.Doc) (schema.Doc, schema.Errors) {
	e := h.reg.Get(entityName)
	if e == nil {
		h.t.Fatalf("no entity %q", entityName)
	}
	return e.Prepare(clone(input), nil, schema.Insert, h.now())
}

func (h *Harness) now() time.Time {
	if h.Host.Now != nil {
		return h.Host.Now()
	}
	return time.Now()
}

// Add validates and stores an entity; invalid input fails the test.
func (h *Harness) Add(entityName string, input schema.Doc) schema.Doc {
	h.t.Helper()
	doc, errs := h.Prepare(entityName, input)
	if len(errs) > 0 {
		h.t.Fatalf("invalid %s: %s", entityName, errs.Message())
	}
	h.docs[entityName] = append(h.docs[entityName], doc)
	h.dirty = true
	return doc
}

// Consumer adds a consumer by username and returns it.
func (h *Harness) Consumer(username string) schema.Doc {
	h.t.Helper()
	return h.Add("consumers", schema.Doc{"username": username})
}

// Plugin adds a plugin entity (name, config, scope) and returns it.
func (h *Harness) Plugin(input schema.Doc) schema.Doc {
	h.t.Helper()
	return h.Add("plugins", input)
}

// PluginError returns Kong's error message for an invalid plugin entity,
// or "" when it is valid.
func (h *Harness) PluginError(input schema.Doc) string {
	_, errs := h.Prepare("plugins", input)
	if len(errs) == 0 {
		return ""
	}
	return errs.Message()
}

// Ref is a foreign key value for scoping: {"id": id}.
func Ref(id any) schema.Doc { return schema.Doc{"id": id} }

// Set compiles the configuration (if it changed) and returns the set.
func (h *Harness) Set() *plugin.Set {
	if h.dirty {
		gen := h.Host.BeginBuild()
		h.data = plugin.NewData(h.docs)
		h.set, h.Problems = plugin.Compile(h.cat, h.docs["plugins"], h.data, h.Host, nil)
		h.Host.Commit(gen)
		h.dirty = false
	}
	return h.set
}

// Request is one simulated client request.
type Request struct {
	Method string // GET by default
	URI    string // path and query, "/" by default
	Host   string
	// Headers in order; duplicates allowed.
	Headers [][2]string
	Body    []byte
	Scheme  string // http by default
	// ClientIP defaults to 127.0.0.1.
	ClientIP string
	// RouteID and ServiceID override the default route and service; set
	// NoRoute for a request that matched no route.
	RouteID, ServiceID string
	NoRoute            bool
}

// Upstream is the simulated upstream response.
type Upstream struct {
	Status  int // 200 by default
	Headers [][2]string
	Body    []byte
}

// Sent is what the upstream received.
type Sent struct {
	Method  string
	URI     string
	Headers http.Header
	Body    []byte
}

// Result is the outcome of one request.
type Result struct {
	// Exited is true when a plugin answered instead of the upstream.
	Exited  bool
	Exit    plugin.Exit
	Status  int
	Headers http.Header
	Body    []byte
	// Upstream is what the upstream received; nil when it was not called.
	Upstream   *Sent
	Consumer   *plugin.Consumer
	Credential *plugin.Credential
	// Log is the serialized log entry when a log handler ran.
	Log *plugin.LogEntry
}

// Do runs one request through the plugins.
func (h *Harness) Do(r Request, up Upstream) Result {
	h.t.Helper()
	set := h.Set()
	var req fasthttp.Request
	method := r.Method
	if method == "" {
		method = "GET"
	}
	uri := r.URI
	if uri == "" {
		uri = "/"
	}
	req.Header.SetMethod(method)
	req.SetRequestURI(uri)
	host := r.Host
	if host == "" {
		host = "gateway.test"
	}
	req.Header.SetHost(host)
	for _, kv := range r.Headers {
		if strings.EqualFold(kv[0], "Content-Type") {
			req.Header.SetContentType(kv[1])
			continue
		}
		req.Header.Add(kv[0], kv[1])
	}
	if r.Body != nil {
		req.SetBody(r.Body)
	}
	ipStr := r.ClientIP
	if ipStr == "" {
		ipStr = "127.0.0.1"
	}
	ip := netip.MustParseAddr(ipStr)
	var fc fasthttp.RequestCtx
	fc.Init(&req, &net.TCPAddr{IP: net.IP(ip.AsSlice()), Port: 40000}, nil)
	// As in the proxy, response header names keep their case.
	fc.Response.Header.DisableNormalizing()

	scheme := r.Scheme
	if scheme == "" {
		scheme = "http"
	}
	path := uri
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	c := &plugin.Context{}
	c.Reset(&fc, plugin.RequestInfo{Scheme: scheme, Port: 8000, ClientIP: ip, Path: []byte(path),
		RequestID: []byte(uuid.NewString()), Data: h.data, Started: h.now()})

	set.Rewrite(c)
	if !c.Exited() {
		if r.NoRoute {
			set.Global.Collect(c)
		} else {
			rid, sid := r.RouteID, r.ServiceID
			if rid == "" {
				rid = RouteID
			}
			if sid == "" {
				sid = ServiceID
			}
			c.SetRoute(&plugin.RouteRef{ID: rid, Doc: schema.Doc{"id": rid}}, &plugin.ServiceRef{ID: sid, Doc: schema.Doc{"id": sid}})
			set.PlanFor(rid, sid).Access(c)
		}
	}
	res := Result{}
	if c.Exited() {
		res.Exited = true
		res.Exit = *c.ExitValue()
		renderExit(&fc, c.ExitValue())
	} else if r.NoRoute {
		fc.Response.SetStatusCode(404)
		fc.Response.SetBodyString(`{"message":"no Route matched with those values"}`)
	} else {
		res.Upstream = sent(c, &fc)
		c.UpstreamStarted = h.now()
		status := up.Status
		if status == 0 {
			status = 200
		}
		fc.Response.SetStatusCode(status)
		for _, kv := range up.Headers {
			if strings.EqualFold(kv[0], "Content-Type") {
				fc.Response.Header.SetContentType(kv[1])
				continue
			}
			fc.Response.Header.Add(kv[0], kv[1])
		}
		fc.Response.SetBody(up.Body)
		c.UpstreamDone = h.now()
		c.UpstreamAddr = "127.0.0.1:9000"
	}
	c.ApplyPending()
	c.RunResponse()
	c.RunBody()
	if c.HasLog() {
		res.Log = c.LogEntry()
		c.RunLog()
	}
	res.Status = fc.Response.StatusCode()
	res.Headers = http.Header{}
	fc.Response.Header.VisitAll(func(k, v []byte) {
		res.Headers.Add(string(k), string(v))
	})
	if ct := fc.Response.Header.ContentType(); len(ct) > 0 {
		res.Headers.Set("Content-Type", string(ct))
	}
	res.Body = append([]byte(nil), fc.Response.Body()...)
	res.Consumer, res.Credential = c.Consumer(), c.Credential()
	return res
}

func sent(c *plugin.Context, fc *fasthttp.RequestCtx) *Sent {
	s := &Sent{Method: string(fc.Request.Header.Method()), Headers: http.Header{}, Body: append([]byte(nil), fc.Request.Body()...)}
	path := string(c.Path())
	if p, ok := c.UpstreamPath(); ok {
		path = p
	}
	q, has := c.UpstreamQuery(nil, fc.Request.URI().QueryString(), len(fc.Request.URI().QueryString()) > 0)
	if has {
		path += "?" + string(q)
	}
	s.URI = path
	fc.Request.Header.VisitAll(func(k, v []byte) {
		s.Headers.Add(string(k), string(v))
	})
	if ct := fc.Request.Header.ContentType(); len(ct) > 0 {
		s.Headers.Set("Content-Type", string(ct))
	}
	return s
}

// renderExit writes an exit as gatewayd does, minus the request id and
// Accept negotiation (the proxy tests cover those).
func renderExit(fc *fasthttp.RequestCtx, e *plugin.Exit) {
	fc.Response.Reset()
	fc.Response.Header.DisableNormalizing()
	fc.Response.SetStatusCode(e.Status)
	if e.IsError {
		fc.Response.Header.SetContentType("application/json; charset=utf-8")
		b, _ := jsonString(e.Message)
		fc.Response.SetBodyString(`{"message":` + b + `}`)
		return
	}
	if e.ContentType != "" {
		fc.Response.Header.SetContentType(e.ContentType)
	}
	fc.Response.SetBody(e.Body)
}

// clone converts Go test values (ints, []string, nested maps) into the
// JSON values the schemas expect, by a JSON round trip.
func clone(d schema.Doc) schema.Doc {
	b, err := json.Marshal(d)
	if err != nil {
		panic(err)
	}
	out := schema.Doc{}
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

package plugin

import (
	"log/slog"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/httpheader"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
	"github.com/valyala/fasthttp"
)

// Phase is the request phase a handler runs in.
type Phase uint8

const (
	PhaseRewrite Phase = iota
	PhaseAccess
	PhaseResponse
	PhaseBody
	PhaseLog
)

// RouteRef and ServiceRef identify the matched route and its service.
// Doc, the stored entity, is what log serializers render; it is nil when
// every configured plugin declares Spec.NoEntityDocs (Set.NeedsEntityDocs).
type RouteRef struct {
	ID, Name string
	Doc      schema.Doc
}

// ServiceRef identifies a service; Doc as for RouteRef.
type ServiceRef struct {
	ID, Name string
	Doc      schema.Doc
}

// Exit is a response a plugin produced instead of the upstream's.
type Exit struct {
	Status int
	// Message is set for Error exits: the engine renders Kong's
	// {"message": ...} body negotiated on Accept.
	Message string
	// Body and ContentType are the literal body of Exit/ExitJSON.
	Body        []byte
	ContentType string
	IsError     bool
}

type headerOp struct {
	op        uint8 // opSet, opAdd, opDel
	name, val string
}

const (
	opSet uint8 = iota
	opAdd
	opDel
)

type kv struct {
	key string
	val any
}

// Context is one request as plugins see it. It is valid only during the
// phase call it is passed to; byte slices it returns are valid until the
// value they came from is modified or the request ends. Plugins must not
// keep it.
type Context struct {
	fc *fasthttp.RequestCtx

	scheme     string
	port       int
	clientIP   netip.Addr
	clientStr  string
	path       []byte // normalized request path
	rawURI     []byte // request target as received (the proxy rewrites it)
	requestID  []byte
	route      *RouteRef
	service    *ServiceRef
	data       *Data
	logger     *slog.Logger
	consumer   *Consumer
	credential *Credential

	phase   Phase
	exit    Exit
	exited  bool
	pending []headerOp
	shared  []kv
	active  []*Instance
	current *Instance
	locals  []local

	query      fasthttp.Args
	queryReady bool
	queryDirty bool
	upPath     string
	upPathSet  bool

	// Timing and upstream results, filled by the engine for log handlers.
	Started         time.Time
	UpstreamStarted time.Time
	UpstreamDone    time.Time
	UpstreamAddr    string
	UpstreamURI     string
	Tries           int
	// ResponseSource is set by the engine: "service" (upstream response),
	// "exit" (a plugin or the gateway answered), "error" (upstream failure).
	ResponseSource string
	logEntry       *LogEntry
	logLine        []byte
}

// RequestInfo is what the engine tells a Context about a new request.
type RequestInfo struct {
	Scheme    string
	Port      int
	ClientIP  netip.Addr
	Path      []byte // normalized
	RequestID []byte
	Data      *Data
	Logger    *slog.Logger
	Started   time.Time
}

// Reset prepares a pooled Context for a new request (engine use).
func (c *Context) Reset(fc *fasthttp.RequestCtx, info RequestInfo) {
	c.fc = fc
	c.scheme, c.port = info.Scheme, info.Port
	c.clientIP = info.ClientIP
	c.clientStr = ""
	c.path = info.Path
	c.rawURI = c.rawURI[:0]
	if fc != nil {
		c.rawURI = append(c.rawURI, fc.Request.Header.RequestURI()...)
	}
	c.requestID = info.RequestID
	c.data = info.Data
	c.logger = info.Logger
	c.route, c.service, c.consumer, c.credential = nil, nil, nil, nil
	c.phase = PhaseRewrite
	c.exit = Exit{}
	c.exited = false
	c.pending = c.pending[:0]
	for i := range c.shared {
		c.shared[i] = kv{}
	}
	c.shared = c.shared[:0]
	for i := range c.active {
		c.active[i] = nil
	}
	c.active = c.active[:0]
	c.current = nil
	for i := range c.locals {
		c.locals[i] = local{}
	}
	c.locals = c.locals[:0]
	c.query.Reset()
	c.queryReady, c.queryDirty = false, false
	c.upPath, c.upPathSet = "", false
	c.Started = info.Started
	c.UpstreamStarted, c.UpstreamDone = time.Time{}, time.Time{}
	c.UpstreamAddr, c.UpstreamURI = "", ""
	c.Tries = 0
	c.ResponseSource = ""
	c.logEntry = nil
	c.logLine = nil
}

// SetRoute records the matched route and service (engine use).
func (c *Context) SetRoute(r *RouteRef, s *ServiceRef) { c.route, c.service = r, s }

// Phase reports the phase being run.
func (c *Context) Phase() Phase { return c.phase }

// Logger returns the gatewayd logger.
func (c *Context) Logger() *slog.Logger {
	if c.logger == nil {
		return slog.Default()
	}
	return c.logger
}

// ---- request --------------------------------------------------------------

// Method returns the request method.
func (c *Context) Method() []byte { return c.fc.Request.Header.Method() }

// SetMethod changes the method sent upstream.
func (c *Context) SetMethod(m string) { c.fc.Request.Header.SetMethod(m) }

// Scheme is "http" or "https", as the client connected.
func (c *Context) Scheme() string { return c.scheme }

// Port is the proxy listener port the client connected to.
func (c *Context) Port() int { return c.port }

// Host returns the request's Host header value.
func (c *Context) Host() []byte { return c.fc.Request.Header.Host() }

// Path returns the normalized request path (no query).
func (c *Context) Path() []byte { return c.path }

// RequestID returns the gateway's id for this request.
func (c *Context) RequestID() []byte { return c.requestID }

// ClientIP returns the client address after trusted_ips/real_ip_header
// processing (Kong's kong.client.get_ip).
func (c *Context) ClientIP() netip.Addr { return c.clientIP }

// ClientIPString is ClientIP as text, computed once.
func (c *Context) ClientIPString() string {
	if c.clientStr == "" && c.clientIP.IsValid() {
		c.clientStr = c.clientIP.String()
	}
	return c.clientStr
}

// Header returns a request header value (the first), or nil.
func (c *Context) Header(name string) []byte { return c.fc.Request.Header.Peek(name) }

// HeaderValues returns every value of a request header, in order. The
// result is only valid until the headers change.
func (c *Context) HeaderValues(name string) [][]byte { return c.fc.Request.Header.PeekAll(name) }

// VisitHeaders calls f for every request header.
func (c *Context) VisitHeaders(f func(name, value []byte)) { c.fc.Request.Header.VisitAll(f) }

// SetHeader sets a request header sent upstream.
func (c *Context) SetHeader(name, value string) { c.fc.Request.Header.Set(name, value) }

// AddHeader adds a request header value.
func (c *Context) AddHeader(name, value string) { c.fc.Request.Header.Add(name, value) }

// DelHeader removes a request header.
func (c *Context) DelHeader(name string) { c.fc.Request.Header.Del(name) }

// ContentType returns the request Content-Type.
func (c *Context) ContentType() []byte { return c.fc.Request.Header.ContentType() }

// ContentLength returns the declared request body length: -1 for
// chunked, -2 when absent (identity body without length).
func (c *Context) ContentLength() int { return c.fc.Request.Header.ContentLength() }

// HasContentLength reports whether the client sent a Content-Length header.
func (c *Context) HasContentLength() bool {
	return len(c.fc.Request.Header.Peek("Content-Length")) > 0
}

// Body returns the (buffered) request body.
func (c *Context) Body() []byte { return c.fc.Request.Body() }

// SetBody replaces the request body sent upstream.
func (c *Context) SetBody(b []byte) { c.fc.Request.SetBody(b) }

func (c *Context) args() *fasthttp.Args {
	if !c.queryReady {
		c.query.ParseBytes(c.fc.Request.URI().QueryString())
		c.queryReady = true
	}
	return &c.query
}

// Query returns the first value of a query argument, or nil.
func (c *Context) Query(name string) []byte { return c.args().Peek(name) }

// HasQuery reports whether the query has the argument (even empty).
func (c *Context) HasQuery(name string) bool { return c.args().Has(name) }

// QueryValues returns every value of a query argument.
func (c *Context) QueryValues(name string) [][]byte { return c.args().PeekMulti(name) }

// VisitQuery calls f for every query argument.
func (c *Context) VisitQuery(f func(key, value []byte)) { c.args().VisitAll(f) }

// SetQuery sets a query argument sent upstream.
func (c *Context) SetQuery(name, value string) { c.args().Set(name, value); c.queryDirty = true }

// AddQuery adds a query argument value.
func (c *Context) AddQuery(name, value string) { c.args().Add(name, value); c.queryDirty = true }

// DelQuery removes a query argument.
func (c *Context) DelQuery(name string) { c.args().Del(name); c.queryDirty = true }

// UpstreamQuery returns the query to send upstream: orig unless a plugin
// changed it (engine use). ok is false when the result is empty.
func (c *Context) UpstreamQuery(dst, orig []byte, hadQuery bool) ([]byte, bool) {
	if !c.queryDirty {
		return append(dst, orig...), hadQuery
	}
	dst = c.query.AppendBytes(dst)
	return dst, c.query.Len() > 0
}

// SetUpstreamPath replaces the path sent upstream (Kong's
// kong.service.request.set_path).
func (c *Context) SetUpstreamPath(p string) { c.upPath, c.upPathSet = p, true }

// UpstreamPath returns a path set by a plugin (engine use).
func (c *Context) UpstreamPath() (string, bool) { return c.upPath, c.upPathSet }

// ---- routing and identity ------------------------------------------------

// Route returns the matched route, or nil before routing / when none matched.
func (c *Context) Route() *RouteRef { return c.route }

// Service returns the matched route's service, or nil.
func (c *Context) Service() *ServiceRef { return c.service }

// Consumer returns the authenticated consumer, or nil.
func (c *Context) Consumer() *Consumer { return c.consumer }

// Credential returns the credential the consumer authenticated with; nil
// for anonymous consumers.
func (c *Context) Credential() *Credential { return c.credential }

// LoadConsumer resolves a consumer by id or username (anonymous).
func (c *Context) LoadConsumer(idOrUsername string) *Consumer {
	if c.data == nil {
		return nil
	}
	return c.data.LoadConsumer(idOrUsername)
}

// Upstream headers Kong's auth plugins set (kong/constants.lua HEADERS).
const (
	HeaderConsumerID           = "X-Consumer-ID"
	HeaderConsumerCustomID     = "X-Consumer-Custom-ID"
	HeaderConsumerUsername     = "X-Consumer-Username"
	HeaderCredentialIdentifier = "X-Credential-Identifier"
	HeaderAnonymous            = "X-Anonymous-Consumer"
	HeaderConsumerGroups       = "X-Consumer-Groups"
)

// Canonical (fasthttp-normalized) names of the identity headers: request
// header names are normalized on the way in, so setting and peeking them
// by these names skips normalizing on every request. "X-Consumer-ID"
// travels as "X-Consumer-Id", as it always has.
var (
	ckConsumerID           = fasthttp.AppendNormalizedHeaderKey(nil, HeaderConsumerID)
	ckConsumerCustomID     = fasthttp.AppendNormalizedHeaderKey(nil, HeaderConsumerCustomID)
	ckConsumerUsername     = fasthttp.AppendNormalizedHeaderKey(nil, HeaderConsumerUsername)
	ckCredentialIdentifier = fasthttp.AppendNormalizedHeaderKey(nil, HeaderCredentialIdentifier)
	ckAnonymous            = fasthttp.AppendNormalizedHeaderKey(nil, HeaderAnonymous)
	valTrue                = []byte("true")
)

// Authenticate records the consumer and credential of this request and
// sets Kong's upstream identity headers. A nil credential means the
// anonymous consumer (X-Anonymous-Consumer: true).
func (c *Context) Authenticate(consumer *Consumer, cred *Credential) {
	c.consumer, c.credential = consumer, cred
	h := &c.fc.Request.Header
	if consumer != nil {
		setOrDel(h, ckConsumerID, consumer.ID)
		setOrDel(h, ckConsumerCustomID, consumer.CustomID)
		setOrDel(h, ckConsumerUsername, consumer.Username)
	} else {
		del(h, ckConsumerID)
		del(h, ckConsumerCustomID)
		del(h, ckConsumerUsername)
	}
	if cred != nil {
		setOrDel(h, ckCredentialIdentifier, cred.Identifier)
		del(h, ckAnonymous)
	} else {
		del(h, ckCredentialIdentifier)
		h.SetCanonical(ckAnonymous, valTrue)
	}
}

// setOrDel sets a request header by its canonical name, or removes it when
// v is empty.
func setOrDel(h *fasthttp.RequestHeader, key []byte, v string) {
	if v == "" {
		del(h, key)
		return
	}
	// SetCanonical copies the value: a read-only view of v is enough.
	h.SetCanonical(key, unsafe.Slice(unsafe.StringData(v), len(v)))
}

// del removes a request header by its canonical name; the (usual) absent
// header costs a lookup only.
func del(h *fasthttp.RequestHeader, key []byte) {
	if h.PeekCanonical(key) != nil {
		h.DelBytes(key)
	}
}

// Set stores a per-request value shared between plugins (kong.ctx.shared).
func (c *Context) Set(key string, v any) {
	for i := range c.shared {
		if c.shared[i].key == key {
			c.shared[i].val = v
			return
		}
	}
	c.shared = append(c.shared, kv{key, v})
}

// Get returns a value stored with Set.
func (c *Context) Get(key string) any {
	for i := range c.shared {
		if c.shared[i].key == key {
			return c.shared[i].val
		}
	}
	return nil
}

// ---- short-circuit -----------------------------------------------------

// Error ends the request with Kong's error body for message, negotiated
// on Accept (kong.response.error). headers are name, value pairs.
func (c *Context) Error(status int, message string, headers ...string) {
	c.exit = Exit{Status: status, Message: message, IsError: true}
	c.exited = true
	c.pendingPairs(headers)
}

// ExitJSON ends the request with v encoded as JSON (kong.response.exit
// with a table body).
func (c *Context) ExitJSON(status int, v any, headers ...string) {
	body, err := marshalJSON(v)
	if err != nil {
		c.Error(500, "An unexpected error occurred")
		return
	}
	c.exit = Exit{Status: status, Body: body, ContentType: "application/json; charset=utf-8"}
	c.exited = true
	c.pendingPairs(headers)
}

// Exit ends the request with a literal body (nil for none).
func (c *Context) Exit(status int, body []byte, contentType string, headers ...string) {
	c.exit = Exit{Status: status, Body: body, ContentType: contentType}
	c.exited = true
	c.pendingPairs(headers)
}

func (c *Context) pendingPairs(headers []string) {
	for i := 0; i+1 < len(headers); i += 2 {
		c.pending = append(c.pending, headerOp{op: opSet, name: headers[i], val: headers[i+1]})
	}
}

// Exited reports whether a plugin ended the request.
func (c *Context) Exited() bool { return c.exited }

// ExitValue returns the exit a plugin produced (engine use).
func (c *Context) ExitValue() *Exit { return &c.exit }

// ---- response ------------------------------------------------------------

// Status returns the response status (Response, Body and Log phases).
func (c *Context) Status() int { return c.fc.Response.StatusCode() }

// SetStatus changes the response status.
func (c *Context) SetStatus(s int) { c.fc.Response.SetStatusCode(s) }

// ResponseHeader returns a response header value, or nil. Names match
// case-insensitively; the response keeps the case names were sent with.
func (c *Context) ResponseHeader(name string) []byte {
	return httpheader.Peek(&c.fc.Response.Header, name)
}

// VisitResponseHeaders calls f for every response header.
func (c *Context) VisitResponseHeaders(f func(name, value []byte)) { c.fc.Response.Header.VisitAll(f) }

// SetResponseHeader sets a response header. Called before the response
// exists (access), it is applied to whichever response is sent: the
// upstream's or an exit (kong.response.set_header).
func (c *Context) SetResponseHeader(name, value string) { c.respOp(opSet, name, value) }

// AddResponseHeader adds a response header value.
func (c *Context) AddResponseHeader(name, value string) { c.respOp(opAdd, name, value) }

// DelResponseHeader removes a response header.
func (c *Context) DelResponseHeader(name string) { c.respOp(opDel, name, "") }

func (c *Context) respOp(op uint8, name, value string) {
	if c.phase < PhaseResponse {
		c.pending = append(c.pending, headerOp{op: op, name: name, val: value})
		return
	}
	applyOp(&c.fc.Response.Header, headerOp{op: op, name: name, val: value})
}

func applyOp(h *fasthttp.ResponseHeader, o headerOp) {
	switch o.op {
	case opSet:
		if equalFoldString([]byte(o.name), "Content-Type") {
			h.SetContentType(o.val)
			return
		}
		httpheader.Set(h, o.name, o.val)
	case opAdd:
		h.Add(o.name, o.val)
	case opDel:
		httpheader.Del(h, o.name)
	}
}

// ApplyPending applies response header changes made before the response
// existed (engine use, after the upstream response or an exit is in place).
// One pass over the response headers finds which of the names already
// exist (whatever their case); a set of a name that does not exist, and
// that no earlier change in the batch touched, needs no deletion first.
func (c *Context) ApplyPending() {
	if len(c.pending) == 0 {
		return
	}
	h := &c.fc.Response.Header
	var present uint64
	for k := range h.All() {
		for i := range c.pending {
			if i < 64 && equalFoldString(k, c.pending[i].name) {
				present |= 1 << i
			}
		}
	}
	for i, o := range c.pending {
		if i < 64 && o.op == opSet && present&(1<<i) == 0 && plainName(o.name) && !c.touchedBefore(i) {
			h.Set(o.name, o.val)
			continue
		}
		applyOp(h, o)
	}
	c.pending = c.pending[:0]
}

// plainName reports whether fasthttp stores a response header of this name
// as an ordinary header: not one of the fields it keeps apart (Content-*,
// Connection, Server, Set-Cookie, Date, Transfer-Encoding, Trailer).
func plainName(name string) bool {
	if name == "" {
		return false
	}
	switch name[0] | 0x20 {
	case 'c', 's', 'd', 't':
		return false
	}
	return true
}

// touchedBefore reports whether an earlier pending change names the same
// header as change i.
func (c *Context) touchedBefore(i int) bool {
	for j := 0; j < i; j++ {
		if strings.EqualFold(c.pending[j].name, c.pending[i].name) {
			return true
		}
	}
	return false
}

// ResponseBody returns the buffered response body.
func (c *Context) ResponseBody() []byte { return c.fc.Response.Body() }

// SetResponseBody replaces the response body.
func (c *Context) SetResponseBody(b []byte) { c.fc.Response.SetBody(b) }

// ResponseSize is the response body length.
func (c *Context) ResponseSize() int { return len(c.fc.Response.Body()) }

// RequestSize is the request's size on the wire, approximately: header
// block plus body.
func (c *Context) RequestSize() int {
	return len(c.fc.Request.Header.RawHeaders()) + len(c.fc.Request.Body()) + len(c.rawURI) + 16
}

// Source says who produced the response, as Kong's
// kong.response.get_source: "service" (the upstream), "exit" (a plugin or
// the gateway answered) or "error" (the upstream failed).
func (c *Context) Source() string {
	switch {
	case c.exited:
		return "exit"
	case c.ResponseSource != "":
		return c.ResponseSource
	case c.UpstreamDone.IsZero():
		return "exit"
	}
	return "service"
}

func equalFoldString(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		x, y := b[i], s[i]
		if x == y {
			continue
		}
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

func itoa(n int) string { return strconv.Itoa(n) }

// nowFunc is the clock; tests may pin it.
var nowFunc = time.Now

func sinceMs(from, to time.Time) int64 {
	if from.IsZero() {
		return 0
	}
	return to.Sub(from).Milliseconds()
}

// Package admin serves gatewayd's Kong-compatible Admin API. CRUD endpoints
// are generated from the entity schemas (never hand-written per entity);
// the few endpoints Kong customizes are registered as overrides.
package admin

import (
	"crypto/subtle"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/declarative"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store"
)

// PluginCatalog describes the loaded plugins to the admin API.
type PluginCatalog interface {
	// Names lists the loaded plugin names, sorted.
	Names() []string
	// Describe renders a plugin's schema for /schemas/plugins/{name}.
	Describe(name string) (map[string]any, bool)
	// Meta returns a plugin's version and PRIORITY.
	Meta(name string) (version string, priority int, ok bool)
}

// Options configure the Admin API.
type Options struct {
	Registry *schema.Registry
	Store    store.Store
	Plugins  PluginCatalog
	// Version is gatewayd's own version; KongVersion the Admin API level
	// implemented, reported as "version" so Kong tooling works.
	Version     string
	KongVersion string
	NodeID      string
	Hostname    string
	// Configuration is the redacted configuration shown by GET /.
	Configuration map[string]any
	// Token, when set, is required as "Authorization: Bearer <token>".
	Token string
	// ServerStatus returns the "server" section of /status (connection
	// and request counters of the proxy).
	ServerStatus func() map[string]any
	// ReadOnly makes every entity write answer Kong's 405 code 12
	// (DB-less mode).
	ReadOnly bool
	// Declarative, in DB-less mode, serves GET/POST /config and the
	// configuration_hash of /status.
	Declarative *declarative.DBless
	Logger      *slog.Logger
	// Now is the clock (tests pin it).
	Now func() time.Time
}

// Server is the Admin API handler.
type Server struct {
	opts   Options
	routes *table
	log    *slog.Logger
}

// New builds the Admin API from the registry's schemas.
func New(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	s := &Server{opts: opts, routes: newTable(), log: opts.Logger}
	s.registerCRUD()
	s.registerCustom()
	return s
}

// reqCtx carries one request through a handler.
type reqCtx struct {
	s      *Server
	w      http.ResponseWriter
	r      *http.Request
	params []string
	body   *body
}

// Body decodes the request body once.
func (rc *reqCtx) Body() (schema.Doc, bool, *apiError) {
	if rc.body == nil {
		b, err := readBody(rc.r)
		if err != nil {
			return nil, false, err
		}
		rc.body = &b
	}
	return schema.CloneValue(rc.body.doc).(map[string]any), rc.body.form, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	h := w.Header()
	h.Set("Server", "gatewayd/"+s.opts.Version)
	h.Set("Access-Control-Allow-Origin", "*")
	if o := r.Header.Get("Origin"); o != "" {
		h.Set("Access-Control-Allow-Origin", o)
		h.Add("Vary", "Origin")
	}
	status, resp := s.dispatch(w, r)
	h.Set("X-Gatewayd-Admin-Latency", strconv.FormatInt(time.Since(start).Milliseconds(), 10))
	writeJSON(w, r, status, resp)
}

func (s *Server) dispatch(w http.ResponseWriter, r *http.Request) (int, any) {
	if s.opts.Token != "" && !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="gatewayd-admin"`)
		return http.StatusUnauthorized, map[string]any{"message": "Unauthorized"}
	}
	rt, params := s.routes.match(r.URL.EscapedPath())
	if rt == nil {
		return http.StatusNotFound, errNotFound.body
	}
	if r.Method == http.MethodOptions {
		allow := strings.Join(rt.allowed(), ", ")
		w.Header().Set("Allow", allow)
		w.Header().Set("Access-Control-Allow-Methods", allow)
		w.Header().Set("Access-Control-Allow-Headers", "Content-Type")
		return http.StatusNoContent, nil
	}
	method := r.Method
	if method == http.MethodHead {
		method = http.MethodGet
	}
	h := rt.methods[method]
	if h == nil {
		return http.StatusMethodNotAllowed, errMethodNotAllowed.body
	}
	rc := &reqCtx{s: s, w: w, r: r, params: params}
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		// Kong decodes (and rejects) the body before any handler runs
		// (kong/api/api_helpers.lua before_filter and parse_params).
		if s.rawBody(rt, r.Method) {
			break
		}
		if _, _, apiErr := rc.Body(); apiErr != nil {
			return apiErr.status, apiErr.body
		}
	}
	status, resp, apiErr := h(rc)
	if apiErr != nil {
		return apiErr.status, apiErr.body
	}
	return status, resp
}

func (s *Server) authorized(r *http.Request) bool {
	auth := r.Header.Get("Authorization")
	const prefix = "Bearer "
	if len(auth) <= len(prefix) || !strings.EqualFold(auth[:len(prefix)], prefix) {
		return false
	}
	got := []byte(auth[len(prefix):])
	return subtle.ConstantTimeCompare(got, []byte(s.opts.Token)) == 1
}

// internal logs an unexpected error and returns Kong's generic 500.
func (s *Server) internal(r *http.Request, err error) *apiError {
	if ae := fromStore(err); ae != nil {
		return ae
	}
	s.log.Error("admin request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	return plainError(http.StatusInternalServerError, "An unexpected error occurred")
}

func writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	if status == http.StatusNoContent || v == nil {
		w.WriteHeader(status)
		return
	}
	data, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		data = []byte(`{"message":"An unexpected error occurred"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(data)
	}
}

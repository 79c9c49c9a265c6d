package admin

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"strings"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store"
)

// registerCustom adds the non-CRUD endpoints of kong-compat §2.2.
func (s *Server) registerCustom() {
	s.routes.handle("/", http.MethodGet, s.root)
	s.routes.handle("/status", http.MethodGet, s.status)
	s.routes.handle("/endpoints", http.MethodGet, func(rc *reqCtx) (int, any, *apiError) {
		return http.StatusOK, map[string]any{"data": schema.Strings(s.routes.templates()...)}, nil
	})
	s.routes.handle("/tags", http.MethodGet, func(rc *reqCtx) (int, any, *apiError) { return rc.tags("") })
	s.routes.handle("/tags/{tags}", http.MethodGet, func(rc *reqCtx) (int, any, *apiError) { return rc.tags(rc.params[0]) })
	s.routes.handle("/schemas/{db_entity_name}", http.MethodGet, s.entitySchema)
	s.routes.handle("/schemas/{db_entity_name}/validate", http.MethodPost, s.validateEntity)
	s.routes.handle("/schemas/plugins/{name}", http.MethodGet, s.pluginSchema)
	s.routes.handle("/schemas/plugins/validate", http.MethodPost, func(rc *reqCtx) (int, any, *apiError) {
		return rc.validate(s.opts.Registry.Get("plugins"))
	})
	s.routes.handle("/plugins/enabled", http.MethodGet, func(rc *reqCtx) (int, any, *apiError) {
		return http.StatusOK, map[string]any{"enabled_plugins": schema.Strings(s.pluginNames()...)}, nil
	})
	dbOnly := func(rc *reqCtx) (int, any, *apiError) {
		return 0, nil, plainError(http.StatusBadRequest, "this endpoint is only available when Kong is configured to not use a database")
	}
	s.routes.handle("/config", http.MethodGet, dbOnly)
	s.routes.handle("/config", http.MethodPost, dbOnly)
	if s.opts.Declarative != nil {
		s.registerConfig()
	}
}

func (s *Server) pluginNames() []string {
	if s.opts.Plugins == nil {
		return nil
	}
	return s.opts.Plugins.Names()
}

func (s *Server) root(rc *reqCtx) (int, any, *apiError) {
	available := map[string]any{}
	for _, n := range s.pluginNames() {
		v, p, _ := s.opts.Plugins.Meta(n)
		available[n] = map[string]any{"version": v, "priority": p}
	}
	enabled := map[string]bool{}
	page, err := s.opts.Store.List(rc.ctx(), "plugins", store.ListQuery{Size: 1000})
	if err == nil {
		for _, p := range page.Data {
			if n, ok := p["name"].(string); ok {
				enabled[n] = true
			}
		}
	}
	hostname := s.opts.Hostname
	if hostname == "" {
		hostname, _ = os.Hostname()
	}
	return http.StatusOK, map[string]any{
		"tagline":          "Welcome to gatewayd",
		"version":          s.opts.KongVersion,
		"gatewayd_version": s.opts.Version,
		"edition":          "community",
		"hostname":         hostname,
		"node_id":          s.opts.NodeID,
		"lua_version":      runtime.Version(),
		"timers":           map[string]any{"running": 0, "pending": 0},
		"plugins": map[string]any{
			"available_on_server": available,
			"enabled_in_cluster":  schema.Strings(sortedNames(enabled)...),
		},
		"configuration": s.opts.Configuration,
		"pids":          map[string]any{"master": os.Getpid(), "workers": []any{os.Getpid()}},
	}, nil
}

func (s *Server) status(rc *reqCtx) (int, any, *apiError) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	server := map[string]any{}
	if s.opts.ServerStatus != nil {
		server = s.opts.ServerStatus()
	}
	out := map[string]any{
		"server": server,
		"memory": map[string]any{
			"workers_lua_vms":  []any{map[string]any{"pid": os.Getpid(), "http_allocated_gc": formatBytes(ms.HeapAlloc)}},
			"lua_shared_dicts": map[string]any{},
		},
	}
	if !s.opts.ReadOnly {
		out["database"] = map[string]any{"reachable": s.opts.Store.Ping(rc.ctx()) == nil}
	}
	if hash, ok := s.configurationHash(); ok {
		out["configuration_hash"] = hash
	}
	return http.StatusOK, out, nil
}

func formatBytes(b uint64) string {
	return fmt.Sprintf("%.2f MiB", float64(b)/(1<<20))
}

func (s *Server) entitySchema(rc *reqCtx) (int, any, *apiError) {
	e := s.opts.Registry.Get(rc.params[0])
	if e == nil {
		return 0, nil, plainError(http.StatusNotFound, "No entity named '"+rc.params[0]+"'")
	}
	return http.StatusOK, e.Describe(), nil
}

func (s *Server) validateEntity(rc *reqCtx) (int, any, *apiError) {
	e := s.opts.Registry.Get(rc.params[0])
	if e == nil {
		return 0, nil, plainError(http.StatusNotFound, "No entity named '"+rc.params[0]+"'")
	}
	return rc.validate(e)
}

// validate runs the same preparation a POST would, without storing.
func (rc *reqCtx) validate(e *schema.Entity) (int, any, *apiError) {
	in, apiErr := rc.input(e, nil)
	if apiErr != nil {
		return 0, nil, apiErr
	}
	if _, errs := e.Prepare(in, nil, schema.Insert, rc.s.opts.Now()); !errs.Empty() {
		return 0, nil, schemaViolation(errs)
	}
	return http.StatusOK, map[string]any{"message": "schema validation successful"}, nil
}

func (s *Server) pluginSchema(rc *reqCtx) (int, any, *apiError) {
	name := rc.params[0]
	if s.opts.Plugins != nil {
		if d, ok := s.opts.Plugins.Describe(name); ok {
			return http.StatusOK, d, nil
		}
	}
	return 0, nil, plainError(http.StatusNotFound, "No plugin named '"+name+"'")
}

func (rc *reqCtx) tags(tag string) (int, any, *apiError) {
	q := parseForm(rc.r.URL.RawQuery)
	lq, apiErr := pageArgs(q, false)
	if apiErr != nil {
		return 0, nil, apiErr
	}
	if tag != "" {
		if _, _, apiErr := parseTags(tag); apiErr != nil || strings.ContainsAny(tag, ",/") {
			return 0, nil, invalidOptions("tags", "invalid filter syntax")
		}
	}
	rows, next, err := rc.s.opts.Store.ListTags(rc.ctx(), tag, lq.Size, lq.Offset)
	if err != nil {
		return 0, nil, rc.s.internal(rc.r, err)
	}
	data := make([]any, len(rows))
	for i, r := range rows {
		data[i] = map[string]any{"entity_name": r.EntityName, "entity_id": r.EntityID, "tag": r.Tag}
	}
	resp := map[string]any{"data": data, "next": nil}
	if next != "" {
		resp["offset"] = next
		resp["next"] = trimSlash(rc.r.URL.EscapedPath()) + "?offset=" + url.QueryEscape(next)
	}
	return http.StatusOK, resp, nil
}

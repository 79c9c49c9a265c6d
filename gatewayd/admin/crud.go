package admin

import (
	"context"
	"errors"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store"
)

// registerCRUD generates Kong's auto routes (kong/api/endpoints.lua) for
// every entity: collection, entity, parent-of-child and nested paths.
func (s *Server) registerCRUD() {
	for _, e := range s.opts.Registry.All() {
		e := e
		coll := "/" + e.Admin()
		ent := coll + "/{" + e.Admin() + "}"
		s.routes.handle(coll, http.MethodGet, func(rc *reqCtx) (int, any, *apiError) { return rc.list(e, nil, nil) })
		s.routes.handle(coll, http.MethodPost, func(rc *reqCtx) (int, any, *apiError) { return rc.create(e, nil, nil) })
		s.routes.handle(ent, http.MethodGet, func(rc *reqCtx) (int, any, *apiError) { return rc.get(e, rc.params[0], nil, nil) })
		s.routes.handle(ent, http.MethodPut, func(rc *reqCtx) (int, any, *apiError) { return rc.upsert(e, rc.params[0], nil, nil) })
		s.routes.handle(ent, http.MethodPatch, func(rc *reqCtx) (int, any, *apiError) { return rc.update(e, rc.params[0], nil, nil) })
		s.routes.handle(ent, http.MethodDelete, func(rc *reqCtx) (int, any, *apiError) { return rc.delete(e, rc.params[0], nil, nil) })
		for _, f := range e.ForeignFields() {
			f := f
			parent := s.opts.Registry.Get(f.Reference)
			if parent == nil {
				continue
			}
			// /routes/{routes}/service: the referenced parent.
			up := ent + "/" + f.Name
			s.routes.handle(up, http.MethodGet, func(rc *reqCtx) (int, any, *apiError) { return rc.parentOf(e, f, parent, http.MethodGet) })
			s.routes.handle(up, http.MethodPut, func(rc *reqCtx) (int, any, *apiError) { return rc.parentOf(e, f, parent, http.MethodPut) })
			s.routes.handle(up, http.MethodPatch, func(rc *reqCtx) (int, any, *apiError) { return rc.parentOf(e, f, parent, http.MethodPatch) })
			s.routes.handle(up, http.MethodDelete, func(rc *reqCtx) (int, any, *apiError) { return rc.parentOf(e, f, parent, http.MethodDelete) })
			// /services/{services}/routes[/{routes}]: nested collection.
			pcoll := "/" + parent.Admin() + "/{" + parent.Admin() + "}/" + e.Nested()
			pent := pcoll + "/{" + e.Nested() + "}"
			s.routes.handle(pcoll, http.MethodGet, func(rc *reqCtx) (int, any, *apiError) { return rc.list(e, parent, f) })
			s.routes.handle(pcoll, http.MethodPost, func(rc *reqCtx) (int, any, *apiError) { return rc.create(e, parent, f) })
			s.routes.handle(pent, http.MethodGet, func(rc *reqCtx) (int, any, *apiError) { return rc.get(e, rc.params[1], parent, f) })
			s.routes.handle(pent, http.MethodPut, func(rc *reqCtx) (int, any, *apiError) { return rc.upsert(e, rc.params[1], parent, f) })
			s.routes.handle(pent, http.MethodPatch, func(rc *reqCtx) (int, any, *apiError) { return rc.update(e, rc.params[1], parent, f) })
			s.routes.handle(pent, http.MethodDelete, func(rc *reqCtx) (int, any, *apiError) { return rc.delete(e, rc.params[1], parent, f) })
		}
		for _, d := range e.DisabledAdmin {
			switch {
			case d == "collection":
				s.routes.remove(coll)
			case d == "entity":
				s.routes.remove(ent)
			case strings.HasPrefix(d, "parent:"):
				s.routes.remove(ent + "/" + strings.TrimPrefix(d, "parent:"))
			}
		}
	}
}

func (rc *reqCtx) ctx() context.Context { return rc.r.Context() }

// readOnly rejects writes in DB-less mode with Kong's code 12 bodies.
func (rc *reqCtx) readOnly(e *schema.Entity, verb string) *apiError {
	if !rc.s.opts.ReadOnly {
		return nil
	}
	return dbError(http.StatusMethodNotAllowed, codeUnsupported, "operation unsupported",
		"cannot "+verb+" '"+e.Name+"' entities when not using a database", nil)
}

// find resolves a URL key (id or endpoint key) to a stored entity. It returns
// (nil, nil) when the entity does not exist. Under a parent, the child must
// belong to it.
func (rc *reqCtx) find(e *schema.Entity, key string, parent *schema.Entity, pf *schema.Field, parentDoc schema.Doc) (schema.Doc, *apiError) {
	var doc schema.Doc
	var err error
	switch {
	case schema.IsUUID(key):
		doc, err = rc.s.opts.Store.Get(rc.ctx(), e.Name, key)
	case e.EndpointKey != "" && e.Field(e.EndpointKey) != nil && e.Field(e.EndpointKey).Unique:
		doc, err = rc.s.opts.Store.GetByField(rc.ctx(), e.Name, e.EndpointKey, key)
	case e.EndpointKey != "" && parentDoc != nil:
		doc, err = rc.findInParent(e, key, pf, parentDoc)
	case e.Name == "certificates":
		doc, err = rc.certificateBySNI(key)
	default:
		return nil, invalidPrimaryKey(key)
	}
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, rc.s.internal(rc.r, err)
	}
	if parentDoc != nil && idOf(doc[pf.Name]) != parentDoc["id"] {
		return nil, nil
	}
	return doc, nil
}

// findInParent looks up an endpoint key that is unique only within its
// parent (a target's "host:port" within its upstream).
func (rc *reqCtx) findInParent(e *schema.Entity, key string, pf *schema.Field, parentDoc schema.Doc) (schema.Doc, error) {
	want := key
	if e.Normalize != nil {
		probe := schema.Doc{e.EndpointKey: key}
		e.Normalize(probe, probe, schema.Insert)
		if v, ok := probe[e.EndpointKey].(string); ok {
			want = v
		}
	}
	offset := ""
	for {
		page, err := rc.s.opts.Store.List(rc.ctx(), e.Name, store.ListQuery{Size: 1000, Offset: offset,
			ForeignField: pf.Name, ForeignID: parentDoc["id"].(string)})
		if err != nil {
			return nil, err
		}
		for _, d := range page.Data {
			if d[e.EndpointKey] == want || d[e.EndpointKey] == key {
				return d, nil
			}
		}
		if page.Offset == "" {
			return nil, store.ErrNotFound
		}
		offset = page.Offset
	}
}

func idOf(v any) any {
	if m, ok := v.(map[string]any); ok {
		return m["id"]
	}
	return nil
}

// parentDoc loads the parent named in the URL; a missing parent is 404.
func (rc *reqCtx) parentDoc(parent *schema.Entity) (schema.Doc, *apiError) {
	if parent == nil {
		return nil, nil
	}
	doc, apiErr := rc.find(parent, rc.params[0], nil, nil, nil)
	if apiErr != nil {
		return nil, apiErr
	}
	if doc == nil {
		return nil, errNotFound
	}
	return doc, nil
}

func (rc *reqCtx) get(e *schema.Entity, key string, parent *schema.Entity, pf *schema.Field) (int, any, *apiError) {
	pdoc, apiErr := rc.parentDoc(parent)
	if apiErr != nil {
		return 0, nil, apiErr
	}
	doc, apiErr := rc.find(e, key, parent, pf, pdoc)
	if apiErr != nil {
		return 0, nil, apiErr
	}
	if doc == nil {
		return 0, nil, errNotFound
	}
	return http.StatusOK, rc.render(e, doc), nil
}

// input decodes the body and applies form type inference with the entity's
// schema (plugins: config inferred with the named plugin's schema).
func (rc *reqCtx) input(e *schema.Entity, stored schema.Doc) (schema.Doc, *apiError) {
	doc, form, apiErr := rc.Body()
	if apiErr != nil {
		return nil, apiErr
	}
	if form {
		view := doc
		_, hadName := doc["name"]
		if !hadName && stored != nil && e.Name == "plugins" {
			doc["name"] = stored["name"]
		}
		schema.Infer(view, e.Fields)
		for _, sh := range e.Shorthands {
			if v, ok := doc[sh.Field.Name]; ok {
				if s, isStr := v.(string); isStr && s == "" {
					doc[sh.Field.Name] = nil
				}
			}
		}
		if !hadName && stored != nil && e.Name == "plugins" {
			delete(doc, "name")
		}
	}
	return doc, rc.resolveForeign(e, doc)
}

// resolveForeign turns foreign keys given by endpoint key
// ({"service": {"name": "svc"}}) into ids, answering code 13 when the
// referenced entity does not exist.
func (rc *reqCtx) resolveForeign(e *schema.Entity, doc schema.Doc) *apiError {
	for _, f := range e.ForeignFields() {
		m, ok := doc[f.Name].(map[string]any)
		if !ok || m["id"] != nil {
			continue
		}
		parent := rc.s.opts.Registry.Get(f.Reference)
		if parent == nil || parent.EndpointKey == "" {
			continue
		}
		v, ok := m[parent.EndpointKey].(string)
		if !ok {
			continue
		}
		pdoc, err := rc.s.opts.Store.GetByField(rc.ctx(), parent.Name, parent.EndpointKey, v)
		if errors.Is(err, store.ErrNotFound) {
			return unresolvedForeign(f.Name, parent.EndpointKey, v, parent.Name)
		}
		if err != nil {
			return rc.s.internal(rc.r, err)
		}
		doc[f.Name] = map[string]any{"id": pdoc["id"]}
	}
	return nil
}

func (rc *reqCtx) create(e *schema.Entity, parent *schema.Entity, pf *schema.Field) (int, any, *apiError) {
	if apiErr := rc.readOnly(e, "create"); apiErr != nil {
		return 0, nil, apiErr
	}
	pdoc, apiErr := rc.parentDoc(parent)
	if apiErr != nil {
		return 0, nil, apiErr
	}
	in, apiErr := rc.input(e, nil)
	if apiErr != nil {
		return 0, nil, apiErr
	}
	if pdoc != nil {
		in[pf.Name] = map[string]any{"id": pdoc["id"]}
	}
	doc, apiErr := rc.write(e, in, nil, schema.Insert)
	if apiErr != nil {
		return 0, nil, apiErr
	}
	return http.StatusCreated, rc.render(e, doc), nil
}

func (rc *reqCtx) upsert(e *schema.Entity, key string, parent *schema.Entity, pf *schema.Field) (int, any, *apiError) {
	if apiErr := rc.readOnly(e, "create or update"); apiErr != nil {
		return 0, nil, apiErr
	}
	pdoc, apiErr := rc.parentDoc(parent)
	if apiErr != nil {
		return 0, nil, apiErr
	}
	existing, apiErr := rc.find(e, key, parent, pf, pdoc)
	if apiErr != nil {
		return 0, nil, apiErr
	}
	in, apiErr := rc.input(e, nil)
	if apiErr != nil {
		return 0, nil, apiErr
	}
	switch {
	case schema.IsUUID(key):
		in["id"] = key
	case e.Name == "certificates":
		in["snis"] = appendSNI(in["snis"], key)
	default:
		if f := e.Field(e.EndpointKey); f != nil && f.Custom != nil {
			if msg := f.Custom(key); msg != "" {
				return 0, nil, dbError(http.StatusBadRequest, codeInvalidUnique, "invalid unique "+e.EndpointKey, msg, nil)
			}
		}
		in[e.EndpointKey] = key
	}
	if existing != nil {
		in["id"] = existing["id"]
	}
	if pdoc != nil {
		in[pf.Name] = map[string]any{"id": pdoc["id"]}
	}
	doc, apiErr := rc.write(e, in, existing, schema.Upsert)
	if apiErr != nil {
		return 0, nil, apiErr
	}
	return http.StatusOK, rc.render(e, doc), nil
}

func (rc *reqCtx) update(e *schema.Entity, key string, parent *schema.Entity, pf *schema.Field) (int, any, *apiError) {
	if apiErr := rc.readOnly(e, "update"); apiErr != nil {
		return 0, nil, apiErr
	}
	pdoc, apiErr := rc.parentDoc(parent)
	if apiErr != nil {
		return 0, nil, apiErr
	}
	existing, apiErr := rc.find(e, key, parent, pf, pdoc)
	if apiErr != nil {
		return 0, nil, apiErr
	}
	if existing == nil {
		return 0, nil, errNotFound
	}
	in, apiErr := rc.input(e, existing)
	if apiErr != nil {
		return 0, nil, apiErr
	}
	delete(in, "id")
	doc, apiErr := rc.write(e, in, existing, schema.Update)
	if apiErr != nil {
		return 0, nil, apiErr
	}
	return http.StatusOK, rc.render(e, doc), nil
}

func (rc *reqCtx) delete(e *schema.Entity, key string, parent *schema.Entity, pf *schema.Field) (int, any, *apiError) {
	if apiErr := rc.readOnly(e, "remove"); apiErr != nil {
		return 0, nil, apiErr
	}
	pdoc, apiErr := rc.parentDoc(parent)
	if apiErr != nil {
		if apiErr == errNotFound {
			return http.StatusNoContent, nil, nil
		}
		return 0, nil, apiErr
	}
	existing, apiErr := rc.find(e, key, parent, pf, pdoc)
	if apiErr != nil {
		return 0, nil, apiErr
	}
	if existing == nil {
		return http.StatusNoContent, nil, nil
	}
	err := rc.s.opts.Store.Write(rc.ctx(), func(w store.Writer) error {
		return w.Delete(rc.ctx(), e.Name, existing["id"].(string))
	})
	if err != nil {
		return 0, nil, rc.s.internal(rc.r, err)
	}
	return http.StatusNoContent, nil, nil
}

// parentOf serves /routes/{routes}/service: the entity a child references.
func (rc *reqCtx) parentOf(e *schema.Entity, f *schema.Field, parent *schema.Entity, method string) (int, any, *apiError) {
	child, apiErr := rc.find(e, rc.params[0], nil, nil, nil)
	if apiErr != nil {
		return 0, nil, apiErr
	}
	if child == nil {
		return 0, nil, errNotFound
	}
	pid, _ := idOf(child[f.Name]).(string)
	if pid == "" {
		return 0, nil, errNotFound
	}
	switch method {
	case http.MethodDelete:
		return 0, nil, errMethodNotAllowed
	case http.MethodPut:
		return rc.upsert(parent, pid, nil, nil)
	case http.MethodPatch:
		return rc.update(parent, pid, nil, nil)
	}
	return rc.get(parent, pid, nil, nil)
}

// write validates and stores one entity in a transaction, with the extra
// writes some entities need (a certificate's SNIs).
func (rc *reqCtx) write(e *schema.Entity, in, existing schema.Doc, op schema.Op) (schema.Doc, *apiError) {
	doc, errs := e.Prepare(in, existing, op, rc.s.opts.Now())
	if !errs.Empty() {
		return nil, schemaViolation(errs)
	}
	transient := extractTransient(e, doc)
	err := rc.s.opts.Store.Write(rc.ctx(), func(w store.Writer) error {
		var err error
		switch op {
		case schema.Insert:
			err = w.Insert(rc.ctx(), e.Name, doc)
		case schema.Upsert:
			err = w.Upsert(rc.ctx(), e.Name, doc)
		case schema.Update:
			err = w.Update(rc.ctx(), e.Name, doc)
		}
		if err != nil {
			return err
		}
		if e.Name == "certificates" {
			return rc.syncCertificateSNIs(w, doc, transient, op)
		}
		return nil
	})
	if err != nil {
		return nil, rc.s.internal(rc.r, err)
	}
	return doc, nil
}

// extractTransient removes transient fields from doc before storing and
// returns their values.
func extractTransient(e *schema.Entity, doc schema.Doc) map[string]any {
	out := map[string]any{}
	for _, f := range e.Fields {
		if f.Transient {
			if v, ok := doc[f.Name]; ok {
				out[f.Name] = v
				delete(doc, f.Name)
			}
		}
	}
	return out
}

// render completes a stored document for output: every schema field
// present (null when unset), transient fields filled in.
func (rc *reqCtx) render(e *schema.Entity, doc schema.Doc) map[string]any {
	out := make(map[string]any, len(e.Fields))
	for _, f := range e.Fields {
		if f.Transient {
			continue
		}
		out[f.Name] = doc[f.Name]
	}
	if e.Name == "certificates" {
		out["snis"] = rc.certificateSNINames(doc["id"].(string))
	}
	return out
}

// pageArgs parses size/offset/tags (kong/api/endpoints.lua).
func pageArgs(q url.Values, top bool) (store.ListQuery, *apiError) {
	var lq store.ListQuery
	if q.Has("size") {
		n, err := strconv.ParseFloat(q.Get("size"), 64)
		if err != nil {
			return lq, invalidSize("size must be a number")
		}
		if n != math.Trunc(n) || n < 1 || n > 1000 {
			return lq, invalidSize("size must be an integer between 1 and 1000")
		}
		lq.Size = int(n)
	}
	lq.Offset = q.Get("offset")
	if top && q.Has("tags") {
		tags, or, apiErr := parseTags(q.Get("tags"))
		if apiErr != nil {
			return lq, apiErr
		}
		lq.Tags, lq.TagsOr = tags, or
	}
	return lq, nil
}

func parseTags(raw string) ([]string, bool, *apiError) {
	if raw == "" {
		return nil, false, invalidOptions("tags", "cannot be null")
	}
	hasAnd, hasOr := strings.Contains(raw, ","), strings.Contains(raw, "/")
	if hasAnd && hasOr {
		return nil, false, invalidOptions("tags", "invalid filter syntax")
	}
	sep := ","
	if hasOr {
		sep = "/"
	}
	tags := strings.Split(raw, sep)
	if len(tags) > 5 {
		return nil, false, invalidOptions("tags", "cannot query more than 5 tags")
	}
	for _, t := range tags {
		if t == "" || schema.ValidateTag(t) != "" {
			return nil, false, invalidOptions("tags", "invalid filter syntax")
		}
	}
	return tags, hasOr, nil
}

func (rc *reqCtx) list(e *schema.Entity, parent *schema.Entity, pf *schema.Field) (int, any, *apiError) {
	q := rc.r.URL.Query()
	pdoc, apiErr := rc.parentDoc(parent)
	if apiErr != nil {
		return 0, nil, apiErr
	}
	if e.Name == "consumers" && parent == nil && q.Has("custom_id") {
		return rc.consumerByCustomID(q.Get("custom_id"))
	}
	lq, apiErr := pageArgs(q, parent == nil)
	if apiErr != nil {
		return 0, nil, apiErr
	}
	if pdoc != nil {
		lq.ForeignField, lq.ForeignID = pf.Name, pdoc["id"].(string)
	}
	page, err := rc.s.opts.Store.List(rc.ctx(), e.Name, lq)
	if err != nil {
		return 0, nil, rc.s.internal(rc.r, err)
	}
	data := make([]any, len(page.Data))
	for i, d := range page.Data {
		data[i] = rc.render(e, d)
	}
	resp := map[string]any{"data": data, "next": nil}
	if page.Offset != "" {
		resp["offset"] = page.Offset
		next := trimSlash(rc.r.URL.EscapedPath()) + "?offset=" + url.QueryEscape(page.Offset)
		if parent == nil {
			if q.Has("size") {
				next += "&size=" + q.Get("size")
			}
			if q.Has("tags") {
				next += "&tags=" + url.QueryEscape(q.Get("tags"))
			}
		}
		resp["next"] = next
	}
	return http.StatusOK, resp, nil
}

func (rc *reqCtx) consumerByCustomID(id string) (int, any, *apiError) {
	if id == "" {
		return 0, nil, plainError(http.StatusBadRequest, "custom_id must be an unempty string")
	}
	e := rc.s.opts.Registry.Get("consumers")
	doc, err := rc.s.opts.Store.GetByField(rc.ctx(), "consumers", "custom_id", id)
	if errors.Is(err, store.ErrNotFound) {
		return http.StatusOK, map[string]any{"data": []any{}, "next": nil}, nil
	}
	if err != nil {
		return 0, nil, rc.s.internal(rc.r, err)
	}
	return http.StatusOK, map[string]any{"data": []any{rc.render(e, doc)}, "next": nil}, nil
}

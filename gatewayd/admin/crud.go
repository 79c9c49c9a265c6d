package admin

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store"
	"github.com/google/uuid"
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
// belong to it. An endpoint key that is not a valid value of its field is
// Kong's 400 code 10 (the DAO's select_by_<key> validates it); a non-UUID key
// of an entity without endpoint key is code 1.
func (rc *reqCtx) find(e *schema.Entity, key string, parent *schema.Entity, pf *schema.Field, parentDoc schema.Doc) (schema.Doc, *apiError) {
	var doc schema.Doc
	var err error
	switch {
	case schema.IsUUID(key):
		doc, err = rc.s.opts.Store.Get(rc.ctx(), e.Name, key)
	case e.Name == "certificates":
		// kong/api/routes/certificates.lua: a certificate is reachable by
		// the name of one of its SNIs.
		if apiErr := invalidUnique(rc.s.opts.Registry.Get("snis"), "name", key); apiErr != nil {
			return nil, apiErr
		}
		doc, err = rc.certificateBySNI(key)
	case globalKey(e):
		if apiErr := invalidUnique(e, e.EndpointKey, key); apiErr != nil {
			return nil, apiErr
		}
		doc, err = rc.s.opts.Store.GetByField(rc.ctx(), e.Name, e.EndpointKey, key)
	case e.EndpointKey != "" && parentDoc != nil:
		doc, err = rc.findInParent(e, key, pf, parentDoc)
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
	if e.TTL && expired(doc, rc.s.opts.Now()) {
		return nil, nil
	}
	return doc, nil
}

// globalKey reports whether an entity's endpoint key is unique across the
// whole collection (a target's is unique only within its upstream).
func globalKey(e *schema.Entity) bool {
	if e.EndpointKey == "" {
		return false
	}
	f := e.Field(e.EndpointKey)
	return f != nil && f.Unique
}

// invalidUnique validates a URL key against the endpoint-key field: Kong's
// 400 code 10 "invalid unique <field>" with the validator's message.
func invalidUnique(e *schema.Entity, field, key string) *apiError {
	if e == nil {
		return nil
	}
	f := e.Field(field)
	if f == nil {
		return nil
	}
	msg := schema.ValidateField(f, key, nil)
	if msg == nil {
		return nil
	}
	text, ok := msg.(string)
	if !ok {
		text = schema.Pretty(msg, "")
	}
	return dbError(http.StatusBadRequest, codeInvalidUnique, "invalid unique "+field, text, nil)
}

// notFound is the 404 for a key that resolves to nothing. A certificate
// looked up by an SNI name that does not exist is "SNI not found"
// (kong/api/routes/certificates.lua prepare_params).
func notFound(e *schema.Entity, key string) *apiError {
	if e.Name == "certificates" && !schema.IsUUID(key) {
		return plainError(http.StatusNotFound, "SNI not found")
	}
	return errNotFound
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
		return nil, notFound(parent, rc.params[0])
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
		return 0, nil, notFound(e, key)
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
		_, hadName := doc["name"]
		if !hadName && stored != nil && e.Name == "plugins" {
			doc["name"] = stored["name"]
		}
		schema.Infer(doc, e.Fields)
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

// resolveForeign turns foreign keys given by a unique field
// ({"service": {"name": "svc"}}, {"consumer": {"custom_id": "c"}}) into ids
// before validation, as Kong's DAO resolve_foreign does: every unique field
// (or endpoint key) of the referenced entity that is present and valid is
// looked up, and any that does not resolve is code 13.
func (rc *reqCtx) resolveForeign(e *schema.Entity, doc schema.Doc) *apiError {
	unresolved := map[string]any{}
	for _, f := range e.ForeignFields() {
		m, ok := doc[f.Name].(map[string]any)
		if !ok {
			continue
		}
		if id, has := m["id"]; has {
			// Only the primary key is kept, as Kong's DAO does.
			doc[f.Name] = map[string]any{"id": id}
			continue
		}
		parent := rc.s.opts.Registry.Get(f.Reference)
		if parent == nil {
			continue
		}
		fieldErrs := map[string]any{}
		for _, pf := range parent.Fields {
			if !(pf.Unique || pf.Name == parent.EndpointKey) || pf.Name == "id" {
				continue
			}
			v, ok := m[pf.Name].(string)
			if !ok || schema.ValidateField(pf, v, nil) != nil {
				continue
			}
			pdoc, err := rc.s.opts.Store.GetByField(rc.ctx(), parent.Name, pf.Name, v)
			if errors.Is(err, store.ErrNotFound) {
				fieldErrs[pf.Name] = fmt.Sprintf("the foreign key cannot be resolved with '%s' for an existing '%s' entity",
					schema.Pretty(map[string]any{pf.Name: v}, ""), parent.Name)
				continue
			}
			if err != nil {
				return rc.s.internal(rc.r, err)
			}
			doc[f.Name] = map[string]any{"id": pdoc["id"]}
			break
		}
		if len(fieldErrs) > 0 {
			unresolved[f.Name] = fieldErrs
		}
	}
	if len(unresolved) > 0 {
		return unresolvedForeign(unresolved)
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
	if e.Name == "targets" && pdoc != nil {
		// kong/api/routes/upstreams.lua: PUT on a target updates it.
		return rc.update(e, key, parent, pf)
	}
	// The key names the entity to replace wherever it lives: a nested PUT
	// moves it under the parent, as Kong's upsert does.
	var existing schema.Doc
	if schema.IsUUID(key) || globalKey(e) || e.Name == "certificates" {
		existing, apiErr = rc.find(e, key, nil, nil, nil)
	} else {
		existing, apiErr = rc.find(e, key, parent, pf, pdoc)
	}
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
		// kong/api/routes/certificates.lua prepare_args: the SNI in the URL
		// joins the body's snis; without snis in the body a PUT clears them.
		if in["snis"] != nil {
			in["snis"] = appendSNI(in["snis"], key)
		}
	default:
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
		return 0, nil, notFound(e, key)
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

// delete is 204 whether or not the entity exists; under a parent (and for
// targets) both must exist and match, else 404 (kong/api/endpoints.lua
// delete_entity_endpoint).
func (rc *reqCtx) delete(e *schema.Entity, key string, parent *schema.Entity, pf *schema.Field) (int, any, *apiError) {
	if apiErr := rc.readOnly(e, "remove"); apiErr != nil {
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
		if parent != nil || (e.Name == "certificates" && !schema.IsUUID(key)) {
			return 0, nil, notFound(e, key)
		}
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
		return 0, nil, notFound(e, rc.params[0])
	}
	pid, _ := idOf(child[f.Name]).(string)
	if pid == "" {
		if method == http.MethodPut {
			return rc.associate(e, f, parent, child)
		}
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

// associate serves PUT /routes/{r}/service for a route without a service:
// the service is created with a new id and the route linked to it
// (kong/api/endpoints.lua put_entity_endpoint, "associate").
func (rc *reqCtx) associate(e *schema.Entity, f *schema.Field, parent *schema.Entity, child schema.Doc) (int, any, *apiError) {
	if apiErr := rc.readOnly(parent, "create or update"); apiErr != nil {
		return 0, nil, apiErr
	}
	in, apiErr := rc.input(parent, nil)
	if apiErr != nil {
		return 0, nil, apiErr
	}
	in["id"] = uuid.NewString()
	doc, apiErr := rc.write(parent, in, nil, schema.Upsert)
	if apiErr != nil {
		return 0, nil, apiErr
	}
	link := schema.Doc{f.Name: map[string]any{"id": doc["id"]}}
	if _, apiErr := rc.write(e, link, child, schema.Update); apiErr != nil {
		return 0, nil, apiErr
	}
	return http.StatusOK, rc.render(parent, doc), nil
}

// write validates and stores one entity in a transaction, with the extra
// writes some entities need (a certificate's SNIs).
func (rc *reqCtx) write(e *schema.Entity, in, existing schema.Doc, op schema.Op) (schema.Doc, *apiError) {
	var snis *sniList
	if e.Name == "certificates" {
		var apiErr *apiError
		if snis, apiErr = rc.certificateSNIInput(in, existing, op); apiErr != nil {
			return nil, apiErr
		}
	}
	expiry, apiErr := rc.ttlOption(e, in, existing, op)
	if apiErr != nil {
		return nil, apiErr
	}
	doc, errs := e.Prepare(in, withoutTTL(existing), op, rc.s.opts.Now())
	if !errs.Empty() {
		return nil, schemaViolation(errs)
	}
	if expiry != nil {
		doc[TTLKey] = expiry
	}
	extractTransient(e, doc)
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
		if snis != nil {
			return rc.syncCertificateSNIs(w, doc["id"].(string), snis.names)
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
	if e.TTL {
		if ttl, ok := remainingTTL(doc, rc.s.opts.Now()); ok {
			out["ttl"] = ttl
		}
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
	q := parseForm(rc.r.URL.RawQuery)
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
	data := make([]any, 0, len(page.Data))
	for _, d := range page.Data {
		if e.TTL && expired(d, rc.s.opts.Now()) {
			continue
		}
		data = append(data, rc.render(e, d))
	}
	resp := map[string]any{"data": data, "next": nil}
	if page.Offset != "" {
		resp["offset"] = page.Offset
		next := trimSlash(rc.r.URL.EscapedPath()) + "?offset=" + url.QueryEscape(page.Offset)
		if parent == nil {
			// kong/api/endpoints.lua: tags first, then size.
			if q.Has("tags") {
				next += "&tags=" + url.QueryEscape(q.Get("tags"))
			}
			if q.Has("size") {
				next += "&size=" + q.Get("size")
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

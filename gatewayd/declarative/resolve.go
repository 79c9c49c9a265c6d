package declarative

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/entity"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/plugin"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// Registry returns the schemas a declarative file is validated against:
// the core entities plus the entities of the named plugins ("bundled" for
// every registered one) — the same schemas the Admin API validates with.
// The caller must have imported the plugins (gatewayd/plugins/bundled).
func Registry(plugins []string) (*schema.Registry, error) {
	cat, err := plugin.NewCatalog(plugins)
	if err != nil {
		return nil, err
	}
	reg := entity.Core(cat.Lookup)
	for _, e := range cat.Entities() {
		reg.Add(e)
	}
	return reg, nil
}

// Resolved is a file validated against the schemas: every entity complete
// (defaults filled, deterministic id, references as {"id": ...}), ready to
// be stored.
type Resolved struct {
	// Kinds lists the entity names in registry order: parents first.
	Kinds []string
	// Docs holds the completed documents of each kind, in file order.
	Docs map[string][]schema.Doc
	// IDs maps every entity of the file to its id.
	IDs map[*Entity]string
	// Inputs are the entities as written with their id and references
	// resolved, before defaults: what an Admin API call would send.
	Inputs map[*Entity]schema.Doc
}

// Count returns the number of entities.
func (r *Resolved) Count() int {
	n := 0
	for _, d := range r.Docs {
		n += len(d)
	}
	return n
}

// ResolveOptions control Resolve.
type ResolveOptions struct {
	// Now stamps created_at/updated_at (default time.Now).
	Now time.Time
	// External resolves references to entities the file does not contain
	// (sync: the target node holds them). nil makes them errors, as in
	// DB-less mode, where the file is the whole configuration.
	External func(kind, key string) (id string, ok bool)
}

// untransformed lists the fields `_transform: false` leaves as written:
// they are already in the form Kong stores (a basic-auth password hash).
var untransformed = map[string][]string{"basicauth_credentials": {"password"}}

// Resolve validates every entity with the registry's schemas (the Admin
// API's), checks uniqueness and references across the file, and returns
// the completed documents. All problems are returned together as Errors.
func (f *File) Resolve(reg *schema.Registry, opts ResolveOptions) (*Resolved, error) {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	r := &Resolved{Docs: map[string][]schema.Doc{}, IDs: map[*Entity]string{}, Inputs: map[*Entity]schema.Doc{}}
	for _, e := range reg.All() {
		r.Kinds = append(r.Kinds, e.Name)
	}
	var errs Errors
	idx := newFileIndex()
	seen := map[string]int{}
	for _, e := range f.Entities {
		id := f.assignID(reg.Get(e.Kind), e, r.IDs, seen)
		r.IDs[e] = id
		if err := idx.add(reg.Get(e.Kind), e, id); err != nil {
			errs = append(errs, *err)
		}
	}
	for _, e := range f.Entities {
		def := reg.Get(e.Kind)
		doc, refErrs := resolveRefs(def, e, r.IDs, idx, opts.External)
		errs = append(errs, refErrs...)
		r.Inputs[e] = schema.CloneValue(doc).(map[string]any)
		prepared, serrs := def.Prepare(doc, nil, schema.Insert, opts.Now)
		if !serrs.Empty() {
			errs = append(errs, schemaErrors(e, serrs)...)
			continue
		}
		if !f.Transform {
			for _, field := range untransformed[e.Kind] {
				if v, ok := e.Fields[field]; ok {
					prepared[field] = v
				}
			}
		}
		for _, fd := range def.Fields {
			if fd.Transient {
				delete(prepared, fd.Name)
			}
		}
		r.Docs[e.Kind] = append(r.Docs[e.Kind], prepared)
	}
	if err := errs.errorsOrNil(); err != nil {
		return nil, err
	}
	return r, nil
}

// assignID returns the entity's id: as written, else Kong's deterministic
// id, else one derived from its content (see contentKey).
func (f *File) assignID(def *schema.Entity, e *Entity, ids map[*Entity]string, seen map[string]int) string {
	if id, ok := e.Fields["id"].(string); ok {
		return id
	}
	parentID := ""
	if e.Parent != nil {
		parentID = ids[e.Parent]
	}
	if key, ok := idKey(def, e, parentID); ok {
		return GenerateID(def.Name, key)
	}
	return GenerateID(def.Name, contentKey(e, parentID, seen))
}

// fileIndex finds file entities by id and endpoint key, and detects
// duplicates the way Kong's declarative loader reports them.
type fileIndex struct {
	byID  map[string]map[string]*Entity
	byKey map[string]map[string]*Entity
	// uniques maps kind -> "field\x00value" -> the first entity holding it.
	uniques map[string]map[string]*Entity
}

func newFileIndex() *fileIndex {
	return &fileIndex{byID: map[string]map[string]*Entity{}, byKey: map[string]map[string]*Entity{},
		uniques: map[string]map[string]*Entity{}}
}

func (x *fileIndex) add(def *schema.Entity, e *Entity, id string) *Error {
	if x.byID[e.Kind] == nil {
		x.byID[e.Kind], x.byKey[e.Kind], x.uniques[e.Kind] = map[string]*Entity{}, map[string]*Entity{}, map[string]*Entity{}
	}
	var dup *Error
	claim := func(key, msg string) {
		if first, taken := x.uniques[e.Kind][key]; taken {
			if dup == nil {
				err := entityError(e, "", msg)
				err.Note = "first declared at " + first.location()
				dup = &err
			}
			return
		}
		x.uniques[e.Kind][key] = e
	}
	for _, field := range def.UniqueFields() {
		if v, ok := e.Fields[field]; ok && v != nil {
			claim(field+"\x00"+refText(v), fmt.Sprintf("uniqueness violation: '%s' entity with %s set to '%s' already declared",
				e.Kind, field, refText(v)))
		}
	}
	if ek := def.EndpointKey; ek != "" && e.Fields[ek] != nil {
		if f := def.Field(ek); f != nil && !f.Unique {
			// Unique within the parent only (a target within its upstream).
			claim("scoped\x00"+id, fmt.Sprintf("uniqueness violation: '%s' entity with %s set to '%s' already declared",
				e.Kind, ek, refText(e.Fields[ek])))
		}
	}
	if len(def.CacheKey) > 0 && e.Fields[def.EndpointKey] == nil {
		claim("cache\x00"+id, fmt.Sprintf("uniqueness violation: '%s' entity with the same %s already declared",
			e.Kind, strings.Join(def.CacheKey, ", ")))
	}
	claim("id\x00"+id, fmt.Sprintf("uniqueness violation: '%s' entity with primary key set to '%s' already declared", e.Kind, id))
	x.byID[e.Kind][id] = e
	if k := e.Key(); k != "" {
		if _, taken := x.byKey[e.Kind][k]; !taken {
			x.byKey[e.Kind][k] = e
		}
	}
	return dup
}

func (x *fileIndex) find(kind, key string) (*Entity, bool) {
	if e, ok := x.byKey[kind][key]; ok {
		return e, true
	}
	e, ok := x.byID[kind][key]
	return e, ok
}

// resolveRefs copies the entity's fields with the id assigned and every
// foreign field as {"id": ...}: the parent's id for the field the nesting
// sets, else the entity the reference names (by endpoint key or id) in
// the file or, through external, outside it.
func resolveRefs(def *schema.Entity, e *Entity, ids map[*Entity]string, idx *fileIndex,
	external func(kind, key string) (string, bool)) (schema.Doc, Errors) {
	doc := schema.CloneValue(e.Fields).(map[string]any)
	doc["id"] = ids[e]
	var errs Errors
	for _, f := range def.ForeignFields() {
		if e.Parent != nil && f.Name == e.ParentField {
			doc[f.Name] = map[string]any{"id": ids[e.Parent]}
			continue
		}
		v, present := doc[f.Name]
		if !present || v == nil {
			continue
		}
		key, ok := refKey(v)
		if ok {
			if target, found := idx.find(f.Reference, key); found {
				doc[f.Name] = map[string]any{"id": ids[target]}
				continue
			}
			if external != nil {
				if id, found := external(f.Reference, key); found {
					doc[f.Name] = map[string]any{"id": id}
					continue
				}
			}
		}
		errs = append(errs, entityError(e, f.Name, fmt.Sprintf("invalid reference '%s: %s' (no such entry in '%s')",
			f.Name, refText(v), f.Reference)))
		delete(doc, f.Name)
	}
	return doc, errs
}

// refKey reads a reference: an endpoint key or id string, or {"id": ...}.
func refKey(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, t != ""
	case map[string]any:
		if id, ok := t["id"].(string); ok && id != "" {
			return id, true
		}
	}
	return "", false
}

// location names an entity for "first declared at" notes.
func (e *Entity) location() string {
	return fmt.Sprintf("%s:%d (%s)", e.File, e.Line, e.Path)
}

// canonicalJSON encodes v with sorted keys.
func canonicalJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

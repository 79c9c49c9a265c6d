package declarative

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// planner computes the changes that make a node equal to a file, within
// the select-tag scope.
type planner struct {
	ctx   context.Context
	reg   *schema.Registry
	f     *File
	node  *nodeState
	opts  SyncOptions
	kinds []api.Kind
	level map[string]int

	ids   map[*Entity]string
	names map[string]string // "kind\x00id" -> display name of a file entity
	file  *fileIndex
	cur   map[string]map[string]api.Entity // kind -> identity -> current entity
	taken map[string]map[string]*Entity    // kind -> current id -> desired entity matched to it
	// usedIdentities are every identity the desired state claims, to find
	// deletes that must run before creates (a unique value moving).
	usedIdentities map[string]map[string]bool
	seen           map[string]int
	outOfScope     map[string]map[string]bool // kind -> identities on the node outside the scope

	changes   []*Change
	unchanged int
	errs      Errors
}

func newPlanner(ctx context.Context, reg *schema.Registry, f *File, node *nodeState, kinds []api.Kind, opts SyncOptions) *planner {
	p := &planner{ctx: ctx, reg: reg, f: f, node: node, opts: opts, kinds: kinds, level: map[string]int{},
		ids: map[*Entity]string{}, names: map[string]string{}, file: newFileIndex(), cur: map[string]map[string]api.Entity{},
		taken: map[string]map[string]*Entity{}, usedIdentities: map[string]map[string]bool{}, seen: map[string]int{},
		outOfScope: map[string]map[string]bool{}}
	for i, k := range kinds {
		p.level[k.Name] = i
		p.taken[k.Name] = map[string]*Entity{}
		p.usedIdentities[k.Name] = map[string]bool{}
		idx := map[string]api.Entity{}
		def := reg.Get(k.Name)
		for _, d := range node.docs[k.Name] {
			for _, id := range identities(def, d) {
				if _, dup := idx[id]; !dup {
					idx[id] = d
				}
			}
		}
		p.cur[k.Name] = idx
	}
	// The file's own index by key and written id, for references.
	for _, e := range f.Entities {
		if p.file.byID[e.Kind] == nil {
			p.file.byID[e.Kind], p.file.byKey[e.Kind] = map[string]*Entity{}, map[string]*Entity{}
		}
		if id, ok := e.Fields["id"].(string); ok {
			p.file.byID[e.Kind][id] = e
		}
		if k := e.Key(); k != "" {
			if _, dup := p.file.byKey[e.Kind][k]; !dup {
				p.file.byKey[e.Kind][k] = e
			}
		}
	}
	return p
}

// plan matches every file entity to the node, kind by kind (parents
// first, so references resolve to final ids), then schedules deletes.
func (p *planner) plan() error {
	byKind := map[string][]*Entity{}
	for _, e := range p.f.Entities {
		if _, managed := p.level[e.Kind]; !managed {
			p.errs = append(p.errs, entityError(e, "", fmt.Sprintf("sync does not manage '%s' entities", e.Kind)))
			continue
		}
		byKind[e.Kind] = append(byKind[e.Kind], e)
	}
	for _, k := range p.kinds {
		if len(byKind[k.Name]) > 0 && p.node.unsupported[k.Name] {
			p.errs = append(p.errs, entityError(byKind[k.Name][0], "",
				fmt.Sprintf("the node does not serve /%s (is the plugin that owns it enabled?)", k.Collection)))
			continue
		}
		for _, e := range byKind[k.Name] {
			if err := p.planEntity(k, e); err != nil {
				return err
			}
		}
	}
	if !p.opts.NoDeletes {
		if err := p.planDeletes(); err != nil {
			return err
		}
	}
	return nil
}

// planEntity resolves one entity's references, matches it with the
// node's state and records a create or an update when they differ.
func (p *planner) planEntity(k api.Kind, e *Entity) error {
	def := p.reg.Get(e.Kind)
	user, ok := p.userDoc(def, e)
	if !ok {
		return nil
	}
	sch, err := p.node.entitySchema(p.ctx, e.Kind, user)
	if err != nil {
		return err
	}
	expected := p.expectedDoc(def, sch, e, user)
	generated := p.generatedID(def, e)
	cur, ok := p.match(def, e, user, expected, generated)
	if !ok {
		return nil
	}
	for _, id := range identities(def, expected) {
		if !strings.HasPrefix(id, "id=") {
			p.usedIdentities[e.Kind][id] = true
		}
	}
	if cur == nil {
		return p.planCreate(k, e, user, expected, generated)
	}
	p.setID(e, cur["id"].(string))
	p.taken[e.Kind][p.ids[e]] = e
	changes := api.Compare(expected, cur, sch)
	if len(changes) == 0 {
		p.unchanged++
		return nil
	}
	return p.planUpdate(k, sch, e, user, expected, cur, changes)
}

// userDoc is the entity as the user wrote it, with every reference
// resolved to the id it has (or will have) on the node, the select tags
// added and shorthands (a service's url) expanded.
func (p *planner) userDoc(def *schema.Entity, e *Entity) (map[string]any, bool) {
	doc := schema.CloneValue(e.Fields).(map[string]any)
	ok := true
	for _, f := range def.ForeignFields() {
		if e.Parent != nil && f.Name == e.ParentField {
			doc[f.Name] = map[string]any{"id": p.ids[e.Parent]}
			continue
		}
		v, present := doc[f.Name]
		if !present || v == nil {
			continue
		}
		id, good := p.resolveRef(e, f, v)
		if !good {
			ok = false
			continue
		}
		doc[f.Name] = map[string]any{"id": id}
	}
	if len(p.f.SelectTags) > 0 {
		tags, _ := doc["tags"].([]any)
		for _, t := range p.f.SelectTags {
			if !slices.Contains(tags, any(t)) {
				tags = append(tags, t)
			}
		}
		doc["tags"] = tags
	}
	for _, sh := range def.Shorthands {
		if v, present := doc[sh.Field.Name]; present {
			delete(doc, sh.Field.Name)
			if v != nil {
				sh.Expand(v, doc)
			}
		}
	}
	return doc, ok
}

// resolveRef finds the id a reference names: an entity of the file, one
// on the node in scope, or one outside the scope (looked up by key).
func (p *planner) resolveRef(e *Entity, f *schema.Field, v any) (string, bool) {
	key, ok := refKey(v)
	refKind, known := api.KindByName(f.Reference)
	if ok && known {
		if target, found := p.file.find(f.Reference, key); found {
			if id, assigned := p.ids[target]; assigned {
				return id, true
			}
		}
		if cur := p.currentByKey(f.Reference, key); cur != nil {
			id := cur["id"].(string)
			if p.taken[f.Reference][id] == nil && !p.opts.NoDeletes {
				p.errs = append(p.errs, entityError(e, f.Name, fmt.Sprintf(
					"'%s: %s' refers to a %s this sync deletes (it is not in the file); add it to the file or use --no-deletes",
					f.Name, key, singular(f.Reference))))
				return "", false
			}
			return id, true
		}
		ext, err := p.node.lookup(p.ctx, refKind, key)
		if err != nil {
			p.errs = append(p.errs, entityError(e, f.Name, err.Error()))
			return "", false
		}
		if ext != nil {
			return ext["id"].(string), true
		}
	}
	p.errs = append(p.errs, entityError(e, f.Name, fmt.Sprintf("invalid reference '%s: %s' (no such entry in '%s', in the file or on the node)",
		f.Name, refText(v), f.Reference)))
	return "", false
}

func (p *planner) currentByKey(kind, key string) api.Entity {
	if d, ok := p.node.byID[kind][key]; ok {
		return d
	}
	def := p.reg.Get(kind)
	if def == nil || def.EndpointKey == "" {
		return nil
	}
	return p.cur[kind][def.EndpointKey+"="+key]
}

// expectedDoc is what the node should hold for the entity: the user's
// fields, the node schema's defaults for the rest (decK's rule: a field
// left out of the file means its default, so removing a line resets it),
// and the server-side normalization gatewayd and Kong apply (a target's
// default port, a basic-auth password's hash).
func (p *planner) expectedDoc(def *schema.Entity, sch *api.Schema, e *Entity, user map[string]any) map[string]any {
	doc := schema.CloneValue(user).(map[string]any)
	transient := map[string]bool{}
	for _, f := range def.Fields {
		if f.Transient {
			transient[f.Name] = true
		}
	}
	fillDefaults(doc, sch.Fields, transient)
	if def.Normalize != nil {
		def.Normalize(doc, user, schema.Insert)
	}
	for _, f := range def.Fields {
		if _, given := user[f.Name]; f.Auto && !given {
			delete(doc, f.Name) // ids, timestamps, generated keys are the server's
		}
	}
	if !p.f.Transform {
		for _, field := range untransformed[e.Kind] {
			if v, ok := user[field]; ok {
				doc[field] = v
			}
		}
	}
	schema.DedupeSets(doc, def.Fields)
	return doc
}

// fillDefaults completes doc from schema fields: defaults where set,
// records materialized, null for the rest. Auto and transient fields are
// left out: the server owns them.
func fillDefaults(doc map[string]any, fields []*api.Field, skip map[string]bool) {
	for _, f := range fields {
		if f.Auto || skip[f.Name] {
			continue
		}
		v, present := doc[f.Name]
		if !present {
			switch {
			case f.HasDefault && f.Default != nil:
				doc[f.Name] = schema.CloneValue(f.Default)
			case f.Type == "record" && len(f.Fields) > 0:
				m := map[string]any{}
				fillDefaults(m, f.Fields, nil)
				doc[f.Name] = m
			default:
				doc[f.Name] = nil
			}
			continue
		}
		if m, ok := v.(map[string]any); ok && f.Type == "record" {
			fillDefaults(m, f.Fields, nil)
		}
	}
}

// match finds the node entity a file entity stands for: by the id it
// gives, else by any of its identities (endpoint key, unique fields,
// cache key...). It returns (nil, true) when there is none: a create.
func (p *planner) match(def *schema.Entity, e *Entity, user, expected map[string]any, generated string) (api.Entity, bool) {
	var cur api.Entity
	if id, given := user["id"].(string); given {
		cur = p.node.byID[e.Kind][id]
		if cur == nil {
			for _, ident := range identities(def, expected) {
				if other := p.cur[e.Kind][ident]; other != nil {
					p.errs = append(p.errs, entityError(e, "id", fmt.Sprintf(
						"the node has this %s with id %v (matched by %s); remove the id from the file or delete that %s first",
						singular(e.Kind), other["id"], ident, singular(e.Kind))))
					return nil, false
				}
			}
		}
	} else {
		for _, ident := range identities(def, expected) {
			if c := p.cur[e.Kind][ident]; c != nil {
				cur = c
				break
			}
		}
		if cur == nil {
			// An entity with no other identity (a route without a name)
			// is found by the id an earlier sync or DB-less load gave it.
			cur = p.node.byID[e.Kind][generated]
		}
	}
	if cur != nil {
		if other := p.taken[e.Kind][cur["id"].(string)]; other != nil {
			p.errs = append(p.errs, entityError(e, "", fmt.Sprintf("matches the same node %s as %s", singular(e.Kind), other.Path)))
			return nil, false
		}
	}
	return cur, true
}

// identities lists the keys that make an entity the same entity: its id,
// each unique field, the endpoint key (scoped by parent when not globally
// unique), the cache key, and a certificate's PEM.
func identities(def *schema.Entity, doc map[string]any) []string {
	var out []string
	if id, ok := doc["id"].(string); ok {
		out = append(out, "id="+id)
	}
	if def == nil {
		return out
	}
	for _, u := range def.UniqueFields() {
		if v := doc[u]; v != nil {
			out = append(out, u+"="+refText(v))
		}
	}
	if ek := def.EndpointKey; ek != "" && doc[ek] != nil {
		if f := def.Field(ek); f != nil && !f.Unique {
			scoped := ek + "=" + refText(doc[ek])
			for _, ff := range def.ForeignFields() {
				if ff.OnDelete == "cascade" {
					scoped += "@" + refText(doc[ff.Name])
				}
			}
			out = append(out, scoped)
		}
	}
	if len(def.CacheKey) > 0 {
		parts := make([]any, len(def.CacheKey))
		for i, k := range def.CacheKey {
			parts[i] = doc[k]
			if m, ok := doc[k].(map[string]any); ok {
				parts[i] = m["id"]
			}
		}
		b, _ := json.Marshal(parts)
		out = append(out, "cache="+string(b))
	}
	if def.Name == "certificates" || def.Name == "ca_certificates" {
		if c, ok := doc["cert"].(string); ok {
			out = append(out, "cert="+strings.TrimSpace(c))
		}
	}
	return out
}

// generatedID is the id a create gives an entity the file gives none:
// Kong's deterministic id, or one derived from its content (see
// contentKey). Parents are planned first, so their ids are known.
func (p *planner) generatedID(def *schema.Entity, e *Entity) string {
	parentID := ""
	if e.Parent != nil {
		parentID = p.ids[e.Parent]
	}
	if key, ok := idKey(def, e, parentID); ok {
		return GenerateID(def.Name, key)
	}
	return GenerateID(def.Name, contentKey(e, parentID, p.seen))
}

func (p *planner) planCreate(k api.Kind, e *Entity, user, expected map[string]any, generated string) error {
	def := p.reg.Get(e.Kind)
	if p.outsideScope(k, def, e, expected) {
		return nil
	}
	id, _ := user["id"].(string)
	if id == "" {
		id = generated
	}
	p.setID(e, id)
	body := schema.CloneValue(user).(map[string]any)
	body["id"] = id
	if !p.f.Transform && len(untransformed[e.Kind]) > 0 {
		p.errs = append(p.errs, entityError(e, untransformed[e.Kind][0],
			"cannot be created from a file with _transform: false: the Admin API hashes it again; give the clear-text value"))
		return nil
	}
	c := &Change{Action: Create, Kind: e.Kind, Key: p.keyOf(e.Kind, body), ID: id, level: p.level[e.Kind],
		After: p.maskDoc(e, body), Fields: p.createFields(e, user), body: body, method: "PUT", path: k.Collection + "/" + api.Path(id)}
	if k.NestedOnly {
		up := user[k.Parent].(map[string]any)["id"].(string)
		c.method, c.path = "POST", k.ParentKind+"/"+api.Path(up)+"/"+k.Nested
	}
	p.changes = append(p.changes, c)
	return nil
}

// outsideScope refuses to create an entity whose identity already exists
// on the node outside the select-tag scope: the create would fail halfway
// through the sync with a 409, and the entity belongs to someone else.
func (p *planner) outsideScope(k api.Kind, def *schema.Entity, e *Entity, expected map[string]any) bool {
	if len(p.f.SelectTags) == 0 || k.NestedOnly {
		return false
	}
	idents, err := p.allIdentities(k, def)
	if err != nil {
		p.errs = append(p.errs, entityError(e, "", err.Error()))
		return true
	}
	for _, ident := range identities(def, expected) {
		if idents[ident] {
			p.errs = append(p.errs, entityError(e, "", fmt.Sprintf(
				"a %s with %s exists on the node without the select tags %v: it is outside this sync's scope and is left alone; tag it, or rename this one",
				singular(e.Kind), ident, p.f.SelectTags)))
			return true
		}
	}
	return false
}

// allIdentities lists a collection without the tag filter once, for
// outsideScope.
func (p *planner) allIdentities(k api.Kind, def *schema.Entity) (map[string]bool, error) {
	if m, ok := p.outOfScope[k.Name]; ok {
		return m, nil
	}
	docs, err := p.node.c.List(p.ctx, k.Collection, api.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", k.Collection, err)
	}
	m := map[string]bool{}
	for _, d := range docs {
		if hasTags(d, p.f.SelectTags) {
			continue
		}
		for _, ident := range identities(def, d) {
			m[ident] = true
		}
	}
	p.outOfScope[k.Name] = m
	return m, nil
}

func (p *planner) planUpdate(k api.Kind, sch *api.Schema, e *Entity, user, expected, cur map[string]any, changes []api.Change) error {
	if !p.f.Transform {
		for _, field := range untransformed[e.Kind] {
			for _, ch := range changes {
				if topField(ch.Path) == field {
					p.errs = append(p.errs, entityError(e, field,
						"cannot be updated from a file with _transform: false: the Admin API hashes it again; give the clear-text value"))
					return nil
				}
			}
		}
	}
	body := map[string]any{}
	for i := range changes {
		top := topField(changes[i].Path)
		changes[i].Secret = changes[i].Secret || e.IsSecret(changes[i].Path) || p.maskedValue(changes[i].Desired)
		// Records are sent whole (PATCH merges records, so a partial one
		// would keep values the file dropped); other fields as written,
		// so the server transforms them (hashes a password) itself.
		if f := sch.Field(top); f != nil && f.Type == "record" {
			body[top] = expected[top]
		} else if v, given := user[top]; given {
			body[top] = v
		} else {
			body[top] = expected[top]
		}
	}
	id := cur["id"].(string)
	c := &Change{Action: Update, Kind: e.Kind, Key: p.keyOf(e.Kind, user), ID: id, level: p.level[e.Kind],
		Fields: changes, Before: p.maskDoc(e, cur), After: p.maskDoc(e, expected), body: body,
		method: "PATCH", path: k.Collection + "/" + api.Path(id)}
	if k.NestedOnly {
		up := user[k.Parent].(map[string]any)["id"].(string)
		c.path = k.ParentKind + "/" + api.Path(up) + "/" + k.Nested + "/" + api.Path(id)
	}
	p.changes = append(p.changes, c)
	return nil
}

func topField(path string) string {
	top, _, _ := strings.Cut(path, ".")
	return top
}

// planDeletes schedules the deletion of every in-scope node entity no
// file entity matched; those holding a unique value the file gives to
// another entity are deleted first, so the create does not hit a 409
// (decK's rename problem, Kong/deck#698).
func (p *planner) planDeletes() error {
	for _, k := range p.kinds {
		def := p.reg.Get(k.Name)
		for _, d := range p.node.docs[k.Name] {
			id, _ := d["id"].(string)
			if p.taken[k.Name][id] != nil {
				continue
			}
			c := &Change{Action: Delete, Kind: k.Name, Key: p.keyOf(k.Name, d), ID: id, level: p.level[k.Name],
				Before: maskSensitive(def, d), method: "DELETE", path: k.Collection + "/" + api.Path(id)}
			if k.NestedOnly {
				up, _ := d[k.Parent].(map[string]any)["id"].(string)
				c.path = k.ParentKind + "/" + api.Path(up) + "/" + k.Nested + "/" + api.Path(id)
			}
			for _, ident := range identities(def, d) {
				if p.usedIdentities[k.Name][ident] {
					c.pre = true
				}
			}
			p.changes = append(p.changes, c)
		}
	}
	if len(p.f.SelectTags) > 0 {
		return p.checkRestrictedDeletes()
	}
	return nil
}

// checkRestrictedDeletes refuses, before anything is written, to delete a
// service that routes outside the select-tag scope still use: the node
// would refuse it (restrict) halfway through the sync.
func (p *planner) checkRestrictedDeletes() error {
	deleting := map[string]bool{}
	for _, c := range p.changes {
		if c.Action == Delete && c.Kind == "routes" {
			deleting[c.ID] = true
		}
	}
	for _, c := range p.changes {
		if c.Action != Delete || c.Kind != "services" {
			continue
		}
		routes, err := p.node.c.List(p.ctx, "services/"+api.Path(c.ID)+"/routes", api.ListOptions{})
		if err != nil && !api.IsNotFound(err) {
			return fmt.Errorf("checking the routes of service %s: %w", c.Key, err)
		}
		for _, r := range routes {
			if id, _ := r["id"].(string); !deleting[id] && p.taken["routes"][id] == nil {
				p.errs = append(p.errs, Error{Kind: "services", Message: fmt.Sprintf(
					"service %s would be deleted (it is not in the file) but route %s, outside the select tags %v, still uses it",
					c.Key, p.keyOf("routes", r), p.f.SelectTags)})
				break
			}
		}
	}
	return nil
}

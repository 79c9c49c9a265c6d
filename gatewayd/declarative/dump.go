package declarative

import (
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// DumpOptions control Dump.
type DumpOptions struct {
	// Registry holds the local schemas (endpoint keys, foreign keys).
	Registry *schema.Registry
	// SelectTags restricts the dump to entities carrying all of them; they
	// are written to _info.select_tags and removed from each entity (a
	// sync adds them back).
	SelectTags []string
	// WithID keeps every id (by default only entities nothing else can
	// identify keep theirs: certificates, nameless routes...).
	WithID bool
	// Parallelism bounds concurrent Admin API requests (default 10).
	Parallelism int
}

// Dump reads a node's configuration (one List per collection) and returns
// it as a declarative document a human would write: children nested
// under their parents as decK writes them, references by name, stable
// ordering, and every value equal to the node's schema default, every
// null, timestamp and id left out.
func Dump(ctx context.Context, c *api.Client, opts DumpOptions) (map[string]any, error) {
	if opts.Parallelism <= 0 {
		opts.Parallelism = DefaultParallelism
	}
	kinds := syncKinds(func(name string) bool { return opts.Registry.Get(name) != nil })
	node, err := readNode(ctx, c, kinds, opts.SelectTags, opts.Parallelism)
	if err != nil {
		return nil, err
	}
	d := &dumper{ctx: ctx, reg: opts.Registry, node: node, opts: opts, kinds: kinds,
		clean: map[string]map[string]map[string]any{}, keepID: map[string]bool{}}
	if err := d.cleanAll(); err != nil {
		return nil, err
	}
	return d.assemble()
}

type dumper struct {
	ctx   context.Context
	reg   *schema.Registry
	node  *nodeState
	opts  DumpOptions
	kinds []api.Kind
	// clean holds each entity stripped of defaults, by kind and id.
	clean  map[string]map[string]map[string]any
	keepID map[string]bool // ids other entities refer to by id
}

// cleanAll strips every entity of what a human would not write.
func (d *dumper) cleanAll() error {
	for _, k := range d.kinds {
		def := d.reg.Get(k.Name)
		d.clean[k.Name] = map[string]map[string]any{}
		for _, doc := range d.node.docs[k.Name] {
			sch, err := d.node.entitySchema(d.ctx, k.Name, doc)
			if err != nil {
				return err
			}
			out := stripDefaults(doc, sch.Fields, def)
			if tags, ok := out["tags"].([]any); ok {
				tags = slices.DeleteFunc(slices.Clone(tags), func(t any) bool { return slices.Contains(d.opts.SelectTags, t.(string)) })
				if len(tags) == 0 {
					delete(out, "tags")
				} else {
					out["tags"] = tags
				}
			}
			id := doc["id"].(string)
			if d.opts.WithID || !hasNaturalKey(def, doc) {
				out["id"] = id
			}
			d.clean[k.Name][id] = out
		}
	}
	return nil
}

// hasNaturalKey reports whether a sync can find the entity again without
// its id: by an endpoint key or unique field, or a cache key.
func hasNaturalKey(def *schema.Entity, doc map[string]any) bool {
	if def.Name == "certificates" || def.Name == "ca_certificates" {
		return false // referenced by id from services and upstreams
	}
	if def.EndpointKey != "" && doc[def.EndpointKey] != nil {
		return true
	}
	for _, u := range def.UniqueFields() {
		if doc[u] != nil {
			return true
		}
	}
	return len(def.CacheKey) > 0
}

// stripDefaults removes nulls, timestamps, ids, server-computed values and
// values equal to the schema default, recursively through records.
func stripDefaults(doc map[string]any, fields []*api.Field, def *schema.Entity) map[string]any {
	out := map[string]any{}
	for k, v := range doc {
		switch k {
		case "id", "created_at", "updated_at":
			continue
		}
		if def != nil {
			if f := def.Field(k); f != nil && f.Transient {
				continue // a certificate's snis: nested as sni entities
			}
			if def.Name == "ca_certificates" && k == "cert_digest" {
				continue // computed from cert
			}
		}
		var f *api.Field
		for _, x := range fields {
			if x.Name == k {
				f = x
			}
		}
		if v = stripValue(v, f); v != nil {
			out[k] = v
		}
	}
	return out
}

// stripValue returns nil when v can be left out.
func stripValue(v any, f *api.Field) any {
	if v == nil {
		return nil
	}
	if f != nil && f.Type == "record" {
		m, ok := v.(map[string]any)
		if ok {
			sub := stripDefaults(m, f.Fields, nil)
			if len(sub) == 0 {
				return nil
			}
			return sub
		}
	}
	if f != nil && f.HasDefault && equalValues(v, f.Default, f.Type == "set") {
		return nil
	}
	switch t := v.(type) {
	case []any:
		if len(t) == 0 && (f == nil || f.Default == nil || isEmpty(f.Default)) {
			return nil
		}
	case map[string]any:
		if len(t) == 0 && (f == nil || f.Default == nil || isEmpty(f.Default)) {
			return nil
		}
	}
	return v
}

func isEmpty(v any) bool {
	switch t := v.(type) {
	case []any:
		return len(t) == 0
	case map[string]any:
		return len(t) == 0
	}
	return false
}

func equalValues(a, b any, unordered bool) bool {
	if unordered {
		la, okA := a.([]any)
		lb, okB := b.([]any)
		if okA && okB {
			return sameJSONSet(la, lb)
		}
	}
	return reflect.DeepEqual(api.Normalize(a), api.Normalize(b))
}

func sameJSONSet(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	ka, kb := make([]string, len(a)), make([]string, len(b))
	for i := range a {
		ka[i], kb[i] = string(canonicalJSON(a[i])), string(canonicalJSON(b[i]))
	}
	sort.Strings(ka)
	sort.Strings(kb)
	return slices.Equal(ka, kb)
}

// placement says where an entity goes in the output.
type placement struct {
	parentKind, parentID string // nested under this entity ("" = top level)
	field                string // the foreign field the nesting replaces
}

// assemble nests children under their parents, turns the remaining
// references into names, sorts every collection and adds the headers.
func (d *dumper) assemble() (map[string]any, error) {
	place := map[string]map[string]placement{}
	for _, k := range d.kinds {
		place[k.Name] = map[string]placement{}
		for _, doc := range d.node.docs[k.Name] {
			place[k.Name][doc["id"].(string)] = d.placeOf(k.Name, doc)
		}
	}
	for _, k := range d.kinds {
		def := d.reg.Get(k.Name)
		for _, doc := range d.node.docs[k.Name] {
			id := doc["id"].(string)
			out := d.clean[k.Name][id]
			pl := place[k.Name][id]
			for _, f := range def.ForeignFields() {
				ref, ok := doc[f.Name].(map[string]any)
				if !ok {
					continue
				}
				if f.Name == pl.field {
					delete(out, f.Name)
					continue
				}
				name, err := d.refName(f.Reference, ref["id"].(string))
				if err != nil {
					return nil, err
				}
				out[f.Name] = name
			}
		}
	}
	root := map[string]any{"_format_version": CurrentFormat}
	if len(d.opts.SelectTags) > 0 {
		root["_info"] = map[string]any{"select_tags": schema.Strings(d.opts.SelectTags...)}
	}
	if len(d.node.docs["basicauth_credentials"]) > 0 {
		// Passwords are dumped as the node's hashes; _transform: false
		// says so, and sync then compares them as they are.
		root["_transform"] = false
	}
	// Children first, so each parent's output holds its nested lists
	// before it is itself placed.
	for i := len(d.kinds) - 1; i >= 0; i-- {
		k := d.kinds[i]
		for _, doc := range d.node.docs[k.Name] {
			id := doc["id"].(string)
			out := d.clean[k.Name][id]
			pl := place[k.Name][id]
			target := root
			if pl.parentKind != "" {
				target = d.clean[pl.parentKind][pl.parentID]
			}
			list, _ := target[k.Name].([]any)
			target[k.Name] = append(list, out)
		}
	}
	sortCollections(root, d.reg)
	return root, nil
}

// placeOf decides where an entity is written, as decK does: routes under
// their service, plugins under their only scope entity, targets under
// their upstream, SNIs under their certificate, credentials under their
// consumer — when that parent is in the dump; else at the top level.
func (d *dumper) placeOf(kind string, doc map[string]any) placement {
	def := d.reg.Get(kind)
	var scopes []*schema.Field
	for _, f := range def.ForeignFields() {
		if _, ok := doc[f.Name].(map[string]any); ok {
			scopes = append(scopes, f)
		}
	}
	if len(scopes) != 1 {
		return placement{}
	}
	f := scopes[0]
	if f.Name == "client_certificate" {
		return placement{} // a reference, not ownership
	}
	pid := doc[f.Name].(map[string]any)["id"].(string)
	if _, inDump := d.clean[f.Reference][pid]; !inDump {
		return placement{}
	}
	return placement{parentKind: f.Reference, parentID: pid, field: f.Name}
}

// refName writes a reference by the referenced entity's endpoint key when
// it has one, else by id (and then the referenced entity keeps its id).
func (d *dumper) refName(kind, id string) (string, error) {
	def := d.reg.Get(kind)
	doc, ok := d.node.byID[kind][id]
	if !ok {
		k, _ := api.KindByName(kind)
		ext, err := d.node.lookup(d.ctx, k, id)
		if err != nil {
			return "", err
		}
		doc = ext
	}
	if doc != nil && def.EndpointKey != "" {
		if f := def.Field(def.EndpointKey); f != nil && f.Unique {
			if s, ok := doc[def.EndpointKey].(string); ok {
				return s, nil
			}
		}
	}
	if out, inDump := d.clean[kind][id]; inDump {
		out["id"] = id
	}
	return id, nil
}

// sortCollections orders every collection (recursively) by the entities'
// natural keys, so dumps of the same state are byte-identical.
func sortCollections(m map[string]any, reg *schema.Registry) {
	for k, v := range m {
		list, ok := v.([]any)
		if !ok || reg.Get(k) == nil {
			continue
		}
		def := reg.Get(k)
		for _, item := range list {
			if sub, ok := item.(map[string]any); ok {
				sortCollections(sub, reg)
			}
		}
		sort.SliceStable(list, func(i, j int) bool { return sortKey(def, list[i]) < sortKey(def, list[j]) })
	}
}

func sortKey(def *schema.Entity, v any) string {
	m, _ := v.(map[string]any)
	var parts []string
	if def.EndpointKey != "" {
		parts = append(parts, refText(m[def.EndpointKey]))
	}
	for _, k := range append([]string{"name", "username", "custom_id", "target", "group"}, def.CacheKey...) {
		if x, ok := m[k]; ok {
			parts = append(parts, refText(x))
		}
	}
	b, _ := json.Marshal(m)
	parts = append(parts, string(b))
	return strings.Join(parts, "\x00")
}

package sqlstore

import (
	"encoding/json"
	"fmt"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store"
)

// cacheKeyName is the unique_keys.key under which the composite cache key is
// stored. Field names cannot contain parentheses, so it never collides with
// a unique field.
const cacheKeyName = "(cache_key)"

// entityMeta is a store.Meta with lookups precomputed.
type entityMeta struct {
	store.Meta
	order   int // position in Open's metas: decides which child a RestrictError names
	fks     map[string]store.ForeignKey
	uniques map[string]bool
}

// metaSet indexes the metas given to Open.
type metaSet struct {
	byName map[string]*entityMeta
}

func newMetaSet(metas []store.Meta) (metaSet, error) {
	ms := metaSet{byName: make(map[string]*entityMeta, len(metas))}
	for i, m := range metas {
		if m.Name == "" {
			return ms, fmt.Errorf("meta #%d has no name", i)
		}
		if _, dup := ms.byName[m.Name]; dup {
			return ms, fmt.Errorf("entity %q declared twice", m.Name)
		}
		em := &entityMeta{Meta: m, order: i, fks: map[string]store.ForeignKey{}, uniques: map[string]bool{}}
		for _, u := range m.Uniques {
			em.uniques[u] = true
		}
		for _, fk := range m.Foreign {
			if _, dup := em.fks[fk.Field]; dup {
				return ms, fmt.Errorf("entity %q: foreign field %q declared twice", m.Name, fk.Field)
			}
			em.fks[fk.Field] = fk
		}
		ms.byName[m.Name] = em
	}
	for _, m := range ms.byName {
		for _, fk := range m.Foreign {
			if _, ok := ms.byName[fk.Entity]; !ok {
				return ms, fmt.Errorf("entity %q: foreign field %q references undeclared entity %q", m.Name, fk.Field, fk.Entity)
			}
		}
	}
	return ms, nil
}

func (ms metaSet) get(entity string) (*entityMeta, error) {
	m, ok := ms.byName[entity]
	if !ok {
		return nil, fmt.Errorf("unknown entity %q", entity)
	}
	return m, nil
}

// onDelete returns what happens to child (entity, field) when its parent
// goes. A reference the metas do not describe is treated as Restrict: never
// silently delete what we do not understand.
func (ms metaSet) onDelete(entity, field string) (store.OnDelete, int) {
	m, ok := ms.byName[entity]
	if !ok {
		return store.Restrict, len(ms.byName)
	}
	fk, ok := m.fks[field]
	if !ok {
		return store.Restrict, m.order
	}
	return fk.OnDelete, m.order
}

// indexRows are the rows of unique_keys, refs and tags that mirror one doc.
type indexRows struct {
	uniques []uniqueRow
	refs    []refRow
	tags    []string
}

type uniqueRow struct {
	key, value string
	fields     map[string]any // for the UniqueError, as the doc has them
}

type refRow struct {
	field, refEntity, refID string
}

// encoded is a doc ready to be written.
type encoded struct {
	id  string
	raw string
	idx indexRows
}

// encode validates doc just enough to index it and serializes it. It never
// touches the database, so its errors leave a transaction usable.
func (m *entityMeta) encode(doc store.Doc) (encoded, error) {
	var e encoded
	id, ok := doc["id"].(string)
	if !ok || id == "" {
		return e, fmt.Errorf("%s: document has no string id", m.Name)
	}
	e.id = id
	raw, err := json.Marshal(doc)
	if err != nil {
		return e, fmt.Errorf("%s %s: encode document: %w", m.Name, id, err)
	}
	e.raw = string(raw)

	for _, f := range m.Uniques {
		v := doc[f]
		if v == nil {
			continue // null is not a value: many entities may lack a name
		}
		s, err := scalarKey(v)
		if err != nil {
			return e, fmt.Errorf("%s %s: unique field %q: %w", m.Name, id, f, err)
		}
		e.idx.uniques = append(e.idx.uniques, uniqueRow{key: f, value: s, fields: map[string]any{f: v}})
	}
	if len(m.CacheKey) > 0 {
		parts := make([]any, len(m.CacheKey))
		fields := make(map[string]any, len(m.CacheKey))
		for i, f := range m.CacheKey {
			v := doc[f]
			fields[f] = v
			if ref, ok := v.(map[string]any); ok {
				// A foreign member counts by the id it references.
				v = ref["id"]
			}
			parts[i] = v
		}
		key, err := json.Marshal(parts)
		if err != nil {
			return e, fmt.Errorf("%s %s: encode cache key: %w", m.Name, id, err)
		}
		e.idx.uniques = append(e.idx.uniques, uniqueRow{key: cacheKeyName, value: string(key), fields: fields})
	}
	for _, fk := range m.Foreign {
		refID, err := foreignID(doc[fk.Field])
		if err != nil {
			return e, fmt.Errorf("%s %s: foreign field %q: %w", m.Name, id, fk.Field, err)
		}
		if refID != "" {
			e.idx.refs = append(e.idx.refs, refRow{field: fk.Field, refEntity: fk.Entity, refID: refID})
		}
	}
	tags, err := docTags(doc["tags"])
	if err != nil {
		return e, fmt.Errorf("%s %s: %w", m.Name, id, err)
	}
	e.idx.tags = tags
	return e, nil
}

// scalarKey renders a unique value as stored: strings as themselves (so
// GetByField can look them up), anything else as its JSON.
func scalarKey(v any) (string, error) {
	if s, ok := v.(string); ok {
		return s, nil
	}
	switch v.(type) {
	case map[string]any, []any:
		return "", fmt.Errorf("value must be a scalar, got %T", v)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// foreignID extracts the id of a {"id": "..."} reference; "" for null.
func foreignID(v any) (string, error) {
	switch ref := v.(type) {
	case nil:
		return "", nil
	case map[string]any:
		id, ok := ref["id"].(string)
		if !ok || id == "" {
			return "", fmt.Errorf(`reference must be {"id": "<id>"}, got %v`, v)
		}
		return id, nil
	case map[string]string:
		if id := ref["id"]; id != "" {
			return id, nil
		}
	}
	return "", fmt.Errorf(`reference must be {"id": "<id>"}, got %T`, v)
}

// docTags returns the distinct tags of a doc, in order of appearance.
func docTags(v any) ([]string, error) {
	var tags []string
	switch t := v.(type) {
	case nil:
		return nil, nil
	case []string:
		tags = t
	case []any:
		tags = make([]string, 0, len(t))
		for _, x := range t {
			s, ok := x.(string)
			if !ok {
				return nil, fmt.Errorf("tags must be strings, got %T", x)
			}
			tags = append(tags, s)
		}
	default:
		return nil, fmt.Errorf("tags must be an array of strings, got %T", v)
	}
	return dedupe(tags), nil
}

func dedupe(xs []string) []string {
	if len(xs) < 2 {
		return xs
	}
	seen := make(map[string]bool, len(xs))
	out := xs[:0:0]
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

package declarative

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/google/uuid"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// kongNamespace is the UUIDv5 namespace Kong derives declarative ids from
// (kong/db/schema/others/declarative_config.lua, uuid_generators._entities).
var kongNamespace = uuid.MustParse("fd02801f-0957-4a15-a55a-c8d9606f30b5")

var namespaces sync.Map // entity name -> uuid.UUID

// GenerateID is Kong's deterministic id for an entity of kind with key:
//
//	id = uuid5(uuid5("fd02801f-0957-4a15-a55a-c8d9606f30b5", kind), key)
//
// so the same file always yields the same ids, on any node.
func GenerateID(kind, key string) string {
	ns, ok := namespaces.Load(kind)
	if !ok {
		ns, _ = namespaces.LoadOrStore(kind, uuid.NewSHA1(kongNamespace, []byte(kind)))
	}
	return uuid.NewSHA1(ns.(uuid.UUID), []byte(key)).String()
}

// idKey returns the name Kong feeds GenerateID for an entity without an
// id (get_key_for_uuid_gen), or false when Kong would use a random id:
//
//   - the endpoint key's value ("name", "username", "instance_name",
//     "key"...). When that field is not globally unique (a target's
//     "target", an acl's "group") it is suffixed, for every cascading
//     foreign field, with ":" and the parent's id (nested records) or the
//     reference as written (top-level records): "10.0.0.1:80:<upstream>";
//   - else the cache key: "<kind>:" followed by each cache-key field
//     joined by ":": strings as written, the parent's id for the foreign
//     field the record is nested under, "" for other absent optional
//     fields ("plugins:rate-limiting::<service-id>:"). A missing required
//     or auto-generated member gives no key.
//
// fields are the record's fields as written; parentID is the id of the
// entity it is nested under ("" at top level).
func idKey(def *schema.Entity, e *Entity, parentID string) (string, bool) {
	fields := e.Fields
	if ek := def.EndpointKey; ek != "" && fields[ek] != nil {
		key := fmt.Sprint(fields[ek])
		if f := def.Field(ek); f != nil && !f.Unique {
			for _, ff := range def.ForeignFields() {
				if ff.OnDelete != "cascade" {
					continue
				}
				switch {
				case parentID != "":
					key += ":" + parentID
				case fields[ff.Name] != nil:
					key += ":" + refText(fields[ff.Name])
				default:
					return "", false
				}
			}
		}
		return key, true
	}
	if len(def.CacheKey) == 0 {
		return "", false
	}
	parts := []string{def.Name}
	for _, k := range def.CacheKey {
		f := def.Field(k)
		v, present := fields[k]
		switch {
		case f != nil && f.Auto:
			return "", false
		case present && v != nil:
			if s, ok := v.(string); ok {
				parts = append(parts, s)
			}
			// Kong appends nothing for non-string values (a {"id": ...}
			// reference): kept so ids match Kong's.
		case k == e.ParentField && parentID != "":
			parts = append(parts, parentID)
		case f != nil && f.Required:
			return "", false
		default:
			parts = append(parts, "")
		}
	}
	return strings.Join(parts, ":"), true
}

// contentKey names an entity Kong would give a random id (a route without
// a name): its content, the id of its parent and which duplicate it is.
// Kong's random ids change on every reload; these stay stable for as long
// as the entity is unchanged, which keeps DB-less reloads free of churn.
func contentKey(e *Entity, parentID string, seen map[string]int) string {
	body, _ := json.Marshal(e.Fields) // map keys are sorted: canonical
	k := "content:" + parentID + ":" + string(body)
	seen[k]++
	return fmt.Sprintf("%s#%d", k, seen[k])
}

// refText renders a reference as written, for id keys.
func refText(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case map[string]any:
		if id, ok := t["id"].(string); ok {
			return id
		}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

package declarative

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// Error is one problem in a declarative configuration, located so a human
// can fix it: the file and line, the entity (by position and by name) and
// the field.
type Error struct {
	File string
	Line int
	// Path locates the entity by position, as written: "services[0].routes[1]".
	Path string
	// NamePath locates it by endpoint keys where it has them:
	// "services.svc1.routes.r1" ("" when no entity on the way has a key).
	NamePath string
	// Kind is the entity (table) name, "" for file-level problems.
	Kind string
	// Field is the dotted field path inside the entity ("config.minute",
	// "paths.2"), "" for entity-level problems.
	Field   string
	Message string
	// Note adds context for humans (where a duplicate was first declared);
	// it is not part of Kong's error bodies.
	Note string

	// entity is the entity the error belongs to (nil for file-level ones);
	// it places the error in Kong's nested fields tree.
	entity *Entity
	// kongField/kongValue carry a schema error as Kong nests it (the
	// top-level field and its error value), for KongFields.
	kongField string
	kongValue any
}

func (e Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			b.WriteString(":" + strconv.Itoa(e.Line))
		}
		b.WriteString(": ")
	}
	if e.Path != "" {
		b.WriteString(e.Path)
		if e.NamePath != "" && e.NamePath != e.Path {
			b.WriteString(" (" + e.NamePath + ")")
		}
		b.WriteString(": ")
	}
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Message)
	if e.Note != "" {
		b.WriteString(" (" + e.Note + ")")
	}
	return b.String()
}

// Errors is every problem found in a configuration. Loading and validation
// collect them all rather than stopping at the first, so one run shows
// everything to fix.
type Errors []Error

func (es Errors) Error() string {
	if len(es) == 1 {
		return es[0].Error()
	}
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return fmt.Sprintf("%d errors in declarative configuration:\n  %s", len(es), strings.Join(lines, "\n  "))
}

// sortErrors orders errors by file, line and message so output is stable.
func (es Errors) sort() {
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Field+a.Message < b.Field+b.Message
	})
}

// errorsOrNil returns nil for an empty list so callers can return it as error.
func (es Errors) errorsOrNil() error {
	if len(es) == 0 {
		return nil
	}
	es.sort()
	return es
}

// entityError builds an Error about one entity.
func entityError(e *Entity, field, msg string) Error {
	err := Error{File: e.File, Line: e.lineOf(field), Path: e.Path, NamePath: e.NamePath(), Kind: e.Kind,
		Field: field, Message: msg, entity: e}
	return err
}

// schemaErrors turns Kong's field error tree of one entity into located
// errors, one per leaf message. Array positions are shown as "paths[1]"
// (0-based, like the entity paths).
func schemaErrors(e *Entity, errs schema.Errors) Errors {
	var out Errors
	var top string
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch t := v.(type) {
		case string:
			out = append(out, entityError(e, prefix, t))
		case schema.Errors:
			walk(prefix, map[string]any(t))
		case map[string]any:
			for _, k := range sortedKeys(t) {
				if k == schema.EntityKey {
					for _, m := range asList(t[k]) {
						out = append(out, entityError(e, prefix, fmt.Sprint(m)))
					}
					continue
				}
				walk(joinPath(prefix, k), t[k])
			}
		case []any:
			for i, x := range t {
				if x != nil {
					walk(prefix+"["+strconv.Itoa(i)+"]", x)
				}
			}
		default:
			out = append(out, entityError(e, prefix, fmt.Sprint(t)))
		}
	}
	for _, k := range sortedKeys(errs) {
		if k == schema.EntityKey {
			for _, m := range asList(errs[k]) {
				out = append(out, entityError(e, "", fmt.Sprint(m)))
			}
			continue
		}
		top = k
		before := len(out)
		walk(k, errs[k])
		for i := before; i < len(out); i++ {
			out[i].kongField, out[i].kongValue = top, errs[k]
		}
	}
	return out
}

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

func joinPath(prefix, k string) string {
	if prefix == "" {
		return k
	}
	return prefix + "." + k
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// KongFields renders errors as Kong's nested "fields" tree of a 400 code
// 14 answer: collections are arrays holding, at each entity's position,
// that entity's field errors (nested children under their collection
// name, entity-level messages under "@entity"); file-level problems are
// keyed by their field.
func (es Errors) KongFields() map[string]any {
	root := map[string]any{}
	for _, e := range es {
		target := root
		if e.entity != nil {
			target = entitySlot(root, e.entity)
		}
		if e.kongField != "" {
			target[e.kongField] = e.kongValue
			continue
		}
		if e.Field == "" {
			if e.entity == nil {
				root["error"] = appendMessage(root["error"], e.Message)
				continue
			}
			list, _ := target[schema.EntityKey].([]any)
			target[schema.EntityKey] = append(list, e.Message)
			continue
		}
		setLeaf(target, fieldSegments(e.Field), e.Message)
	}
	return root
}

func appendMessage(existing any, msg string) any {
	switch t := existing.(type) {
	case nil:
		return msg
	case string:
		return []any{t, msg}
	case []any:
		return append(t, msg)
	}
	return msg
}

// entitySlot returns the map holding an entity's errors in the tree,
// creating the arrays and maps on the way.
func entitySlot(root map[string]any, e *Entity) map[string]any {
	parent := root
	if e.Parent != nil {
		parent = entitySlot(root, e.Parent)
	}
	list, _ := parent[e.Collection].([]any)
	for len(list) <= e.Index {
		list = append(list, nil)
	}
	slot, _ := list[e.Index].(map[string]any)
	if slot == nil {
		slot = map[string]any{}
		list[e.Index] = slot
	}
	parent[e.Collection] = list
	return slot
}

// setLeaf stores msg at a dotted path; numeric segments stay map keys, as
// Kong's sparse Lua tables would.
func setLeaf(m map[string]any, path []string, msg string) {
	for i, seg := range path {
		if i == len(path)-1 {
			m[seg] = appendMessage(m[seg], msg)
			return
		}
		next, ok := m[seg].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[seg] = next
		}
		m = next
	}
}

// Flattened renders errors as Kong's flatten_errors=1 list: one item per
// entity with its type, name, id, tags, the entity as given and its
// errors ({type: "field"|"entity", field?, message}).
func (es Errors) Flattened() []any {
	type item struct {
		e    *Entity
		errs []any
	}
	var order []*item
	byEntity := map[*Entity]*item{}
	var fileLevel []any
	for _, e := range es {
		if e.entity == nil {
			fileLevel = append(fileLevel, map[string]any{"type": "field", "field": e.Field, "message": e.Message})
			continue
		}
		it := byEntity[e.entity]
		if it == nil {
			it = &item{e: e.entity}
			byEntity[e.entity] = it
			order = append(order, it)
		}
		if e.Field == "" {
			it.errs = append(it.errs, map[string]any{"type": "entity", "message": e.Message})
		} else {
			it.errs = append(it.errs, map[string]any{"type": "field", "field": e.Field, "message": e.Message})
		}
	}
	out := make([]any, 0, len(order)+1)
	for _, it := range order {
		m := map[string]any{"entity_type": singular(it.e.Kind), "entity": schema.CloneValue(it.e.Fields), "errors": it.errs}
		if n := it.e.displayKey(); n != "" {
			m["entity_name"] = n
		}
		if id, ok := it.e.Fields["id"].(string); ok {
			m["entity_id"] = id
		}
		if tags, ok := it.e.Fields["tags"].([]any); ok {
			m["entity_tags"] = tags
		}
		out = append(out, m)
	}
	if len(fileLevel) > 0 {
		out = append(out, map[string]any{"entity_type": "declarative_config", "errors": fileLevel})
	}
	return out
}

// singular turns a table name into Kong's entity_type ("services" ->
// "service"); plugin DAO names are used as they are.
func singular(kind string) string {
	switch kind {
	case "snis":
		return "sni"
	case "services", "routes", "consumers", "plugins", "upstreams", "targets", "certificates", "ca_certificates":
		return strings.TrimSuffix(kind, "s")
	}
	return kind
}

// fieldSegments splits "config.allow[1]" into ["config", "allow", "1"].
func fieldSegments(field string) []string {
	field = strings.ReplaceAll(field, "[", ".")
	field = strings.ReplaceAll(field, "]", "")
	return strings.Split(field, ".")
}

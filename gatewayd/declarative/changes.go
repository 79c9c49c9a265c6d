package declarative

import (
	"slices"
	"sort"
	"strings"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// Action is what a sync does to one entity.
type Action string

// Actions.
const (
	Create Action = "create"
	Update Action = "update"
	Delete Action = "delete"
)

// Change is one planned (diff) or applied (sync) change, with what a
// human or an Ansible diff needs: the entity, its key, the action and, for
// updates, every changed field. Secret values (sensitive fields and values
// substituted from the environment) are masked in Fields, Before and After.
type Change struct {
	Action Action
	// Kind is the entity (table) name; Key names it for humans ("svc1",
	// "rate-limiting (service svc1)"); ID is its id on the node.
	Kind string
	Key  string
	ID   string
	// Fields are the changed fields of an update (old -> new), or the
	// fields a create sets (Current nil).
	Fields []api.Change
	// Before is the entity on the node (update, delete) and After what it
	// will be (create: the fields sent; update: the compared state).
	Before map[string]any
	After  map[string]any

	// what the sync sends
	method, path string
	body         map[string]any
	level        int // position of the kind in dependency order
	pre          bool
}

// String renders "+ services svc1", "~ routes r1", "- plugins cors (global)".
func (c *Change) String() string {
	sign := map[Action]string{Create: "+", Update: "~", Delete: "-"}[c.Action]
	return sign + " " + c.Kind + " " + c.Key
}

// keyOf names an entity for humans: its endpoint key (unless secret), a
// plugin's name, or its id, with the entities it belongs to:
// "rate-limiting (service svc1)", "10.0.0.1:80 (upstream up1)".
func (p *planner) keyOf(kind string, d map[string]any) string {
	def := p.reg.Get(kind)
	name := ""
	if def != nil && def.EndpointKey != "" {
		if s, ok := d[def.EndpointKey].(string); ok && !(def.Field(def.EndpointKey) != nil && def.Field(def.EndpointKey).Sensitive) {
			name = s
		}
	}
	if kind == "plugins" && name == "" {
		name, _ = d["name"].(string)
	}
	if name == "" {
		name, _ = d["id"].(string)
	}
	var scope []string
	if def != nil {
		for _, f := range def.ForeignFields() {
			if ref, ok := d[f.Name].(map[string]any); ok {
				scope = append(scope, singular(f.Reference)+" "+p.nameOfID(f.Reference, ref["id"]))
			}
		}
	}
	switch {
	case len(scope) > 0:
		return name + " (" + strings.Join(scope, ", ") + ")"
	case kind == "plugins":
		return name + " (global)"
	}
	return name
}

// setID records the id a file entity has on the node.
func (p *planner) setID(e *Entity, id string) {
	p.ids[e] = id
	if k := e.displayKey(); k != "" {
		p.names[e.Kind+"\x00"+id] = k
	}
}

// nameOfID names the entity an id refers to, from the file or the node.
func (p *planner) nameOfID(kind string, id any) string {
	s, _ := id.(string)
	if n, ok := p.names[kind+"\x00"+s]; ok {
		return n
	}
	d, ok := p.node.byID[kind][s]
	if !ok {
		d = p.node.externalByID(kind, s)
	}
	if def := p.reg.Get(kind); d != nil && def != nil && def.EndpointKey != "" {
		if n, ok := d[def.EndpointKey].(string); ok {
			return n
		}
	}
	return s
}

// createFields lists the fields a create sets, as written, for display.
func (p *planner) createFields(e *Entity, user map[string]any) []api.Change {
	def := p.reg.Get(e.Kind)
	var out []api.Change
	for _, k := range sortedKeys(user) {
		v := user[k]
		if k == "id" || v == nil {
			continue
		}
		if f := def.Field(k); f != nil && f.Kind == schema.Foreign {
			v = e.Fields[k] // the reference as written reads better than an id
			if v == nil && e.Parent != nil && k == e.ParentField {
				v = e.Parent.displayKey()
			}
		}
		f := def.Field(k)
		secret := (f != nil && f.Sensitive) || e.IsSecret(k) || p.maskedValue(v)
		out = append(out, api.Change{Path: k, Desired: v, Secret: secret})
	}
	return out
}

// maskedValue reports a string substituted from the environment.
func (p *planner) maskedValue(v any) bool {
	s, ok := v.(string)
	return ok && p.f.IsMasked(s)
}

// maskDoc copies a document with sensitive and environment-substituted
// fields replaced by api.Masked.
func (p *planner) maskDoc(e *Entity, doc map[string]any) map[string]any {
	out := maskSensitive(p.reg.Get(e.Kind), doc)
	for k, v := range out {
		if e.IsSecret(k) || p.maskedValue(v) {
			out[k] = api.Masked
		}
	}
	return out
}

func maskSensitive(def *schema.Entity, doc map[string]any) map[string]any {
	out := schema.CloneValue(doc).(map[string]any)
	if def == nil {
		return out
	}
	for _, f := range def.Fields {
		if f.Sensitive && out[f.Name] != nil {
			out[f.Name] = api.Masked
		}
	}
	return out
}

// ordered returns the changes in execution order: deletes that free a
// unique value, then creates and updates parents first, then the other
// deletes children first.
func ordered(changes []*Change) []*Change {
	phase := func(c *Change) int {
		switch {
		case c.Action == Delete && c.pre:
			return 0
		case c.Action == Delete:
			return 2
		}
		return 1
	}
	out := slices.Clone(changes)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if pa, pb := phase(a), phase(b); pa != pb {
			return pa < pb
		}
		if phase(a) == 1 {
			return a.level < b.level
		}
		return a.level > b.level
	})
	return out
}

package gateway

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/gatewayd-toolkit/gatewayd/ansible-modules/module"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
)

// Target is the entity an entity module manages.
type Target struct {
	// Kind is the entity name ("services"): /schemas/<Kind> drives the
	// comparison. Plugin, when set, selects /schemas/plugins/<Plugin>.
	Kind   string
	Plugin string
	// Label is the return key and the noun in messages ("service"); Name
	// identifies the entity in messages ("example-service").
	Label, Name string
	// Desired holds only the fields the task set, references resolved.
	Desired api.Entity
	// Find reads the current entity: nil, nil when there is none.
	Find func(ctx context.Context) (api.Entity, error)
	// Create writes a new entity and returns it.
	Create func(ctx context.Context, body api.Entity) (api.Entity, error)
	// Path addresses an existing entity (by id) for PATCH and DELETE.
	Path func(current api.Entity) string
	// Secrets are sensitive top-level fields, masked even when the
	// node's schema does not mark them (Kong OSS marks few).
	Secrets []string
	// Adjust, when set, edits Desired once the current entity is known
	// (nil when absent): basic-auth drops a password that already
	// matches the stored hash.
	Adjust func(current, desired api.Entity)
}

// Ensure makes the entity present as described, or absent, and exits the
// module with changed, msg, diff, the entity (secrets masked) and the
// list of changes. In check mode it predicts and writes nothing.
func Ensure(ctx context.Context, m *module.Module, c *api.Client, t Target) error {
	current, err := t.Find(ctx)
	if err != nil {
		return err
	}
	s := t.schema(ctx, c)
	t.Desired = CoerceToSchema(t.Desired, fieldsOf(s))
	if m.Str("state") == "absent" {
		return t.absent(ctx, m, c, s, current)
	}
	if t.Adjust != nil {
		t.Adjust(current, t.Desired)
	}
	if current == nil {
		return t.create(ctx, m, s)
	}
	return t.update(ctx, m, c, s, current)
}

// schema reads the node's schema; without one (an old node, a proxy that
// hides /schemas) the comparison falls back to schemaless rules.
func (t Target) schema(ctx context.Context, c *api.Client) *api.Schema {
	var s *api.Schema
	var err error
	if t.Plugin != "" {
		s, err = c.PluginSchema(ctx, t.Plugin)
	} else {
		s, err = c.Schema(ctx, t.Kind)
	}
	if err != nil {
		return nil
	}
	return s
}

func (t Target) what() string { return strings.TrimSpace(t.Label + " " + t.Name) }

func (t Target) create(ctx context.Context, m *module.Module, s *api.Schema) error {
	res := module.Result{"changed": true, "changes": []string{"created"},
		"diff": map[string]any{"before": map[string]any{}, "after": t.view(s, t.Desired, nil, false)}}
	if m.CheckMode {
		res["msg"] = t.what() + " would be created"
		res[t.Label] = t.view(s, t.Desired, nil, true)
		m.Exit(res)
	}
	created, err := t.Create(ctx, t.Desired)
	if err != nil {
		return fmt.Errorf("creating %s: %w", t.what(), err)
	}
	res["msg"] = t.what() + " created"
	res[t.Label] = t.view(s, created, nil, true)
	res["id"] = created["id"]
	m.Exit(res)
	return nil
}

func (t Target) update(ctx context.Context, m *module.Module, c *api.Client, s *api.Schema, current api.Entity) error {
	changes := api.Compare(t.Desired, current, s)
	changed := map[string]bool{}
	lines := []string{}
	patch := api.Entity{}
	for i := range changes {
		top, _, _ := strings.Cut(changes[i].Path, ".")
		if contains(t.Secrets, top) {
			changes[i].Secret = true
		}
		if changes[i].Secret {
			changed[changes[i].Path] = true
		}
		lines = append(lines, changes[i].String())
		patch[top] = t.Desired[top]
	}
	res := module.Result{"id": current["id"], "changes": lines}
	if len(changes) == 0 {
		res["msg"] = t.what() + " is up to date"
		res[t.Label] = t.view(s, current, nil, true)
		m.Exit(res)
	}
	after := merge(current, patch, fieldsOf(s))
	res["changed"] = true
	res["diff"] = map[string]any{"before": t.view(s, current, nil, false), "after": t.view(s, after, changed, false)}
	fields := sortedKeys(patch)
	if m.CheckMode {
		res["msg"] = fmt.Sprintf("%s would be updated: %s", t.what(), strings.Join(fields, ", "))
		res[t.Label] = t.view(s, after, nil, true)
		m.Exit(res)
	}
	updated, err := c.Update(ctx, t.Path(current), patch)
	if err != nil {
		return fmt.Errorf("updating %s (%s): %w", t.what(), strings.Join(fields, ", "), err)
	}
	res["msg"] = fmt.Sprintf("%s updated: %s", t.what(), strings.Join(fields, ", "))
	res[t.Label] = t.view(s, updated, nil, true)
	m.Exit(res)
	return nil
}

func (t Target) absent(ctx context.Context, m *module.Module, c *api.Client, s *api.Schema, current api.Entity) error {
	if current == nil {
		m.Exit(module.Result{"msg": t.what() + " is already absent", t.Label: map[string]any{}})
	}
	res := module.Result{"changed": true, "id": current["id"], "changes": []string{"deleted"}, t.Label: map[string]any{},
		"diff": map[string]any{"before": t.view(s, current, nil, false), "after": map[string]any{}}}
	if m.CheckMode {
		res["msg"] = t.what() + " would be deleted"
		m.Exit(res)
	}
	if err := c.Delete(ctx, t.Path(current)); err != nil {
		return fmt.Errorf("deleting %s: %w", t.what(), err)
	}
	res["msg"] = t.what() + " deleted"
	m.Exit(res)
	return nil
}

// merge predicts the entity after a PATCH: records merge field by field
// (as the Admin API merges them), everything else is replaced.
func merge(current, patch api.Entity, fields []*api.Field) api.Entity {
	out := api.Entity{}
	for k, v := range current {
		out[k] = v
	}
	for k, v := range api.Normalize(patch).(map[string]any) {
		f := fieldIn(fields, k)
		cur, curIsMap := out[k].(map[string]any)
		des, desIsMap := v.(map[string]any)
		if curIsMap && desIsMap && (f == nil && k != "headers" || f != nil && f.Type == "record") {
			var sub []*api.Field
			if f != nil {
				sub = f.Fields
			}
			out[k] = merge(cur, des, sub)
			continue
		}
		out[k] = v
	}
	return out
}

func fieldsOf(s *api.Schema) []*api.Field {
	if s == nil {
		return nil
	}
	return s.Fields
}

func fieldIn(fields []*api.Field, name string) *api.Field {
	for _, f := range fields {
		if f.Name == name {
			return f
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// FindAt reads the entity at path; a 404 means it does not exist.
func FindAt(c *api.Client, path string) func(ctx context.Context) (api.Entity, error) {
	return func(ctx context.Context) (api.Entity, error) {
		e, err := c.Get(ctx, path)
		if api.IsNotFound(err) {
			return nil, nil
		}
		return e, err
	}
}

// PostTo creates entities by POST to a collection path.
func PostTo(c *api.Client, collection string) func(ctx context.Context, body api.Entity) (api.Entity, error) {
	return func(ctx context.Context, body api.Entity) (api.Entity, error) {
		return c.Create(ctx, collection, body)
	}
}

// ByID addresses an existing entity of a collection by its id.
func ByID(collection string) func(current api.Entity) string {
	return func(current api.Entity) string {
		id, _ := current["id"].(string)
		return collection + "/" + api.Path(id)
	}
}

// KeyPath is collection/<id> when the task gave an id, else
// collection/<key>: how entity modules find what they manage.
func KeyPath(collection, id, key string) string {
	if id != "" {
		return collection + "/" + api.Path(id)
	}
	return collection + "/" + api.Path(key)
}

package gateway

import (
	"context"
	"fmt"

	"github.com/gatewayd-toolkit/gatewayd/ansible-modules/module"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
)

// Ref resolves a reference option — the name (endpoint key) or id of an
// entity in collection — to the entity's id.
//
// In check mode a missing entity is not an error: an earlier task of the
// same play would have created it, so Ref warns and returns a placeholder
// id; the comparison then reports the reference as changed, which is the
// honest prediction. With state=absent it is not an error either: what
// would hang off a missing entity is absent already.
func Ref(ctx context.Context, m *module.Module, c *api.Client, collection, label, value string) (string, error) {
	e, err := c.Get(ctx, collection+"/"+api.Path(value))
	if api.IsNotFound(err) {
		if m.Str("state") == "absent" {
			// Nothing can hang off a missing parent: already absent.
			return Unresolved(label, value), nil
		}
		if m.CheckMode {
			m.Warn(fmt.Sprintf("%s %q does not exist yet; check mode assumes an earlier task creates it", label, value))
			return Unresolved(label, value), nil
		}
		return "", fmt.Errorf("%s %q not found (GET %s/%s answered 404)", label, value, collection, api.Path(value))
	}
	if err != nil {
		return "", fmt.Errorf("resolving %s %q: %w", label, value, err)
	}
	id, _ := e["id"].(string)
	if id == "" {
		return "", fmt.Errorf("resolving %s %q: the answer has no id", label, value)
	}
	return id, nil
}

// Unresolved is the placeholder id check mode uses for an entity that
// does not exist yet.
func Unresolved(label, value string) string {
	return fmt.Sprintf("(%s %s, not created yet)", label, value)
}

// IsUnresolved reports whether id is a check-mode placeholder: nothing
// can be read under it.
func IsUnresolved(id string) bool { return len(id) > 0 && id[0] == '(' }

// Foreign is a foreign-key value as the Admin API takes it.
func Foreign(id string) map[string]any { return map[string]any{"id": id} }

// RefOption resolves an optional reference option into desired[field] as
// a foreign key; it does nothing when the task did not set the option.
func RefOption(ctx context.Context, m *module.Module, c *api.Client, desired api.Entity, option, collection string) error {
	if !m.IsSet(option) {
		return nil
	}
	id, err := Ref(ctx, m, c, collection, option, m.Str(option))
	if err != nil {
		return err
	}
	desired[option] = Foreign(id)
	return nil
}

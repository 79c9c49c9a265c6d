// Command gateway_info is the Ansible module reading entities of the Admin
// API — a list filtered by tags, or one entity by name or id — for
// `register` and facts. It never writes. Documentation:
// ansible-modules/collection/plugins/modules/gateway_info.yml.
package main

import (
	"context"
	"fmt"

	"github.com/gatewayd-toolkit/gatewayd/ansible-modules/gateway"
	"github.com/gatewayd-toolkit/gatewayd/ansible-modules/module"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
)

// secrets are masked unless reveal_secrets is set, whatever the node's
// schema says (Kong OSS marks few fields as sensitive).
var secrets = map[string][]string{
	"certificates":          {"key", "key_alt"},
	"keyauth_credentials":   {"key"},
	"basicauth_credentials": {"password"},
	"jwt_secrets":           {"secret"},
	"hmacauth_credentials":  {"secret"},
}

func kindChoices() []any {
	var out []any
	for _, k := range api.Kinds {
		out = append(out, k.Name)
	}
	return out
}

var spec = module.Spec{
	Options: gateway.Spec(gateway.ConnectionOptions(), map[string]module.Option{
		"kind":           {Required: true, Choices: kindChoices()},
		"name":           {Aliases: []string{"id"}},
		"parent":         {},
		"tags":           {Type: module.List, Elements: module.Str},
		"match":          {Choices: []any{"all", "any"}, Default: "all"},
		"reveal_secrets": {Type: module.Bool, Default: false},
	}),
	SupportsCheckMode: true,
}

func main() { gateway.Main(spec, run) }

func run(ctx context.Context, m *module.Module, c *api.Client) error {
	kind, _ := api.KindByName(m.Str("kind"))
	collection, err := collectionPath(m, kind)
	if err != nil {
		return err
	}
	var list []api.Entity
	res := module.Result{}
	if m.IsSet("name") {
		e, err := gateway.FindAt(c, collection+"/"+api.Path(m.Str("name")))(ctx)
		if err != nil {
			return err
		}
		res["found"] = e != nil
		if e != nil {
			list = []api.Entity{e}
		}
	} else {
		list, err = c.List(ctx, collection, api.ListOptions{Tags: m.Strings("tags"), TagsOr: m.Str("match") == "any"})
		if api.IsNotFound(err) && kind.Parent != "" {
			return fmt.Errorf("%s %q not found", kind.Parent, m.Str("parent"))
		}
		if err != nil {
			return err
		}
	}
	out := make([]any, 0, len(list))
	for _, e := range list {
		out = append(out, reveal(ctx, m, c, kind, e))
	}
	res["entities"], res["count"] = out, len(out)
	if m.IsSet("name") {
		res["entity"] = nil
		if len(out) == 1 {
			res["entity"] = out[0]
		}
	}
	m.Exit(res)
	return nil
}

// collectionPath is the path listing the kind: nested under the parent
// when one is given (and always for targets).
func collectionPath(m *module.Module, kind api.Kind) (string, error) {
	if !m.IsSet("parent") {
		if kind.NestedOnly {
			return "", fmt.Errorf("kind=%s needs parent (the %s)", kind.Name, kind.Parent)
		}
		return kind.Collection, nil
	}
	if kind.Parent == "" {
		return "", fmt.Errorf("kind=%s has no parent entity", kind.Name)
	}
	return kind.ParentKind + "/" + api.Path(m.Str("parent")) + "/" + kind.Nested, nil
}

// reveal returns the entity with its secrets masked unless the task asked
// for them.
func reveal(ctx context.Context, m *module.Module, c *api.Client, kind api.Kind, e api.Entity) any {
	if m.Bool("reveal_secrets") {
		return e
	}
	key := kind.Name
	if kind.Name == "plugins" {
		key, _ = e["name"].(string)
	}
	s, ok := schemas[key]
	if !ok {
		var err error
		if kind.Name == "plugins" {
			s, err = c.PluginSchema(ctx, key)
		} else {
			s, err = c.Schema(ctx, kind.Name)
		}
		if err != nil {
			s = nil // mask the known secrets only
		}
		schemas[key] = s
	}
	return gateway.MaskSensitive(s, e, secrets[kind.Name])
}

// schemas caches one schema per kind (per plugin name for plugins).
var schemas = map[string]*api.Schema{}

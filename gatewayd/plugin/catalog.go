package plugin

import (
	"fmt"
	"sort"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/entity"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// Catalog is the set of plugins one gatewayd node loads (the `plugins`
// configuration key). It answers the plugins entity (which names are
// valid, their config schemas) and the Admin API (/plugins/enabled,
// /schemas/plugins/{name}).
type Catalog struct {
	byName map[string]*Spec
	names  []string
	fields map[string]*schema.Field
}

// NewCatalog loads the named plugins; "bundled" stands for every
// registered plugin. An empty list loads none (`plugins = off`).
func NewCatalog(names []string) (*Catalog, error) {
	c := &Catalog{byName: map[string]*Spec{}, fields: map[string]*schema.Field{}}
	all := Registered()
	for _, n := range names {
		if n == "bundled" {
			for _, s := range all {
				c.add(s)
			}
			continue
		}
		s := lookupRegistered(n)
		if s == nil {
			return nil, fmt.Errorf("plugins: %q is not a known plugin (known: bundled, %s)", n, knownNames(all))
		}
		c.add(s)
	}
	sort.Strings(c.names)
	return c, nil
}

func knownNames(all []*Spec) string {
	out := ""
	for i, s := range all {
		if i > 0 {
			out += ", "
		}
		out += s.Name
	}
	return out
}

func lookupRegistered(name string) *Spec {
	registryMu.RLock()
	defer registryMu.RUnlock()
	return registered[name]
}

func (c *Catalog) add(s *Spec) {
	if _, ok := c.byName[s.Name]; ok {
		return
	}
	c.byName[s.Name] = s
	c.names = append(c.names, s.Name)
	c.fields[s.Name] = s.ConfigField()
}

// Spec returns a loaded plugin's spec.
func (c *Catalog) Spec(name string) (*Spec, bool) {
	s, ok := c.byName[name]
	return s, ok
}

// Names lists the loaded plugin names, sorted.
func (c *Catalog) Names() []string { return append([]string(nil), c.names...) }

// Lookup is the entity.PluginLookup of the plugins entity.
func (c *Catalog) Lookup(name string) (entity.PluginInfo, bool) {
	s, ok := c.byName[name]
	if !ok {
		return entity.PluginInfo{}, false
	}
	return entity.PluginInfo{
		Config:     c.fields[name],
		Protocols:  s.protocols(),
		NoConsumer: s.NoConsumer, NoRoute: s.NoRoute, NoService: s.NoService,
		Checks: s.Checks,
	}, true
}

func (s *Spec) protocols() []string {
	if len(s.Protocols) > 0 {
		return s.Protocols
	}
	return entity.HTTPProtocols
}

// Meta returns a loaded plugin's version and priority.
func (c *Catalog) Meta(name string) (string, int, bool) {
	s, ok := c.byName[name]
	if !ok {
		return "", 0, false
	}
	return s.Version, s.Priority, true
}

// Describe renders /schemas/plugins/{name} as Kong does: the scope fields
// the plugin restricts, its protocols and its config record.
func (c *Catalog) Describe(name string) (map[string]any, bool) {
	s, ok := c.byName[name]
	if !ok {
		return nil, false
	}
	var fields []any
	for _, scope := range []struct {
		name, ref string
		forbid    bool
	}{{"consumer", "consumers", s.NoConsumer}, {"service", "services", s.NoService}, {"route", "routes", s.NoRoute}} {
		if scope.forbid {
			fields = append(fields, map[string]any{scope.name: map[string]any{
				"type": "foreign", "reference": scope.ref, "eq": nil,
				"description": "Custom type for representing a foreign key with a null value allowed."}})
		}
	}
	protos := s.protocols()
	fields = append(fields, map[string]any{"protocols": map[string]any{
		"type": "set", "required": true, "default": schema.Strings(protos...),
		"elements":    map[string]any{"type": "string", "one_of": schema.Strings(protos...)},
		"description": "A set of strings representing HTTP protocols."}})
	fields = append(fields, map[string]any{"config": schema.DescribeField(c.fields[name])})
	out := map[string]any{"fields": fields}
	if len(s.Checks) > 0 {
		var checks []any
		for _, ch := range s.Checks {
			if d := ch.Describe(); d != nil {
				checks = append(checks, d)
			}
		}
		if len(checks) > 0 {
			out["entity_checks"] = checks
		}
	}
	return out, true
}

// Entities returns the entities owned by loaded plugins, in name order.
func (c *Catalog) Entities() []*schema.Entity {
	var out []*schema.Entity
	for _, n := range c.names {
		out = append(out, c.byName[n].Entities...)
	}
	return out
}

// AllEntities returns the entities of every registered plugin, loaded or
// not: the store keeps their tables so enabling a plugin later needs no
// migration and disabling one loses no credentials.
func AllEntities() []*schema.Entity {
	var out []*schema.Entity
	for _, s := range Registered() {
		out = append(out, s.Entities...)
	}
	return out
}

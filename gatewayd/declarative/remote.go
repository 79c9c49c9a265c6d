package declarative

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
)

// nodeState is what a sync, diff, dump or reset reads from a node: the
// entities in scope (carrying every select tag), by kind, and the schemas
// defaults are taken from. It is read with one List per collection (plus
// one per upstream for targets, which Kong only lists under their
// upstream), never entity by entity.
type nodeState struct {
	c    *api.Client
	tags []string
	// docs are the in-scope entities of each kind, as the node renders
	// them; unsupported lists kinds the node answered 404 for (a plugin
	// not loaded on a Kong node).
	docs        map[string][]api.Entity
	byID        map[string]map[string]api.Entity
	unsupported map[string]bool

	mu            sync.Mutex
	schemas       map[string]*api.Schema
	pluginSchemas map[string]*api.Schema
	external      map[string]api.Entity // "kind\x00key" -> entity outside scope
}

// kinds returns api.Kinds restricted to entities the local registry knows
// (identity and validation come from it).
func syncKinds(known func(string) bool) []api.Kind {
	var out []api.Kind
	for _, k := range api.Kinds {
		if known(k.Name) {
			out = append(out, k)
		}
	}
	return out
}

// readNode lists every kind (targets under each in-scope upstream), in
// parallel up to parallelism requests at a time.
func readNode(ctx context.Context, c *api.Client, kinds []api.Kind, tags []string, parallelism int) (*nodeState, error) {
	n := &nodeState{c: c, tags: tags, docs: map[string][]api.Entity{}, byID: map[string]map[string]api.Entity{},
		unsupported: map[string]bool{}, schemas: map[string]*api.Schema{}, pluginSchemas: map[string]*api.Schema{},
		external: map[string]api.Entity{}}
	var top []api.Kind
	hasTargets := false
	for _, k := range kinds {
		if k.NestedOnly {
			hasTargets = hasTargets || k.Name == "targets"
			continue
		}
		top = append(top, k)
	}
	err := forEach(ctx, parallelism, len(top), func(i int) error {
		k := top[i]
		docs, err := c.List(ctx, k.Collection, api.ListOptions{Tags: tags})
		if api.IsNotFound(err) {
			n.mu.Lock()
			n.unsupported[k.Name] = true
			n.mu.Unlock()
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading %s: %w", k.Collection, err)
		}
		n.mu.Lock()
		n.docs[k.Name] = docs
		n.mu.Unlock()
		return nil
	})
	if err != nil {
		return nil, err
	}
	if hasTargets {
		if err := n.readTargets(ctx, parallelism); err != nil {
			return nil, err
		}
	}
	for kind, docs := range n.docs {
		m := make(map[string]api.Entity, len(docs))
		for _, d := range docs {
			if id, ok := d["id"].(string); ok {
				m[id] = d
			}
		}
		n.byID[kind] = m
	}
	return n, nil
}

// readTargets lists the targets of every in-scope upstream; select tags
// are applied here since nested listings take no tag filter.
func (n *nodeState) readTargets(ctx context.Context, parallelism int) error {
	ups := n.docs["upstreams"]
	lists := make([][]api.Entity, len(ups))
	err := forEach(ctx, parallelism, len(ups), func(i int) error {
		id, _ := ups[i]["id"].(string)
		docs, err := n.c.List(ctx, "upstreams/"+api.Path(id)+"/targets", api.ListOptions{})
		if err != nil && !api.IsNotFound(err) {
			return fmt.Errorf("reading the targets of upstream %s: %w", id, err)
		}
		for _, d := range docs {
			if hasTags(d, n.tags) {
				lists[i] = append(lists[i], d)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	n.docs["targets"] = slices.Concat(lists...)
	return nil
}

// hasTags reports whether an entity carries every tag.
func hasTags(d api.Entity, tags []string) bool {
	have, _ := stringList(d["tags"])
	for _, t := range tags {
		if !slices.Contains(have, t) {
			return false
		}
	}
	return true
}

// schema returns /schemas/{kind}, cached.
func (n *nodeState) schema(ctx context.Context, kind string) (*api.Schema, error) {
	n.mu.Lock()
	s, ok := n.schemas[kind]
	n.mu.Unlock()
	if ok {
		return s, nil
	}
	s, err := n.c.Schema(ctx, kind)
	if err != nil {
		return nil, fmt.Errorf("reading the %s schema: %w", kind, err)
	}
	n.mu.Lock()
	n.schemas[kind] = s
	n.mu.Unlock()
	return s, nil
}

// pluginSchema returns the plugins entity schema with the config record
// and protocols default of one plugin (/schemas/plugins/{name}) merged
// in, so Compare and default filling see the plugin's own fields.
func (n *nodeState) pluginSchema(ctx context.Context, name string) (*api.Schema, error) {
	n.mu.Lock()
	s, ok := n.pluginSchemas[name]
	n.mu.Unlock()
	if ok {
		return s, nil
	}
	base, err := n.schema(ctx, "plugins")
	if err != nil {
		return nil, err
	}
	ps, err := n.c.PluginSchema(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("reading the schema of plugin %s: %w", name, err)
	}
	merged := mergePluginSchema(base, ps)
	n.mu.Lock()
	n.pluginSchemas[name] = merged
	n.mu.Unlock()
	return merged, nil
}

// mergePluginSchema replaces the config record and protocols of the
// plugins entity schema with one plugin's.
func mergePluginSchema(base, ps *api.Schema) *api.Schema {
	merged := &api.Schema{}
	for _, f := range base.Fields {
		if pf := ps.Field(f.Name); pf != nil && (f.Name == "config" || f.Name == "protocols") {
			cp := *pf
			cp.Name = f.Name
			merged.Fields = append(merged.Fields, &cp)
			continue
		}
		merged.Fields = append(merged.Fields, f)
	}
	return merged
}

// entitySchema is schema or pluginSchema as the entity needs.
func (n *nodeState) entitySchema(ctx context.Context, kind string, doc map[string]any) (*api.Schema, error) {
	if kind == "plugins" {
		if name, ok := doc["name"].(string); ok {
			return n.pluginSchema(ctx, name)
		}
	}
	return n.schema(ctx, kind)
}

// lookup finds an entity outside the listed scope by id or endpoint key
// (GET /{collection}/{key}), for references to entities the file does not
// hold; results are cached.
func (n *nodeState) lookup(ctx context.Context, k api.Kind, key string) (api.Entity, error) {
	ck := k.Name + "\x00" + key
	n.mu.Lock()
	e, ok := n.external[ck]
	n.mu.Unlock()
	if ok {
		return e, nil
	}
	if k.NestedOnly {
		return nil, nil
	}
	e, err := n.c.Get(ctx, k.Collection+"/"+api.Path(key))
	if api.IsNotFound(err) {
		e, err = nil, nil
	}
	var apiErr *api.Error
	if errors.As(err, &apiErr) && apiErr.Status == 400 {
		e, err = nil, nil // not a valid key for that entity: not found
	}
	if err != nil {
		return nil, fmt.Errorf("looking up %s %q: %w", k.Name, key, err)
	}
	n.mu.Lock()
	n.external[ck] = e
	n.mu.Unlock()
	return e, nil
}

// externalByID returns an entity lookup already fetched, by its id.
func (n *nodeState) externalByID(kind, id string) api.Entity {
	n.mu.Lock()
	defer n.mu.Unlock()
	for k, e := range n.external {
		if strings.HasPrefix(k, kind+"\x00") && e != nil && e["id"] == id {
			return e
		}
	}
	return nil
}

// forEach runs fn(0..n-1) with at most parallelism at once and returns the
// first error (the others still finish).
func forEach(ctx context.Context, parallelism, n int, fn func(i int) error) error {
	if parallelism < 1 {
		parallelism = 1
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	sem := make(chan struct{}, parallelism)
	for i := 0; i < n; i++ {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func(i int) {
			defer func() { <-sem; wg.Done() }()
			if err := fn(i); err != nil {
				mu.Lock()
				if first == nil {
					first = err
				}
				mu.Unlock()
			}
		}(i)
	}
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return first
}

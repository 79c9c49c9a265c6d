package api

import (
	"context"
	"fmt"
	"net/url"
	"strings"
)

// Entity is one Admin API entity as JSON: string, float64, bool, []any,
// map[string]any and nil values.
type Entity = map[string]any

// Kind describes one entity collection of the Admin API.
type Kind struct {
	// Name is the entity (table) name used by /schemas and declarative
	// files: "services", "keyauth_credentials".
	Name string
	// Collection is the top-level admin path segment: "services",
	// "key-auths".
	Collection string
	// EndpointKey is the field usable instead of the id in URLs ("name",
	// "username", "key"); "" when only the id works.
	EndpointKey string
	// Parent, when set, is the foreign field nesting this entity
	// ("consumer" for credentials, "upstream" for targets) and Nested the
	// path segment under the parent collection ("key-auth").
	Parent      string
	ParentKind  string
	Nested      string
	NestedOnly  bool // reachable only under the parent (targets)
	ForeignKeys []string
}

// Kinds are the entities gatewayd and Kong 3.x OSS serve, parents before
// children: the order a sync creates them in (and deletes in reverse).
var Kinds = []Kind{
	{Name: "certificates", Collection: "certificates"},
	{Name: "snis", Collection: "snis", EndpointKey: "name", ForeignKeys: []string{"certificate"}},
	{Name: "ca_certificates", Collection: "ca_certificates"},
	{Name: "services", Collection: "services", EndpointKey: "name", ForeignKeys: []string{"client_certificate"}},
	{Name: "routes", Collection: "routes", EndpointKey: "name", ForeignKeys: []string{"service"}},
	{Name: "consumers", Collection: "consumers", EndpointKey: "username"},
	{Name: "upstreams", Collection: "upstreams", EndpointKey: "name", ForeignKeys: []string{"client_certificate"}},
	{Name: "targets", Collection: "targets", EndpointKey: "target", Parent: "upstream", ParentKind: "upstreams", Nested: "targets", NestedOnly: true, ForeignKeys: []string{"upstream"}},
	{Name: "keyauth_credentials", Collection: "key-auths", EndpointKey: "key", Parent: "consumer", ParentKind: "consumers", Nested: "key-auth", ForeignKeys: []string{"consumer"}},
	{Name: "basicauth_credentials", Collection: "basic-auths", EndpointKey: "username", Parent: "consumer", ParentKind: "consumers", Nested: "basic-auth", ForeignKeys: []string{"consumer"}},
	{Name: "jwt_secrets", Collection: "jwts", EndpointKey: "key", Parent: "consumer", ParentKind: "consumers", Nested: "jwt", ForeignKeys: []string{"consumer"}},
	{Name: "hmacauth_credentials", Collection: "hmac-auths", EndpointKey: "username", Parent: "consumer", ParentKind: "consumers", Nested: "hmac-auth", ForeignKeys: []string{"consumer"}},
	{Name: "acls", Collection: "acls", Parent: "consumer", ParentKind: "consumers", Nested: "acls", ForeignKeys: []string{"consumer"}},
	{Name: "plugins", Collection: "plugins", EndpointKey: "instance_name", ForeignKeys: []string{"route", "service", "consumer"}},
}

// KindByName returns the kind of an entity name, or false.
func KindByName(name string) (Kind, bool) {
	for _, k := range Kinds {
		if k.Name == name {
			return k, true
		}
	}
	return Kind{}, false
}

// ListOptions select what List returns.
type ListOptions struct {
	// Tags filter entities: all of them must be present (Kong's "," AND);
	// with TagsOr any of them ("/").
	Tags   []string
	TagsOr bool
	// PageSize is the size of each page (default 1000, Kong's maximum).
	PageSize int
}

// Path escapes one URL path segment (ids, names, keys).
func Path(segment string) string { return url.PathEscape(segment) }

// List reads a whole collection (following offsets), e.g. "services",
// "consumers/alice/key-auth" or "upstreams/u1/targets".
func (c *Client) List(ctx context.Context, collection string, opt ListOptions) ([]Entity, error) {
	size := opt.PageSize
	if size <= 0 || size > 1000 {
		size = 1000
	}
	q := url.Values{}
	q.Set("size", fmt.Sprint(size))
	if len(opt.Tags) > 0 {
		sep := ","
		if opt.TagsOr {
			sep = "/"
		}
		q.Set("tags", strings.Join(opt.Tags, sep))
	}
	var out []Entity
	for {
		var page struct {
			Data   []Entity `json:"data"`
			Offset string   `json:"offset"`
		}
		if err := c.Do(ctx, "GET", strings.Trim(collection, "/")+"?"+q.Encode(), nil, &page); err != nil {
			return nil, err
		}
		out = append(out, page.Data...)
		if page.Offset == "" {
			return out, nil
		}
		q.Set("offset", page.Offset)
	}
}

// Get reads one entity by path ("services/example-service"). A missing
// entity is an *Error with IsNotFound true.
func (c *Client) Get(ctx context.Context, path string) (Entity, error) {
	var e Entity
	if err := c.Do(ctx, "GET", path, nil, &e); err != nil {
		return nil, err
	}
	return e, nil
}

// Create POSTs a new entity to a collection path.
func (c *Client) Create(ctx context.Context, collection string, body Entity) (Entity, error) {
	var e Entity
	if err := c.Do(ctx, "POST", collection, body, &e); err != nil {
		return nil, err
	}
	return e, nil
}

// Upsert PUTs an entity at path (create or replace, by id or endpoint key).
func (c *Client) Upsert(ctx context.Context, path string, body Entity) (Entity, error) {
	var e Entity
	if err := c.Do(ctx, "PUT", path, body, &e); err != nil {
		return nil, err
	}
	return e, nil
}

// Update PATCHes the given fields of an entity.
func (c *Client) Update(ctx context.Context, path string, body Entity) (Entity, error) {
	var e Entity
	if err := c.Do(ctx, "PATCH", path, body, &e); err != nil {
		return nil, err
	}
	return e, nil
}

// Delete removes an entity; deleting one that does not exist succeeds,
// as Kong's 204 does.
func (c *Client) Delete(ctx context.Context, path string) error {
	err := c.Do(ctx, "DELETE", path, nil, nil)
	if IsNotFound(err) {
		return nil
	}
	return err
}

// Info is the part of GET / clients use.
type Info struct {
	Version         string         `json:"version"`
	GatewaydVersion string         `json:"gatewayd_version"`
	NodeID          string         `json:"node_id"`
	Hostname        string         `json:"hostname"`
	Tagline         string         `json:"tagline"`
	Configuration   map[string]any `json:"configuration"`
	Plugins         struct {
		AvailableOnServer map[string]any `json:"available_on_server"`
		EnabledInCluster  []string       `json:"enabled_in_cluster"`
	} `json:"plugins"`
}

// Info reads GET /.
func (c *Client) Info(ctx context.Context) (Info, error) {
	var i Info
	err := c.Do(ctx, "GET", "/", nil, &i)
	return i, err
}

// IsGatewayd reports whether the node is gatewayd (not Kong).
func (i Info) IsGatewayd() bool { return i.GatewaydVersion != "" }

// Schema reads /schemas/{entity} (or /schemas/plugins/{name} with
// plugin set).
func (c *Client) Schema(ctx context.Context, entity string) (*Schema, error) {
	var raw map[string]any
	if err := c.Do(ctx, "GET", "schemas/"+Path(entity), nil, &raw); err != nil {
		return nil, err
	}
	return ParseSchema(raw), nil
}

// PluginSchema reads /schemas/plugins/{name}.
func (c *Client) PluginSchema(ctx context.Context, name string) (*Schema, error) {
	var raw map[string]any
	if err := c.Do(ctx, "GET", "schemas/plugins/"+Path(name), nil, &raw); err != nil {
		return nil, err
	}
	return ParseSchema(raw), nil
}

// Validate asks the node to validate an entity without storing it
// (/schemas/{entity}/validate; plugins validate their config too).
func (c *Client) Validate(ctx context.Context, entity string, body Entity) error {
	if entity == "plugins" {
		return c.Do(ctx, "POST", "schemas/plugins/validate", body, nil)
	}
	return c.Do(ctx, "POST", "schemas/"+Path(entity)+"/validate", body, nil)
}

// EnabledPlugins lists the plugins the node loads.
func (c *Client) EnabledPlugins(ctx context.Context) ([]string, error) {
	var out struct {
		Enabled []string `json:"enabled_plugins"`
	}
	err := c.Do(ctx, "GET", "plugins/enabled", nil, &out)
	return out.Enabled, err
}

// Package plugin is gatewayd's plugin SDK. A plugin is a folder under
// gatewayd/plugins/<name>/ that registers a Spec in init (Caddy's module
// pattern, Kong's folder layout): its name, Kong's PRIORITY, a config schema
// declared with the schema DSL, the protocols and scopes it allows, the
// entities (credentials) it owns, and a constructor. The constructor compiles
// one validated config into an instance once per configuration snapshot; the
// instance implements any of the phase interfaces (Rewriter, Accessor,
// ResponseFilter, BodyFilter, LogHandler) against gatewayd's own Context.
// Plugins never see the HTTP engine's types.
package plugin

import (
	"fmt"
	"net/http"
	"sort"
	"sync"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// Spec declares one plugin.
type Spec struct {
	Name string
	// Priority is Kong's PRIORITY: higher runs first within a phase.
	Priority int
	Version  string
	// Description is one line for documentation.
	Description string
	// Config lists the fields of the plugin's config record, with
	// defaults, validators and user-facing descriptions.
	Config []*schema.Field
	// ConfigChecks are entity checks inside the config record (paths
	// relative to config, errors under "config").
	ConfigChecks []schema.Check
	// Checks are Kong's plugin entity_checks, run against the whole plugin
	// entity: field paths start with "config." and errors land under
	// "@entity" (rate-limiting's at_least_one_of).
	Checks []schema.Check
	// Protocols is the default (and allowed) protocols set; nil means
	// grpc, grpcs, http, https.
	Protocols []string
	// NoConsumer, NoRoute, NoService forbid scoping the plugin to that
	// entity (Kong's typedefs.no_consumer...).
	NoConsumer, NoRoute, NoService bool
	// Entities are the entities the plugin owns (credentials); they get
	// Admin API endpoints and store tables like core entities.
	Entities []*schema.Entity
	// Shared builds data every instance of the plugin shares within one
	// snapshot (a credential index), from the snapshot's entities. Nil when
	// the plugin needs none. Its result is Env.Shared.
	Shared func(d *Data) (any, error)
	// New compiles one validated config into an instance. It must not have
	// side effects beyond Env.Host.Keep: it runs for every snapshot.
	New func(env *Env) (any, error)
	// Endpoints lists HTTP handlers the plugin adds to the status listener
	// (prometheus' /metrics). It is called once at startup.
	Endpoints func(h *Host) []Endpoint
	// NoEntityDocs declares that the plugin never reads the stored route,
	// service and consumer documents (RouteRef.Doc, ServiceRef.Doc,
	// Consumer.Doc). When every configured plugin declares it and none has
	// a log handler (log serializers render them), snapshots do not keep
	// the documents — at 10k routes, services and consumers, most of a
	// snapshot's memory. Unset, the documents are kept.
	NoEntityDocs bool
}

// Endpoint is an HTTP handler a plugin adds to a gatewayd listener.
type Endpoint struct {
	Path    string
	Handler http.Handler
}

// Phase interfaces. An instance implements the ones it needs.
type (
	// Rewriter runs before routing; only global instances run it.
	Rewriter interface{ Rewrite(*Context) }
	// Accessor runs after routing, before the upstream call; it may
	// authenticate, transform the request or end it with Exit/Error.
	Accessor interface{ Access(*Context) }
	// ResponseFilter sees the response status and headers (upstream or
	// generated) before they are sent: Kong's header_filter.
	ResponseFilter interface{ Response(*Context) }
	// BodyFilter sees and may replace the buffered response body.
	BodyFilter interface{ Body(*Context) }
	// LogHandler runs last, once the response is complete.
	LogHandler interface{ Log(*Context) }
)

var (
	registryMu sync.RWMutex
	registered = map[string]*Spec{}
)

// Register adds a plugin to the set gatewayd can load. It panics on a
// programming error (duplicate name, missing constructor) at init time.
func Register(s Spec) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if s.Name == "" || s.New == nil {
		panic("plugin.Register: name and New are required")
	}
	if _, dup := registered[s.Name]; dup {
		panic(fmt.Sprintf("plugin.Register: %q registered twice", s.Name))
	}
	if s.Version == "" {
		s.Version = DefaultVersion
	}
	registered[s.Name] = &s
}

// DefaultVersion is the version reported for bundled plugins: the Kong
// release whose plugin behaviour they implement.
const DefaultVersion = "3.9.1"

// Registered returns every registered plugin, sorted by name.
func Registered() []*Spec {
	registryMu.RLock()
	defer registryMu.RUnlock()
	out := make([]*Spec, 0, len(registered))
	for _, s := range registered {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// ConfigField returns the spec's config as one record field named "config".
func (s *Spec) ConfigField() *schema.Field {
	return &schema.Field{Name: "config", Kind: schema.Record, Required: true, Fields: s.Config, RecordChecks: s.ConfigChecks}
}

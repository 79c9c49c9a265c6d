package plugin

import (
	"io"
	"iter"
	"log/slog"
	"sync"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
)

// Consumer is an authenticated API client, as plugins see it.
type Consumer struct {
	ID       string
	Username string
	CustomID string
	Tags     []string
	// Doc is the stored consumer (log serializers render it); nil when no
	// configured plugin needs it (Set.NeedsEntityDocs).
	Doc schema.Doc
}

// Credential is the credential a request authenticated with.
type Credential struct {
	ID         string
	ConsumerID string
	// Identifier is what X-Credential-Identifier carries: the key-auth
	// credential id, the basic-auth or hmac-auth username, the jwt key.
	Identifier string
	// ExpiresAt is a Unix time in seconds after which the credential is
	// invalid (key-auth ttl); 0 never expires.
	ExpiresAt int64
}

// Data is the configuration a snapshot was built from, for Spec.Shared
// and constructors: every entity's documents and the consumer index.
type Data struct {
	docs      map[string][]schema.Doc
	consumers map[string]*Consumer // by id, username and custom_id-prefixed key
	byID      map[string]*Consumer
}

// NewData indexes a snapshot's documents.
func NewData(docs map[string][]schema.Doc) *Data {
	d := &Data{docs: docs, consumers: map[string]*Consumer{}, byID: map[string]*Consumer{}}
	for _, doc := range docs["consumers"] {
		c := &Consumer{ID: str(doc["id"]), Username: str(doc["username"]), CustomID: str(doc["custom_id"]), Tags: strList(doc["tags"]), Doc: doc}
		d.byID[c.ID] = c
		if c.Username != "" {
			d.consumers[c.Username] = c
		}
	}
	return d
}

// Docs returns the documents of one entity (e.g. "keyauth_credentials").
// They are available while the snapshot is built (to Spec.Shared and
// constructors), not afterwards: see ReleaseDocs.
func (d *Data) Docs(entity string) []schema.Doc { return d.docs[entity] }

// ReleaseDocs lets the documents go once the snapshot is built, so that a
// large configuration (10k credentials) is not kept twice: as documents and
// as the indexes built from them. With keepConsumerDocs false, consumers
// also drop their Doc (see Set.NeedsEntityDocs).
func (d *Data) ReleaseDocs(keepConsumerDocs bool) {
	d.docs = nil
	if keepConsumerDocs {
		return
	}
	for _, c := range d.byID {
		c.Doc = nil
	}
}

// CredentialDoc is one credential document (key-auth, basic-auth, jwt,
// hmac-auth...) with its consumer reference resolved: what every auth
// plugin's index is built from.
type CredentialDoc struct {
	Doc        schema.Doc
	ID         string
	ConsumerID string
	// Consumer is nil when the referenced consumer is not in the snapshot
	// (the store's cascade makes that unusual; each plugin decides what
	// it means: key-auth skips the credential, jwt answers Kong's "Could
	// not find consumer" for it).
	Consumer *Consumer
}

// Credentials iterates over an entity's credential documents, resolving
// each one's consumer once.
func (d *Data) Credentials(entity string) iter.Seq[CredentialDoc] {
	return func(yield func(CredentialDoc) bool) {
		for _, doc := range d.docs[entity] {
			consumerID := foreignID(doc["consumer"])
			c := CredentialDoc{Doc: doc, ID: str(doc["id"]), ConsumerID: consumerID, Consumer: d.byID[consumerID]}
			if !yield(c) {
				return
			}
		}
	}
}

// ConsumerByID returns a consumer by id, or nil.
func (d *Data) ConsumerByID(id string) *Consumer { return d.byID[id] }

// LoadConsumer resolves an id or username, as Kong's
// kong.client.load_consumer(id, search_by_username) does for anonymous.
func (d *Data) LoadConsumer(idOrUsername string) *Consumer {
	if c := d.byID[idOrUsername]; c != nil {
		return c
	}
	return d.consumers[idOrUsername]
}

// Env is what a constructor receives for one plugin instance.
type Env struct {
	// ID is the plugin entity's id; Name the plugin name.
	ID, Name string
	// RouteID, ServiceID, ConsumerID are the instance's scope ("" = any).
	RouteID, ServiceID, ConsumerID string
	// Config is the validated config with defaults filled.
	Config schema.Doc
	// Shared is the result of Spec.Shared for this snapshot.
	Shared any
	Data   *Data
	Host   *Host
	Logger *slog.Logger
}

// Host is what outlives snapshots: process-wide facilities and the state a
// plugin must keep across configuration changes (rate-limit counters, the
// proxy cache, log queues, metrics).
type Host struct {
	NodeID   string
	Hostname string
	Version  string
	Logger   *slog.Logger
	// ServerStatus returns connection counters of the proxy (prometheus).
	ServerStatus func() map[string]any
	// Targets lists upstream targets and their health (prometheus).
	Targets func() []TargetHealth
	// DatastoreReachable reports whether the store answers.
	DatastoreReachable func() bool
	// Now is the clock plugins use for windows and expiry (tests pin it).
	Now func() time.Time

	mu    sync.Mutex
	gen   uint64
	kept  map[string]*kept
	onEnd []func()
}

// TargetHealth is one upstream target's health as prometheus reports it.
type TargetHealth struct {
	Upstream, Target, Address string
	// State is healthy, unhealthy, dns_error or healthchecks_off.
	State string
}

type kept struct {
	v   any
	gen uint64
}

// NewHost creates the process-wide host.
func NewHost(nodeID, hostname, version string, log *slog.Logger) *Host {
	if log == nil {
		log = slog.Default()
	}
	return &Host{NodeID: nodeID, Hostname: hostname, Version: version, Logger: log, Now: time.Now, kept: map[string]*kept{}}
}

// Keep returns the value stored under key, creating it with open on first
// use. Values survive snapshot rebuilds while some snapshot asks for them;
// a value no instance of the newest snapshot kept is closed (if it is an
// io.Closer) when that snapshot goes live, so removed log plugins flush and
// stop.
func (h *Host) Keep(key string, open func() (any, error)) (any, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if k, ok := h.kept[key]; ok {
		k.gen = h.gen
		return k.v, nil
	}
	v, err := open()
	if err != nil {
		return nil, err
	}
	h.kept[key] = &kept{v: v, gen: h.gen}
	return v, nil
}

// BeginBuild starts a snapshot build; values kept during it are marked live.
func (h *Host) BeginBuild() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.gen++
	return h.gen
}

// Commit is called once the snapshot of build gen is live: values not kept
// since gen began are closed and forgotten.
func (h *Host) Commit(gen uint64) {
	h.mu.Lock()
	var closers []io.Closer
	for key, k := range h.kept {
		if k.gen < gen {
			delete(h.kept, key)
			if c, ok := k.v.(io.Closer); ok {
				closers = append(closers, c)
			}
		}
	}
	h.mu.Unlock()
	for _, c := range closers {
		if err := c.Close(); err != nil {
			h.Logger.Warn("closing plugin state", "error", err)
		}
	}
}

// Close closes every kept value (shutdown: log queues flush).
func (h *Host) Close() {
	h.mu.Lock()
	h.gen++
	gen := h.gen
	h.mu.Unlock()
	h.Commit(gen + 1)
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func strList(v any) []string {
	list, _ := v.([]any)
	if len(list) == 0 {
		return nil
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// Package store defines how gatewayd persists entities: JSON documents with an
// indexed id, unique keys, foreign keys and tags, written in transactions.
//
// The store knows nothing about validation or defaults; it receives documents
// the schema layer has already completed, and enforces only what must hold
// atomically across concurrent writers: primary key, unique keys, composite
// (cache) keys, foreign-key existence, restrict/cascade deletes.
package store

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Doc is one entity as a JSON object. Numbers are float64 (encoding/json
// default), foreign keys are {"id": "<uuid>"} maps or nil, tags are []any of
// strings or nil. Every Doc handed to a write carries a string "id".
type Doc = map[string]any

// OnDelete says what happens to a referencing entity when its parent goes.
type OnDelete int

const (
	// Restrict refuses to delete a parent that is still referenced.
	Restrict OnDelete = iota
	// Cascade deletes the referencing entities together with the parent.
	Cascade
	// SetNull clears the reference.
	SetNull
)

// ForeignKey describes one foreign field of an entity.
type ForeignKey struct {
	Field    string // field in the document, e.g. "service"
	Entity   string // referenced entity, e.g. "services"
	OnDelete OnDelete
}

// Meta is what the store needs to know about one entity type.
type Meta struct {
	Name string // table-style entity name, e.g. "routes"
	// Uniques are top-level fields whose non-null values are unique within
	// the entity (e.g. "name", "username", "custom_id").
	Uniques []string
	// CacheKey, when set, is a composite unique key (e.g. plugins: name,
	// route, service, consumer). Null members take part in the key.
	CacheKey []string
	Foreign  []ForeignKey
}

// ListQuery selects one page of an entity collection.
type ListQuery struct {
	Size   int    // 1..1000; <= 0 means 100, > 1000 is clamped (the admin layer validates input)
	Offset string // opaque token from a previous Page, "" for the first page
	// Tags filters on tags: every tag must be present (AND) unless TagsOr.
	Tags   []string
	TagsOr bool
	// ForeignField/ForeignID restrict to entities whose ForeignField
	// references ForeignID (nested collections such as /services/{s}/routes).
	ForeignField string
	ForeignID    string
}

// Page is one page of a listing. Offset is "" on the last page.
type Page struct {
	Data   []Doc
	Offset string
}

// TagRow is one (entity, tag) pair, as listed by /tags.
type TagRow struct {
	EntityName string `json:"entity_name"`
	EntityID   string `json:"entity_id"`
	Tag        string `json:"tag"`
}

// Reader reads entities. Implementations are safe for concurrent use.
type Reader interface {
	// Get returns the entity with the given id or ErrNotFound.
	Get(ctx context.Context, entity, id string) (Doc, error)
	// GetByField returns the entity whose unique field (declared in Meta.Uniques,
	// or "id") has value, or ErrNotFound; other fields are an error.
	GetByField(ctx context.Context, entity, field, value string) (Doc, error)
	// List returns one page ordered by id.
	List(ctx context.Context, entity string, q ListQuery) (Page, error)
	// ListTags lists tag rows, optionally only for one tag, paged like List.
	ListTags(ctx context.Context, tag string, size int, offset string) ([]TagRow, string, error)
}

// Writer is a Reader plus writes; all writes of one Writer form one
// transaction. A constraint or database error dooms the transaction: Write
// rolls back and returns it even if fn ignored it (PostgreSQL aborts the
// transaction anyway), so never "try Insert, on error Update" in one Write.
type Writer interface {
	Reader
	// Insert adds a new entity; *PrimaryKeyError if the id exists.
	Insert(ctx context.Context, entity string, doc Doc) error
	// Upsert inserts or fully replaces the entity with doc["id"].
	Upsert(ctx context.Context, entity string, doc Doc) error
	// Update replaces an existing entity; ErrNotFound if it does not exist.
	Update(ctx context.Context, entity string, doc Doc) error
	// Delete removes the entity (restrict/cascade per Meta). Deleting a
	// missing entity is not an error.
	Delete(ctx context.Context, entity, id string) error
}

// Store is the durable entity store.
type Store interface {
	Reader
	// Write runs fn in one transaction. If fn returns an error, or a
	// constraint fails, nothing fn did is kept. The transaction is durable
	// once Write returns nil.
	Write(ctx context.Context, fn func(w Writer) error) error
	// ReadAll reads every entity of the given types from one consistent
	// snapshot, with the revision that snapshot reflects. Every requested
	// entity has a non-nil (possibly empty) slice.
	ReadAll(ctx context.Context, entities []string) (map[string][]Doc, int64, error)
	// Revision is a counter bumped by every committed write.
	Revision(ctx context.Context) (int64, error)
	// Subscribe returns a channel that receives (coalesced) notifications
	// after writes commit, on this node or, for shared databases, any node.
	// Close closes every subscription channel.
	Subscribe() (ch <-chan struct{}, cancel func())
	// Ping checks the database is reachable.
	Ping(ctx context.Context) error
	Close() error
}

// ErrNotFound is returned when an entity does not exist.
var ErrNotFound = errors.New("not found")

// ErrUnavailable wraps errors that mean the database cannot be reached.
var ErrUnavailable = errors.New("database unavailable")

// PrimaryKeyError: an insert used an id that already exists.
type PrimaryKeyError struct {
	Entity string
	ID     string
}

func (e *PrimaryKeyError) Error() string {
	return fmt.Sprintf("primary key violation on %s id %q", e.Entity, e.ID)
}

// UniqueError: a unique field or the cache key already belongs to another entity.
// Fields holds the conflicting key as it appears in the document
// (e.g. {"name": "svc"} or the cache-key members).
type UniqueError struct {
	Entity string
	Fields map[string]any
}

func (e *UniqueError) Error() string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return fmt.Sprintf("unique violation on %s (%s)", e.Entity, strings.Join(keys, ", "))
}

// ForeignKeyError: a foreign field references an entity that does not exist.
type ForeignKeyError struct {
	Entity    string // the entity being written
	Field     string // e.g. "service"
	RefEntity string // e.g. "services"
	RefID     string
}

func (e *ForeignKeyError) Error() string {
	return fmt.Sprintf("%s.%s references missing %s %q", e.Entity, e.Field, e.RefEntity, e.RefID)
}

// RestrictError: a delete was refused because another entity references it.
type RestrictError struct {
	Parent string // e.g. "services"
	Child  string // e.g. "routes"
}

func (e *RestrictError) Error() string {
	return fmt.Sprintf("an existing '%s' entity references this '%s' entity", e.Child, e.Parent)
}

// OffsetError: a paging offset token could not be decoded.
type OffsetError struct {
	Offset string
	Reason string // e.g. "bad base64 encoding"
}

func (e *OffsetError) Error() string {
	return fmt.Sprintf("'%s' is not a valid offset: %s", e.Offset, e.Reason)
}

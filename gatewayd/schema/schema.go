// Package schema is gatewayd's schema DSL. An entity or plugin config is
// declared once as Go data (Fields, Checks); that declaration drives
// validation, defaults, admin form decoding, Kong-compatible error bodies,
// the /schemas endpoints and generated documentation.
//
// Values are JSON values as decoded by encoding/json: string, float64, bool,
// []any, map[string]any and nil for null.
package schema

import "sort"

// Kind is the type of a field, named as Kong names them.
type Kind int

const (
	String Kind = iota
	Integer
	Number
	Boolean
	Array
	Set
	Map
	Record
	Foreign
	// JSON accepts any JSON value (used for opaque plugin fields).
	JSON
)

var kindNames = [...]string{"string", "integer", "number", "boolean", "array", "set", "map", "record", "foreign", "json"}

func (k Kind) String() string { return kindNames[k] }

// Doc is one entity or record value.
type Doc = map[string]any

// Field declares one field. Zero values mean "no constraint".
type Field struct {
	Name        string
	Kind        Kind
	Description string

	Required bool
	// Default is the JSON value filled in when the field is absent on insert.
	// nil means the default is null.
	Default any
	// Auto marks generated fields: a uuid for "id", a timestamp for
	// created_at/updated_at.
	Auto      bool
	Unique    bool
	Immutable bool
	// Sensitive fields hold secrets; docs and tooling mark them.
	Sensitive bool
	// Transient fields are validated and rendered but not stored as part of
	// the document (certificates' snis live in their own entity).
	Transient bool

	// Element, key and value schemas for arrays, sets and maps.
	Elements *Field
	Keys     *Field
	Values   *Field
	// Fields of a record; RecordChecks are entity checks inside the record.
	Fields       []*Field
	RecordChecks []Check
	// Dynamic, when set on a record, chooses the record's fields from the
	// enclosing document (plugins: config depends on name). It returns nil
	// when the document does not identify a schema (the error is reported by
	// the field that does, e.g. "name").
	Dynamic func(parent Doc) *Field

	// Reference is the referenced entity of a Foreign field; OnDelete is
	// "cascade", "restrict" (default) or "null".
	Reference string
	OnDelete  string

	// Validators, applied in Kong's order; the first failure wins.
	Between *Range
	EqNull  bool // the value must be null (Kong's eq = null)
	// Err replaces the message of EqNull/Ne failures (Kong's field "err").
	Err string
	// Ne rejects one specific value.
	Ne     any
	Gt     *float64
	LenMin int
	// AllowEmpty accepts "" for a string (Kong's len_min = 0); strings
	// reject it otherwise.
	AllowEmpty bool
	LenMax     int
	LenEq      *int
	MatchAll   []Pattern // each pattern must match
	MatchNone  []Pattern // no pattern may match
	MatchAny   *AnyPattern
	StartsWith string
	OneOf      []any
	UUID       bool
	Timestamp  bool
	// Custom returns "" when the value is valid, else Kong's message.
	Custom func(v any) string

	// TypeName overrides the type reported in /schemas for typedefs that
	// Kong describes specially; rarely needed.
	TypeName string
}

// Range is an inclusive numeric range.
type Range struct{ Min, Max float64 }

// Pattern is a substring check with its error message. Kong expresses these
// as Lua patterns; we keep them as Go predicates so no regex runs.
type Pattern struct {
	Desc string // the Lua pattern as Kong renders it in /schemas
	Test func(s string) bool
	Err  string
}

// AnyPattern passes when any predicate matches.
type AnyPattern struct {
	Descs []string
	Tests []func(s string) bool
	Err   string
}

// Field returns the named sub-field of a record, or nil.
func (f *Field) Field(name string) *Field {
	for _, sub := range f.Fields {
		if sub.Name == name {
			return sub
		}
	}
	return nil
}

// Entity declares one entity type (a DAO in Kong's terms).
type Entity struct {
	Name string // table name, e.g. "services", "keyauth_credentials"
	// AdminName is the top-level admin collection ("key-auths"); defaults
	// to Name. NestedName is the name under a parent ("key-auth").
	AdminName  string
	NestedName string
	// EndpointKey is the alternate key usable in URLs instead of the id.
	EndpointKey string
	// CacheKey lists the fields of a composite unique key.
	CacheKey []string
	Fields   []*Field
	Checks   []Check
	// Shorthands are write-only input fields expanded into real fields
	// before validation (services' url).
	Shorthands []Shorthand
	// Normalize runs after defaults and before validation, for Kong's
	// derived values (a target's default port, upstream hashing coupling).
	// input is the request body as given (after shorthands), so defaults can
	// be told apart from values the caller set.
	Normalize func(doc, input Doc, op Op)
	// TTL entities accept a ttl option (key-auth credentials).
	TTL bool
	// DisabledAdmin lists generated admin paths Kong disables for this
	// entity ("/targets" top level), by kind: "collection", "entity", "parent:<field>".
	DisabledAdmin []string
}

// Shorthand is an input-only field expanded into real fields.
type Shorthand struct {
	Field *Field
	// Expand writes the fields the shorthand stands for into doc. It runs
	// only when the shorthand is present and not null.
	Expand func(value any, doc Doc)
}

// Op is the write being validated; it decides how defaults apply.
type Op int

const (
	Insert Op = iota // POST: defaults filled, ids generated
	Upsert           // PUT: replace; defaults filled as for insert
	Update           // PATCH: merged into the stored document
)

// Field returns the top-level field with the given name, or nil.
func (e *Entity) Field(name string) *Field {
	for _, f := range e.Fields {
		if f.Name == name {
			return f
		}
	}
	return nil
}

// ForeignFields returns the entity's foreign-key fields in declaration order.
func (e *Entity) ForeignFields() []*Field {
	var out []*Field
	for _, f := range e.Fields {
		if f.Kind == Foreign {
			out = append(out, f)
		}
	}
	return out
}

// UniqueFields returns the names of fields declared unique (excluding id).
func (e *Entity) UniqueFields() []string {
	var out []string
	for _, f := range e.Fields {
		if f.Unique && f.Name != "id" {
			out = append(out, f.Name)
		}
	}
	return out
}

// Admin returns the top-level admin collection name.
func (e *Entity) Admin() string {
	if e.AdminName != "" {
		return e.AdminName
	}
	return e.Name
}

// Nested returns the collection name under a parent entity.
func (e *Entity) Nested() string {
	if e.NestedName != "" {
		return e.NestedName
	}
	return e.Admin()
}

// Registry holds every entity schema, by name.
type Registry struct {
	byName map[string]*Entity
	order  []string
}

// NewRegistry builds a registry from entity schemas; order is kept for
// deterministic iteration (parents before children).
func NewRegistry(entities ...*Entity) *Registry {
	r := &Registry{byName: map[string]*Entity{}}
	for _, e := range entities {
		r.Add(e)
	}
	return r
}

// Add registers one more entity schema (plugin DAOs add theirs).
func (r *Registry) Add(e *Entity) {
	if _, ok := r.byName[e.Name]; !ok {
		r.order = append(r.order, e.Name)
	}
	r.byName[e.Name] = e
}

// Get returns the schema of an entity, or nil.
func (r *Registry) Get(name string) *Entity { return r.byName[name] }

// All returns all schemas in registration order.
func (r *Registry) All() []*Entity {
	out := make([]*Entity, 0, len(r.order))
	for _, n := range r.order {
		out = append(out, r.byName[n])
	}
	return out
}

// Names returns the entity names, sorted.
func (r *Registry) Names() []string {
	out := append([]string(nil), r.order...)
	sort.Strings(out)
	return out
}

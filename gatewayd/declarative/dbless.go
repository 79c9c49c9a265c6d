package declarative

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/schema"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store"
)

// MetaEntity is the store table where DB-less mode keeps the hash of the
// loaded configuration, written in the same transaction as the entities
// so the two never disagree (Kong keeps it in LMDB beside the config).
const MetaEntity = "declarative_meta"

// metaID is the id of the single MetaEntity document.
const metaID = "00000000-0000-4000-8000-000000000001"

// StoreMeta describes MetaEntity to the store.
func StoreMeta() store.Meta { return store.Meta{Name: MetaEntity} }

// ErrBusy is returned when a load is asked for while another runs (Kong's
// 429 "Currently loading previous configuration").
var ErrBusy = errors.New("currently loading previous configuration")

// DBless runs gatewayd's configuration for database = off: a declarative
// file or POST /config replaces everything in one store transaction, the
// runtime sees one change and swaps its snapshot once, and GET /config
// reads it back. The store persists it, so a restart without a file keeps
// serving the last configuration, as Kong does with LMDB.
type DBless struct {
	reg    *schema.Registry
	st     store.Store
	tables []string
	now    func() time.Time

	loading sync.Mutex
	hash    atomic.Pointer[string]
}

// NewDBless binds a registry (the schemas configurations are validated
// with) to a store. tables lists every entity table the store keeps: all
// of them are emptied by each load, including those of plugins not
// loaded, so nothing from an older configuration survives.
func NewDBless(reg *schema.Registry, st store.Store, tables []string) *DBless {
	d := &DBless{reg: reg, st: st, now: time.Now}
	for _, t := range tables {
		if t != MetaEntity {
			d.tables = append(d.tables, t)
		}
	}
	empty := EmptyHash
	d.hash.Store(&empty)
	return d
}

// Init reads the hash of the persisted configuration.
func (d *DBless) Init(ctx context.Context) error {
	doc, err := d.st.Get(ctx, MetaEntity, metaID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading the persisted declarative configuration: %w", err)
	}
	if h, ok := doc["hash"].(string); ok && h != "" {
		d.hash.Store(&h)
	}
	return nil
}

// Hash is the configuration_hash of the loaded configuration (EmptyHash
// before any load).
func (d *DBless) Hash() string { return *d.hash.Load() }

// Load validates f and, if it is valid, replaces the whole configuration
// with it in one transaction. Validation errors are Errors; a concurrent
// load is ErrBusy.
func (d *DBless) Load(ctx context.Context, f *File) (*Resolved, error) {
	if !d.loading.TryLock() {
		return nil, ErrBusy
	}
	defer d.loading.Unlock()
	r, err := f.Resolve(d.reg, ResolveOptions{Now: d.now()})
	if err != nil {
		return nil, err
	}
	meta := schema.Doc{"id": metaID, "hash": f.Hash, "format_version": f.FormatVersion,
		"loaded_at": float64(d.now().Unix())}
	err = d.st.Write(ctx, func(w store.Writer) error {
		if err := deleteAll(ctx, w, d.tables); err != nil {
			return err
		}
		for _, kind := range r.Kinds {
			for _, doc := range r.Docs[kind] {
				if err := w.Insert(ctx, kind, doc); err != nil {
					return storeError(kind, doc, err)
				}
			}
		}
		return w.Upsert(ctx, MetaEntity, meta)
	})
	if err != nil {
		return nil, err
	}
	h := f.Hash
	d.hash.Store(&h)
	return r, nil
}

// deleteAll empties tables, in bulk when the store can.
func deleteAll(ctx context.Context, w store.Writer, tables []string) error {
	if bulk, ok := w.(interface {
		DeleteAll(ctx context.Context, entities []string) error
	}); ok {
		return bulk.DeleteAll(ctx, tables)
	}
	rev := slices.Clone(tables)
	slices.Reverse(rev) // children before parents
	for _, t := range rev {
		for {
			page, err := w.List(ctx, t, store.ListQuery{Size: 1000})
			if err != nil {
				return err
			}
			if len(page.Data) == 0 {
				break
			}
			for _, doc := range page.Data {
				if err := w.Delete(ctx, t, doc["id"].(string)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// storeError reports a constraint the store enforced but validation did
// not see (two entities sharing a cache key through different spellings).
func storeError(kind string, doc schema.Doc, err error) error {
	var uniq *store.UniqueError
	var fk *store.ForeignKeyError
	switch {
	case errors.As(err, &uniq):
		return Errors{{Kind: kind, Message: fmt.Sprintf("uniqueness violation: '%s' entity with %s already declared",
			kind, schema.Pretty(uniq.Fields, ""))}}
	case errors.As(err, &fk):
		return Errors{{Kind: kind, Message: fmt.Sprintf("invalid reference '%s: %s' (no such entry in '%s')",
			fk.Field, fk.RefID, fk.RefEntity)}}
	}
	return fmt.Errorf("storing %s %v: %w", kind, doc["id"], err)
}

// Export renders the loaded configuration as Kong's GET /config does: a
// flat 3.0 file with ids, references by id and `_transform: false` (values
// such as password hashes are already transformed), loadable again as is.
func (d *DBless) Export(ctx context.Context) ([]byte, error) {
	var kinds []string
	for _, e := range d.reg.All() {
		kinds = append(kinds, e.Name)
	}
	all, _, err := d.st.ReadAll(ctx, kinds)
	if err != nil {
		return nil, fmt.Errorf("reading the configuration: %w", err)
	}
	out := map[string]any{"_format_version": CurrentFormat, "_transform": false}
	for _, kind := range kinds {
		def := d.reg.Get(kind)
		var list []any
		for _, doc := range all[kind] {
			list = append(list, exportDoc(def, doc))
		}
		if len(list) > 0 {
			out[kind] = list
		}
	}
	return Encode(out, FormatYAML)
}

// exportDoc drops timestamps, nulls and internal keys and writes
// references as plain ids.
func exportDoc(def *schema.Entity, doc schema.Doc) map[string]any {
	out := map[string]any{}
	for _, f := range def.Fields {
		v, ok := doc[f.Name]
		if !ok || v == nil || f.Name == "created_at" || f.Name == "updated_at" || f.Transient {
			continue
		}
		if f.Kind == schema.Foreign {
			if id, ok := v.(map[string]any)["id"]; ok {
				v = id
			}
		}
		out[f.Name] = v
	}
	return out
}

// Entities renders a resolved configuration the way Kong answers a
// successful POST /config: each entity name maps ids to entities.
func (r *Resolved) Entities() map[string]any {
	out := map[string]any{}
	for _, kind := range r.Kinds {
		docs := r.Docs[kind]
		if len(docs) == 0 {
			continue
		}
		m := make(map[string]any, len(docs))
		for _, d := range docs {
			m[d["id"].(string)] = d
		}
		out[kind] = m
	}
	return out
}

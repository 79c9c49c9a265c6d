package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store"
)

// Write runs fn in one transaction and commits it if fn and every write it
// made succeeded. A write that fails a constraint dooms the transaction even
// if fn ignores the error: on PostgreSQL the transaction is aborted anyway,
// and a half-applied write (say, an entity without its unique keys) must
// never be committed. Write then returns that error.
//
// The transaction is durable when Write returns nil. Do not call Write from
// inside fn: on SQLite writes are serialized and it would wait forever.
func (s *Store) Write(ctx context.Context, fn func(w store.Writer) error) error {
	if s.writeSem != nil {
		select {
		case s.writeSem <- struct{}{}:
		case <-ctx.Done():
			return fmt.Errorf("write: waiting for the writer: %w", ctx.Err())
		}
		defer func() { <-s.writeSem }()
	}
	tx, err := s.db.write.BeginTx(ctx, nil)
	if err != nil {
		return wrapErr("write: begin", err)
	}
	w := &writer{conn: conn{s: s, tx: tx, stmts: s.writeStmts}}
	committed := false
	defer func() {
		w.closed = true
		if !committed {
			_ = tx.Rollback()
		}
	}()

	if err := fn(w); err != nil {
		return err
	}
	if w.failed != nil {
		return w.failed
	}
	if !w.dirty {
		// Nothing changed: no revision bump, nobody to wake up.
		return nil
	}
	var rev int64
	if err := w.queryRow(ctx, s.q.bumpRevision).Scan(&rev); err != nil {
		return wrapErr("write: bump revision", err)
	}
	if s.q.notify != "" {
		// Delivered by PostgreSQL only if and when the transaction commits.
		if _, err := w.exec(ctx, s.q.notify, strconv.FormatInt(rev, 10)); err != nil {
			return wrapErr("write: notify", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return wrapErr("write: commit", err)
	}
	committed = true
	s.observe(rev)
	return nil
}

// writer is the store.Writer handed to Write's fn. It is not safe for
// concurrent use, and not usable after Write returns.
type writer struct {
	conn
	dirty  bool  // something was written: bump the revision
	failed error // the error that doomed the transaction
	closed bool
}

var _ store.Writer = (*writer)(nil)

func (w *writer) usable() error {
	if w.closed {
		return errors.New("sqlstore: writer used after its transaction ended")
	}
	if w.failed != nil {
		return fmt.Errorf("transaction already failed: %w", w.failed)
	}
	return nil
}

// fail dooms the transaction with err (if not nil) and returns it.
func (w *writer) fail(err error) error {
	if err != nil && w.failed == nil {
		w.failed = err
	}
	return err
}

// failDB dooms the transaction only if err came from the database; errors
// found before anything was written (not found, missing reference,
// restrict) leave it usable.
func (w *writer) failDB(err error) error {
	var dbErr *dbError
	if errors.As(err, &dbErr) {
		return w.fail(err)
	}
	return err
}

func (w *writer) Get(ctx context.Context, entity, id string) (store.Doc, error) {
	if err := w.usable(); err != nil {
		return nil, err
	}
	doc, err := w.get(ctx, entity, id)
	return doc, w.failDB(err)
}

func (w *writer) GetByField(ctx context.Context, entity, field, value string) (store.Doc, error) {
	if err := w.usable(); err != nil {
		return nil, err
	}
	doc, err := w.getByField(ctx, entity, field, value)
	return doc, w.failDB(err)
}

func (w *writer) List(ctx context.Context, entity string, q store.ListQuery) (store.Page, error) {
	if err := w.usable(); err != nil {
		return store.Page{}, err
	}
	page, err := w.list(ctx, entity, q)
	return page, w.failDB(err)
}

func (w *writer) ListTags(ctx context.Context, tag string, size int, offset string) ([]store.TagRow, string, error) {
	if err := w.usable(); err != nil {
		return nil, "", err
	}
	rows, next, err := w.listTags(ctx, tag, size, offset)
	return rows, next, w.failDB(err)
}

// prepare checks the writer, finds the meta and encodes doc.
func (w *writer) prepare(op, entity string, doc store.Doc) (*entityMeta, encoded, error) {
	if err := w.usable(); err != nil {
		return nil, encoded{}, err
	}
	m, err := w.s.metas.get(entity)
	if err != nil {
		return nil, encoded{}, fmt.Errorf("%s: %w", op, err)
	}
	e, err := m.encode(doc)
	if err != nil {
		return nil, encoded{}, fmt.Errorf("%s: %w", op, err)
	}
	return m, e, nil
}

func (w *writer) Insert(ctx context.Context, entity string, doc store.Doc) error {
	m, e, err := w.prepare("insert", entity, doc)
	if err != nil {
		return err
	}
	if err := w.checkRefs(ctx, m, e); err != nil {
		return err
	}
	res, err := w.exec(ctx, w.s.q.insertEntity, entity, e.id, e.raw)
	if err != nil {
		return w.fail(wrapErr("insert "+entity, err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return w.fail(wrapErr("insert "+entity, err))
	} else if n == 0 {
		// ON CONFLICT DO NOTHING: nothing was written, so the
		// transaction stays usable.
		return &store.PrimaryKeyError{Entity: entity, ID: e.id}
	}
	w.dirty = true
	return w.fail(w.insertIndex(ctx, m, e))
}

func (w *writer) Upsert(ctx context.Context, entity string, doc store.Doc) error {
	m, e, err := w.prepare("upsert", entity, doc)
	if err != nil {
		return err
	}
	if err := w.checkRefs(ctx, m, e); err != nil {
		return err
	}
	if _, err := w.exec(ctx, w.s.q.upsertEntity, entity, e.id, e.raw); err != nil {
		return w.fail(wrapErr("upsert "+entity, err))
	}
	w.dirty = true
	return w.fail(w.reindex(ctx, m, e))
}

func (w *writer) Update(ctx context.Context, entity string, doc store.Doc) error {
	m, e, err := w.prepare("update", entity, doc)
	if err != nil {
		return err
	}
	if err := w.checkRefs(ctx, m, e); err != nil {
		return err
	}
	return w.replace(ctx, m, e)
}

// replace overwrites an existing entity and its index rows.
func (w *writer) replace(ctx context.Context, m *entityMeta, e encoded) error {
	res, err := w.exec(ctx, w.s.q.updateEntity, e.raw, m.Name, e.id)
	if err != nil {
		return w.fail(wrapErr("update "+m.Name, err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return w.fail(wrapErr("update "+m.Name, err))
	} else if n == 0 {
		return fmt.Errorf("update %s %q: %w", m.Name, e.id, store.ErrNotFound)
	}
	w.dirty = true
	return w.fail(w.reindex(ctx, m, e))
}

// checkRefs verifies that every entity e references exists, and on
// PostgreSQL key-share-locks it so it cannot be deleted before we commit.
func (w *writer) checkRefs(ctx context.Context, m *entityMeta, e encoded) error {
	for _, r := range e.idx.refs {
		if r.refEntity == m.Name && r.refID == e.id {
			continue // a self-reference exists as soon as the entity does
		}
		var one int
		err := w.queryRow(ctx, w.s.q.existsForShare, r.refEntity, r.refID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return &store.ForeignKeyError{Entity: m.Name, Field: r.field, RefEntity: r.refEntity, RefID: r.refID}
		}
		if err != nil {
			return w.fail(wrapErr(fmt.Sprintf("check %s.%s reference", m.Name, r.field), err))
		}
	}
	return nil
}

// reindex replaces the index rows of an entity. Deleting and re-inserting
// is simpler than diffing and costs about the same: a handful of indexed
// statements on one connection.
func (w *writer) reindex(ctx context.Context, m *entityMeta, e encoded) error {
	for _, q := range []string{w.s.q.deleteUniques, w.s.q.deleteRefs, w.s.q.deleteTags} {
		if _, err := w.exec(ctx, q, m.Name, e.id); err != nil {
			return wrapErr("clear index of "+m.Name, err)
		}
	}
	return w.insertIndex(ctx, m, e)
}

// insertIndex writes the index rows of a new entity; the database's primary
// keys turn concurrent conflicts into errors atomically.
func (w *writer) insertIndex(ctx context.Context, m *entityMeta, e encoded) error {
	q := w.s.q
	for _, u := range e.idx.uniques {
		if _, err := w.exec(ctx, q.insertUnique, m.Name, u.key, u.value, e.id); err != nil {
			if classify(err) == errUniqueViolation {
				return &store.UniqueError{Entity: m.Name, Fields: u.fields}
			}
			return wrapErr("index "+m.Name+" "+u.key, err)
		}
	}
	for _, r := range e.idx.refs {
		if _, err := w.exec(ctx, q.insertRef, m.Name, e.id, r.field, r.refEntity, r.refID); err != nil {
			if classify(err) == errForeignKeyViolation {
				return &store.ForeignKeyError{Entity: m.Name, Field: r.field, RefEntity: r.refEntity, RefID: r.refID}
			}
			return wrapErr("index "+m.Name+"."+r.field, err)
		}
	}
	for _, t := range e.idx.tags {
		if _, err := w.exec(ctx, q.insertTag, m.Name, e.id, t); err != nil {
			return wrapErr("index tags of "+m.Name, err)
		}
	}
	return nil
}

// rowKey names one entity.
type rowKey struct{ entity, id string }

// deletePlan is what deleting one entity entails, worked out before
// anything is changed so that a restrict anywhere in the tree refuses the
// delete without dooming the transaction.
type deletePlan struct {
	visited map[rowKey]bool // entities that will be deleted
	order   []rowKey        // children before parents
	nullify []nullRef       // references to clear in surviving entities
}

type nullRef struct {
	rowKey
	field string
}

func (w *writer) Delete(ctx context.Context, entity, id string) error {
	if err := w.usable(); err != nil {
		return err
	}
	if _, err := w.s.metas.get(entity); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	root := rowKey{entity, id}
	found, err := w.lockRow(ctx, root)
	if err != nil || !found {
		return w.failDB(err)
	}
	plan := deletePlan{visited: map[rowKey]bool{root: true}}
	if err := w.planDelete(ctx, root, &plan); err != nil {
		return w.failDB(err)
	}
	// Surviving children let go of their parent first, so the database's
	// own foreign key never sees a dangling reference.
	for _, n := range plan.nullify {
		if plan.visited[n.rowKey] {
			continue // deleted anyway
		}
		if err := w.setNull(ctx, n); err != nil {
			return w.fail(err)
		}
	}
	for _, k := range plan.order {
		if _, err := w.exec(ctx, w.s.q.deleteEntity, k.entity, k.id); err != nil {
			if classify(err) == errForeignKeyViolation {
				// Our locks make this unreachable; keep the report typed.
				return w.fail(&store.RestrictError{Parent: k.entity, Child: "unknown"})
			}
			return w.fail(wrapErr(fmt.Sprintf("delete %s %q", k.entity, k.id), err))
		}
	}
	w.dirty = true
	return nil
}

// lockRow reports whether an entity exists, locking it for update on
// PostgreSQL so nobody can add a reference to it until we commit.
func (w *writer) lockRow(ctx context.Context, k rowKey) (bool, error) {
	var one int
	err := w.queryRow(ctx, w.s.q.existsForUpdate, k.entity, k.id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, wrapErr(fmt.Sprintf("lock %s %q", k.entity, k.id), err)
	}
	return true, nil
}

type child struct {
	rowKey
	field string
}

// planDelete adds k's referencing entities to the plan, depth first, and
// then k itself.
func (w *writer) planDelete(ctx context.Context, k rowKey, plan *deletePlan) error {
	children, err := w.children(ctx, k)
	if err != nil {
		return err
	}
	var restrict *child
	restrictOrder := 0
	for i, c := range children {
		if od, order := w.s.metas.onDelete(c.entity, c.field); od == store.Restrict {
			if restrict == nil || order < restrictOrder {
				restrict, restrictOrder = &children[i], order
			}
		}
	}
	if restrict != nil {
		return &store.RestrictError{Parent: k.entity, Child: restrict.entity}
	}
	for _, c := range children {
		od, _ := w.s.metas.onDelete(c.entity, c.field)
		switch od {
		case store.Cascade:
			if plan.visited[c.rowKey] {
				continue
			}
			plan.visited[c.rowKey] = true
			// Lock before looking for grandchildren, so none can appear.
			found, err := w.lockRow(ctx, c.rowKey)
			if err != nil {
				return err
			}
			if !found {
				continue
			}
			if err := w.planDelete(ctx, c.rowKey, plan); err != nil {
				return err
			}
		case store.SetNull:
			plan.nullify = append(plan.nullify, nullRef{rowKey: c.rowKey, field: c.field})
		}
	}
	plan.order = append(plan.order, k)
	return nil
}

// children lists the entities referencing k. The rows are read completely
// before returning: a connection cannot run the next query with a result
// still open.
func (w *writer) children(ctx context.Context, k rowKey) ([]child, error) {
	rows, err := w.query(ctx, w.s.q.children, k.entity, k.id)
	if err != nil {
		return nil, wrapErr("find references to "+k.entity, err)
	}
	defer rows.Close()
	var out []child
	for rows.Next() {
		var c child
		if err := rows.Scan(&c.entity, &c.id, &c.field); err != nil {
			return nil, wrapErr("find references to "+k.entity, err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, wrapErr("find references to "+k.entity, err)
	}
	return out, nil
}

// setNull clears one reference of a surviving child. Its cache key may
// change with it, so it is re-indexed like any update.
func (w *writer) setNull(ctx context.Context, n nullRef) error {
	m, err := w.s.metas.get(n.entity)
	if err != nil {
		return err
	}
	raw, err := w.getRaw(ctx, w.s.q.get, n.entity, n.id)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	doc, err := decodeDoc(raw)
	if err != nil {
		return fmt.Errorf("%s %q: %w", n.entity, n.id, err)
	}
	doc[n.field] = nil
	e, err := m.encode(doc)
	if err != nil {
		return err
	}
	return w.replace(ctx, m, e)
}

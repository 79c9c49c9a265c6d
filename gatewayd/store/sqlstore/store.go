// Package sqlstore implements store.Store on SQL databases: SQLite (embedded,
// the default) and PostgreSQL (shared between nodes).
//
// Entities are JSON documents in one table; unique fields, cache keys,
// foreign references and tags are mirrored into index tables so that the
// database enforces them atomically. A revision row bumped by every write
// transaction lets nodes detect each other's changes.
//
// The server opens a store with Open. PostgreSQL schemas are managed
// explicitly, as with Kong; the migration commands map to:
//
//	db, err := sqlstore.Connect(ctx, cfg)   // no schema assumptions
//	defer db.Close()
//	applied, err := sqlstore.Bootstrap(ctx, db)    // gatewayd migrations bootstrap
//	applied, err := sqlstore.Up(ctx, db)           // gatewayd migrations up
//	status, err := sqlstore.MigrationStatus(ctx, db) // gatewayd migrations status
//
// Bootstrap fails with ErrAlreadyBootstrapped and Up with ErrNeedsBootstrap
// when used on the wrong kind of database; Open without Options.AutoMigrate
// fails with ErrNeedsBootstrap or ErrPendingMigrations, whose messages name
// the command to run.
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store"
)

// Store is a store.Store backed by SQLite or PostgreSQL.
type Store struct {
	db    *DB
	d     *dialect
	metas metaSet
	q     queries

	// readStmts / writeStmts hold prepared statements (SQLite only),
	// keyed by query text, on the read pool and the writer connection.
	readStmts, writeStmts map[string]*sql.Stmt

	// writeSem serializes SQLite write transactions in Go, where waiting
	// can honour the context, instead of in SQLite's busy handler.
	writeSem chan struct{}

	hub     hub
	lastRev atomic.Int64 // newest revision subscribers were told about

	cancel    context.CancelFunc
	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
}

var _ store.Store = (*Store)(nil)

// Open connects, checks (or with AutoMigrate, brings up to date) the schema,
// and starts change notification. metas describe every entity type the
// store will be asked about.
func Open(ctx context.Context, cfg Config, metas []store.Meta) (*Store, error) {
	ms, err := newMetaSet(metas)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	db, err := Connect(ctx, cfg)
	if err != nil {
		return nil, err
	}
	s, err := open(ctx, db, ms)
	if err != nil {
		_ = db.Close()
		return nil, err
	}
	return s, nil
}

func open(ctx context.Context, db *DB, ms metaSet) (*Store, error) {
	if db.cfg.AutoMigrate {
		if _, err := Migrate(ctx, db); err != nil {
			return nil, fmt.Errorf("open %s store: %w", db.cfg.Driver, err)
		}
	} else if err := checkSchema(ctx, db); err != nil {
		return nil, fmt.Errorf("open %s store: %w", db.cfg.Driver, err)
	}

	s := &Store{db: db, d: db.d, metas: ms, q: newQueries(db.d)}
	if db.d == sqliteDialect {
		s.writeSem = make(chan struct{}, 1)
	}
	if db.d.prepare {
		var err error
		if s.readStmts, err = prepareAll(ctx, db.read, s.q.readOnly()); err != nil {
			return nil, err
		}
		if s.writeStmts, err = prepareAll(ctx, db.write, s.q.all()); err != nil {
			closeStmts(s.readStmts)
			return nil, err
		}
	}
	rev, err := s.Revision(ctx)
	if err != nil {
		s.closeStatements()
		return nil, fmt.Errorf("open %s store: %w", db.cfg.Driver, err)
	}
	s.lastRev.Store(rev)
	s.hub.init()

	bg, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	if db.cfg.PollInterval > 0 {
		s.wg.Add(1)
		go s.poll(bg, db.cfg.PollInterval)
	}
	if db.pgConfig != nil {
		s.wg.Add(1)
		go s.listen(bg)
	}
	return s, nil
}

func prepareAll(ctx context.Context, db *sql.DB, qs []string) (map[string]*sql.Stmt, error) {
	m := make(map[string]*sql.Stmt, len(qs))
	for _, q := range qs {
		st, err := db.PrepareContext(ctx, q)
		if err != nil {
			closeStmts(m)
			return nil, wrapErr("prepare statement", err)
		}
		m[q] = st
	}
	return m, nil
}

func closeStmts(m map[string]*sql.Stmt) {
	for _, st := range m {
		_ = st.Close()
	}
}

func (s *Store) closeStatements() {
	closeStmts(s.readStmts)
	closeStmts(s.writeStmts)
}

// DB returns the underlying database, e.g. for MigrationStatus.
func (s *Store) DB() *DB { return s.db }

// Close stops background goroutines, ends subscriptions and closes the
// database. It is safe to call more than once.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		s.cancel()
		s.wg.Wait()
		s.hub.close()
		s.closeStatements()
		s.closeErr = s.db.Close()
	})
	return s.closeErr
}

// Ping checks the database is reachable.
func (s *Store) Ping(ctx context.Context) error { return s.db.Ping(ctx) }

// Revision returns the current revision.
func (s *Store) Revision(ctx context.Context) (int64, error) {
	var rev int64
	if err := s.reader().queryRow(ctx, s.q.revision).Scan(&rev); err != nil {
		return 0, wrapErr("read revision", err)
	}
	return rev, nil
}

// Get returns one entity.
func (s *Store) Get(ctx context.Context, entity, id string) (store.Doc, error) {
	return s.reader().get(ctx, entity, id)
}

// GetByField returns the entity whose unique field has value.
func (s *Store) GetByField(ctx context.Context, entity, field, value string) (store.Doc, error) {
	return s.reader().getByField(ctx, entity, field, value)
}

// List returns one page of an entity collection.
func (s *Store) List(ctx context.Context, entity string, q store.ListQuery) (store.Page, error) {
	return s.reader().list(ctx, entity, q)
}

// ListTags returns one page of (tag, entity, id) rows.
func (s *Store) ListTags(ctx context.Context, tag string, size int, offset string) ([]store.TagRow, string, error) {
	return s.reader().listTags(ctx, tag, size, offset)
}

// ReadAll reads every entity of the given types, and the revision, from one
// snapshot: a consumer that rebuilds its state from the result and then
// waits for a revision change never misses a write.
func (s *Store) ReadAll(ctx context.Context, entities []string) (map[string][]store.Doc, int64, error) {
	for _, e := range entities {
		if _, err := s.metas.get(e); err != nil {
			return nil, 0, fmt.Errorf("read all: %w", err)
		}
	}
	tx, err := s.db.read.BeginTx(ctx, s.d.readTx)
	if err != nil {
		return nil, 0, wrapErr("read all: begin", err)
	}
	defer func() { _ = tx.Rollback() }() // read-only: nothing to commit
	c := &conn{s: s, tx: tx, stmts: s.readStmts}

	var rev int64
	if err := c.queryRow(ctx, s.q.revision).Scan(&rev); err != nil {
		return nil, 0, wrapErr("read all: revision", err)
	}
	out := make(map[string][]store.Doc, len(entities))
	for _, e := range entities {
		if _, done := out[e]; done {
			continue
		}
		raws, err := c.scanDocs(ctx, s.q.allOfEntity, e)
		if err != nil {
			return nil, 0, fmt.Errorf("read all %s: %w", e, err)
		}
		docs, err := decodeDocs(raws)
		if err != nil {
			return nil, 0, fmt.Errorf("read all %s: %w", e, err)
		}
		out[e] = docs
	}
	return out, rev, nil
}

// scanDocs returns the raw documents a (entity)-parameterized query yields.
func (c *conn) scanDocs(ctx context.Context, q string, args ...any) ([][]byte, error) {
	rows, err := c.query(ctx, q, args...)
	if err != nil {
		return nil, wrapErr("query", err)
	}
	defer rows.Close()
	var raws [][]byte
	for rows.Next() {
		var raw []byte
		if err := rows.Scan(&raw); err != nil {
			return nil, wrapErr("scan", err)
		}
		raws = append(raws, raw)
	}
	if err := rows.Err(); err != nil {
		return nil, wrapErr("query", err)
	}
	return raws, nil
}

// decodeDocs decodes documents, in parallel when there are many: JSON
// decoding, not the database, dominates loading a large configuration.
func decodeDocs(raws [][]byte) ([]store.Doc, error) {
	docs := make([]store.Doc, len(raws))
	const chunk = 512
	workers := min(runtime.GOMAXPROCS(0), (len(raws)+chunk-1)/chunk)
	if workers <= 1 {
		dec := newDocDecoder()
		for i, raw := range raws {
			doc, err := dec.decode(raw)
			if err != nil {
				return nil, fmt.Errorf("decode document: %w", err)
			}
			docs[i] = doc
		}
		return docs, nil
	}
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		errOnce  sync.Once
		firstErr error
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			dec := newDocDecoder()
			for {
				start := int(next.Add(chunk)) - chunk
				if start >= len(raws) {
					return
				}
				for i := start; i < min(start+chunk, len(raws)); i++ {
					doc, err := dec.decode(raws[i])
					if err != nil {
						errOnce.Do(func() { firstErr = fmt.Errorf("decode document: %w", err) })
						return
					}
					docs[i] = doc
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	return docs, nil
}

// queries holds the statements, rebound for the dialect.
type queries struct {
	get, getByKey, allOfEntity, revision                   string
	exists, existsForUpdate, existsForShare                string
	insertEntity, upsertEntity, updateEntity, deleteEntity string
	insertUnique, deleteUniques                            string
	insertRef, deleteRefs, children                        string
	insertTag, deleteTags                                  string
	bumpRevision, notify                                   string
}

func newQueries(d *dialect) queries {
	r := d.rebind
	q := queries{
		get:             r(`SELECT doc FROM entities WHERE entity = ? AND id = ?`),
		getByKey:        r(`SELECT e.doc FROM unique_keys u JOIN entities e ON e.entity = u.entity AND e.id = u.id WHERE u.entity = ? AND u.key = ? AND u.value = ?`),
		allOfEntity:     r(`SELECT doc FROM entities WHERE entity = ? ORDER BY id`),
		revision:        `SELECT rev FROM revision WHERE id = 1`,
		exists:          r(`SELECT 1 FROM entities WHERE entity = ? AND id = ?`),
		existsForUpdate: r(`SELECT 1 FROM entities WHERE entity = ? AND id = ?` + d.forUpdate),
		existsForShare:  r(`SELECT 1 FROM entities WHERE entity = ? AND id = ?` + d.forShare),
		insertEntity:    r(`INSERT INTO entities (entity, id, doc) VALUES (?, ?, ?) ON CONFLICT (entity, id) DO NOTHING`),
		upsertEntity:    r(`INSERT INTO entities (entity, id, doc) VALUES (?, ?, ?) ON CONFLICT (entity, id) DO UPDATE SET doc = excluded.doc`),
		updateEntity:    r(`UPDATE entities SET doc = ? WHERE entity = ? AND id = ?`),
		deleteEntity:    r(`DELETE FROM entities WHERE entity = ? AND id = ?`),
		insertUnique:    r(`INSERT INTO unique_keys (entity, key, value, id) VALUES (?, ?, ?, ?)`),
		deleteUniques:   r(`DELETE FROM unique_keys WHERE entity = ? AND id = ?`),
		insertRef:       r(`INSERT INTO refs (entity, id, field, ref_entity, ref_id) VALUES (?, ?, ?, ?, ?)`),
		deleteRefs:      r(`DELETE FROM refs WHERE entity = ? AND id = ?`),
		children:        r(`SELECT entity, id, field FROM refs WHERE ref_entity = ? AND ref_id = ? ORDER BY entity, id, field`),
		insertTag:       r(`INSERT INTO tags (entity, id, tag) VALUES (?, ?, ?)`),
		deleteTags:      r(`DELETE FROM tags WHERE entity = ? AND id = ?`),
		bumpRevision:    `UPDATE revision SET rev = rev + 1 WHERE id = 1 RETURNING rev`,
	}
	if d.notify != "" {
		q.notify = r(d.notify)
	}
	return q
}

func (q queries) readOnly() []string {
	return []string{q.get, q.getByKey, q.allOfEntity, q.revision}
}

func (q queries) all() []string {
	qs := append(q.readOnly(),
		q.exists, q.existsForUpdate, q.existsForShare,
		q.insertEntity, q.upsertEntity, q.updateEntity, q.deleteEntity,
		q.insertUnique, q.deleteUniques, q.insertRef, q.deleteRefs, q.children,
		q.insertTag, q.deleteTags, q.bumpRevision)
	if q.notify != "" {
		qs = append(qs, q.notify)
	}
	// existsForUpdate/existsForShare equal exists on SQLite.
	seen := map[string]bool{}
	out := qs[:0]
	for _, x := range qs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

// conn runs queries on a pool or in a transaction, through prepared
// statements when there are any.
type conn struct {
	s       *Store
	tx      *sql.Tx // nil: use the read pool
	stmts   map[string]*sql.Stmt
	txStmts map[string]*sql.Stmt // stmts bound to tx, made on first use
}

func (s *Store) reader() *conn { return &conn{s: s, stmts: s.readStmts} }

func (c *conn) stmt(ctx context.Context, q string) *sql.Stmt {
	st := c.stmts[q]
	if st == nil || c.tx == nil {
		return st
	}
	if bound := c.txStmts[q]; bound != nil {
		return bound
	}
	if c.txStmts == nil {
		c.txStmts = map[string]*sql.Stmt{}
	}
	bound := c.tx.StmtContext(ctx, st)
	c.txStmts[q] = bound
	return bound
}

func (c *conn) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := c.stmt(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	if c.tx != nil {
		return c.tx.QueryContext(ctx, q, args...)
	}
	return c.s.db.read.QueryContext(ctx, q, args...)
}

func (c *conn) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if st := c.stmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	if c.tx != nil {
		return c.tx.QueryRowContext(ctx, q, args...)
	}
	return c.s.db.read.QueryRowContext(ctx, q, args...)
}

func (c *conn) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := c.stmt(ctx, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	if c.tx != nil {
		return c.tx.ExecContext(ctx, q, args...)
	}
	return nil, errors.New("sqlstore: exec outside a write transaction") // programming error
}

// getRaw returns the stored JSON of an entity, or ErrNotFound.
func (c *conn) getRaw(ctx context.Context, q string, args ...any) ([]byte, error) {
	var raw []byte
	err := c.queryRow(ctx, q, args...).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, wrapErr("query", err)
	}
	return raw, nil
}

func (c *conn) get(ctx context.Context, entity, id string) (store.Doc, error) {
	if _, err := c.s.metas.get(entity); err != nil {
		return nil, fmt.Errorf("get: %w", err)
	}
	raw, err := c.getRaw(ctx, c.s.q.get, entity, id)
	if err != nil {
		return nil, fmt.Errorf("get %s %q: %w", entity, id, err)
	}
	return decodeDoc(raw)
}

func (c *conn) getByField(ctx context.Context, entity, field, value string) (store.Doc, error) {
	m, err := c.s.metas.get(entity)
	if err != nil {
		return nil, fmt.Errorf("get by field: %w", err)
	}
	if field == "id" {
		return c.get(ctx, entity, value)
	}
	if !m.uniques[field] {
		return nil, fmt.Errorf("get %s by %q: not a unique field", entity, field)
	}
	raw, err := c.getRaw(ctx, c.s.q.getByKey, entity, field, value)
	if err != nil {
		return nil, fmt.Errorf("get %s by %s %q: %w", entity, field, value, err)
	}
	return decodeDoc(raw)
}

func (c *conn) list(ctx context.Context, entity string, lq store.ListQuery) (store.Page, error) {
	m, err := c.s.metas.get(entity)
	if err != nil {
		return store.Page{}, fmt.Errorf("list: %w", err)
	}
	after, err := decodeOffset(lq.Offset)
	if err != nil {
		return store.Page{}, err
	}
	size := pageSize(lq.Size)

	var b strings.Builder
	var args []any
	idCol := "e.id"
	if lq.ForeignField != "" {
		fk, ok := m.fks[lq.ForeignField]
		if !ok {
			return store.Page{}, fmt.Errorf("list %s: %q is not a foreign field", entity, lq.ForeignField)
		}
		// Driven by refs_ref_idx, which is ordered by id within one parent.
		idCol = "r.id"
		b.WriteString(`SELECT e.id, e.doc FROM refs r JOIN entities e ON e.entity = r.entity AND e.id = r.id
			WHERE r.ref_entity = ? AND r.ref_id = ? AND r.entity = ? AND r.field = ?`)
		args = append(args, fk.Entity, lq.ForeignID, entity, lq.ForeignField)
	} else {
		b.WriteString(`SELECT e.id, e.doc FROM entities e WHERE e.entity = ?`)
		args = append(args, entity)
	}
	if after != "" {
		b.WriteString(" AND " + idCol + " > ?")
		args = append(args, after)
	}
	if tags := dedupe(lq.Tags); len(tags) > 0 {
		if lq.TagsOr {
			b.WriteString(" AND EXISTS (SELECT 1 FROM tags t WHERE t.entity = e.entity AND t.id = e.id AND t.tag IN (?")
			b.WriteString(strings.Repeat(", ?", len(tags)-1))
			b.WriteString("))")
			for _, t := range tags {
				args = append(args, t)
			}
		} else {
			for _, t := range tags {
				b.WriteString(" AND EXISTS (SELECT 1 FROM tags t WHERE t.entity = e.entity AND t.id = e.id AND t.tag = ?)")
				args = append(args, t)
			}
		}
	}
	// One row more than asked tells whether there is a next page, so the
	// last page carries no offset leading to an empty one.
	b.WriteString(" ORDER BY " + idCol + " LIMIT ?")
	args = append(args, size+1)

	rows, err := c.query(ctx, c.s.d.rebind(b.String()), args...)
	if err != nil {
		return store.Page{}, wrapErr("list "+entity, err)
	}
	defer rows.Close()
	var (
		ids  []string
		raws [][]byte
	)
	for rows.Next() {
		var id string
		var raw []byte
		if err := rows.Scan(&id, &raw); err != nil {
			return store.Page{}, wrapErr("list "+entity, err)
		}
		ids = append(ids, id)
		raws = append(raws, raw)
	}
	if err := rows.Err(); err != nil {
		return store.Page{}, wrapErr("list "+entity, err)
	}
	var page store.Page
	if len(raws) > size {
		raws = raws[:size]
		page.Offset = encodeOffset(ids[size-1])
	}
	docs, err := decodeDocs(raws)
	if err != nil {
		return store.Page{}, fmt.Errorf("list %s: %w", entity, err)
	}
	page.Data = docs
	return page, nil
}

func (c *conn) listTags(ctx context.Context, tag string, size int, offset string) ([]store.TagRow, string, error) {
	cur, hasCur, err := decodeTagOffset(offset)
	if err != nil {
		return nil, "", err
	}
	size = pageSize(size)
	var b strings.Builder
	var args []any
	b.WriteString("SELECT tag, entity, id FROM tags")
	switch {
	case tag != "" && hasCur:
		b.WriteString(" WHERE tag = ? AND (entity, id) > (?, ?)")
		args = append(args, tag, cur.Entity, cur.ID)
	case tag != "":
		b.WriteString(" WHERE tag = ?")
		args = append(args, tag)
	case hasCur:
		b.WriteString(" WHERE (tag, entity, id) > (?, ?, ?)")
		args = append(args, cur.Tag, cur.Entity, cur.ID)
	}
	b.WriteString(" ORDER BY tag, entity, id LIMIT ?")
	args = append(args, size+1)

	rows, err := c.query(ctx, c.s.d.rebind(b.String()), args...)
	if err != nil {
		return nil, "", wrapErr("list tags", err)
	}
	defer rows.Close()
	var out []store.TagRow
	for rows.Next() {
		var r store.TagRow
		if err := rows.Scan(&r.Tag, &r.EntityName, &r.EntityID); err != nil {
			return nil, "", wrapErr("list tags", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, "", wrapErr("list tags", err)
	}
	var next string
	if len(out) > size {
		out = out[:size]
		last := out[size-1]
		next = encodeTagOffset(tagCursor{Tag: last.Tag, Entity: last.EntityName, ID: last.EntityID})
	}
	return out, next, nil
}

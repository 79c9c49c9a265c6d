package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// ErrNeedsBootstrap: the database has no gatewayd schema yet.
var ErrNeedsBootstrap = errors.New("database needs bootstrapping; run 'gatewayd migrations bootstrap'")

// ErrPendingMigrations: the schema is older than this gatewayd.
var ErrPendingMigrations = errors.New("database has pending migrations; run 'gatewayd migrations up'")

// ErrAlreadyBootstrapped: Bootstrap was asked to run on a bootstrapped database.
var ErrAlreadyBootstrapped = errors.New("database already bootstrapped")

// migration is one named, append-only schema step. Statements may use
// {text} for the dialect's key column type. Never edit a released migration:
// databases record it by name as applied.
type migration struct {
	name       string
	statements []string
}

var migrations = []migration{
	{
		name: "000_base",
		statements: []string{
			// Every entity is one JSON document; the other tables index it
			// so the database, not Go code, enforces what must hold across
			// concurrent writers.
			`CREATE TABLE entities (
				entity {text} NOT NULL,
				id     {text} NOT NULL,
				doc    TEXT NOT NULL,
				PRIMARY KEY (entity, id)
			)`,
			// Unique fields and cache keys: the primary key makes a
			// conflicting insert fail atomically, even between nodes.
			`CREATE TABLE unique_keys (
				entity {text} NOT NULL,
				key    {text} NOT NULL,
				value  {text} NOT NULL,
				id     {text} NOT NULL,
				PRIMARY KEY (entity, key, value),
				FOREIGN KEY (entity, id) REFERENCES entities (entity, id) ON DELETE CASCADE
			)`,
			`CREATE INDEX unique_keys_owner_idx ON unique_keys (entity, id)`,
			// Foreign references. The second foreign key (no action) is a
			// backstop: no reference can ever point at a missing entity.
			`CREATE TABLE refs (
				entity     {text} NOT NULL,
				id         {text} NOT NULL,
				field      {text} NOT NULL,
				ref_entity {text} NOT NULL,
				ref_id     {text} NOT NULL,
				PRIMARY KEY (entity, id, field),
				FOREIGN KEY (entity, id) REFERENCES entities (entity, id) ON DELETE CASCADE,
				FOREIGN KEY (ref_entity, ref_id) REFERENCES entities (entity, id)
			)`,
			// Serves both "who references X" (deletes) and nested listings
			// in id order (/services/{id}/routes).
			`CREATE INDEX refs_ref_idx ON refs (ref_entity, ref_id, entity, field, id)`,
			`CREATE TABLE tags (
				entity {text} NOT NULL,
				id     {text} NOT NULL,
				tag    {text} NOT NULL,
				PRIMARY KEY (entity, id, tag),
				FOREIGN KEY (entity, id) REFERENCES entities (entity, id) ON DELETE CASCADE
			)`,
			`CREATE INDEX tags_tag_idx ON tags (tag, entity, id)`,
			// One row, bumped by every committed write transaction; it also
			// serializes the tail of concurrent PostgreSQL writers, so
			// revision order is commit order.
			`CREATE TABLE revision (
				id  INTEGER PRIMARY KEY CHECK (id = 1),
				rev BIGINT NOT NULL
			)`,
			`INSERT INTO revision (id, rev) VALUES (1, 0)`,
		},
	},
}

// MigrationNames lists every migration this gatewayd knows, in order.
func MigrationNames() []string {
	names := make([]string, len(migrations))
	for i, m := range migrations {
		names[i] = m.name
	}
	return names
}

// Status is where a database stands relative to this gatewayd's migrations.
type Status struct {
	Applied []string // known migrations already applied, in order
	Pending []string // known migrations not yet applied, in order
	// Unknown are applied migrations this gatewayd does not know: the
	// database was migrated by a newer version.
	Unknown []string
}

// Bootstrapped reports whether any migration has been applied.
func (s Status) Bootstrapped() bool { return len(s.Applied) > 0 || len(s.Unknown) > 0 }

// UpToDate reports whether nothing is pending.
func (s Status) UpToDate() bool { return len(s.Pending) == 0 }

const createSchemaMeta = `CREATE TABLE IF NOT EXISTS schema_meta (
	name       {text} PRIMARY KEY,
	applied_at TEXT NOT NULL
)`

// MigrationStatus reports which migrations are applied and pending. It
// changes nothing, so it works on a database that was never bootstrapped.
func MigrationStatus(ctx context.Context, db *DB) (Status, error) {
	var n int
	if err := db.read.QueryRowContext(ctx, db.d.rebind(db.d.tableExists), "schema_meta").Scan(&n); err != nil {
		return Status{}, wrapErr("migration status", err)
	}
	var applied map[string]bool
	if n > 0 {
		var err error
		if applied, err = appliedMigrations(ctx, db.read); err != nil {
			return Status{}, err
		}
	}
	return statusFrom(applied), nil
}

func statusFrom(applied map[string]bool) Status {
	var st Status
	known := make(map[string]bool, len(migrations))
	for _, m := range migrations {
		known[m.name] = true
		if applied[m.name] {
			st.Applied = append(st.Applied, m.name)
		} else {
			st.Pending = append(st.Pending, m.name)
		}
	}
	for name := range applied {
		if !known[name] {
			st.Unknown = append(st.Unknown, name)
		}
	}
	sort.Strings(st.Unknown)
	return st
}

type queryContexter interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func appliedMigrations(ctx context.Context, q queryContexter) (map[string]bool, error) {
	rows, err := q.QueryContext(ctx, "SELECT name FROM schema_meta")
	if err != nil {
		return nil, wrapErr("read applied migrations", err)
	}
	defer rows.Close()
	applied := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, wrapErr("read applied migrations", err)
		}
		applied[name] = true
	}
	if err := rows.Err(); err != nil {
		return nil, wrapErr("read applied migrations", err)
	}
	return applied, nil
}

// Migrate applies every pending migration and returns the names it applied
// (none if the schema is current). It is idempotent and safe to run from
// several processes at once: all steps run in one transaction, under a lock.
func Migrate(ctx context.Context, db *DB) ([]string, error) {
	return migrate(ctx, db, func(map[string]bool) error { return nil })
}

// Bootstrap creates the schema of a fresh database ('gatewayd migrations
// bootstrap'). It fails with ErrAlreadyBootstrapped if any migration has
// been applied; use Up then.
func Bootstrap(ctx context.Context, db *DB) ([]string, error) {
	return migrate(ctx, db, func(applied map[string]bool) error {
		if len(applied) > 0 {
			return ErrAlreadyBootstrapped
		}
		return nil
	})
}

// Up applies pending migrations to a bootstrapped database ('gatewayd
// migrations up'). It fails with ErrNeedsBootstrap on a fresh one, so a
// typo in the DSN does not silently create a schema somewhere else.
func Up(ctx context.Context, db *DB) ([]string, error) {
	return migrate(ctx, db, func(applied map[string]bool) error {
		if len(applied) == 0 {
			return ErrNeedsBootstrap
		}
		return nil
	})
}

// migrate applies pending migrations in one transaction after check
// accepts the set of already applied ones.
func migrate(ctx context.Context, db *DB, check func(applied map[string]bool) error) (names []string, err error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, wrapErr("migrate: begin", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if db.d.migrationLock != "" {
		if _, err := tx.ExecContext(ctx, db.d.migrationLock); err != nil {
			return nil, wrapErr("migrate: take migration lock", err)
		}
	}
	if _, err := tx.ExecContext(ctx, db.d.ddl(createSchemaMeta)); err != nil {
		return nil, wrapErr("migrate: create schema_meta", err)
	}
	applied, err := appliedMigrations(ctx, tx)
	if err != nil {
		return nil, err
	}
	if err := check(applied); err != nil {
		return nil, err
	}
	now := time.Now().UTC().Format(time.RFC3339)
	for _, m := range migrations {
		if applied[m.name] {
			continue
		}
		for _, stmt := range m.statements {
			if _, err := tx.ExecContext(ctx, db.d.ddl(stmt)); err != nil {
				return nil, wrapErr(fmt.Sprintf("migrate: %s", m.name), err)
			}
		}
		if _, err := tx.ExecContext(ctx, db.d.rebind("INSERT INTO schema_meta (name, applied_at) VALUES (?, ?)"), m.name, now); err != nil {
			return nil, wrapErr(fmt.Sprintf("migrate: record %s", m.name), err)
		}
		names = append(names, m.name)
	}
	if err := tx.Commit(); err != nil {
		return nil, wrapErr("migrate: commit", err)
	}
	return names, nil
}

// ddl instantiates a migration statement for the dialect.
func (d *dialect) ddl(stmt string) string {
	return strings.ReplaceAll(stmt, "{text}", d.text)
}

// checkSchema fails unless the schema is bootstrapped and current.
func checkSchema(ctx context.Context, db *DB) error {
	st, err := MigrationStatus(ctx, db)
	if err != nil {
		return err
	}
	if !st.Bootstrapped() {
		return ErrNeedsBootstrap
	}
	if !st.UpToDate() {
		return fmt.Errorf("%w (pending: %s)", ErrPendingMigrations, strings.Join(st.Pending, ", "))
	}
	return nil
}

package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store"
)

// dialect is everything that differs between the engines. The SQL itself is
// written once, in the common subset (ON CONFLICT, RETURNING, row values),
// with '?' placeholders.
type dialect struct {
	name string
	// text is the column type for keys. PostgreSQL gets the "C" collation
	// so ids and tags sort bytewise, like SQLite, whatever the database
	// locale: keyset pagination depends on one stable order.
	text string
	// forUpdate / forShare lock rows read by a write transaction so that
	// a concurrent writer cannot delete a parent we are about to
	// reference, or reference a parent we are about to delete. SQLite
	// serializes writers, so it needs neither.
	forUpdate, forShare string
	// prepare says whether to keep prepared statements. pgx already
	// caches statements per connection; modernc does not.
	prepare bool
	// readTx is how ReadAll begins its snapshot.
	readTx *sql.TxOptions
	// tableExists is a query with one '?' parameter returning a count.
	tableExists string
	// notify is run in each write transaction with the new revision, or "".
	notify string
	// migrationLock serializes concurrent migrators, or "".
	migrationLock string
}

// notifyChannel is the PostgreSQL LISTEN/NOTIFY channel announcing commits.
const notifyChannel = "gatewayd_changes"

var sqliteDialect = &dialect{
	name:        DriverSQLite,
	text:        "TEXT",
	prepare:     true,
	readTx:      &sql.TxOptions{ReadOnly: true},
	tableExists: "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
}

var postgresDialect = &dialect{
	name:      DriverPostgres,
	text:      `TEXT COLLATE "C"`,
	forUpdate: " FOR UPDATE",
	forShare:  " FOR KEY SHARE",
	// REPEATABLE READ makes all statements of ReadAll see one snapshot.
	readTx:        &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
	tableExists:   "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = current_schema() AND tablename = ?",
	notify:        "SELECT pg_notify('" + notifyChannel + "', ?)",
	migrationLock: "SELECT pg_advisory_xact_lock(7310451131276545352)", // arbitrary, fixed key
}

// rebind rewrites '?' placeholders to PostgreSQL's $n. None of our SQL has
// a '?' inside a literal, so a plain scan is enough.
func (d *dialect) rebind(q string) string {
	if d != postgresDialect || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// errKind classifies driver errors into what the store reports.
type errKind int

const (
	errOther errKind = iota
	errUniqueViolation
	errForeignKeyViolation
	errUnavailable
)

func classify(err error) errKind {
	if err == nil {
		return errOther
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.Code == "23505":
			return errUniqueViolation
		case pgErr.Code == "23503":
			return errForeignKeyViolation
		case strings.HasPrefix(pgErr.Code, "08"), // connection exception
			pgErr.Code == "57P01", pgErr.Code == "57P02", pgErr.Code == "57P03", // shutdown, cannot connect now
			pgErr.Code == "53300": // too many connections
			return errUnavailable
		}
		return errOther
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		code := liteErr.Code()
		switch code {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return errUniqueViolation
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return errForeignKeyViolation
		}
		switch code & 0xff {
		case sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED,
			sqlite3.SQLITE_FULL, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_PERM, sqlite3.SQLITE_READONLY:
			return errUnavailable
		}
		return errOther
	}
	if errors.Is(err, context.Canceled) {
		return errOther
	}
	var connectErr *pgconn.ConnectError
	var netErr net.Error
	if errors.As(err, &connectErr) || errors.As(err, &netErr) ||
		errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.ErrUnexpectedEOF) || pgconn.Timeout(err) {
		return errUnavailable
	}
	return errOther
}

// dbError is an error from the database, with the operation that failed.
// Its type tells a writer that the transaction may be broken.
type dbError struct {
	op          string
	err         error
	unavailable bool
}

func (e *dbError) Error() string {
	if e.unavailable {
		return e.op + ": " + store.ErrUnavailable.Error() + ": " + e.err.Error()
	}
	return e.op + ": " + e.err.Error()
}

func (e *dbError) Unwrap() []error {
	if e.unavailable {
		return []error{store.ErrUnavailable, e.err}
	}
	return []error{e.err}
}

// wrapErr adds context to a database error, marking it with
// store.ErrUnavailable when it means the database cannot be reached.
func wrapErr(op string, err error) error {
	return &dbError{op: op, err: err, unavailable: classify(err) == errUnavailable}
}

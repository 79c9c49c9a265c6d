package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store"
)

// DB is an open database without any assumption about its schema: what the
// migration commands work on, and what a Store is built on.
type DB struct {
	cfg Config
	d   *dialect
	// write runs write transactions. For SQLite it holds exactly one
	// connection: SQLite allows one writer at a time anyway, and a single
	// connection keeps its prepared statements warm.
	write *sql.DB
	// read serves reads. For SQLite it is a separate pool of query-only
	// connections that WAL lets run alongside the writer; for PostgreSQL
	// it is the same pool as write.
	read *sql.DB
	// pgConfig is kept to open the dedicated LISTEN connection.
	pgConfig *pgx.ConnConfig
}

// Connect opens the database described by cfg and checks it is reachable.
// It neither creates nor checks the schema; see Migrate and Open.
func Connect(ctx context.Context, cfg Config) (*DB, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	switch cfg.Driver {
	case DriverSQLite:
		return connectSQLite(ctx, cfg)
	default:
		return connectPostgres(ctx, cfg)
	}
}

// Driver reports which engine the DB uses.
func (db *DB) Driver() string { return db.cfg.Driver }

// Close closes the connection pools.
func (db *DB) Close() error {
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Ping checks the database can be reached.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.read.PingContext(ctx); err != nil {
		return wrapErr(fmt.Sprintf("ping %s", db.cfg.Driver), err)
	}
	return nil
}

func connectSQLite(ctx context.Context, cfg Config) (*DB, error) {
	path, err := filepath.Abs(cfg.Path)
	if err != nil {
		return nil, fmt.Errorf("sqlite store: resolve path %q: %w", cfg.Path, err)
	}
	// 0700: the database holds credentials and keys.
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("sqlite store: create data directory: %w: %w", store.ErrUnavailable, err)
	}
	// Create the file ourselves so it is 0600 rather than umask-dependent.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlite store: %w: %w", store.ErrUnavailable, err)
	}
	_ = f.Close()

	busy := strconv.FormatInt(cfg.BusyTimeout.Milliseconds(), 10)
	// WAL lets readers proceed while the writer commits; synchronous=FULL
	// fsyncs the WAL on every commit, so an acknowledged write survives a
	// crash; immediate transactions take the write lock at BEGIN rather
	// than failing with SQLITE_BUSY halfway through if another process
	// writes.
	writeDSN := path + "?_pragma=busy_timeout(" + busy + ")" +
		"&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_txlock=immediate"
	readDSN := path + "?_pragma=busy_timeout(" + busy + ")&_pragma=foreign_keys(1)&_pragma=query_only(1)"

	write, err := sql.Open("sqlite", writeDSN)
	if err != nil {
		return nil, fmt.Errorf("sqlite store: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	// The writer is opened first: it switches the file to WAL, which the
	// read connections then inherit.
	var mode string
	if err := write.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		_ = write.Close()
		return nil, wrapErr("sqlite store: open "+path, err)
	}
	if !strings.EqualFold(mode, "wal") {
		_ = write.Close()
		return nil, fmt.Errorf("sqlite store: %s: journal mode is %q, not WAL (is it on a network filesystem?)", path, mode)
	}

	read, err := sql.Open("sqlite", readDSN)
	if err != nil {
		_ = write.Close()
		return nil, fmt.Errorf("sqlite store: open %s: %w", path, err)
	}
	read.SetMaxOpenConns(cfg.MaxConns)
	read.SetMaxIdleConns(cfg.MaxConns)
	read.SetConnMaxIdleTime(5 * time.Minute)
	if err := read.PingContext(ctx); err != nil {
		_ = write.Close()
		_ = read.Close()
		return nil, wrapErr("sqlite store: open "+path, err)
	}
	cfg.Path = path
	return &DB{cfg: cfg, d: sqliteDialect, write: write, read: read}, nil
}

func connectPostgres(ctx context.Context, cfg Config) (*DB, error) {
	pc, err := pgx.ParseConfig(cfg.DSN)
	if err != nil {
		// The parse error may echo the DSN, password included; keep it out.
		return nil, errors.New("postgres store: invalid DSN (check its syntax)")
	}
	if pc.ConnectTimeout == 0 {
		pc.ConnectTimeout = cfg.ConnectTimeout
	}
	if _, ok := pc.RuntimeParams["application_name"]; !ok {
		pc.RuntimeParams["application_name"] = "gatewayd"
	}
	db := stdlib.OpenDB(*pc)
	db.SetMaxOpenConns(cfg.MaxConns)
	db.SetMaxIdleConns(cfg.MaxConns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, wrapErr(fmt.Sprintf("postgres store: connect to %s:%d/%s", pc.Host, pc.Port, pc.Database), err)
	}
	return &DB{cfg: cfg, d: postgresDialect, write: db, read: db, pgConfig: pc}, nil
}

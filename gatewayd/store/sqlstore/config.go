package sqlstore

import (
	"fmt"
	"runtime"
	"strings"
	"time"
)

// Driver names accepted in Config.Driver.
const (
	DriverSQLite   = "sqlite"
	DriverPostgres = "postgres"
)

// Config says which database to use and how.
type Config struct {
	Driver string // DriverSQLite or DriverPostgres
	Path   string // SQLite database file; its directory is created 0700
	DSN    string // PostgreSQL connection string (URL or keyword=value)
	Options
}

// Options tune a store; the zero value is a sensible default.
type Options struct {
	// AutoMigrate applies pending migrations on Open instead of failing.
	// Meant for the embedded SQLite default, where nobody else would.
	AutoMigrate bool
	// MaxConns bounds the read pool (SQLite) or the whole pool (PostgreSQL).
	// Default: max(4, GOMAXPROCS) for SQLite, 20 for PostgreSQL.
	MaxConns int
	// BusyTimeout is how long SQLite waits for a lock held by another
	// process (e.g. the CLI) before failing. Default 5s.
	BusyTimeout time.Duration
	// ConnectTimeout bounds establishing a PostgreSQL connection when the
	// DSN does not set connect_timeout. Default 10s.
	ConnectTimeout time.Duration
	// PollInterval is how often the revision is polled so writes by other
	// processes are noticed even when a notification is lost. Default 1s;
	// negative disables polling.
	PollInterval time.Duration
}

func (c Config) withDefaults() (Config, error) {
	c.Driver = strings.ToLower(strings.TrimSpace(c.Driver))
	switch c.Driver {
	case DriverSQLite:
		if c.Path == "" {
			return c, fmt.Errorf("sqlite store: Path is required")
		}
		if strings.ContainsRune(c.Path, '?') {
			// The driver splits its DSN at '?'; such a path would be mangled.
			return c, fmt.Errorf("sqlite store: path %q must not contain '?'", c.Path)
		}
		if c.MaxConns <= 0 {
			c.MaxConns = max(4, runtime.GOMAXPROCS(0))
		}
	case DriverPostgres, "postgresql":
		c.Driver = DriverPostgres
		if c.DSN == "" {
			return c, fmt.Errorf("postgres store: DSN is required")
		}
		if c.MaxConns <= 0 {
			c.MaxConns = 20
		}
	default:
		return c, fmt.Errorf("unknown store driver %q (want %q or %q)", c.Driver, DriverSQLite, DriverPostgres)
	}
	if c.BusyTimeout <= 0 {
		c.BusyTimeout = 5 * time.Second
	}
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = 10 * time.Second
	}
	if c.PollInterval == 0 {
		c.PollInterval = time.Second
	}
	return c, nil
}

package sqlstore

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store"
)

func connectDB(t testing.TB, cfg Config) *DB {
	t.Helper()
	db, err := Connect(t.Context(), cfg)
	if err != nil {
		t.Fatalf("Connect: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

func mustStatus(t testing.TB, db *DB) Status {
	t.Helper()
	st, err := MigrationStatus(t.Context(), db)
	if err != nil {
		t.Fatalf("MigrationStatus: %v", err)
	}
	return st
}

func TestOpenOfFreshDatabaseWithoutAutoMigrateAsksForBootstrap(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		cfg := b.config(t)
		cfg.AutoMigrate = false
		_, err := Open(t.Context(), cfg, testMetas)
		if !errors.Is(err, ErrNeedsBootstrap) {
			t.Fatalf("want ErrNeedsBootstrap, got %v", err)
		}
		if !strings.Contains(err.Error(), "database needs bootstrapping; run 'gatewayd migrations bootstrap'") {
			t.Fatalf("error does not say what to do: %v", err)
		}
		// Asking did not create anything.
		if st := mustStatus(t, connectDB(t, cfg)); st.Bootstrapped() {
			t.Fatalf("Open without AutoMigrate bootstrapped the database: %+v", st)
		}
	})
}

func TestMigrationsBootstrapOnceAndAreIdempotent(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		cfg := b.config(t)
		cfg.AutoMigrate = false
		db := connectDB(t, cfg)

		st := mustStatus(t, db)
		if st.Bootstrapped() || len(st.Applied) != 0 || !slices.Equal(st.Pending, MigrationNames()) {
			t.Fatalf("fresh database: %+v", st)
		}
		if _, err := Up(t.Context(), db); !errors.Is(err, ErrNeedsBootstrap) {
			t.Fatalf("Up on a fresh database: want ErrNeedsBootstrap, got %v", err)
		}
		applied, err := Bootstrap(t.Context(), db)
		if err != nil || !slices.Equal(applied, MigrationNames()) {
			t.Fatalf("Bootstrap: applied %v, err %v", applied, err)
		}
		if _, err := Bootstrap(t.Context(), db); !errors.Is(err, ErrAlreadyBootstrapped) {
			t.Fatalf("second Bootstrap: want ErrAlreadyBootstrapped, got %v", err)
		}
		for name, run := range map[string]func() ([]string, error){
			"Up":      func() ([]string, error) { return Up(t.Context(), db) },
			"Migrate": func() ([]string, error) { return Migrate(t.Context(), db) },
		} {
			if applied, err := run(); err != nil || len(applied) != 0 {
				t.Fatalf("%s on a current database: applied %v, err %v", name, applied, err)
			}
		}
		st = mustStatus(t, db)
		if !st.Bootstrapped() || !st.UpToDate() || !slices.Equal(st.Applied, MigrationNames()) {
			t.Fatalf("after bootstrap: %+v", st)
		}
		openStore(t, cfg)
	})
}

func TestStatusReportsPendingAndUnknownMigrations(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		cfg := b.config(t)
		cfg.AutoMigrate = false
		db := connectDB(t, cfg)
		if _, err := Bootstrap(t.Context(), db); err != nil {
			t.Fatal(err)
		}
		// Pretend a newer gatewayd added a migration and ours was never run.
		for _, q := range []string{
			"INSERT INTO schema_meta (name, applied_at) VALUES ('999_from_the_future', 'x')",
			"DELETE FROM schema_meta WHERE name = '000_base'",
		} {
			if _, err := db.write.ExecContext(t.Context(), q); err != nil {
				t.Fatal(err)
			}
		}
		st := mustStatus(t, db)
		if !st.Bootstrapped() || st.UpToDate() || !slices.Equal(st.Pending, []string{"000_base"}) ||
			!slices.Equal(st.Unknown, []string{"999_from_the_future"}) {
			t.Fatalf("status: %+v", st)
		}
		_, err := Open(t.Context(), cfg, testMetas)
		if !errors.Is(err, ErrPendingMigrations) || !strings.Contains(err.Error(), "000_base") {
			t.Fatalf("Open with pending migrations: want ErrPendingMigrations naming 000_base, got %v", err)
		}
	})
}

func TestConcurrentMigratorsApplyEachMigrationOnce(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		cfg := b.config(t)
		const n = 4
		var (
			wg      sync.WaitGroup
			mu      sync.Mutex
			applied []string
		)
		for i := 0; i < n; i++ {
			db := connectDB(t, cfg) // separate connections, as separate nodes
			wg.Add(1)
			go func() {
				defer wg.Done()
				names, err := Migrate(t.Context(), db)
				if err != nil {
					t.Errorf("Migrate: %v", err)
				}
				mu.Lock()
				applied = append(applied, names...)
				mu.Unlock()
			}()
		}
		wg.Wait()
		if !slices.Equal(applied, MigrationNames()) {
			t.Fatalf("migrations applied %v, want each of %v once", applied, MigrationNames())
		}
	})
}

func TestUnreachableDatabaseIsReportedAsUnavailable(t *testing.T) {
	t.Run("postgres", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		_ = l.Close() // nothing listens there now
		cfg := Config{Driver: DriverPostgres, DSN: fmt.Sprintf("postgres://gw:secret@127.0.0.1:%d/gw?sslmode=disable", port)}
		_, err = Open(t.Context(), cfg, testMetas)
		if !errors.Is(err, store.ErrUnavailable) {
			t.Fatalf("want ErrUnavailable, got %v", err)
		}
		if strings.Contains(err.Error(), "secret") {
			t.Fatalf("error leaks the password: %v", err)
		}
	})
	t.Run("sqlite", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "not-a-dir")
		if err := os.WriteFile(file, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Open(t.Context(), Config{Driver: DriverSQLite, Path: filepath.Join(file, "data", "db")}, testMetas)
		if !errors.Is(err, store.ErrUnavailable) {
			t.Fatalf("want ErrUnavailable, got %v", err)
		}
	})
}

func TestOpenRejectsInvalidConfiguration(t *testing.T) {
	for name, cfg := range map[string]Config{
		"no driver":      {},
		"unknown driver": {Driver: "mysql"},
		"sqlite no path": {Driver: DriverSQLite},
		"postgres noDSN": {Driver: DriverPostgres},
	} {
		if _, err := Open(t.Context(), cfg, testMetas); err == nil {
			t.Errorf("%s: Open succeeded", name)
		}
	}
	bad := []store.Meta{{Name: "routes", Foreign: []store.ForeignKey{{Field: "service", Entity: "services"}}}}
	if _, err := Open(t.Context(), Config{Driver: DriverSQLite, Path: filepath.Join(t.TempDir(), "db")}, bad); err == nil {
		t.Errorf("Open accepted a foreign key to an undeclared entity")
	}
}

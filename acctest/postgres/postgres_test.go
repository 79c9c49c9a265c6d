package postgres

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func connect(t *testing.T, dsn string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect %s: %v", dsn, err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

func TestStartHandsOutIsolatedDatabases(t *testing.T) {
	ctx := context.Background()
	a := connect(t, Start(t))
	b := connect(t, Start(t))

	if _, err := a.Exec(ctx, "CREATE TABLE only_in_a (x int)"); err != nil {
		t.Fatalf("create table: %v", err)
	}
	var n int
	if err := b.QueryRow(ctx, "SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_a'").Scan(&n); err != nil {
		t.Fatalf("query b: %v", err)
	}
	if n != 0 {
		t.Fatalf("table created in one database is visible in another")
	}
}

func TestStartDropsDatabaseAtCleanup(t *testing.T) {
	var name string
	t.Run("inner", func(t *testing.T) {
		conn := connect(t, Start(t))
		if err := conn.QueryRow(context.Background(), "SELECT current_database()").Scan(&name); err != nil {
			t.Fatalf("current_database: %v", err)
		}
	})
	srv, err := sharedServer()
	if err != nil {
		t.Fatal(err)
	}
	admin := connect(t, srv.adminDSN)
	var exists bool
	if err := admin.QueryRow(context.Background(),
		"SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		t.Fatalf("query pg_database: %v", err)
	}
	if exists {
		t.Fatalf("database %s still exists after the test that created it finished", name)
	}
}

func TestWithDatabaseRewritesBothDSNForms(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"postgres://u:p@h:5432/postgres?sslmode=disable", "postgres://u:p@h:5432/db1?sslmode=disable"},
		{"host=h user=u dbname=postgres", "host=h user=u dbname=postgres dbname=db1"},
	} {
		got, err := withDatabase(tc.in, "db1")
		if err != nil {
			t.Fatalf("withDatabase(%q): %v", tc.in, err)
		}
		if got != tc.want {
			t.Errorf("withDatabase(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if _, err := pgx.ParseConfig(got); err != nil {
			t.Errorf("rewritten DSN %q does not parse: %v", got, err)
		}
	}
}

func TestDatabaseNameIsAValidUniqueIdentifier(t *testing.T) {
	a := databaseName("TestSomething/with spaces & ÜNICODE and a very long name indeed that goes on")
	b := databaseName("TestSomething/with spaces & ÜNICODE and a very long name indeed that goes on")
	if a == b {
		t.Fatalf("two calls gave the same name %q", a)
	}
	if len(a) > 63 {
		t.Fatalf("name %q is longer than PostgreSQL's 63-byte identifier limit", a)
	}
}

func TestMissingBinariesGiveAnActionableError(t *testing.T) {
	savedLook, savedGlob := lookPath, versionedBins
	t.Cleanup(func() { lookPath, versionedBins = savedLook, savedGlob })
	lookPath = func(string) (string, error) { return "", exec.ErrNotFound }
	versionedBins = filepath.Join(t.TempDir(), "*", "bin")

	_, err := findBinDir()
	if err == nil {
		t.Fatalf("found binaries where there are none")
	}
	for _, want := range []string{"acctest/deps.sh", EnvDSN} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

func TestBinariesAreFoundOnThisMachine(t *testing.T) {
	dir, err := findBinDir()
	if err != nil {
		t.Fatal(err)
	}
	if !isExecutable(filepath.Join(dir, "postgres")) {
		t.Fatalf("%s has no postgres binary", dir)
	}
}

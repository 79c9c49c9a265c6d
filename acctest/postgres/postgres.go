// Package postgres hands tests a fresh PostgreSQL database.
//
// By default one throw-away server is created with initdb in a temporary
// directory the first time a test binary asks for a database, and every Start
// call gets its own database on it (CREATE DATABASE takes ~0.1 s, initdb takes
// seconds). On Linux the server is tied to the test process with a
// parent-death signal, so it goes away when the test binary exits however it
// exits; its directory is garbage-collected by the next run. Each database
// is dropped when the test that asked for it finishes.
//
// Set GATEWAYD_TEST_PG_DSN to use an existing server instead; each Start call
// then creates (and drops at cleanup) a fresh database on that server. The
// DSN's role needs CREATEDB.
package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvDSN names the environment variable that points the tests at an existing
// server instead of a throw-away one.
const EnvDSN = "GATEWAYD_TEST_PG_DSN"

// dirPrefix marks temporary server directories so later runs can find and
// remove the ones whose test process is gone.
const dirPrefix = "gatewayd-pg-"

// Start returns the DSN of a new, empty database that is dropped when the test
// finishes. It fails the test (never skips it) if no server can be had.
func Start(t testing.TB) string {
	t.Helper()
	srv, err := sharedServer()
	if err != nil {
		t.Fatalf("acctest/postgres: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name := databaseName(t.Name())
	if err := srv.exec(ctx, fmt.Sprintf("CREATE DATABASE %s", pgx.Identifier{name}.Sanitize())); err != nil {
		t.Fatalf("acctest/postgres: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		// FORCE: a test that leaked a connection must not make cleanup fail.
		if err := srv.exec(ctx, fmt.Sprintf("DROP DATABASE IF EXISTS %s WITH (FORCE)", pgx.Identifier{name}.Sanitize())); err != nil {
			t.Errorf("acctest/postgres: drop database %s: %v", name, err)
		}
	})
	dsn, err := withDatabase(srv.adminDSN, name)
	if err != nil {
		t.Fatalf("acctest/postgres: %v", err)
	}
	return dsn
}

// server is a PostgreSQL server reachable through adminDSN, a DSN for a
// database that exists and whose role may create databases.
type server struct {
	adminDSN string
	mu       sync.Mutex // serializes CREATE/DROP DATABASE, which contend on template1 anyway
}

func (s *server) exec(ctx context.Context, sql string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	conn, err := pgx.Connect(ctx, s.adminDSN)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}

var (
	once      sync.Once
	shared    *server
	sharedErr error
)

// sharedServer returns the process-wide server, starting it on first use.
// A failure is remembered: every later Start fails the same way instead of
// paying for another initdb.
func sharedServer() (*server, error) {
	once.Do(func() {
		if dsn := os.Getenv(EnvDSN); dsn != "" {
			if _, err := pgx.ParseConfig(dsn); err != nil {
				sharedErr = fmt.Errorf("%s is not a valid DSN: %w", EnvDSN, err)
				return
			}
			shared = &server{adminDSN: dsn}
			return
		}
		shared, sharedErr = startLocal()
	})
	return shared, sharedErr
}

var dbCounter atomic.Int64

// databaseName derives a unique, valid identifier from the test name so a
// leftover database on a shared server says which test made it.
func databaseName(testName string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(testName) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
		if b.Len() >= 30 {
			break
		}
	}
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	return fmt.Sprintf("gwtest_%s_%d_%s", b.String(), dbCounter.Add(1), hex.EncodeToString(rnd[:]))
}

// withDatabase returns dsn pointed at database name. It understands both the
// URL form and the keyword=value form.
func withDatabase(dsn, name string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", fmt.Errorf("parse DSN: %w", err)
		}
		u.Path = "/" + name
		return u.String(), nil
	}
	// In keyword=value form the last occurrence of a keyword wins.
	return strings.TrimSpace(dsn) + " dbname=" + name, nil
}

// startLocal creates and starts a throw-away server.
func startLocal() (*server, error) {
	bin, err := findBinDir()
	if err != nil {
		return nil, err
	}
	cred, err := serverCredential()
	if err != nil {
		return nil, err
	}
	removeStaleDirs()

	dir, err := os.MkdirTemp("", dirPrefix)
	if err != nil {
		return nil, fmt.Errorf("create server directory: %w", err)
	}
	// The owner file lets a later run tell whether this directory is still in use.
	if err := os.WriteFile(filepath.Join(dir, "owner.pid"), []byte(strconv.Itoa(os.Getpid())), 0o600); err != nil {
		return nil, fmt.Errorf("write owner file: %w", err)
	}
	if cred != nil {
		// initdb refuses to run as root, so the server runs as the postgres
		// user and must own its directory.
		if err := chownTree(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			return nil, fmt.Errorf("hand %s to the postgres user: %w", dir, err)
		}
	}
	data := filepath.Join(dir, "data")

	initdb := exec.Command(filepath.Join(bin, "initdb"),
		"-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("initdb in %s: %w\n%s", dir, err, out)
	}

	// A free port can be taken by someone else between probing and binding;
	// retry a few times rather than fail the whole test binary.
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		srv, err := runServer(bin, dir, data, port, cred)
		if err == nil {
			return srv, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

// runServer starts postgres and waits until it accepts connections.
func runServer(bin, dir, data string, port int, cred *syscall.Credential) (*server, error) {
	logPath := filepath.Join(dir, "postgres.log")
	logFile, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open server log: %w", err)
	}
	defer logFile.Close()

	cmd := exec.Command(filepath.Join(bin, "postgres"),
		"-D", data,
		"-p", strconv.Itoa(port),
		"-k", dir, // unix socket inside our directory, not /var/run/postgresql
		"-F", // fsync off: test data need not survive a crash
		"-c", "listen_addresses=127.0.0.1",
		"-c", "shared_buffers=16MB",
		"-c", "max_connections=300",
		"-c", "full_page_writes=off",
		"-c", "synchronous_commit=off",
		"-c", "log_min_messages=warning",
		"-c", "log_checkpoints=off",
	)
	cmd.Stdout = logFile
	cmd.Stderr = logFile
	cmd.SysProcAttr = serverProcAttr(cred)

	exited := make(chan struct{})
	started := make(chan error, 1)
	go func() {
		// The parent-death signal fires when the thread that forked the
		// child exits, not the process; pin this goroutine to its thread
		// for the server's lifetime so the runtime never retires it.
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		_ = cmd.Wait()
		close(exited)
	}()
	if err := <-started; err != nil {
		return nil, fmt.Errorf("start postgres: %w", err)
	}

	adminDSN := fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		conn, err := pgx.Connect(ctx, adminDSN)
		cancel()
		if err == nil {
			_ = conn.Close(context.Background())
			return &server{adminDSN: adminDSN}, nil
		}
		select {
		case <-exited:
			return nil, fmt.Errorf("postgres exited during startup:\n%s", tail(logPath))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Signal(syscall.SIGQUIT)
			return nil, fmt.Errorf("postgres not ready after 30s: %v\n%s", err, tail(logPath))
		}
	}
}

// Where findBinDir looks; variables so the not-found path can be tested.
var (
	lookPath      = exec.LookPath
	versionedBins = "/usr/lib/postgresql/*/bin"
)

// findBinDir locates a directory holding both initdb and postgres: first via
// PATH, then the Debian layout /usr/lib/postgresql/<version>/bin, newest first.
func findBinDir() (string, error) {
	var candidates []string
	if p, err := lookPath("initdb"); err == nil {
		if resolved, err := filepath.EvalSymlinks(p); err == nil {
			p = resolved
		}
		candidates = append(candidates, filepath.Dir(p))
	}
	versioned, _ := filepath.Glob(versionedBins)
	sort.Slice(versioned, func(i, j int) bool { return pgVersion(versioned[i]) > pgVersion(versioned[j]) })
	candidates = append(candidates, versioned...)
	for _, dir := range candidates {
		if isExecutable(filepath.Join(dir, "initdb")) && isExecutable(filepath.Join(dir, "postgres")) {
			return dir, nil
		}
	}
	return "", errors.New("PostgreSQL server binaries (initdb, postgres) not found on PATH or in /usr/lib/postgresql/*/bin; " +
		"install them with acctest/deps.sh, or set " + EnvDSN + " to a server whose role may CREATE DATABASE")
}

func pgVersion(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

func isExecutable(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.IsDir() && st.Mode()&0o111 != 0
}

// serverCredential returns the identity to run initdb and postgres as: nil
// (ourselves) unless we are root, which PostgreSQL refuses to run as.
func serverCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("running as root and there is no 'postgres' user to run the server as (PostgreSQL refuses root): %w; "+
			"install PostgreSQL with acctest/deps.sh, or set %s", err, EnvDSN)
	}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("postgres uid %q: %w", u.Uid, err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("postgres gid %q: %w", u.Gid, err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}, nil
}

func chownTree(root string, uid, gid int) error {
	return filepath.Walk(root, func(path string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(path, uid, gid)
	})
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// removeStaleDirs deletes server directories left by test processes that
// are gone (their server died with them through the parent-death signal).
func removeStaleDirs() {
	dirs, _ := filepath.Glob(filepath.Join(os.TempDir(), dirPrefix+"*"))
	for _, dir := range dirs {
		if pidAlive(readPID(filepath.Join(dir, "owner.pid"))) {
			continue
		}
		if pidAlive(readPID(filepath.Join(dir, "data", "postmaster.pid"))) {
			continue // still shutting down; the next run gets it
		}
		_ = os.RemoveAll(dir)
	}
}

// readPID returns the number on the first line of path, or 0.
func readPID(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, _ := strconv.Atoi(strings.TrimSpace(line))
	return pid
}

func pidAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

// tail returns the end of the server log for error messages.
func tail(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no server log: " + err.Error() + ")"
	}
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

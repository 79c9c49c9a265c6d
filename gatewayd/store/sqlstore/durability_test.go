package sqlstore

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/gatewayd/store"
)

// killChildEnv, when set, turns TestAcknowledgedWritesSurviveKill9 into the
// child process that writes and gets killed.
const killChildEnv = "GATEWAYD_SQLSTORE_KILL9_DB"

func TestAcknowledgedWritesSurviveKill9(t *testing.T) {
	if path := os.Getenv(killChildEnv); path != "" {
		killChild(path)
		return
	}
	path := filepath.Join(t.TempDir(), "data", "gatewayd.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestAcknowledgedWritesSurviveKill9$", "-test.count=1")
	cmd.Env = append(os.Environ(), killChildEnv+"="+path)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}

	// The child prints "ok <id>" as soon as each Write returns. Kill it
	// the moment we have read a few: no chance to flush anything else.
	var acked []string
	lines := bufio.NewScanner(stdout)
	for lines.Scan() {
		if id, ok := strings.CutPrefix(lines.Text(), "ok "); ok {
			acked = append(acked, id)
			if len(acked) == 20 {
				_ = cmd.Process.Signal(syscall.SIGKILL)
				break
			}
		}
	}
	_ = cmd.Wait()
	if len(acked) < 20 {
		t.Fatalf("child acknowledged %d writes before exiting; stderr:\n%s", len(acked), stderr.String())
	}

	s := openStore(t, Config{Driver: DriverSQLite, Path: path, Options: Options{AutoMigrate: true}})
	for _, id := range acked {
		svc := mustGet(t, s, "services", id)
		if _, err := s.GetByField(t.Context(), "services", "name", svc["name"].(string)); err != nil {
			t.Fatalf("service %s survived but its unique key did not: %v", id, err)
		}
	}
	// Whatever the kill interrupted was either committed whole or not at all.
	all, rev, err := s.ReadAll(t.Context(), []string{"services", "routes"})
	if err != nil {
		t.Fatal(err)
	}
	if len(all["services"]) != int(rev) || len(all["routes"]) != int(rev) {
		t.Fatalf("torn write: %d services, %d routes at revision %d", len(all["services"]), len(all["routes"]), rev)
	}
}

// killChild writes services (with a route each) until killed. Should the
// parent die first, the next print hits a closed pipe and SIGPIPE ends us;
// the deadline is a last resort.
func killChild(path string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := Open(ctx, Config{Driver: DriverSQLite, Path: path, Options: Options{AutoMigrate: true}}, testMetas)
	if err != nil {
		fmt.Fprintln(os.Stderr, "open:", err)
		os.Exit(2)
	}
	for i := 0; ; i++ {
		id := fmt.Sprintf("s%06d", i)
		err := s.Write(ctx, func(w store.Writer) error {
			if err := w.Insert(ctx, "services", service(id, "name-"+id)); err != nil {
				return err
			}
			return w.Insert(ctx, "routes", route("r"+id, "", id))
		})
		if err != nil {
			fmt.Fprintln(os.Stderr, "write:", err)
			os.Exit(2)
		}
		fmt.Println("ok " + id)
	}
}

func TestSQLiteDataDirectoryAndFileArePrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	openStore(t, Config{Driver: DriverSQLite, Path: filepath.Join(dir, "gatewayd.db"), Options: Options{AutoMigrate: true}})
	for path, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, "gatewayd.db"): 0o600} {
		st, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode().Perm(); got != want {
			t.Errorf("%s: mode %o, want %o", path, got, want)
		}
	}
}

func TestSQLiteUsesWALWithFullSync(t *testing.T) {
	s := openStore(t, backends[0].config(t))
	for pragma, want := range map[string]string{"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1"} {
		var got string
		if err := s.db.write.QueryRowContext(t.Context(), "PRAGMA "+pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
		}
	}
}

func TestConcurrentInsertsOfOneNameLetExactlyOneWin(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		cfg := b.config(t)
		// Two stores on one database stand for two nodes.
		stores := []*Store{openStore(t, cfg), openStore(t, cfg)}
		const n = 8
		var (
			wg       sync.WaitGroup
			mu       sync.Mutex
			wins     int
			conflict int
		)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				s := stores[i%len(stores)]
				err := s.Write(t.Context(), func(w store.Writer) error {
					return w.Insert(t.Context(), "services", service(fmt.Sprintf("s%d", i), "contested"))
				})
				var ue *store.UniqueError
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					wins++
				case errors.As(err, &ue):
					conflict++
				default:
					t.Errorf("insert %d: %v", i, err)
				}
			}()
		}
		wg.Wait()
		if wins != 1 || conflict != n-1 {
			t.Fatalf("%d inserts won and %d conflicted; want 1 and %d", wins, conflict, n-1)
		}
	})
}

func TestConcurrentDeleteAndReferenceNeverLeaveADanglingReference(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		cfg := b.config(t)
		a, c := openStore(t, cfg), openStore(t, cfg)
		for round := 0; round < 15; round++ {
			sid, rid := fmt.Sprintf("s%d", round), fmt.Sprintf("r%d", round)
			insert(t, a, item{"services", service(sid, "")})
			var wg sync.WaitGroup
			var insErr, delErr error
			wg.Add(2)
			go func() {
				defer wg.Done()
				insErr = a.Write(t.Context(), func(w store.Writer) error {
					return w.Insert(t.Context(), "routes", route(rid, "", sid))
				})
			}()
			go func() {
				defer wg.Done()
				delErr = c.Write(t.Context(), func(w store.Writer) error { return w.Delete(t.Context(), "services", sid) })
			}()
			wg.Wait()
			var fk *store.ForeignKeyError
			var re *store.RestrictError
			switch {
			case insErr == nil && errors.As(delErr, &re):
				mustGet(t, a, "services", sid)
				mustGet(t, a, "routes", rid)
			case delErr == nil && errors.As(insErr, &fk):
				assertMissing(t, a, "services", sid)
				assertMissing(t, a, "routes", rid)
			default:
				t.Fatalf("round %d: insert error %v, delete error %v", round, insErr, delErr)
			}
		}
	})
}

func TestWriteWaitingForTheWriterHonoursContext(t *testing.T) {
	s := openStore(t, backends[0].config(t))
	release := make(chan struct{})
	started := make(chan struct{})
	go func() {
		_ = s.Write(t.Context(), func(w store.Writer) error {
			close(started)
			<-release
			return nil
		})
	}()
	<-started
	defer close(release)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	err := s.Write(ctx, func(w store.Writer) error { return nil })
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want DeadlineExceeded while another write holds the writer, got %v", err)
	}
}

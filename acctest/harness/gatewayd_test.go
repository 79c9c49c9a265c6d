package harness_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/acctest/harness"
)

// recordingTB stands in for a test whose failures we want to observe rather than suffer:
// Fatal records and ends the goroutine, cleanups are collected and run by runTB.
type recordingTB struct {
	testing.TB
	mu       sync.Mutex
	fatal    string
	errors   []string
	logs     []string
	cleanups []func()
}

func (r *recordingTB) Helper() {}
func (r *recordingTB) Fatalf(format string, args ...any) {
	r.mu.Lock()
	r.fatal = fmt.Sprintf(format, args...)
	r.mu.Unlock()
	runtime.Goexit()
}
func (r *recordingTB) Fatal(args ...any) { r.Fatalf("%s", fmt.Sprint(args...)) }
func (r *recordingTB) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recordingTB) Error(args ...any) { r.Errorf("%s", fmt.Sprint(args...)) }
func (r *recordingTB) Logf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.logs = append(r.logs, fmt.Sprintf(format, args...))
}
func (r *recordingTB) Log(args ...any) { r.Logf("%s", fmt.Sprint(args...)) }
func (r *recordingTB) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.fatal != "" || len(r.errors) > 0
}
func (r *recordingTB) Cleanup(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.cleanups = append(r.cleanups, f)
}

// runTB runs body with a recordingTB in its own goroutine, then its cleanups (last first).
func runTB(t *testing.T, body func(testing.TB)) *recordingTB {
	t.Helper()
	r := &recordingTB{TB: t}
	run := func(f func()) {
		done := make(chan struct{})
		go func() {
			defer close(done)
			f()
		}()
		select {
		case <-done:
		case <-time.After(60 * time.Second):
			t.Fatal("recorded test body did not finish within 60s")
		}
	}
	run(func() { body(r) })
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		run(r.cleanups[i])
	}
	return r
}

func TestStartGatewaydRunsAndStopsTheDaemon(t *testing.T) {
	t.Setenv("GATEWAYD_LEAKED_FROM_SHELL", "1")
	opts := fakeOptions("")
	opts.Env = append(opts.Env, "GATEWAYD_LOG_LEVEL=debug")
	opts.Extra = map[string]string{"admin_token": "t0ken#1"}
	gw := harness.StartGatewayd(t, opts)

	for name, u := range map[string]string{"admin": gw.AdminURL, "proxy": gw.ProxyURL, "status": gw.StatusURL} {
		if !strings.HasPrefix(u, "http://127.0.0.1:") {
			t.Errorf("%s URL %q is not loopback http", name, u)
		}
	}
	if want := fmt.Sprintf("https://127.0.0.1:%d", gw.Ports.ProxyTLS); gw.ProxyTLSURL != want {
		t.Errorf("ProxyTLSURL = %q, want %q", gw.ProxyTLSURL, want)
	}
	if gw.ConfPath != filepath.Join(gw.Prefix, "gatewayd.conf") {
		t.Errorf("ConfPath = %q", gw.ConfPath)
	}

	status, root := gw.AdminJSON(t, "GET", "/", nil)
	if status != 200 || root["version"] != "3.9.1" {
		t.Fatalf("GET / = %d %v", status, root)
	}
	conf := root["conf"].(map[string]any)
	if conf["prefix"] != gw.Prefix || conf["database"] != "sqlite" || conf["admin_token"] != "t0ken#1" {
		t.Errorf("daemon read conf %v", conf)
	}
	if root["authorization"] != "Bearer t0ken#1" {
		t.Errorf("Authorization = %v, want the admin_token as a bearer token", root["authorization"])
	}
	env := root["env"].(map[string]any)
	if env["GATEWAYD_LOG_LEVEL"] != "debug" || env["GATEWAYD_LEAKED_FROM_SHELL"] != nil {
		t.Errorf("daemon environment GATEWAYD_* = %v; want only Options.Env's", env)
	}

	status, body, hdr := gw.AdminDo(t, "POST", "/echo", "application/x-www-form-urlencoded", "name=s&url=http://x")
	if status != 201 || hdr.Get("X-Fake") != "yes" || !strings.Contains(string(body), `"body":"name=s\u0026url=http://x"`) ||
		!strings.Contains(string(body), `"content_type":"application/x-www-form-urlencoded"`) {
		t.Errorf("AdminDo = %d %s %v", status, body, hdr)
	}
	status, echo := gw.AdminJSON(t, "PUT", "/echo", map[string]any{"name": "s"})
	if status != 201 || echo["body"] != `{"name":"s"}` || echo["content_type"] != "application/json" {
		t.Errorf("AdminJSON(map) = %d %v", status, echo)
	}
	status, echo = gw.AdminJSON(t, "PATCH", "/echo", `{"raw":true}`)
	if status != 201 || echo["body"] != `{"raw":true}` {
		t.Errorf("AdminJSON(string) = %d %v", status, echo)
	}
	if status, out := gw.AdminJSON(t, "DELETE", "/things/1", nil); status != 204 || out != nil {
		t.Errorf("DELETE = %d %v, want 204 and a nil map", status, out)
	}
	r := runTB(t, func(tb testing.TB) { gw.AdminJSON(tb, "GET", "/array", nil) })
	if !strings.Contains(r.fatal, "not a JSON object") {
		t.Errorf("non-object answer: fatal = %q", r.fatal)
	}

	resp, err := harness.Client().Get(gw.ProxyURL + "/nothing")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("proxy answered %d", resp.StatusCode)
	}

	if err := gw.Stop(); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if gw.Running() {
		t.Fatal("still running after Stop")
	}
	logs := gw.Logs()
	for _, want := range []string{"fake: starting", "fake: a line on stderr", "fake: stopped", "=== harness: gatewayd start (#1)"} {
		if !strings.Contains(logs, want) {
			t.Errorf("Logs() lacks %q:\n%s", want, logs)
		}
	}
}

func TestKill9AndRestartKeepPrefixAndPorts(t *testing.T) {
	gw := harness.StartGatewayd(t, fakeOptions(""))
	_, before := gw.AdminJSON(t, "GET", "/", nil)
	adminURL, prefix, pid := gw.AdminURL, gw.Prefix, gw.Cmd.Process.Pid

	gw.Kill9()
	if gw.Running() {
		t.Fatal("running after Kill9")
	}
	if gw.Cmd.ProcessState == nil || gw.Cmd.ProcessState.Success() {
		t.Fatalf("process state after Kill9: %v", gw.Cmd.ProcessState)
	}

	gw.Restart(t)
	_, after := gw.AdminJSON(t, "GET", "/", nil)
	if gw.AdminURL != adminURL || gw.Prefix != prefix {
		t.Fatalf("restart moved the daemon: %s %s -> %s %s", adminURL, prefix, gw.AdminURL, gw.Prefix)
	}
	if after["pid"] == before["pid"] || gw.Cmd.Process.Pid == pid {
		t.Fatal("restart did not start a new process")
	}

	// Restart of a running daemon stops it gracefully first.
	gw.Restart(t)
	if !strings.Contains(gw.Logs(), "=== harness: gatewayd start (#3)") {
		t.Fatal("third start not recorded")
	}
}

func TestStartGatewaydBootstrapsPostgresFirst(t *testing.T) {
	opts := fakeOptions("")
	opts.Database = "postgres"
	opts.PGDSN = "postgres://gw:secret@127.0.0.1:5433/gwdb"
	gw := harness.StartGatewayd(t, opts)
	_, root := gw.AdminJSON(t, "GET", "/", nil)
	migrated, _ := root["migrated"].(string)
	for _, want := range []string{`"database":"postgres"`, `"pg_host":"127.0.0.1"`, `"pg_port":"5433"`, `"pg_password":"secret"`, `"pg_database":"gwdb"`} {
		if !strings.Contains(migrated, want) {
			t.Errorf("migrations ran with conf %s; lacks %s", migrated, want)
		}
	}
}

func TestStartGatewaydFailures(t *testing.T) {
	tests := []struct {
		mode      string
		database  string
		wantFatal []string
		maxTime   time.Duration
	}{
		{mode: "exit", wantFatal: []string{"exited before it was ready", "exit status 3", "boom: bad configuration"}, maxTime: 5 * time.Second},
		{mode: "never-ready", wantFatal: []string{"not ready within 700ms", "503"}, maxTime: 5 * time.Second},
		{mode: "migrate-fail", database: "postgres", wantFatal: []string{"migrations bootstrap", "cannot reach the database"}, maxTime: 5 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			var gw *harness.Gatewayd
			start := time.Now()
			r := runTB(t, func(tb testing.TB) {
				opts := fakeOptions(tt.mode)
				opts.Database = tt.database
				opts.ReadyTimeout = 700 * time.Millisecond
				gw = harness.StartGatewayd(tb, opts)
			})
			if took := time.Since(start); took > tt.maxTime {
				t.Errorf("took %v", took)
			}
			for _, want := range tt.wantFatal {
				if !strings.Contains(r.fatal, want) {
					t.Errorf("fatal %q lacks %q", r.fatal, want)
				}
			}
			if gw != nil {
				t.Fatal("StartGatewayd returned after a fatal error")
			}
			if logs := strings.Join(r.logs, "\n"); !strings.Contains(logs, "gatewayd.stderr") {
				t.Errorf("failed start did not dump the daemon's output:\n%s", logs)
			}
		})
	}
}

func TestNeverReadyDaemonIsStoppedAtCleanup(t *testing.T) {
	prefix := t.TempDir()
	r := runTB(t, func(tb testing.TB) {
		opts := fakeOptions("never-ready")
		opts.ReadyTimeout = 300 * time.Millisecond
		opts.Prefix = prefix
		harness.StartGatewayd(tb, opts)
	})
	if !strings.Contains(r.fatal, "not ready within 300ms") {
		t.Fatalf("fatal %q", r.fatal)
	}
	for _, e := range r.errors {
		t.Errorf("unexpected error: %s", e)
	}
	data, err := os.ReadFile(filepath.Join(prefix, "gatewayd.stdout"))
	if err != nil {
		t.Fatal(err)
	}
	var pid int
	if i := strings.Index(string(data), "fake: starting pid "); i >= 0 {
		fmt.Sscanf(string(data[i:]), "fake: starting pid %d", &pid)
	}
	if pid == 0 {
		t.Fatalf("daemon never started:\n%s", data)
	}
	if err := syscall.Kill(pid, 0); err != syscall.ESRCH {
		t.Fatalf("daemon pid %d still exists after cleanup (kill -0: %v)", pid, err)
	}
}

func TestDaemonThatIgnoresSIGTERMIsKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("waits StopTimeout")
	}
	gw := harness.StartGatewayd(t, fakeOptions("ignore-term"))
	start := time.Now()
	err := gw.Stop()
	if err == nil || !strings.Contains(err.Error(), "killed") {
		t.Fatalf("Stop = %v, want an error saying it was killed", err)
	}
	if took := time.Since(start); took < harness.StopTimeout || took > harness.StopTimeout+3*time.Second {
		t.Fatalf("Stop took %v", took)
	}
	if gw.Running() {
		t.Fatal("still running")
	}
}

func TestCrashDuringTestFailsIt(t *testing.T) {
	r := runTB(t, func(tb testing.TB) {
		gw := harness.StartGatewayd(tb, fakeOptions(""))
		gw.AdminDo(tb, "POST", "/crash", "", "")
		deadline := time.Now().Add(5 * time.Second)
		for gw.Running() && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
	})
	if r.fatal != "" {
		t.Fatalf("fatal: %s", r.fatal)
	}
	if len(r.errors) != 1 || !strings.Contains(r.errors[0], "exited on its own") || !strings.Contains(r.errors[0], "panic: something went wrong") {
		t.Fatalf("errors = %q", r.errors)
	}
	if logs := strings.Join(r.logs, "\n"); !strings.Contains(logs, "fake: a line on stderr") {
		t.Fatalf("failed test's log lacks the daemon's stderr:\n%s", logs)
	}
}

func TestPassingTestLogsNothing(t *testing.T) {
	r := runTB(t, func(tb testing.TB) {
		gw := harness.StartGatewayd(tb, fakeOptions(""))
		gw.Kill9() // a deliberate kill is not a crash
	})
	if r.fatal != "" || len(r.errors) > 0 || len(r.logs) > 0 {
		t.Fatalf("fatal %q, errors %q, logs %q", r.fatal, r.errors, r.logs)
	}
}

package acctest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/acctest/harness"
	"github.com/gatewayd-toolkit/gatewayd/acctest/postgres"
)

// gatewaydCmd runs the built binary with a clean GATEWAYD_* environment.
func gatewaydCmd(t *testing.T, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(harness.BuildGatewayd(t), args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GATEWAYD_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestCheckNamesFileLineAndKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "gatewayd.conf")
	content := "# a comment\nprefix = " + dir + "\nproxy_listen = 0.0.0.0:80x0\n\ndatabase = mysql\n"
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := gatewaydCmd(t, nil, "check", path)
	if err == nil {
		t.Fatalf("check accepted an invalid file:\n%s", out)
	}
	for _, want := range []string{path + ":3: proxy_listen:", path + ":5: database:"} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
	good := filepath.Join(dir, "good.conf")
	if err := os.WriteFile(good, []byte("admin_listen = 127.0.0.1:9001\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := gatewaydCmd(t, nil, "check", good); err != nil || !strings.Contains(out, "is valid") {
		t.Fatalf("valid file rejected: %v\n%s", err, out)
	}
	out, err = gatewaydCmd(t, []string{"GATEWAYD_ADMIN_LISTEN=nope"}, "check", good)
	if err == nil || !strings.Contains(out, "env GATEWAYD_ADMIN_LISTEN") {
		t.Fatalf("an invalid env override must be named: %v\n%s", err, out)
	}
}

func TestMigrationsOnPostgres(t *testing.T) {
	dsn := postgres.Start(t)
	opts := harness.Options{Database: "postgres", PGDSN: dsn}
	gw := harness.StartGatewayd(t, opts) // bootstraps, then starts
	gw.Stop()
	out, err := gatewaydCmd(t, nil, "migrations", "status", "-c", gw.ConfPath)
	if err != nil || !strings.Contains(out, "database is up to date") {
		t.Fatalf("migrations status after bootstrap: %v\n%s", err, out)
	}
	out, err = gatewaydCmd(t, nil, "migrations", "up", "-c", gw.ConfPath)
	if err != nil || !strings.Contains(out, "database is up to date") {
		t.Fatalf("migrations up must be idempotent: %v\n%s", err, out)
	}
}

func TestStartDaemonHealthStop(t *testing.T) {
	gw := harness.StartGatewayd(t, harness.Options{})
	gw.Stop()
	out, err := gatewaydCmd(t, nil, "start", "--daemon", "-c", gw.ConfPath)
	if err != nil || !strings.Contains(out, "gatewayd started") {
		t.Fatalf("start --daemon: %v\n%s", err, out)
	}
	t.Cleanup(func() { _, _ = gatewaydCmd(t, nil, "stop", "-c", gw.ConfPath) })
	if out, err := gatewaydCmd(t, nil, "health", "-c", gw.ConfPath); err != nil || !strings.Contains(out, "is healthy") {
		t.Fatalf("health: %v\n%s", err, out)
	}
	if out, err := gatewaydCmd(t, nil, "reload", "-c", gw.ConfPath); err != nil || !strings.Contains(out, "reload signal sent") {
		t.Fatalf("reload: %v\n%s", err, out)
	}
	if out, err := gatewaydCmd(t, nil, "health", "-c", gw.ConfPath); err != nil {
		t.Fatalf("gatewayd must survive a reload: %v\n%s", err, out)
	}
	if out, err := gatewaydCmd(t, nil, "start", "-c", gw.ConfPath); err == nil || !strings.Contains(out, "already running") {
		t.Fatalf("a second start on the same prefix must refuse: %v\n%s", err, out)
	}
	if out, err := gatewaydCmd(t, nil, "stop", "-c", gw.ConfPath); err != nil || !strings.Contains(out, "stopped") {
		t.Fatalf("stop: %v\n%s", err, out)
	}
	if _, err := gatewaydCmd(t, nil, "health", "-c", gw.ConfPath); err == nil {
		t.Fatal("health must fail once stopped")
	}
}

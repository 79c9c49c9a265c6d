package acctest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/acctest/harness"
	"github.com/gatewayd-toolkit/gatewayd/acctest/upstream"
)

// configRun runs `gatewayd config ...` against gw's Admin API (through
// GATEWAYD_ADMIN_URL) in dir, with stdin not a terminal, and returns
// stdout, stderr and the exit code.
func configRun(t *testing.T, gw *harness.Gatewayd, dir string, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(harness.BuildGatewayd(t), append([]string{"config"}, args...)...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GATEWAYD_") && !strings.HasPrefix(kv, "DECK_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	if gw != nil {
		cmd.Env = append(cmd.Env, "GATEWAYD_ADMIN_URL="+gw.AdminURL)
	}
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr, cmd.Stdin = &stdout, &stderr, strings.NewReader("")
	err := cmd.Run()
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatalf("gatewayd config %v: %v", args, err)
	}
	return stdout.String(), stderr.String(), code
}

func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const cliConfig = `_format_version: "3.0"
services:
- name: web
  url: http://127.0.0.1:9/
  routes:
  - name: web-route
    paths: [/web]
consumers:
- username: bob
  keyauth_credentials:
  - key: ${{ env "DECK_BOB_KEY" }}
`

func TestConfigCommandsAndTheirExitCodes(t *testing.T) {
	gw := harness.StartGatewayd(t, harness.Options{})
	dir := t.TempDir()
	writeFile(t, dir, "kong.yaml", cliConfig)
	env := []string{"DECK_BOB_KEY=bob-secret-value"}
	steps := []struct {
		name     string
		args     []string
		env      []string
		wantCode int
		want     []string
		unwanted []string
	}{
		{"validate accepts a good file", []string{"validate", "-s", "kong.yaml"}, env, 0, []string{"configuration is valid (4 entities)"}, nil},
		{"validate needs the file's variables", []string{"validate", "-s", "kong.yaml"}, nil, 1,
			[]string{`kong.yaml:11: environment variable "DECK_BOB_KEY" is not set`}, nil},
		{"diff before sync lists creates and exits 2", []string{"diff"}, env, 2,
			[]string{"+ services web", "+ routes web-route (service web)", "+ keyauth_credentials", "key: [masked]",
				"Summary: to create 4, to update 0, to delete 0"}, []string{"bob-secret-value"}},
		{"sync applies and summarizes", []string{"sync", "-s", "kong.yaml"}, env, 0,
			[]string{"+ services web", "created 4, updated 0, deleted 0 in "}, []string{"bob-secret-value"}},
		{"diff after sync exits 0", []string{"diff", "kong.yaml"}, env, 0, []string{"Summary: to create 0, to update 0, to delete 0"}, nil},
		{"dump writes a file", []string{"dump", "-o", "dump.yaml"}, nil, 0, nil, nil},
		{"dump as JSON to stdout", []string{"dump", "--format", "json"}, nil, 0, []string{`"_format_version": "3.0"`, `"name": "web"`}, nil},
		{"reset refuses without a terminal or --yes", []string{"reset"}, nil, 1, []string{"use --yes"}, nil},
		{"diff with a bad Admin API URL exits 1", []string{"diff", "--admin-url", "ftp://127.0.0.1"}, env, 1,
			[]string{`Error: admin URL "ftp://127.0.0.1": expected http(s)://host[:port][/path]`}, nil},
		{"reset --yes deletes everything", []string{"reset", "--yes"}, nil, 0, []string{"created 0, updated 0, deleted 4 in "}, nil},
		{"sync of the dump restores the node", []string{"sync", "-s", "dump.yaml"}, nil, 0, []string{"created 4, updated 0, deleted 0"}, nil},
		{"the original file still describes it", []string{"diff", "-s", "kong.yaml"}, env, 0, nil, nil},
	}
	for _, s := range steps {
		stdout, stderr, code := configRun(t, gw, dir, s.env, s.args...)
		out := stdout + stderr
		if code != s.wantCode {
			t.Fatalf("%s: exit %d, want %d\n%s", s.name, code, s.wantCode, out)
		}
		for _, w := range s.want {
			if !strings.Contains(out, w) {
				t.Fatalf("%s: output lacks %q:\n%s", s.name, w, out)
			}
		}
		for _, u := range s.unwanted {
			if strings.Contains(out, u) {
				t.Fatalf("%s: output shows %q:\n%s", s.name, u, out)
			}
		}
	}
	var doc map[string]any
	stdout, _, _ := configRun(t, gw, dir, nil, "dump", "--format", "json")
	if err := json.Unmarshal([]byte(stdout), &doc); err != nil {
		t.Fatalf("dump --format json is not JSON: %v", err)
	}
}

func TestConfigValidateNamesFileLineEntityAndField(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, dir, "bad.yaml", `_format_version: "3.0"
services:
- name: web
  host: example.com
  port: eighty
  routes:
  - name: r1
    paths: [/ok, missing-slash]
`)
	stdout, stderr, code := configRun(t, nil, dir, nil, "validate", "-s", "bad.yaml")
	if code != 1 {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{"bad.yaml:5: services[0] (services.web): port: expected an integer",
		"bad.yaml:8: services[0].routes[0] (services.web.routes.r1): paths[1]: should start with: / (fixed path) or ~/ (regex path)"} {
		if !strings.Contains(stderr, want) {
			t.Fatalf("validate output lacks %q:\n%s", want, stderr)
		}
	}
}

func TestConfigUsesTheAdminToken(t *testing.T) {
	gw := harness.StartGatewayd(t, harness.Options{Extra: map[string]string{"admin_token": "t0ken"}})
	dir := t.TempDir()
	writeFile(t, dir, "kong.yaml", "_format_version: \"3.0\"\nservices:\n- {name: s, host: h}\n")
	if _, stderr, code := configRun(t, gw, dir, nil, "diff"); code != 1 || !strings.Contains(stderr, "401") {
		t.Fatalf("without a token: exit %d %s", code, stderr)
	}
	if out, _, code := configRun(t, gw, dir, []string{"GATEWAYD_ADMIN_TOKEN=t0ken"}, "sync"); code != 0 {
		t.Fatalf("token from the environment: exit %d %s", code, out)
	}
	if out, _, code := configRun(t, gw, dir, nil, "diff", "--admin-token", "t0ken"); code != 0 {
		t.Fatalf("token from the flag: exit %d %s", code, out)
	}
}

// TestConfigSyncAtScale syncs 5,000 services, 5,000 routes and 5,000
// plugins into an empty gatewayd, then checks a re-sync finds nothing to
// do. The durations are logged (go test -v), never asserted.
func TestConfigSyncAtScale(t *testing.T) {
	if testing.Short() {
		t.Skip("scale test: run without -short")
	}
	gw := harness.StartGatewayd(t, harness.Options{})
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("_format_version: \"3.0\"\nservices:\n")
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&b, "- name: svc-%d\n  url: http://10.0.%d.%d:8080/p%d\n  routes:\n  - name: r-%d\n    paths: [/api/%d]\n"+
			"  plugins:\n  - name: request-termination\n    config: {status_code: %d}\n", i, i/250, i%250, i, i, i, 200+i%50)
	}
	writeFile(t, dir, "scale.yaml", b.String())
	start := time.Now()
	stdout, stderr, code := configRun(t, gw, dir, nil, "sync", "-s", "scale.yaml")
	syncTime := time.Since(start)
	if code != 0 || !strings.Contains(stdout, "created 15000, updated 0, deleted 0") {
		t.Fatalf("sync: exit %d\n%s\n%s", code, lastLines(stdout, 5), stderr)
	}
	start = time.Now()
	stdout, stderr, code = configRun(t, gw, dir, nil, "sync", "-s", "scale.yaml")
	resyncTime := time.Since(start)
	if code != 0 || !strings.Contains(stdout, "created 0, updated 0, deleted 0") {
		t.Fatalf("re-sync: exit %d\n%s\n%s", code, lastLines(stdout, 5), stderr)
	}
	if _, _, code := configRun(t, gw, dir, nil, "diff", "-s", "scale.yaml"); code != 0 {
		t.Fatalf("diff after sync: exit %d", code)
	}
	t.Logf("sync of 15000 entities into an empty gatewayd: %v end to end; re-sync (no changes): %v", syncTime.Round(time.Millisecond),
		resyncTime.Round(time.Millisecond))
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// dblessConfig routes /t to the upstream; extra services vary per load.
func dblessConfig(upstreamURL string, extra int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "_format_version: \"3.0\"\nservices:\n- name: echo\n  url: %s\n  routes:\n  - name: t\n    paths: [/t]\n", upstreamURL)
	for i := 0; i < extra; i++ {
		fmt.Fprintf(&b, "- name: extra-%d\n  host: extra%d.example.com\n  routes:\n  - paths: [/extra/%d]\n", i, i, i)
	}
	return b.String()
}

func postConfig(t *testing.T, gw *harness.Gatewayd, query, yaml string) (int, []byte) {
	t.Helper()
	status, body, _ := gw.AdminDo(t, "POST", "/config"+query, "application/yaml", yaml)
	return status, body
}

func TestDBlessModeServesTheDeclarativeFileReadOnly(t *testing.T) {
	up := upstream.Start(t)
	dir := t.TempDir()
	file := writeFile(t, dir, "kong.yml", dblessConfig(up.URL, 2))
	gw := harness.StartGatewayd(t, harness.Options{Database: "off", Extra: map[string]string{"declarative_config": file}})
	if echo := waitRoute(t, gw.ProxyURL+"/t/hello", nil); echo.Path != "/hello" {
		t.Fatalf("proxied path %q", echo.Path)
	}
	status, body := postJSON(t, gw.AdminURL+"/services", map[string]any{"name": "x", "host": "h"})
	if status != http.StatusMethodNotAllowed || body["code"] != 12.0 ||
		body["message"] != "cannot create 'services' entities when not using a database" {
		t.Fatalf("write in DB-less mode: %d %v", status, body)
	}
	_, st := gw.AdminJSON(t, "GET", "/status", nil)
	if h, _ := st["configuration_hash"].(string); len(h) != 32 || h == strings.Repeat("0", 32) {
		t.Fatalf("configuration_hash %v", st["configuration_hash"])
	}
	// The config CLI can read a DB-less node, but its writes are refused
	// by the node itself (as with Kong): POST /config is the way to write.
	if stdout, _, code := configRun(t, gw, dir, nil, "dump"); code != 0 || !strings.Contains(stdout, "name: echo") {
		t.Fatalf("dump of a DB-less node: %d\n%s", code, stdout)
	}
	writeFile(t, dir, "more.yaml", dblessConfig(up.URL, 3))
	if _, stderr, code := configRun(t, gw, dir, nil, "sync", "-s", "more.yaml"); code != 1 ||
		!strings.Contains(stderr, "cannot create or update 'services' entities when not using a database") {
		t.Fatalf("sync against a DB-less node: %d\n%s", code, stderr)
	}
	_, cfg := gw.AdminJSON(t, "GET", "/config", nil)
	if text, _ := cfg["config"].(string); !strings.Contains(text, "_transform: false") || !strings.Contains(text, "name: echo") {
		t.Fatalf("GET /config: %v", cfg)
	}
}

func TestDBlessConfigPersistsAcrossRestarts(t *testing.T) {
	up := upstream.Start(t)
	gw := harness.StartGatewayd(t, harness.Options{Database: "off"})
	if _, st := gw.AdminJSON(t, "GET", "/status", nil); st["configuration_hash"] != strings.Repeat("0", 32) {
		t.Fatalf("before any load: %v", st["configuration_hash"])
	}
	if status, body := postConfig(t, gw, "", dblessConfig(up.URL, 3)); status != http.StatusCreated {
		t.Fatalf("POST /config: %d %s", status, body)
	}
	_, st := gw.AdminJSON(t, "GET", "/status", nil)
	hash := st["configuration_hash"]
	_, before := gw.AdminJSON(t, "GET", "/routes/t", nil)
	gw.Restart(t)
	_, after := gw.AdminJSON(t, "GET", "/routes/t", nil)
	if before["id"] == nil || after["id"] != before["id"] {
		t.Fatalf("route after restart: %v, before %v", after["id"], before["id"])
	}
	if _, st := gw.AdminJSON(t, "GET", "/status", nil); st["configuration_hash"] != hash {
		t.Fatalf("hash after restart %v, want %v", st["configuration_hash"], hash)
	}
	waitRoute(t, gw.ProxyURL+"/t", nil)
	if status, _ := postConfig(t, gw, "?check_hash=1", dblessConfig(up.URL, 3)); status != http.StatusNotModified {
		t.Fatalf("check_hash with the loaded configuration: %d", status)
	}
}

func TestDBlessInvalidDeclarativeConfigStopsTheStart(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "kong.yml", "_format_version: \"3.0\"\nservices:\n- name: s\n  host: h\n  port: x\n")
	ports := harness.FreePorts(t, 4)
	kv, err := harness.ConfFor(dir, harness.Ports{Proxy: ports[0], ProxyTLS: ports[1], Admin: ports[2], Status: ports[3]},
		harness.Options{Database: "off", Extra: map[string]string{"declarative_config": file}})
	if err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(dir, "gatewayd.conf")
	if err := harness.WriteConf(conf, kv); err != nil {
		t.Fatal(err)
	}
	out, err := gatewaydCmd(t, nil, "start", "-c", conf)
	if err == nil || !strings.Contains(out, file+":5: services[0] (services.s): port: expected an integer") {
		t.Fatalf("start with an invalid declarative_config: %v\n%s", err, out)
	}
}

// TestDBlessReloadUnderTrafficDropsNoRequest posts new configurations
// while clients hit a route every configuration keeps: each snapshot is
// swapped whole, so no request may see a missing route.
func TestDBlessReloadUnderTrafficDropsNoRequest(t *testing.T) {
	up := upstream.Start(t)
	gw := harness.StartGatewayd(t, harness.Options{Database: "off"})
	if status, body := postConfig(t, gw, "", dblessConfig(up.URL, 0)); status != http.StatusCreated {
		t.Fatalf("POST /config: %d %s", status, body)
	}
	waitRoute(t, gw.ProxyURL+"/t", nil)
	var (
		stop     atomic.Bool
		requests atomic.Int64
		mu       sync.Mutex
		failures []string
		wg       sync.WaitGroup
	)
	client := harness.Client()
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				resp, err := client.Get(gw.ProxyURL + "/t/ping")
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				requests.Add(1)
				if err != nil || resp.StatusCode != http.StatusOK {
					mu.Lock()
					if err != nil {
						failures = append(failures, err.Error())
					} else {
						failures = append(failures, resp.Status)
					}
					mu.Unlock()
				}
			}
		}()
	}
	for i := 0; i < 20; i++ {
		if status, body := postConfig(t, gw, "", dblessConfig(up.URL, 1+(i%4)*50)); status != http.StatusCreated {
			stop.Store(true)
			wg.Wait()
			t.Fatalf("reload %d: %d %s", i, status, body)
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d of %d requests failed during reloads, e.g. %v", len(failures), requests.Load(), failures[0])
	}
	if requests.Load() < 100 {
		t.Fatalf("only %d requests ran during the reloads", requests.Load())
	}
	t.Logf("%d requests, all 200, across 20 reloads", requests.Load())
}

package acctest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/acctest/ansible"
	"github.com/gatewayd-toolkit/gatewayd/acctest/harness"
	"github.com/gatewayd-toolkit/gatewayd/acctest/sshd"
	"github.com/gatewayd-toolkit/gatewayd/acctest/upstream"
)

// installAdminToken is the admin_token the install playbook sets; no run
// may print it.
const installAdminToken = "install-admin-token-s3cret"

// testInstallOverSSH runs examples/ansible/install.yml (the role
// gatewayd.toolkit.gatewayd: copy the binary, then gatewayd_install) over a
// real SSH connection to a real sshd, with strict host-key checking against
// the test's known_hosts: gatewayd is installed into a temporary prefix,
// started, and proves it proxies; a second run changes nothing; a check run
// with a new setting predicts a change and writes nothing.
func testInstallOverSSH(t *testing.T, col string) {
	srv := sshd.Start(t)
	up := upstream.Start(t)
	bin := harness.BuildGatewayd(t)
	dir := t.TempDir()
	prefix, binPath, confPath := filepath.Join(dir, "prefix"), filepath.Join(dir, "bin", "gatewayd"), filepath.Join(dir, "etc", "gatewayd.conf")
	ports := harness.FreePorts(t, 3)
	admin, proxy, status := fmt.Sprintf("127.0.0.1:%d", ports[0]), fmt.Sprintf("127.0.0.1:%d", ports[1]), fmt.Sprintf("127.0.0.1:%d", ports[2])
	t.Cleanup(func() {
		// The daemon detached from the SSH session: stop it by its pid file.
		if _, err := os.Stat(binPath); err != nil {
			return // never installed
		}
		if out, err := exec.Command(binPath, "stop", "-c", confPath).CombinedOutput(); err != nil && !strings.Contains(string(out), "not running") {
			t.Logf("stopping the installed gatewayd: %v\n%s", err, out)
		}
	})

	inventory := filepath.Join(dir, "hosts.ini")
	ansWriteFile(t, inventory, fmt.Sprintf("[gateways]\ntarget ansible_host=%s ansible_port=%d ansible_user=%s ansible_ssh_private_key_file=%s "+
		"ansible_ssh_common_args='-o StrictHostKeyChecking=yes -o UserKnownHostsFile=%s -o IdentitiesOnly=yes'\n",
		srv.Host, srv.Port, srv.User, srv.ClientKey, srv.KnownHosts))
	vars := map[string]any{
		"gatewayd_binary": bin, "gatewayd_prefix": prefix, "gatewayd_bin_path": binPath, "gatewayd_conf_path": confPath,
		"gatewayd_proxy_listen": []string{proxy}, "gatewayd_admin_listen": []string{admin}, "gatewayd_status_listen": []string{status},
		"gatewayd_admin_token": installAdminToken,
	}
	opts := ansible.Options{Collections: col, Playbook: ansExampleFile(t, "install.yml"), Inventory: inventory, Vars: vars}
	run := func(o ansible.Options) *ansible.Result {
		t.Helper()
		res := ansible.Run(t, o)
		if strings.Contains(res.Output, installAdminToken) {
			t.Fatalf("the admin token was printed:\n%s", res.Output)
		}
		return res
	}

	first := run(opts)
	if s := ansRecap(t, first, "target"); s.Changed != 3 {
		t.Fatalf("first install: changed=%d, want 3 (staging dir, copy, install)\n%s\nsshd log:\n%s", s.Changed, first.Output, srv.Log())
	}
	install := first.Task(t, "gatewayd.toolkit.gatewayd : Install, configure and run gatewayd").Result
	if install["service_manager"] != "process" && install["service_manager"] != "systemd" {
		t.Fatalf("service_manager = %v", install["service_manager"])
	}
	if actions := fmt.Sprint(install["actions"]); !strings.Contains(actions, "ran migrations bootstrap") || !strings.Contains(actions, "started gatewayd") {
		t.Fatalf("first install actions: %s", actions)
	}
	ansAssertInstalledProxies(t, "http://"+admin, "http://"+proxy, up.URL)
	ansAssertConfPrivate(t, confPath)

	second := run(opts)
	if s := ansRecap(t, second, "target"); s.Changed != 0 {
		t.Fatalf("second install: changed=%d, want 0\n%s", s.Changed, second.Output)
	}

	conf, _ := os.ReadFile(confPath)
	pid, _ := os.ReadFile(filepath.Join(prefix, "gatewayd.pid"))
	check := opts
	check.Check, check.Diff = true, true
	check.Vars = map[string]any{"gatewayd_config": map[string]any{"log_level": "debug"}}
	for k, v := range vars {
		check.Vars[k] = v
	}
	checked := run(check)
	if s := ansRecap(t, checked, "target"); s.Changed != 1 {
		t.Fatalf("check with a new setting: changed=%d, want 1\n%s", s.Changed, checked.Output)
	}
	if f := checked.Task(t, "gatewayd.toolkit.gatewayd : Install, configure and run gatewayd").DiffFields(); !f["log_level"] {
		t.Fatalf("the diff must show log_level, shows %v", ansKeys(f))
	}
	confAfter, _ := os.ReadFile(confPath)
	pidAfter, _ := os.ReadFile(filepath.Join(prefix, "gatewayd.pid"))
	if !bytes.Equal(conf, confAfter) || !bytes.Equal(pid, pidAfter) {
		t.Fatalf("check mode changed the host: conf changed %v, pid %q -> %q", !bytes.Equal(conf, confAfter), pid, pidAfter)
	}
}

// assertInstalledProxies configures a service and a route through the
// installed gatewayd's Admin API (with its token) and proxies through it.
func ansAssertInstalledProxies(t *testing.T, adminURL, proxyURL, upstreamURL string) {
	t.Helper()
	bearer := http.Header{"Authorization": {"Bearer " + installAdminToken}}
	if status, body := ansPostJSONWith(t, adminURL+"/services", bearer, map[string]any{"name": "via-ssh", "url": upstreamURL}); status != http.StatusCreated {
		t.Fatalf("POST /services on the installed gatewayd: %d %v", status, body)
	}
	if status, body := ansPostJSONWith(t, adminURL+"/services/via-ssh/routes", bearer, map[string]any{"paths": []string{"/ssh"}}); status != http.StatusCreated {
		t.Fatalf("POST route: %d %v", status, body)
	}
	if echo := waitRoute(t, proxyURL+"/ssh/hello", nil); echo.Path != "/hello" {
		t.Fatalf("upstream saw %q through the installed gatewayd", echo.Path)
	}
}

func ansPostJSONWith(t *testing.T, target string, header http.Header, body any) (int, map[string]any) {
	t.Helper()
	data, _ := json.Marshal(body)
	req, err := http.NewRequest(http.MethodPost, target, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header.Clone()
	req.Header.Set("Content-Type", "application/json")
	return doJSON(t, req)
}

// assertConfPrivate checks the written gatewayd.conf holds the token and is
// readable by its owner only.
func ansAssertConfPrivate(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("%s has mode %v, want 0600 (it holds the admin token)", path, fi.Mode().Perm())
	}
	data, _ := os.ReadFile(path)
	if !strings.Contains(string(data), "admin_token = "+installAdminToken) {
		t.Fatalf("%s lacks the admin token:\n%s", path, data)
	}
}

func ansWriteFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// testInstallRestartsOnlyOnChange runs the gatewayd_install binary the way
// Ansible does (one JSON args file) through a lifecycle: install and start;
// run again (same process, no change); change a setting (restart); install
// a new binary (restart); stop; remove.
func testInstallRestartsOnlyOnChange(t *testing.T, col string) {
	module := filepath.Join(col, "ansible_collections", "gatewayd", "toolkit", "plugins", "modules", "gatewayd_install")
	dir := t.TempDir()
	src := filepath.Join(dir, "staged-gatewayd")
	copyBinary(t, harness.BuildGatewayd(t), src, nil)
	ports := harness.FreePorts(t, 3)
	args := map[string]any{
		"src": src, "prefix": filepath.Join(dir, "prefix"), "bin_path": filepath.Join(dir, "bin", "gatewayd"),
		"conf_path": filepath.Join(dir, "gatewayd.conf"), "service_manager": "process",
		"proxy_listen":  []string{fmt.Sprintf("127.0.0.1:%d", ports[0])},
		"admin_listen":  []string{fmt.Sprintf("127.0.0.1:%d", ports[1])},
		"status_listen": []string{fmt.Sprintf("127.0.0.1:%d", ports[2])},
	}
	t.Cleanup(func() {
		_, _ = exec.Command(args["bin_path"].(string), "stop", "-c", args["conf_path"].(string)).CombinedOutput()
	})
	pidFile := filepath.Join(dir, "prefix", "gatewayd.pid")
	step := func(what string, wantChanged bool) string {
		t.Helper()
		res := runModule(t, module, args)
		if res["failed"] != false || res["changed"] != wantChanged {
			t.Fatalf("%s: changed=%v failed=%v, want changed=%v: %v", what, res["changed"], res["failed"], wantChanged, res["msg"])
		}
		pid, _ := os.ReadFile(pidFile)
		return strings.TrimSpace(string(pid))
	}
	first := step("install", true)
	if again := step("same again", false); again != first {
		t.Fatalf("an unchanged run restarted gatewayd: pid %s -> %s", first, again)
	}
	args["config"] = map[string]any{"log_level": "debug"}
	reconfigured := step("new setting", true)
	if reconfigured == first {
		t.Fatal("a changed configuration must restart gatewayd")
	}
	copyBinary(t, harness.BuildGatewayd(t), src, []byte("\x00upgrade"))
	upgraded := step("new binary", true)
	if upgraded == reconfigured {
		t.Fatal("a new binary must restart gatewayd")
	}
	args["state"] = "stopped"
	step("stop", true)
	if _, err := os.Stat(pidFile); err == nil && processAlive(t, pidFile) {
		t.Fatal("state=stopped left gatewayd running")
	}
	args["state"] = "absent"
	delete(args, "src")
	step("remove", true)
	for _, p := range []string{args["bin_path"].(string), args["conf_path"].(string)} {
		if _, err := os.Stat(p); err == nil {
			t.Fatalf("state=absent left %s", p)
		}
	}
	step("remove again", false)
}

// copyBinary copies a binary, appending extra bytes (an ELF ignores
// trailing data: a runnable "new version" with another checksum).
func copyBinary(t *testing.T, from, to string, extra []byte) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, append(data, extra...), 0o755); err != nil {
		t.Fatal(err)
	}
}

// runModule runs a binary module as Ansible does and decodes its answer.
func runModule(t *testing.T, module string, args map[string]any) map[string]any {
	t.Helper()
	data, _ := json.Marshal(args)
	argsFile := filepath.Join(t.TempDir(), "args")
	ansWriteFile(t, argsFile, string(data))
	cmd := exec.Command(module, argsFile)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	out, _ := cmd.Output()
	var res map[string]any
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("%s: not one JSON object: %v\n%s", filepath.Base(module), err, out)
	}
	return res
}

func processAlive(t *testing.T, pidFile string) bool {
	t.Helper()
	data, _ := os.ReadFile(pidFile)
	pid := strings.TrimSpace(string(data))
	_, err := os.Stat("/proc/" + pid)
	return pid != "" && err == nil
}

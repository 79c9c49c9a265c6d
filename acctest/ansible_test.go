package acctest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/acctest/ansible"
	"github.com/gatewayd-toolkit/gatewayd/acctest/harness"
	"github.com/gatewayd-toolkit/gatewayd/acctest/upstream"
)

// TestAnsible runs the collection gatewayd.toolkit with real ansible-playbook.
// The collection is assembled once (the way `make collection` does) and
// shared by the parallel subtests.
func TestAnsible(t *testing.T) {
	ansRequireAnsible(t)
	col, mods := ansible.Collection(t)
	for _, m := range mods {
		t.Logf("module %-20s %5.1f MB", m.Name, float64(m.Size)/(1<<20))
	}
	tests := []struct {
		name string
		fn   func(t *testing.T, col string)
	}{
		{"EveryEntityModuleIsIdempotentWithCheckAndDiff", testEntityModulesLifecycle},
		{"ExportedTagScopeRedeploysToAnEmptyGatewayd", testRedeployExample},
		{"ConfigModuleSyncsAppliesAndResetsOnlyItsTagScope", testConfigModuleWithinATagScope},
		{"QuickstartExampleIsIdempotent", testQuickstartExample},
		{"GatewaydInstallOverSSHStartsProxiesAndIsIdempotent", testInstallOverSSH},
		{"GatewaydInstallRestartsOnlyWhenBinaryOrConfigChanges", testInstallRestartsOnlyOnChange},
		{"KongStyleURIPlaybookRunsUnchanged", testKongStyleURIPlaybook},
		{"AnsibleDocShowsEveryModuleAndTheTarballBuilds", testDocsAndTarball},
		{"BinaryModuleVersusURITaskTime", testModuleVersusURITime},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, col)
		})
	}
}

// requireAnsible fails in CI and skips elsewhere when ansible-core is
// missing (acctest/deps.sh installs it).
func ansRequireAnsible(t *testing.T) {
	for _, bin := range []string{"ansible-playbook", "ansible-doc", "ansible-galaxy"} {
		if _, err := exec.LookPath(bin); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s not found (acctest/deps.sh installs ansible-core)", bin)
			}
			t.Skipf("%s not found (acctest/deps.sh installs ansible-core)", bin)
		}
	}
}

func ansTestdata(t *testing.T, name string) string {
	return filepath.Join(harness.RepoRoot(t), "acctest", "ansible", "testdata", name)
}

func ansExampleFile(t *testing.T, name string) string {
	return filepath.Join(harness.RepoRoot(t), "examples", "ansible", name)
}

// recap returns the one host's PLAY RECAP and fails the test if a task
// failed.
func ansRecap(t *testing.T, res *ansible.Result, host string) ansible.Stats {
	t.Helper()
	s, ok := res.Recap[host]
	if !ok {
		t.Fatalf("no PLAY RECAP line for %s:\n%s", host, res.Output)
	}
	if s.Failed != 0 || s.Unreachable != 0 {
		t.Fatalf("%s: %s\n%s", host, s, res.Output)
	}
	return s
}

// entityTasks are the tasks of testdata/entities.yml that write, with the
// one field each changes between v=1 and v=2 (the field the --diff must
// show, nothing else) and the path of that change in the result.
var entityTasks = []struct{ task, diffField, change string }{
	{"service", "retries", "retries: 1 -> 2"},
	{"route", "regex_priority", "regex_priority: 1 -> 2"},
	{"plugin", "minute", "config.minute: 10 -> 20"},
	{"consumer", "custom_id", `custom_id: "cid-1" -> "cid-2"`},
	{"key-auth", "tags", "tags:"},
	{"basic-auth", "password", "password: [masked] -> [masked]"},
	{"jwt", "algorithm", `algorithm: "HS256" -> "HS384"`},
	{"hmac-auth", "secret", "secret: [masked] -> [masked]"},
	{"acl", "tags", "tags:"},
	{"upstream", "slots", "slots: 100 -> 200"},
	{"target", "weight", "weight: 10 -> 20"},
	{"certificate", "snis", "snis:"},
}

// secretsInPlaybook are values the playbook passes to no_log options; no
// run may print them.
var secretsInPlaybook = []string{"ans-key-secret-0001", "ans-pw-secret-", "ans-jwt-secret-0001", "ans-hmac-secret-"}

func testEntityModulesLifecycle(t *testing.T, col string) {
	gw := harness.StartGatewayd(t, harness.Options{})
	certFile, keyFile := ansWriteCertificate(t, "ans-a.test")
	run := func(st string, v int, check, diff bool) *ansible.Result {
		t.Helper()
		res := ansible.Run(t, ansible.Options{Collections: col, Playbook: ansTestdata(t, "entities.yml"), Check: check, Diff: diff,
			Vars: map[string]any{"admin_url": gw.AdminURL, "st": st, "v": v, "cert_file": certFile, "key_file": keyFile}})
		for _, secret := range append(secretsInPlaybook, "PRIVATE KEY") {
			if strings.Contains(res.Output, secret) {
				t.Fatalf("st=%s v=%d printed the secret %q:\n%s", st, v, secret, res.Output)
			}
		}
		return res
	}

	created := run("present", 1, false, false)
	if s := ansRecap(t, created, "localhost"); s.Changed != len(entityTasks) {
		t.Fatalf("create: changed=%d, want %d (one per entity task)\n%s", s.Changed, len(entityTasks), created.Output)
	}
	ansAssertServerHasEntities(t, gw)

	again := run("present", 1, false, false)
	if s := ansRecap(t, again, "localhost"); s.Changed != 0 {
		t.Fatalf("second run: changed=%d, want 0\n%s", s.Changed, again.Output)
	}

	updated := run("present", 2, false, true)
	if s := ansRecap(t, updated, "localhost"); s.Changed != len(entityTasks) {
		t.Fatalf("update: changed=%d, want %d\n%s", s.Changed, len(entityTasks), updated.Output)
	}
	for _, et := range entityTasks {
		ansAssertOneFieldChanged(t, updated.Task(t, et.task), et.diffField, et.change)
	}
	if s := ansRecap(t, run("present", 2, false, false), "localhost"); s.Changed != 0 {
		t.Fatalf("after the update a rerun must change nothing (the writes took): changed=%d", s.Changed)
	}

	before := ansSnapshot(t, gw)
	checked := run("present", 3, true, true)
	if s := ansRecap(t, checked, "localhost"); s.Changed != len(entityTasks) {
		t.Fatalf("check mode must predict every change: changed=%d, want %d\n%s", s.Changed, len(entityTasks), checked.Output)
	}
	if after := ansSnapshot(t, gw); after != before {
		t.Fatalf("check mode wrote to the server:\nbefore %s\nafter  %s", before, after)
	}

	removed := run("absent", 1, false, true)
	if s := ansRecap(t, removed, "localhost"); s.Changed != 9 {
		t.Fatalf("absent: changed=%d, want 9 (every delete task)\n%s", s.Changed, removed.Output)
	}
	ansAssertServerEmpty(t, gw)
	if s := ansRecap(t, run("absent", 1, false, false), "localhost"); s.Changed != 0 {
		t.Fatalf("absent on missing entities must report changed=0, got %d", s.Changed)
	}
}

// assertOneFieldChanged checks that a task's --diff shows exactly one
// field changing, and that its result lists exactly that change.
func ansAssertOneFieldChanged(t *testing.T, task ansible.Task, field, change string) {
	t.Helper()
	if task.Status != "changed" {
		t.Errorf("task %s: status %q, want changed\n%s", task.Name, task.Status, task.Text)
		return
	}
	got := task.DiffFields()
	if len(got) != 1 || !got[field] {
		t.Errorf("task %s: the diff changes %v, want only %s:\n%s", task.Name, ansKeys(got), field, task.Text)
	}
	changes, _ := task.Result["changes"].([]any)
	if len(changes) != 1 || !strings.HasPrefix(fmt.Sprint(changes[0]), change) {
		t.Errorf("task %s: changes %v, want one starting with %q", task.Name, changes, change)
	}
}

func ansKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func ansAssertServerHasEntities(t *testing.T, gw *harness.Gatewayd) {
	t.Helper()
	for _, path := range []string{"/services/ans-svc", "/routes/ans-route", "/consumers/ans-alice", "/upstreams/ans-up",
		"/upstreams/ans-up/targets/127.0.0.1:9001", "/snis/ans-a.test", "/consumers/ans-alice/basic-auth/ans-bob",
		"/consumers/ans-alice/jwt/ans-jwt-issuer", "/consumers/ans-alice/hmac-auth/ans-hmac"} {
		if status, body := gw.AdminJSON(t, http.MethodGet, path, nil); status != http.StatusOK {
			t.Errorf("GET %s: %d %v", path, status, body)
		}
	}
	for path, want := range map[string]int{"/services/ans-svc/plugins": 1, "/consumers/ans-alice/key-auth": 1, "/consumers/ans-alice/acls": 1} {
		if n := len(ansList(t, gw, path)); n != want {
			t.Errorf("GET %s: %d entities, want %d", path, n, want)
		}
	}
}

func ansAssertServerEmpty(t *testing.T, gw *harness.Gatewayd) {
	t.Helper()
	for _, path := range []string{"/services", "/routes", "/plugins", "/consumers", "/upstreams", "/certificates", "/snis",
		"/key-auths", "/basic-auths", "/jwts", "/hmac-auths", "/acls"} {
		if n := len(ansList(t, gw, path)); n != 0 {
			t.Errorf("GET %s: %d entities left after state=absent", path, n)
		}
	}
}

func ansList(t *testing.T, gw *harness.Gatewayd, path string) []any {
	t.Helper()
	status, body := gw.AdminJSON(t, http.MethodGet, path, nil)
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d %v", path, status, body)
	}
	data, _ := body["data"].([]any)
	return data
}

// snapshot is every collection the playbook touches, as JSON: equal
// snapshots mean nothing was written (updated_at included).
func ansSnapshot(t *testing.T, gw *harness.Gatewayd) string {
	t.Helper()
	var b strings.Builder
	for _, path := range []string{"/services", "/routes", "/plugins", "/consumers", "/upstreams", "/upstreams/ans-up/targets",
		"/certificates", "/snis", "/key-auths", "/basic-auths", "/jwts", "/hmac-auths", "/acls"} {
		status, data, _ := gw.AdminDo(t, http.MethodGet, path, "", "")
		fmt.Fprintf(&b, "%s %d %s\n", path, status, data)
	}
	return b.String()
}

// writeCertificate writes a self-signed ECDSA certificate for name and its
// key, as PEM files.
func ansWriteCertificate(t *testing.T, name string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name}, DNSNames: []string{name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

// testRedeployExample runs examples/ansible/redeploy.yml: a service with
// its routes and plugins, tagged, is dumped from gatewayd A and synced to
// an empty gatewayd B; both then hold the same tagged entities, and what
// is not tagged stays on A only.
func testRedeployExample(t *testing.T, col string) {
	a := harness.StartGatewayd(t, harness.Options{})
	b := harness.StartGatewayd(t, harness.Options{})
	seed := []struct {
		path string
		body map[string]any
	}{
		{"/services", map[string]any{"name": "orders", "url": "http://127.0.0.1:9/orders", "retries": 2, "tags": []string{"exported"}}},
		{"/services/orders/routes", map[string]any{"name": "orders-read", "paths": []string{"/orders"}, "methods": []string{"GET"}, "tags": []string{"exported"}}},
		{"/services/orders/routes", map[string]any{"name": "orders-write", "paths": []string{"/orders"}, "methods": []string{"POST"}, "tags": []string{"exported"}}},
		{"/services/orders/plugins", map[string]any{"name": "rate-limiting", "config": map[string]any{"minute": 7, "policy": "local"}, "tags": []string{"exported"}}},
		{"/routes/orders-write/plugins", map[string]any{"name": "request-size-limiting", "config": map[string]any{"allowed_payload_size": 2}, "tags": []string{"exported"}}},
		{"/services", map[string]any{"name": "internal", "url": "http://127.0.0.1:9/internal"}},
	}
	for _, s := range seed {
		if status, body := a.AdminJSON(t, http.MethodPost, s.path, s.body); status != http.StatusCreated {
			t.Fatalf("POST %s: %d %v", s.path, status, body)
		}
	}
	dump := filepath.Join(t.TempDir(), "exported.yml")
	vars := map[string]any{"source_admin_url": a.AdminURL, "target_admin_url": b.AdminURL, "select_tag": "exported", "dump_path": dump}
	opts := ansible.Options{Collections: col, Playbook: ansExampleFile(t, "redeploy.yml"), Inventory: ansExampleFile(t, "inventory.ini"), Vars: vars}
	first := ansible.Run(t, opts)
	if s := ansRecap(t, first, "localhost"); s.Changed != 2 {
		t.Fatalf("first redeploy: changed=%d, want 2 (dump written, target synced)\n%s", s.Changed, first.Output)
	}
	if got, want := ansScope(t, b, "exported"), ansScope(t, a, "exported"); !reflect.DeepEqual(got, want) {
		t.Fatalf("after the redeploy B differs from A:\nA %v\nB %v", want, got)
	}
	if n := len(ansList(t, b, "/services")); n != 1 {
		t.Fatalf("B has %d services, want only the exported one", n)
	}
	if s := ansRecap(t, ansible.Run(t, opts), "localhost"); s.Changed != 0 {
		t.Fatalf("second redeploy: changed=%d, want 0", s.Changed)
	}
}

// scope renders the entities carrying tag as comparable documents: ids,
// timestamps and references by id replaced by names.
func ansScope(t *testing.T, gw *harness.Gatewayd, tag string) map[string][]string {
	t.Helper()
	names := map[string]string{}
	for _, coll := range []string{"/services", "/routes"} {
		for _, e := range ansList(t, gw, coll) {
			m := e.(map[string]any)
			names[m["id"].(string)] = m["name"].(string)
		}
	}
	out := map[string][]string{}
	for _, coll := range []string{"/services", "/routes", "/plugins"} {
		for _, e := range ansList(t, gw, coll+"?tags="+tag) {
			m := e.(map[string]any)
			delete(m, "id")
			delete(m, "created_at")
			delete(m, "updated_at")
			for _, fk := range []string{"service", "route", "consumer"} {
				if ref, ok := m[fk].(map[string]any); ok {
					m[fk] = names[ref["id"].(string)]
				}
			}
			data, _ := json.Marshal(m)
			out[coll] = append(out[coll], string(data))
		}
		sort.Strings(out[coll])
	}
	return out
}

// testQuickstartExample runs examples/ansible/quickstart.yml twice and
// proxies a request with the key it configured.
func testQuickstartExample(t *testing.T, col string) {
	up := upstream.Start(t)
	gw := harness.StartGatewayd(t, harness.Options{})
	opts := ansible.Options{Collections: col, Playbook: ansExampleFile(t, "quickstart.yml"), Inventory: ansExampleFile(t, "inventory.ini"),
		Vars: map[string]any{"admin_url": gw.AdminURL, "proxy_url": gw.ProxyURL, "upstream_url": up.URL}}
	if s := ansRecap(t, ansible.Run(t, opts), "localhost"); s.Changed != 6 {
		t.Fatalf("quickstart: changed=%d, want 6", s.Changed)
	}
	echo := waitRoute(t, gw.ProxyURL+"/test/anything", http.Header{"Apikey": {"example-key-0001"}})
	if echo.Path != "/anything" {
		t.Fatalf("upstream saw %q", echo.Path)
	}
	if resp, _ := proxyGet(t, gw.ProxyURL+"/test/anything", nil); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("without a key: %d, want 401", resp.StatusCode)
	}
	again := ansible.Run(t, opts)
	if s := ansRecap(t, again, "localhost"); s.Changed != 0 {
		t.Fatalf("second quickstart run: changed=%d, want 0\n%s", s.Changed, again.Output)
	}
	opts.Check, opts.Diff = true, true
	opts.Vars["rate_per_minute"] = 10
	checked := ansible.Run(t, opts)
	if s := ansRecap(t, checked, "localhost"); s.Changed != 1 {
		t.Fatalf("check with a new rate: changed=%d, want 1\n%s", s.Changed, checked.Output)
	}
	if f := checked.Task(t, "Rate-limit it").DiffFields(); len(f) != 1 || !f["minute"] {
		t.Fatalf("the diff must show only config.minute, shows %v", ansKeys(f))
	}
}

// testKongStyleURIPlaybook runs a playbook written for Kong — uri POSTs
// accepting 201 or 409 — twice against gatewayd: it works unchanged (and,
// as with Kong, the second run only "succeeds" on 409s).
func testKongStyleURIPlaybook(t *testing.T, col string) {
	up := upstream.Start(t)
	gw := harness.StartGatewayd(t, harness.Options{})
	opts := ansible.Options{Collections: col, Playbook: ansTestdata(t, "kong_uri.yml"),
		Vars: map[string]any{"kong_admin_url": gw.AdminURL, "upstream_url": up.URL}}
	first := ansible.Run(t, opts)
	ansRecap(t, first, "localhost")
	if got := first.Task(t, "Create the service").Result["status"]; got != 201.0 {
		t.Fatalf("first POST /services answered %v, want 201", got)
	}
	second := ansible.Run(t, opts)
	ansRecap(t, second, "localhost")
	for _, task := range []string{"Create the service", "Add a route"} {
		if got := second.Task(t, task).Result["status"]; got != 409.0 {
			t.Fatalf("%s on the second run answered %v, want 409 (Kong's unique violation)", task, got)
		}
	}
	if echo := waitRoute(t, gw.ProxyURL+"/mock/anything", nil); echo.Path != "/anything" {
		t.Fatalf("upstream saw %q", echo.Path)
	}
}

// testConfigModuleWithinATagScope drives gateway_config through inline
// state: sync creates, a second sync changes nothing, apply never deletes,
// a check-mode sync predicts the delete without doing it, sync deletes, and
// state=absent resets the scope — never touching an untagged service.
func testConfigModuleWithinATagScope(t *testing.T, col string) {
	gw := harness.StartGatewayd(t, harness.Options{})
	if status, body := gw.AdminJSON(t, http.MethodPost, "/services", map[string]any{"name": "not-mine", "url": "http://127.0.0.1:9"}); status != http.StatusCreated {
		t.Fatalf("POST /services: %d %v", status, body)
	}
	run := func(which, mode, st string, check bool, wantChanged int) *ansible.Result {
		t.Helper()
		res := ansible.Run(t, ansible.Options{Collections: col, Playbook: ansTestdata(t, "config.yml"), Check: check, Diff: check,
			Vars: map[string]any{"admin_url": gw.AdminURL, "which": which, "mode": mode, "st": st}})
		if s := ansRecap(t, res, "localhost"); s.Changed != wantChanged {
			t.Fatalf("which=%s mode=%s st=%s check=%v: changed=%d, want %d\n%s", which, mode, st, check, s.Changed, wantChanged, res.Output)
		}
		return res
	}
	routes := func() int { return len(ansList(t, gw, "/routes")) }

	created := run("full", "sync", "present", false, 1)
	if got := created.Task(t, "config").Result["created"]; got != 4.0 || routes() != 2 {
		t.Fatalf("created %v entities, %d routes", got, routes())
	}
	run("full", "sync", "present", false, 0)
	run("reduced", "apply", "present", false, 0)
	if routes() != 2 {
		t.Fatal("mode=apply deleted a route")
	}
	planned := run("reduced", "sync", "present", true, 1)
	if changes := fmt.Sprint(planned.Task(t, "config").Result["changes"]); !strings.Contains(changes, "- routes cfg-r2") || routes() != 2 {
		t.Fatalf("check mode: changes %s, %d routes left", changes, routes())
	}
	run("reduced", "sync", "present", false, 1)
	if routes() != 1 {
		t.Fatalf("sync left %d routes, want 1", routes())
	}
	run("full", "sync", "absent", false, 1)
	services := ansList(t, gw, "/services")
	if len(services) != 1 || services[0].(map[string]any)["name"] != "not-mine" || routes() != 0 {
		t.Fatalf("after state=absent: services %v, %d routes", services, routes())
	}
}

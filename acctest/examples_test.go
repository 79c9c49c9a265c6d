package acctest

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatewayd-toolkit/gatewayd/acctest/harness"
	"github.com/gatewayd-toolkit/gatewayd/acctest/upstream"
)

// TestQuickstartExample runs examples/quickstart/quickstart.sh as a user would.
func TestQuickstartExample(t *testing.T) {
	up := upstream.Start(t)
	gw := harness.StartGatewayd(t, harness.Options{})
	script := filepath.Join(harness.RepoRoot(t), "examples", "quickstart", "quickstart.sh")
	cmd := exec.Command("bash", script)
	cmd.Env = append(cmd.Environ(), "ADMIN_URL="+gw.AdminURL, "PROXY_URL="+gw.ProxyURL, "UPSTREAM="+up.URL)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("quickstart.sh failed: %v\n%s", err, out)
	}
	for _, want := range []string{"HTTP/1.1 201 Created", `"name":"example-service"`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	last := strings.TrimSpace(string(out))
	last = last[strings.LastIndex(last, "\n")+1:]
	var echo upstream.Echo
	if err := json.Unmarshal([]byte(last), &echo); err != nil || echo.Path != "/anything" {
		t.Fatalf("proxied answer %q: upstream path %q (%v)", last, echo.Path, err)
	}
}

// TestProtectExample runs examples/plugins/protect.sh after the
// quickstart: 401 without a key, 200 with it, 429 over the limit.
func TestProtectExample(t *testing.T) {
	up := upstream.Start(t)
	gw := harness.StartGatewayd(t, harness.Options{})
	env := []string{"ADMIN_URL=" + gw.AdminURL, "PROXY_URL=" + gw.ProxyURL, "UPSTREAM=" + up.URL}
	for _, script := range []string{"quickstart/quickstart.sh", "plugins/protect.sh"} {
		cmd := exec.Command("bash", filepath.Join(harness.RepoRoot(t), "examples", script))
		cmd.Env = append(cmd.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s failed: %v\n%s", script, err, out)
		}
		if script != "plugins/protect.sh" {
			continue
		}
		for _, want := range []string{"HTTP/1.1 401 Unauthorized", "WWW-Authenticate: Key", `"message":"No API key found in request"`,
			"HTTP/1.1 200 OK", "X-RateLimit-Remaining-Minute: 2", "HTTP/1.1 429 Too Many Requests", "Retry-After:", `"message":"API rate limit exceeded"`} {
			// Header names are spelled as Kong spells them.
			if !strings.Contains(string(out), want) {
				t.Errorf("protect.sh output lacks %q:\n%s", want, out)
			}
		}
	}
}

// TestDeclarativeExample runs examples/declarative/declarative.sh: validate,
// diff (exit 2), sync, diff (exit 0), proxy through the synced routes and
// a dump that round-trips.
func TestDeclarativeExample(t *testing.T) {
	up := upstream.Start(t)
	gw := harness.StartGatewayd(t, harness.Options{})
	script := filepath.Join(harness.RepoRoot(t), "examples", "declarative", "declarative.sh")
	cmd := exec.Command("bash", script)
	for _, kv := range cmd.Environ() {
		if !strings.HasPrefix(kv, "GATEWAYD_") && !strings.HasPrefix(kv, "DECK_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, "GATEWAYD="+harness.BuildGatewayd(t), "GATEWAYD_ADMIN_URL="+gw.AdminURL,
		"PROXY_URL="+gw.ProxyURL, "DECK_UPSTREAM="+up.URL)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("declarative.sh failed: %v\n%s", err, out)
	}
	for _, want := range []string{"configuration is valid (7 entities)", "+ services example-service",
		"created 7, updated 0, deleted 0", "without a key: 401", `"path":"/hello"`, "select_tags:", "round trip: no changes"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(string(out), "example-secret-key") {
		t.Errorf("the example must not print the secret key:\n%s", out)
	}
}

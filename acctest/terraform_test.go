package acctest

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/acctest/harness"
	"github.com/gatewayd-toolkit/gatewayd/acctest/upstream"
)

// terraformAdminToken protects the Admin API of the gateways these tests
// start: the provider must send it.
const terraformAdminToken = "tf-e2e-admin-token"

// providerMirror builds the providers once per test binary with
// `make install-providers` into a filesystem mirror, as a user would.
var providerMirror struct {
	once sync.Once
	dir  string
	err  error
}

func installProviders(t *testing.T) string {
	t.Helper()
	providerMirror.once.Do(func() {
		dir, err := os.MkdirTemp("", "gatewayd-tf-mirror-")
		if err != nil {
			providerMirror.err = err
			return
		}
		providerMirror.dir = dir
		harness.AtExit(func() { _ = os.RemoveAll(dir) })
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, "make", "--no-print-directory", "install-providers", "TF_MIRROR="+dir)
		cmd.Dir = harness.RepoRoot(t)
		if out, err := cmd.CombinedOutput(); err != nil {
			providerMirror.err = fmt.Errorf("make install-providers: %v\n%s", err, out)
		}
	})
	if providerMirror.err != nil {
		t.Fatal(providerMirror.err)
	}
	return providerMirror.dir
}

// terraformRun runs the real terraform CLI in dir, with a CLI configuration
// that installs gatewayd-toolkit providers from the mirror only (no
// registry, no network).
type terraformRun struct {
	t    *testing.T
	bin  string
	dir  string
	env  []string
	logs bytes.Buffer
}

func newTerraformRun(t *testing.T, dir string, vars map[string]string) *terraformRun {
	t.Helper()
	bin, err := exec.LookPath("terraform")
	if err != nil {
		t.Fatalf("terraform is not on PATH (acctest/deps.sh checks it): %v", err)
	}
	mirror := installProviders(t)
	rc := filepath.Join(t.TempDir(), "terraformrc")
	conf := fmt.Sprintf("provider_installation {\n  filesystem_mirror {\n    path    = %q\n    include = [\"registry.terraform.io/gatewayd-toolkit/*\"]\n  }\n}\n", mirror)
	if err := os.WriteFile(rc, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"TF_CLI_CONFIG_FILE=" + rc, "TF_IN_AUTOMATION=1", "TF_INPUT=0", "CHECKPOINT_DISABLE=1",
		"TF_PLUGIN_CACHE_DIR=", "GATEWAYD_ADMIN_TOKEN=" + terraformAdminToken}
	for k, v := range vars {
		env = append(env, "TF_VAR_"+k+"="+v)
	}
	r := &terraformRun{t: t, bin: bin, dir: dir, env: env}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("terraform output:\n%s", r.logs.String())
		}
	})
	return r
}

// run runs one terraform command and returns its exit code and how long
// it took; any exit code not in ok fails the test.
func (r *terraformRun) run(ok []int, args ...string) (int, time.Duration) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, r.bin, append(args, "-no-color")...)
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(), r.env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	fmt.Fprintf(&r.logs, "$ terraform %s  (%s)\n%s\n", strings.Join(args, " "), took.Round(time.Millisecond), out.String())
	code := 0
	if err != nil {
		ee, isExit := err.(*exec.ExitError)
		if !isExit {
			r.t.Fatalf("terraform %s: %v", args[0], err)
		}
		code = ee.ExitCode()
	}
	for _, c := range ok {
		if c == code {
			return code, took
		}
	}
	r.t.Fatalf("terraform %s exited %d:\n%s", strings.Join(args, " "), code, out.String())
	return code, took
}

func copyExample(t *testing.T, name string) string {
	t.Helper()
	src := filepath.Join(harness.RepoRoot(t), "examples", "terraform", name)
	files, err := filepath.Glob(filepath.Join(src, "*.tf"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no .tf files in %s (%v)", src, err)
	}
	dst := t.TempDir()
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, filepath.Base(f)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// TestTerraformQuickstartExample applies examples/terraform/quickstart with
// the real terraform CLI and the provider installed from a filesystem
// mirror, then shows through the proxy that key-auth and rate-limiting
// work, that a second plan finds no drift, and destroys it all.
func TestTerraformQuickstartExample(t *testing.T) {
	up := upstream.Start(t)
	gw := harness.StartGatewayd(t, harness.Options{Extra: map[string]string{"admin_token": terraformAdminToken}})
	const key = "e2e-luka-key"
	tf := newTerraformRun(t, copyExample(t, "quickstart"), map[string]string{
		"admin_url": gw.AdminURL, "upstream_host": up.Host, "upstream_port": fmt.Sprint(up.Port),
		"api_key": key, "requests_per_minute": "5",
	})
	tf.run([]int{0}, "init", "-input=false")
	tf.run([]int{0}, "apply", "-auto-approve", "-input=false")

	target := gw.ProxyURL + "/mock/anything"
	withKey := http.Header{"Apikey": {key}}
	// Config changes reach the proxy asynchronously.
	eventually(t, "key-auth to guard the route", func() bool {
		resp, _ := proxyGet(t, target, nil)
		return resp.StatusCode == http.StatusUnauthorized
	})
	resp, echo := proxyGet(t, target, withKey)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("with the key: %d, want 200", resp.StatusCode)
	}
	if echo.Path != "/anything" || echo.Headers["Apikey"] != nil {
		t.Errorf("upstream saw path %q, apikey header %v: want /anything and the key hidden", echo.Path, echo.Headers["Apikey"])
	}
	if resp.Header.Get("X-RateLimit-Limit-Minute") != "5" {
		t.Errorf("X-RateLimit-Limit-Minute = %q, want 5", resp.Header.Get("X-RateLimit-Limit-Minute"))
	}
	// Five per minute: well within 20 requests the limit answers 429, even
	// if a minute boundary resets the window once.
	got429 := false
	for i := 0; i < 20 && !got429; i++ {
		resp, _ := proxyGet(t, target, withKey)
		got429 = resp.StatusCode == http.StatusTooManyRequests
	}
	if !got429 {
		t.Fatal("no 429 after 20 requests with a limit of 5 per minute")
	}

	if code, _ := tf.run([]int{0, 2}, "plan", "-detailed-exitcode", "-input=false"); code != 0 {
		t.Fatalf("plan after apply is not empty (exit %d): drift\n%s", code, tf.logs.String())
	}
	tf.run([]int{0}, "destroy", "-auto-approve", "-input=false")
	if status, _ := gw.AdminJSON(t, "GET", "/services/example-service", nil); status != http.StatusNotFound {
		t.Errorf("after destroy, GET /services/example-service = %d, want 404", status)
	}
	if status, _ := gw.AdminJSON(t, "GET", "/consumers/luka", nil); status != http.StatusNotFound {
		t.Errorf("after destroy, GET /consumers/luka = %d, want 404", status)
	}
	eventually(t, "the route to go away", func() bool {
		resp, _ := proxyGet(t, target, withKey)
		return resp.StatusCode == http.StatusNotFound
	})
}

// TestTerraformScale measures plan and apply of 200 services, 200 routes
// and 200 plugins with the real CLI. Opt-in (GATEWAYD_TF_SCALE=1): it
// reports timings and asserts none.
func TestTerraformScale(t *testing.T) {
	if os.Getenv("GATEWAYD_TF_SCALE") == "" {
		t.Skip("set GATEWAYD_TF_SCALE=1 to measure terraform plan/apply of 200 services + 200 routes + 200 plugins")
	}
	gw := harness.StartGatewayd(t, harness.Options{Extra: map[string]string{"admin_token": terraformAdminToken}})
	dir := t.TempDir()
	main := `
terraform {
  required_providers {
    gatewayd = { source = "gatewayd-toolkit/gatewayd" }
  }
}
variable "admin_url" { type = string }
variable "n" {
  type    = number
  default = 200
}
variable "minute" {
  type    = number
  default = 100
}
provider "gatewayd" {
  admin_url = var.admin_url
}
resource "gatewayd_service" "s" {
  count = var.n
  name  = "svc-${count.index}"
  host  = "backend-${count.index}.internal"
}
resource "gatewayd_route" "r" {
  count      = var.n
  name       = "route-${count.index}"
  service_id = gatewayd_service.s[count.index].id
  paths      = ["/svc-${count.index}"]
}
resource "gatewayd_plugin" "p" {
  count       = var.n
  name        = "rate-limiting"
  route_id    = gatewayd_route.r[count.index].id
  config_json = jsonencode({ minute = var.minute, policy = "local" })
}
`
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte(main), 0o644); err != nil {
		t.Fatal(err)
	}
	tf := newTerraformRun(t, dir, map[string]string{"admin_url": gw.AdminURL})
	tf.run([]int{0}, "init", "-input=false")
	_, planCreate := tf.run([]int{2}, "plan", "-detailed-exitcode", "-input=false", "-out=create.tfplan")
	_, apply := tf.run([]int{0}, "apply", "-input=false", "create.tfplan")
	_, planNoop := tf.run([]int{0}, "plan", "-detailed-exitcode", "-input=false")
	_, update := tf.run([]int{0}, "apply", "-auto-approve", "-input=false", "-var=minute=50")
	_, destroy := tf.run([]int{0}, "destroy", "-auto-approve", "-input=false", "-var=minute=50")
	t.Logf("200 services + 200 routes + 200 plugins, terraform %s, %d CPUs, default -parallelism=10:", terraformVersion(tf), runtime.NumCPU())
	t.Logf("  plan (create 600):                %s", planCreate.Round(10*time.Millisecond))
	t.Logf("  apply (create 600):               %s", apply.Round(10*time.Millisecond))
	t.Logf("  plan, nothing changed (refresh):  %s", planNoop.Round(10*time.Millisecond))
	t.Logf("  apply, 200 plugins updated:       %s", update.Round(10*time.Millisecond))
	t.Logf("  destroy 600:                      %s", destroy.Round(10*time.Millisecond))
}

func terraformVersion(tf *terraformRun) string {
	out, err := exec.Command(tf.bin, "version").Output()
	if err != nil {
		return "?"
	}
	return strings.Fields(string(out) + " ? ?")[1]
}

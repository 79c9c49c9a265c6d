package gatewayd

import (
	"context"
	"flag"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/acctest"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/gatewayd-toolkit/gatewayd/acctest/harness"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
)

// testAccProtoV6ProviderFactories runs the provider in the test process:
// Terraform reattaches to it, so no registry or mirror is involved.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"gatewayd": providerserver.NewProtocol6WithError(New("test")()),
}

// testAdminToken protects the shared gatewayd's Admin API, so every test
// also proves the provider authenticates.
const testAdminToken = "tf-acc-admin-token"

// The gatewayd every acceptance test of this package shares. Tests run in
// parallel against it and keep apart by giving every entity a random name.
var (
	testGatewayd *harness.Gatewayd
	testClient   *api.Client
)

func TestMain(m *testing.M) { os.Exit(runTests(m)) }

func runTests(m *testing.M) int {
	flag.Parse()
	if os.Getenv(resource.EnvTfAcc) == "" {
		if os.Getenv("CI") != "" {
			// The project forbids silent skips in CI: resource.Test would
			// skip every acceptance test without TF_ACC.
			fmt.Fprintln(os.Stderr, "FAIL: CI is set but TF_ACC is not, so every provider acceptance test would be "+
				"skipped. Run them with TF_ACC=1 (make test exports it).")
			return 1
		}
		return harness.RunMain(m)
	}
	// Acceptance tests mostly wait for terraform processes: more of them at
	// once than there are cores keeps the suite short.
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		_ = flag.Set("test.parallel", fmt.Sprint(max(4, 2*runtime.NumCPU())))
	}
	shared := &mainTB{}
	ok := shared.run(func() {
		prefix, err := os.MkdirTemp("", "gatewayd-tf-acc-")
		if err != nil {
			shared.Fatalf("%v", err)
		}
		shared.Cleanup(func() { _ = os.RemoveAll(prefix) })
		testGatewayd = harness.StartGatewayd(shared, harness.Options{
			Prefix: prefix,
			Extra:  map[string]string{"admin_token": testAdminToken},
		})
	})
	if !ok {
		shared.runCleanups()
		fmt.Fprintf(os.Stderr, "FAIL: starting the shared gatewayd: %s\n", shared.fatal)
		return 1
	}
	// A CLI configuration that points at a missing file makes every
	// terraform run warn; the tests need none.
	if rc := os.Getenv("TF_CLI_CONFIG_FILE"); rc != "" {
		if _, err := os.Stat(rc); err != nil {
			os.Unsetenv("TF_CLI_CONFIG_FILE")
		}
	}
	os.Setenv(api.EnvAdminURL, testGatewayd.AdminURL)
	os.Setenv(api.EnvAdminToken, testAdminToken)
	var err error
	testClient, err = api.New(api.Config{AdminURL: testGatewayd.AdminURL, Token: testAdminToken})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	start := time.Now()
	code := harness.RunMain(m)
	fmt.Fprintf(os.Stderr, "provider acceptance tests: %s\n", time.Since(start).Round(time.Second))
	if code != 0 {
		fmt.Fprintf(os.Stderr, "gatewayd logs:\n%s\n", lastBytes(testGatewayd.Logs(), 32<<10))
	}
	shared.runCleanups()
	if len(shared.errors) > 0 {
		fmt.Fprintln(os.Stderr, strings.Join(shared.errors, "\n"))
		return 1
	}
	return code
}

func lastBytes(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// mainTB is the testing.TB the shared gatewayd lives under: TestMain has
// no *testing.T, and the daemon must outlive every test.
type mainTB struct {
	testing.TB
	mu       sync.Mutex
	fatal    string
	errors   []string
	cleanups []func()
}

func (m *mainTB) Helper() {}
func (m *mainTB) Fatalf(format string, args ...any) {
	m.mu.Lock()
	m.fatal = fmt.Sprintf(format, args...)
	m.mu.Unlock()
	runtime.Goexit()
}
func (m *mainTB) Fatal(args ...any) { m.Fatalf("%s", fmt.Sprint(args...)) }
func (m *mainTB) Errorf(format string, args ...any) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.errors = append(m.errors, fmt.Sprintf(format, args...))
}
func (m *mainTB) Error(args ...any)                { m.Errorf("%s", fmt.Sprint(args...)) }
func (m *mainTB) Logf(format string, args ...any)  { fmt.Fprintf(os.Stderr, format+"\n", args...) }
func (m *mainTB) Log(args ...any)                  { fmt.Fprintln(os.Stderr, args...) }
func (m *mainTB) Name() string                     { return "TestMain" }
func (m *mainTB) Skipf(format string, args ...any) { m.Fatalf(format, args...) }
func (m *mainTB) Setenv(key, value string)         { os.Setenv(key, value) }
func (m *mainTB) TempDir() string                  { d, _ := os.MkdirTemp("", "gatewayd-tf-acc-"); return d }
func (m *mainTB) Context() context.Context         { return context.Background() }
func (m *mainTB) Cleanup(f func())                 { m.mu.Lock(); m.cleanups = append(m.cleanups, f); m.mu.Unlock() }
func (m *mainTB) Failed() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.fatal != "" || len(m.errors) > 0
}
func (m *mainTB) runCleanups() {
	for i := len(m.cleanups) - 1; i >= 0; i-- {
		m.cleanups[i]()
	}
	m.cleanups = nil
}

// run runs f in its own goroutine (Fatalf ends it) and reports success.
func (m *mainTB) run(f func()) bool {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	<-done
	return m.fatal == ""
}

// adminURL is the shared gatewayd's Admin API (a placeholder when the
// acceptance tests do not run, so building their configurations is safe).
func adminURL() string {
	if testGatewayd == nil {
		return "http://127.0.0.1:1"
	}
	return testGatewayd.AdminURL
}

// skipWithoutAcc skips a test that talks to the gateway before
// resource.Test (which skips by itself) when acceptance tests are off;
// TestMain has already failed the run if that happens in CI.
func skipWithoutAcc(t *testing.T) {
	t.Helper()
	if os.Getenv(resource.EnvTfAcc) == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
}

func testAccPreCheck(t *testing.T) {
	t.Helper()
	if testClient == nil {
		t.Fatal("the shared gatewayd is not running (TF_ACC set after TestMain?)")
	}
}

// randName returns a unique entity name for one test.
func randName(prefix string) string { return acctest.RandomWithPrefix("tfacc-" + prefix) }

// stateAttrs returns the flat state attributes of a resource.
func stateAttrs(s *terraform.State, addr string) (map[string]string, error) {
	rs, ok := s.RootModule().Resources[addr]
	if !ok || rs.Primary == nil {
		return nil, fmt.Errorf("%s is not in the state", addr)
	}
	return rs.Primary.Attributes, nil
}

// apiPathFunc maps a resource's state attributes to its Admin API path.
type apiPathFunc func(attrs map[string]string) string

func topLevelPath(collection string) apiPathFunc {
	return func(a map[string]string) string { return collection + "/" + a["id"] }
}

func nestedPath(parentAttr, parentCollection, nested string) apiPathFunc {
	return func(a map[string]string) string {
		return parentCollection + "/" + a[parentAttr] + "/" + nested + "/" + a["id"]
	}
}

// capturePath remembers the Admin API path of a resource, for a later
// step's out-of-band deletion.
func capturePath(addr string, into *string, pathOf apiPathFunc) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		a, err := stateAttrs(s, addr)
		if err != nil {
			return err
		}
		*into = pathOf(a)
		return nil
	}
}

// checkDestroyed is a CheckDestroy: every resource of the type is gone
// from the gateway.
func checkDestroyed(resourceType string, pathOf apiPathFunc) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for _, rs := range s.RootModule().Resources {
			if rs.Type != resourceType {
				continue
			}
			p := pathOf(rs.Primary.Attributes)
			_, err := testClient.Get(context.Background(), p)
			if err == nil {
				return fmt.Errorf("%s still exists at %s after destroy", rs.Type, p)
			}
			if !api.IsNotFound(err) {
				return fmt.Errorf("checking %s: %v", p, err)
			}
		}
		return nil
	}
}

// disappearsStep deletes the entity behind the Terraform API's back, then
// expects the refresh to drop it from state and the plan to recreate it
// (no error, as it should be).
func disappearsStep(config, addr string, path *string) resource.TestStep {
	return resource.TestStep{
		PreConfig: func() {
			if *path == "" {
				panic("disappearsStep: no path captured for " + addr)
			}
			if err := testClient.Delete(context.Background(), *path); err != nil {
				panic(fmt.Sprintf("deleting %s out of band: %v", *path, err))
			}
		},
		Config: config,
		ConfigPlanChecks: resource.ConfigPlanChecks{
			PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
		},
	}
}

// importByID and importByAttr verify an import by id and by another
// attribute (a name, or a composite "<parent>/<key>").
func importStep(addr string, idFunc resource.ImportStateIdFunc, ignore ...string) resource.TestStep {
	return resource.TestStep{
		ResourceName:            addr,
		ImportState:             true,
		ImportStateIdFunc:       idFunc,
		ImportStateVerify:       true,
		ImportStateVerifyIgnore: ignore,
	}
}

func importID(addr string, attrs ...string) resource.ImportStateIdFunc {
	return func(s *terraform.State) (string, error) {
		a, err := stateAttrs(s, addr)
		if err != nil {
			return "", err
		}
		parts := make([]string, len(attrs))
		for i, name := range attrs {
			if a[name] == "" {
				return "", fmt.Errorf("%s has no %s", addr, name)
			}
			parts[i] = a[name]
		}
		return strings.Join(parts, "/"), nil
	}
}

// expectUpdateInPlace asserts a step updates the resource without
// replacing it.
func expectUpdateInPlace(addr string) resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{
		PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
	}
}

func TestProviderSchemaIsValid(t *testing.T) {
	// The framework validates every schema (defaults vs types, nested
	// attributes, write-only rules) when serving GetProviderSchema.
	srv, err := testAccProtoV6ProviderFactories["gatewayd"]()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range resp.Diagnostics {
		t.Errorf("%s: %s", d.Summary, d.Detail)
	}
	if len(resp.ResourceSchemas) != 14 || len(resp.DataSourceSchemas) != 6 {
		t.Errorf("got %d resources and %d data sources, want 14 and 6", len(resp.ResourceSchemas), len(resp.DataSourceSchemas))
	}
	// Every attribute, nested ones included, tells users what it is.
	var check func(prefix string, attrs []*tfprotov6.SchemaAttribute)
	check = func(prefix string, attrs []*tfprotov6.SchemaAttribute) {
		for _, a := range attrs {
			if strings.TrimSpace(a.Description) == "" {
				t.Errorf("%s%s has no description", prefix, a.Name)
			}
			if a.NestedType != nil {
				check(prefix+a.Name+".", a.NestedType.Attributes)
			}
		}
	}
	for name, s := range resp.ResourceSchemas {
		check(name+".", s.Block.Attributes)
	}
	for name, s := range resp.DataSourceSchemas {
		check("data."+name+".", s.Block.Attributes)
	}
	check("provider.", resp.Provider.Block.Attributes)
}

func TestAccProviderRejectsWrongToken(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "gatewayd" {
  admin_url   = %q
  admin_token = "wrong"
  retries     = 0
}
data "gatewayd_service" "x" {
  name = "does-not-matter"
}`, adminURL()),
			ExpectError: regexp.MustCompile(`401`),
		}},
	})
}

func TestAccProviderConfiguration(t *testing.T) {
	name := randName("provcfg")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed("gatewayd_consumer", topLevelPath("consumers")),
		Steps: []resource.TestStep{
			{
				// Every setting spelled out, headers and timeouts included.
				Config: fmt.Sprintf(`
provider "gatewayd" {
  admin_url       = %q
  admin_token     = %q
  headers         = { "X-Request-Source" = "terraform-acceptance" }
  request_timeout = "10s"
  retries         = 2
}
resource "gatewayd_consumer" "c" {
  username = %q
}`, adminURL()+"/", testAdminToken, name),
				Check: resource.TestCheckResourceAttr("gatewayd_consumer.c", "username", name),
			},
		},
	})
}

func TestAccProviderConfigurationErrors(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: `
provider "gatewayd" {
  request_timeout = "soon"
}
data "gatewayd_consumer" "c" {
  username = "nobody"
}`,
				ExpectError: regexp.MustCompile(`Invalid request_timeout`),
			},
			{
				Config: `
provider "gatewayd" {
  client_cert_pem = "not a pem"
}
data "gatewayd_consumer" "c" {
  username = "nobody"
}`,
				ExpectError: regexp.MustCompile(`client_cert_pem and client_key_pem must be set together`),
			},
			{
				Config: `
provider "gatewayd" {
  admin_url = "ftp://127.0.0.1:1"
}
data "gatewayd_consumer" "c" {
  username = "nobody"
}`,
				ExpectError: regexp.MustCompile(`expected http\(s\)://host`),
			},
		},
	})
}

// checkAPIField reads the entity from the Admin API and compares a field.
func checkAPIField(addr string, pathOf apiPathFunc, field string, want any) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		a, err := stateAttrs(s, addr)
		if err != nil {
			return err
		}
		e, err := testClient.Get(context.Background(), pathOf(a))
		if err != nil {
			return err
		}
		if fmt.Sprint(e[field]) != fmt.Sprint(want) {
			return fmt.Errorf("%s: Admin API %s = %v, want %v", addr, field, e[field], want)
		}
		return nil
	}
}

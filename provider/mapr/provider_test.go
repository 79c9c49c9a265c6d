package mapr

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/gatewayd-toolkit/gatewayd/acctest/sshd"
	maprlib "github.com/gatewayd-toolkit/gatewayd/mapr"
	"github.com/gatewayd-toolkit/gatewayd/mapr/maprsim/simtest"
)

// testAccProtoV6ProviderFactories runs the provider in the test process:
// Terraform reattaches to it, so no registry or mirror is involved.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"mapr": providerserver.NewProtocol6WithError(New("test")()),
}

// testSSHD is the real OpenSSH server every acceptance test of this
// package shares. Its "node" is this machine: each test installs maprsim,
// the MapR test double, into its own temporary root and points the
// provider's paths there, so tests run in parallel without meeting.
var testSSHD *sshd.Server

func TestMain(m *testing.M) { os.Exit(runTests(m)) }

func runTests(m *testing.M) int {
	flag.Parse()
	if os.Getenv(resource.EnvTfAcc) == "" {
		if os.Getenv("CI") != "" {
			// The project forbids silent skips in CI: resource.Test would
			// skip every acceptance test without TF_ACC.
			fmt.Fprintln(os.Stderr, "FAIL: CI is set but TF_ACC is not, so every mapr provider acceptance test would "+
				"be skipped. Run them with TF_ACC=1 (make test exports it).")
			return 1
		}
		return simtest.RunMain(m)
	}
	// The tests mostly wait for terraform and sshd: more of them at once
	// than there are cores keeps the suite short.
	explicit := false
	flag.Visit(func(f *flag.Flag) { explicit = explicit || f.Name == "test.parallel" })
	if !explicit {
		_ = flag.Set("test.parallel", fmt.Sprint(max(4, 2*runtime.NumCPU())))
	}
	shared := &mainTB{}
	ok := shared.run(func() {
		testSSHD = sshd.Start(shared)
		simtest.Binary(shared) // build the simulator once, before the parallel tests
	})
	if !ok {
		shared.runCleanups()
		fmt.Fprintf(os.Stderr, "FAIL: starting the shared sshd / building maprsim: %s\n", shared.fatal)
		return 1
	}
	// A CLI configuration that points at a missing file makes every
	// terraform run warn; the tests need none.
	if rc := os.Getenv("TF_CLI_CONFIG_FILE"); rc != "" {
		if _, err := os.Stat(rc); err != nil {
			os.Unsetenv("TF_CLI_CONFIG_FILE")
		}
	}
	start := time.Now()
	code := simtest.RunMain(m)
	fmt.Fprintf(os.Stderr, "mapr provider acceptance tests: %s\n", time.Since(start).Round(time.Second))
	if code != 0 {
		fmt.Fprintf(os.Stderr, "sshd log (tail):\n%s\n", lastBytes(testSSHD.Log(), 16<<10))
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

// mainTB is the testing.TB the shared sshd lives under: TestMain has no
// *testing.T, and the server must outlive every test.
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
func (m *mainTB) Context() context.Context         { return context.Background() }
func (m *mainTB) Cleanup(f func())                 { m.mu.Lock(); m.cleanups = append(m.cleanups, f); m.mu.Unlock() }
func (m *mainTB) TempDir() string {
	d, err := os.MkdirTemp("", "mapr-tf-acc-")
	if err != nil {
		m.Fatalf("%v", err)
	}
	m.Cleanup(func() { _ = os.RemoveAll(d) })
	return d
}
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

// skipWithoutAcc skips an acceptance test before it installs anything
// (resource.Test would skip by itself, later); TestMain has already failed
// the run if that happens in CI.
func skipWithoutAcc(t *testing.T) {
	t.Helper()
	if os.Getenv(resource.EnvTfAcc) == "" {
		t.Skip("acceptance test: set TF_ACC=1")
	}
	if testSSHD == nil {
		t.Fatal("the shared sshd is not running (TF_ACC set after TestMain?)")
	}
}

// testNode installs maprsim (the MapR test double) into a fresh root: the
// node a test's resources act on, through the shared sshd.
func testNode(t *testing.T) *simtest.Node {
	t.Helper()
	skipWithoutAcc(t)
	n := simtest.Install(t)
	if err := os.MkdirAll(uploadDirOf(n), 0o755); err != nil {
		t.Fatal(err)
	}
	return n
}

func uploadDirOf(n *simtest.Node) string { return filepath.Join(n.Root, "tmp") }

// providerConfig is a provider block that reaches n through the shared
// sshd with host-key verification, plus extra settings.
func providerConfig(n *simtest.Node, extra string) string {
	return fmt.Sprintf(`
provider "mapr" {
  host                = %q
  port                = %d
  user                = %q
  private_key_file    = %q
  known_hosts_file    = %q
  maprcli_path        = %q
  configure_sh_path   = %q
  conf_dir            = %q
  upload_dir          = %q
  warden_stop_command = [%q, "stop"]
  timeout             = "2m"
%s}
`, testSSHD.Host, testSSHD.Port, testSSHD.User, testSSHD.ClientKey, testSSHD.KnownHosts,
		n.Maprcli, n.ConfigureSh, n.ConfDir, uploadDirOf(n), n.Warden, extra)
}

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// localClusterSpec and localLicenseSpec reach the simulated node directly
// (mapr.LocalExecutor), to prepare it and to check what Terraform did.
func localClusterSpec(n *simtest.Node) maprlib.ClusterSpec {
	return maprlib.ClusterSpec{Name: "demo.cluster", CLDBNodes: []string{"node1"}, ZKNodes: []string{"node1"},
		ConfDir: n.ConfDir, ConfigureSh: n.ConfigureSh, StopWarden: []string{n.Warden, "stop"}}
}

func localLicenseSpec(n *simtest.Node) maprlib.LicenseSpec {
	return maprlib.LicenseSpec{MaprcliPath: n.Maprcli, UploadDir: uploadDirOf(n)}
}

// bootstrapLocally gives the node a cluster id (licenses need one) and
// returns it.
func bootstrapLocally(t *testing.T, n *simtest.Node) string {
	t.Helper()
	res, err := maprlib.EnsureCluster(testContext(t), maprlib.NewLocalExecutor(), localClusterSpec(n))
	if err != nil {
		t.Fatalf("bootstrapping the simulated node: %v", err)
	}
	return res.After.ID
}

// installedLicenses lists the node's licenses by id (the base license
// included).
func installedLicenses(t *testing.T, n *simtest.Node) map[string]maprlib.License {
	t.Helper()
	lics, err := maprlib.ListLicenses(testContext(t), maprlib.NewLocalExecutor(), localLicenseSpec(n))
	if err != nil {
		t.Fatalf("listing the node's licenses: %v", err)
	}
	out := map[string]maprlib.License{}
	for _, l := range lics {
		out[l.ID] = l
	}
	return out
}

// stateAttr reads one flat state attribute of a resource.
func stateAttr(s *terraform.State, addr, name string) (string, error) {
	rs, ok := s.RootModule().Resources[addr]
	if !ok || rs.Primary == nil {
		return "", fmt.Errorf("%s is not in the state", addr)
	}
	return rs.Primary.Attributes[name], nil
}

// captureAttr remembers a state attribute for later steps.
func captureAttr(addr, name string, into *string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		v, err := stateAttr(s, addr, name)
		if err != nil {
			return err
		}
		if v == "" {
			return fmt.Errorf("%s.%s is empty", addr, name)
		}
		*into = v
		return nil
	}
}

func TestTerraformMaprProviderSchemaIsValid(t *testing.T) {
	// The framework validates every schema (defaults vs types, sensitive
	// and computed rules) when serving GetProviderSchema.
	resp := providerSchema(t)
	for _, d := range resp.Diagnostics {
		t.Errorf("%s: %s", d.Summary, d.Detail)
	}
	if len(resp.ResourceSchemas) != 2 || len(resp.DataSourceSchemas) != 0 {
		t.Errorf("got %d resources and %d data sources, want mapr_license and mapr_cluster", len(resp.ResourceSchemas),
			len(resp.DataSourceSchemas))
	}
	check := func(prefix string, attrs []*tfprotov6.SchemaAttribute) {
		for _, a := range attrs {
			if strings.TrimSpace(a.Description) == "" {
				t.Errorf("%s%s has no description", prefix, a.Name)
			}
		}
	}
	for name, s := range resp.ResourceSchemas {
		check(name+".", s.Block.Attributes)
	}
	check("provider.", resp.Provider.Block.Attributes)
	for _, secret := range []string{"private_key", "private_key_passphrase", "password"} {
		if a := findAttr(resp.Provider.Block.Attributes, secret); a == nil || !a.Sensitive {
			t.Errorf("provider.%s must be sensitive", secret)
		}
	}
	if a := findAttr(resp.ResourceSchemas["mapr_license"].Block.Attributes, "license"); a == nil || !a.Sensitive {
		t.Error("mapr_license.license must be sensitive")
	}
}

func findAttr(attrs []*tfprotov6.SchemaAttribute, name string) *tfprotov6.SchemaAttribute {
	for _, a := range attrs {
		if a.Name == name {
			return a
		}
	}
	return nil
}

func providerSchema(t *testing.T) *tfprotov6.GetProviderSchemaResponse {
	t.Helper()
	srv, err := testAccProtoV6ProviderFactories["mapr"]()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// providerCall runs ValidateProviderConfig and ConfigureProvider, as
// Terraform does, with the given attributes (the rest null), and returns
// the diagnostics.
func providerCall(t *testing.T, attrs map[string]tftypes.Value) []*tfprotov6.Diagnostic {
	t.Helper()
	srv, err := testAccProtoV6ProviderFactories["mapr"]()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	sch, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	typ := sch.Provider.ValueType().(tftypes.Object)
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
	}
	for name, v := range attrs {
		if _, ok := typ.AttributeTypes[name]; !ok {
			t.Fatalf("no provider attribute %s", name)
		}
		vals[name] = v
	}
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
	if err != nil {
		t.Fatal(err)
	}
	vresp, err := srv.ValidateProviderConfig(ctx, &tfprotov6.ValidateProviderConfigRequest{Config: &dv})
	if err != nil {
		t.Fatal(err)
	}
	if len(vresp.Diagnostics) > 0 {
		return vresp.Diagnostics
	}
	cresp, err := srv.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: &dv, TerraformVersion: "1.11.4"})
	if err != nil {
		t.Fatal(err)
	}
	return cresp.Diagnostics
}

func TestTerraformMaprProviderConfiguration(t *testing.T) {
	str := func(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }
	yes := tftypes.NewValue(tftypes.Bool, true)
	base := func(extra map[string]tftypes.Value) map[string]tftypes.Value {
		m := map[string]tftypes.Value{"host": str("node1.example.com"), "known_hosts_file": str("/etc/ssh/ssh_known_hosts")}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	for _, tc := range []struct {
		name  string
		attrs map[string]tftypes.Value
		// want is "" for no diagnostics, else the severity and a summary fragment.
		severity tfprotov6.DiagnosticSeverity
		want     string
	}{
		{"known_hosts and a key", base(map[string]tftypes.Value{"private_key_file": str("~/.ssh/id_ed25519")}), 0, ""},
		{"no known_hosts file", map[string]tftypes.Value{"host": str("node1")}, tfprotov6.DiagnosticSeverityError,
			"known_hosts_file is required"},
		{"insecure opt-out warns", map[string]tftypes.Value{"host": str("node1"), "insecure_ignore_host_key": yes},
			tfprotov6.DiagnosticSeverityWarning, "SSH HOST KEY VERIFICATION IS DISABLED"},
		{"insecure and known_hosts", base(map[string]tftypes.Value{"insecure_ignore_host_key": yes}),
			tfprotov6.DiagnosticSeverityError, "Conflicting host key settings"},
		{"key and key file", base(map[string]tftypes.Value{"private_key": str("PEM"), "private_key_file": str("/k")}),
			tfprotov6.DiagnosticSeverityError, "Invalid Attribute Combination"},
		{"bad timeout", base(map[string]tftypes.Value{"timeout": str("soon")}), tfprotov6.DiagnosticSeverityError,
			"Invalid timeout"},
		{"relative path", base(map[string]tftypes.Value{"conf_dir": str("opt/mapr/conf")}), tfprotov6.DiagnosticSeverityError,
			"must be absolute"},
		{"sudo_user without sudo", base(map[string]tftypes.Value{"sudo_user": str("mapr")}), tfprotov6.DiagnosticSeverityError,
			"sudo_user without sudo"},
		{"port out of range", base(map[string]tftypes.Value{"port": tftypes.NewValue(tftypes.Number, 70000)}),
			tfprotov6.DiagnosticSeverityError, "Invalid Attribute Value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			diags := providerCall(t, tc.attrs)
			if tc.want == "" {
				for _, d := range diags {
					t.Errorf("unexpected diagnostic: %s: %s", d.Summary, d.Detail)
				}
				return
			}
			for _, d := range diags {
				if d.Severity == tc.severity && strings.Contains(d.Summary, tc.want) {
					if d.Severity == tfprotov6.DiagnosticSeverityWarning && !strings.Contains(d.Detail, "man-in-the-middle") &&
						!strings.Contains(d.Detail, "intercept") {
						t.Errorf("the warning does not say why it is dangerous: %s", d.Detail)
					}
					return
				}
			}
			t.Errorf("want a diagnostic %q, got %+v", tc.want, diags)
		})
	}
}

func TestTerraformMaprNodeListsCompareAsConfigureShWritesThem(t *testing.T) {
	for _, tc := range []struct {
		a, b    []string
		port    string
		ordered bool
		same    bool
	}{
		{[]string{"node1"}, []string{"node1:7222"}, "7222", false, true},
		{[]string{"node1", "node2"}, []string{"node2:7222", "node1"}, "7222", false, true},
		{[]string{"node1", "node2"}, []string{"node2", "node1"}, "5181", true, false},
		{[]string{"node1"}, []string{"node1:7223"}, "7222", false, false},
		{[]string{"node1;10.0.0.1"}, []string{"node1;10.0.0.1:7222"}, "7222", false, true},
		{[]string{"[fe80::1]"}, []string{"[fe80::1]:5181"}, "5181", true, true},
		{[]string{"node1"}, []string{"node1", "node2"}, "7222", false, false},
	} {
		if got := sameNodes(tc.a, tc.b, tc.port, tc.ordered); got != tc.same {
			t.Errorf("sameNodes(%q, %q, %s, ordered=%t) = %t", tc.a, tc.b, tc.port, tc.ordered, got)
		}
	}
	for in, want := range map[string]string{"node1:7222": "node1", "node1:7223": "node1:7223", "node1": "node1",
		"node1;10.0.0.1:7222": "node1;10.0.0.1", "[fe80::1]:7222": "[fe80::1]"} {
		if got := withoutDefaultPort(in, "7222"); got != want {
			t.Errorf("withoutDefaultPort(%q) = %q, want %q", in, got, want)
		}
	}
}

package acctest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/acctest/harness"
	"github.com/gatewayd-toolkit/gatewayd/acctest/sshd"
	"github.com/gatewayd-toolkit/gatewayd/mapr"
	"github.com/gatewayd-toolkit/gatewayd/mapr/maprsim/simtest"
)

// tfMaprNode is a MapR node simulated by maprsim, the MapR TEST DOUBLE,
// installed under a temporary root of this machine.
type tfMaprNode struct {
	root, home string
}

// tfMaprInstallSim builds maprsim and installs it into a fresh root. (It
// is built here rather than with simtest.Binary, whose once-per-binary
// build is removed only by simtest.RunMain, which this package's TestMain
// does not call.)
func tfMaprInstallSim(t *testing.T) tfMaprNode {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "maprsim")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./mapr/maprsim")
	build.Dir = harness.RepoRoot(t)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building maprsim: %v\n%s", err, out)
	}
	root := t.TempDir()
	if out, err := exec.Command(bin, "install", root).CombinedOutput(); err != nil {
		t.Fatalf("maprsim install: %v\n%s", err, out)
	}
	if err := os.MkdirAll(filepath.Join(root, "tmp"), 0o755); err != nil {
		t.Fatal(err)
	}
	return tfMaprNode{root: root, home: filepath.Join(root, "opt", "mapr")}
}

func (n tfMaprNode) conf(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(n.home, "conf", name))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(b)
}

// licenses lists the node's licenses by id, read on the node itself.
func (n tfMaprNode) licenses(t *testing.T) map[string]mapr.License {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	lics, err := mapr.ListLicenses(ctx, mapr.NewLocalExecutor(), mapr.LicenseSpec{MaprcliPath: filepath.Join(n.home, "bin", "maprcli")})
	if err != nil {
		t.Fatalf("maprcli license list: %v", err)
	}
	out := map[string]mapr.License{}
	for _, l := range lics {
		out[l.ID] = l
	}
	return out
}

// tfMaprRun runs one terraform command and returns its output alone.
func tfMaprRun(tf *terraformRun, ok []int, args ...string) (int, string) {
	tf.t.Helper()
	before := tf.logs.Len()
	code, _ := tf.run(ok, args...)
	return code, tf.logs.String()[before:]
}

// tfMaprWrapped matches the fragments in order in terraform's output, which
// wraps diagnostics at any space.
func tfMaprWrapped(fragments ...string) *regexp.Regexp {
	quoted := make([]string, len(fragments))
	for i, f := range fragments {
		quoted[i] = strings.ReplaceAll(regexp.QuoteMeta(f), " ", `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(quoted, ".*"))
}

// TestTerraformMaprBootstrapExample applies examples/terraform/mapr/bootstrap
// with the real terraform CLI and the mapr provider installed from `make
// install-providers`' filesystem mirror, over a real OpenSSH sshd (host key
// checked against known_hosts) to a node simulated by maprsim: bootstrap,
// an empty plan, the license once the cluster id is known, an empty plan,
// a renamed cluster planned with the refusal warning, then destroy, which
// removes the license and leaves the cluster identity alone.
func TestTerraformMaprBootstrapExample(t *testing.T) {
	s := sshd.Start(t)
	n := tfMaprInstallSim(t)
	tf := newTerraformRun(t, copyExample(t, filepath.Join("mapr", "bootstrap")), map[string]string{
		"host": s.Host, "port": fmt.Sprint(s.Port), "user": s.User,
		"private_key_file": s.ClientKey, "known_hosts_file": s.KnownHosts,
		"sudo": "false", "mapr_home": n.home, "upload_dir": filepath.Join(n.root, "tmp"),
		"cluster_name": "e2e.cluster", "cldb_nodes": `["node1"]`, "zk_nodes": `["node1", "node2", "node3"]`,
	})
	tf.run([]int{0}, "init", "-input=false")

	// First apply: the node gets its cluster identity.
	tf.run([]int{0}, "apply", "-auto-approve", "-input=false")
	id := strings.TrimSpace(n.conf(t, "clusterid"))
	if !regexp.MustCompile(`^[1-9][0-9]{18}$`).MatchString(id) {
		t.Fatalf("clusterid after apply = %q, want 19 digits", id)
	}
	if got := n.conf(t, "mapr-clusters.conf"); got != "e2e.cluster secure=false node1:7222\n" {
		t.Errorf("mapr-clusters.conf = %q", got)
	}
	if _, out := tfMaprRun(tf, []int{0}, "output", "-raw", "cluster_id"); !strings.Contains(out, id) {
		t.Errorf("output cluster_id does not show %s:\n%s", id, out)
	}
	if code, _ := tf.run([]int{0, 2}, "plan", "-detailed-exitcode", "-input=false"); code != 0 {
		t.Fatalf("plan after the bootstrap is not empty (exit %d)", code)
	}

	// Second apply, with the license HPE issued for that id.
	license := filepath.Join(t.TempDir(), "license.txt")
	if err := os.WriteFile(license, []byte(simtest.License(id, "e2e license")), 0o600); err != nil {
		t.Fatal(err)
	}
	withLicense := "-var=license_file=" + license
	tf.run([]int{0}, "apply", "-auto-approve", "-input=false", withLicense)
	lics := n.licenses(t)
	var licenseID string
	for lid, l := range lics {
		if l.Description == "e2e license" {
			licenseID = lid
		}
	}
	if licenseID == "" {
		t.Fatalf("the license is not in maprcli license list -json: %v", lics)
	}
	if code, _ := tf.run([]int{0, 2}, "plan", "-detailed-exitcode", "-input=false", withLicense); code != 0 {
		t.Fatalf("plan after installing the license is not empty (exit %d)", code)
	}
	if entries, _ := os.ReadDir(filepath.Join(n.root, "tmp")); len(entries) != 0 {
		t.Errorf("the uploaded license file was left in upload_dir: %v", entries)
	}

	// Renaming the cluster: planned as a replacement, with the warning that
	// the apply will refuse it (not applied here).
	_, out := tfMaprRun(tf, []int{2}, "plan", "-detailed-exitcode", "-input=false", withLicense, "-var=cluster_name=other.cluster")
	if !tfMaprWrapped("must be replaced").MatchString(out) ||
		!tfMaprWrapped("Warning: This replacement of mapr_cluster will be refused", `belongs to cluster "e2e.cluster"`).MatchString(out) {
		t.Errorf("the rename plan does not show the replacement and its refusal warning:\n%s", out)
	}

	// Destroy: the license goes, the cluster identity stays, and terraform says so.
	_, out = tfMaprRun(tf, []int{0}, "destroy", "-auto-approve", "-input=false", withLicense)
	if !tfMaprWrapped("Warning: Destroying mapr_cluster leaves the node as it is").MatchString(out) ||
		!tfMaprWrapped("Warning: mapr_cluster removed from the state only", "Nothing on "+s.Host+" was changed").MatchString(out) {
		t.Errorf("destroy does not warn that the node is left alone:\n%s", out)
	}
	if _, still := n.licenses(t)[licenseID]; still {
		t.Errorf("license %s is still installed after destroy", licenseID)
	}
	if got := strings.TrimSpace(n.conf(t, "clusterid")); got != id {
		t.Errorf("destroy changed clusterid: %s -> %q", id, got)
	}
}

package mapr_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gatewayd-toolkit/gatewayd/mapr"
	"github.com/gatewayd-toolkit/gatewayd/mapr/maprsim/simtest"
)

// The scenarios below run unchanged through the local executor and over a
// real sshd: the operations only ever see the Executor interface.

var clusterIDPattern = regexp.MustCompile(`^[1-9][0-9]{18}$`)

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

func clusterSpec(n *simtest.Node, become mapr.Become) mapr.ClusterSpec {
	return mapr.ClusterSpec{Name: "demo.cluster", CLDBNodes: []string{"node1"}, ZKNodes: []string{"node1", "node2", "node3"},
		ConfDir: n.ConfDir, ConfigureSh: n.ConfigureSh, StopWarden: []string{n.Warden, "stop"}, Become: become}
}

// bootstrap configures the simulated node and returns its cluster id.
func bootstrap(t *testing.T, x mapr.Executor, n *simtest.Node, become mapr.Become) string {
	t.Helper()
	res, err := mapr.EnsureCluster(testContext(t), x, clusterSpec(n, become))
	if err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	return res.After.ID
}

func clusterScenario(t *testing.T, x mapr.Executor, n *simtest.Node, become mapr.Become) {
	ctx := testContext(t)
	spec := clusterSpec(n, become)

	check := spec
	check.CheckMode = true
	res, err := mapr.EnsureCluster(ctx, x, check)
	if err != nil || !res.Changed || res.Before.Present || len(n.CallsMatching(t, "configure.sh")) != 0 {
		t.Fatalf("check mode on a bare node: %+v, %v, calls %q", res, err, n.Calls(t))
	}

	res, err = mapr.EnsureCluster(ctx, x, spec)
	if err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	id := res.After.ID
	if !res.Changed || res.Before.Present || !clusterIDPattern.MatchString(id) {
		t.Fatalf("bootstrap result: %+v", res)
	}
	if got := n.ReadConf(t, "mapr-clusters.conf"); got != "demo.cluster secure=false node1:7222\n" {
		t.Errorf("mapr-clusters.conf = %q", got)
	}
	read, err := mapr.ReadCluster(ctx, x, spec)
	if err != nil || read.ID != id || read.Name != "demo.cluster" || strings.Join(read.ZKNodes, ",") != "node1:5181,node2:5181,node3:5181" {
		t.Fatalf("ReadCluster: %+v %v", read, err)
	}

	res, err = mapr.EnsureCluster(ctx, x, spec)
	if err != nil || res.Changed || res.After.ID != id || len(n.CallsMatching(t, "configure.sh")) != 1 {
		t.Fatalf("second run must change nothing: %+v, %v, configure.sh calls %d", res, err, len(n.CallsMatching(t, "configure.sh")))
	}

	for name, mutate := range map[string]func(*mapr.ClusterSpec){
		"other name":     func(s *mapr.ClusterSpec) { s.Name = "other.cluster" },
		"other CLDB":     func(s *mapr.ClusterSpec) { s.CLDBNodes = []string{"node9"} },
		"reordered ZK":   func(s *mapr.ClusterSpec) { s.ZKNodes = []string{"node3", "node2", "node1"} },
		"secure flipped": func(s *mapr.ClusterSpec) { s.Secure = true },
	} {
		other := spec
		mutate(&other)
		_, err := mapr.EnsureCluster(ctx, x, other)
		var mismatch *mapr.ClusterMismatchError
		if !errors.As(err, &mismatch) || mismatch.Current.ID != id || !strings.Contains(err.Error(), "data") {
			t.Fatalf("%s: want a refusal naming the current cluster, got %v", name, err)
		}
	}
	if got := strings.TrimSpace(n.ReadConf(t, "clusterid")); got != id {
		t.Fatalf("a refused run changed clusterid: %s -> %s", id, got)
	}

	forced := spec
	forced.Name, forced.CLDBNodes, forced.ForceRegenerate = "renamed.cluster", []string{"node1", "node2:7223"}, true
	forced.CheckMode = true
	res, err = mapr.EnsureCluster(ctx, x, forced)
	if err != nil || !res.Changed || len(n.CallsMatching(t, "mapr-warden stop")) != 0 || res.BackupDir != "" {
		t.Fatalf("check mode with force must only predict: %+v, %v", res, err)
	}

	forced.CheckMode = false
	res, err = mapr.EnsureCluster(ctx, x, forced)
	if err != nil {
		t.Fatalf("forced regenerate: %v", err)
	}
	if !res.Changed || res.Before.ID != id || res.After.ID == id || !clusterIDPattern.MatchString(res.After.ID) {
		t.Fatalf("forced regenerate must report old and new ids: before %q after %q", res.Before.ID, res.After.ID)
	}
	if len(n.CallsMatching(t, "mapr-warden stop")) != 1 {
		t.Errorf("warden was not stopped first: %q", n.Calls(t))
	}
	old, err := os.ReadFile(filepath.Join(res.BackupDir, "clusterid"))
	if err != nil || strings.TrimSpace(string(old)) != id {
		t.Fatalf("backup %s lacks the old clusterid: %q %v", res.BackupDir, old, err)
	}
	for _, f := range []string{"mapr-clusters.conf", "warden.conf"} {
		if _, err := os.Stat(filepath.Join(res.BackupDir, f)); err != nil {
			t.Errorf("backup lacks %s: %v", f, err)
		}
	}
	if fi, err := os.Stat(res.BackupDir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("backup dir mode: %v %v", fi, err)
	}
	if got := n.ReadConf(t, "mapr-clusters.conf"); got != "renamed.cluster secure=false node1:7222 node2:7223\n" {
		t.Errorf("mapr-clusters.conf after regenerate = %q", got)
	}
	if !strings.Contains(strings.Join(res.Messages, "\n"), "old id "+id+", new id "+res.After.ID) {
		t.Errorf("messages do not report the ids: %q", res.Messages)
	}
}

func licenseSpec(n *simtest.Node, become mapr.Become, uploadDir string) mapr.LicenseSpec {
	return mapr.LicenseSpec{MaprcliPath: n.Maprcli, UploadDir: uploadDir, Become: become}
}

func uploadDir(t *testing.T, n *simtest.Node) string {
	dir := filepath.Join(n.Root, "tmp")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func assertEmptyDir(t *testing.T, dir, when string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil || len(ents) != 0 {
		t.Errorf("%s: upload dir %s holds %v (%v); the uploaded license must be removed", when, dir, ents, err)
	}
}

func listedIDs(t *testing.T, x mapr.Executor, n *simtest.Node, become mapr.Become) []string {
	t.Helper()
	out, err := x.Run(testContext(t), mapr.Command{Path: n.Maprcli, Args: []string{"license", "list", "-json"},
		Sudo: become.Sudo, SudoUser: become.SudoUser, SudoPath: become.SudoPath})
	if err != nil {
		t.Fatal(err)
	}
	lics, err := mapr.ParseLicenses(out.Stdout)
	if err != nil {
		t.Fatalf("license list -json: %v\n%s", err, out.Stdout)
	}
	var ids []string
	for _, l := range lics {
		ids = append(ids, l.ID)
	}
	return ids
}

func licenseScenario(t *testing.T, x mapr.Executor, n *simtest.Node, become mapr.Become) {
	ctx := testContext(t)
	clusterID := bootstrap(t, x, n, become)
	dir := uploadDir(t, n)
	text := simtest.License(clusterID, "M5 Trial for acctest")
	file := filepath.Join(t.TempDir(), "license.txt")
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	spec := licenseSpec(n, become, dir)
	spec.Path = file

	check := spec
	check.CheckMode = true
	res, err := mapr.EnsureLicense(ctx, x, check)
	if err != nil || !res.Changed || res.Before.Present || len(n.CallsMatching(t, "license add")) != 0 {
		t.Fatalf("check mode: %+v %v", res, err)
	}

	res, err = mapr.EnsureLicense(ctx, x, spec)
	if err != nil {
		t.Fatalf("install: %v", err)
	}
	if !res.Changed || !res.After.Present || res.After.ID == "" || res.After.SHA256 != mapr.LicenseHash(text) {
		t.Fatalf("install result: %+v", res)
	}
	assertEmptyDir(t, dir, "after install")
	if ids := listedIDs(t, x, n, become); !contains(ids, res.After.ID) {
		t.Fatalf("license %s not in license list -json: %q", res.After.ID, ids)
	}
	lics, err := mapr.ListLicenses(ctx, x, spec)
	if err != nil || len(lics) != 2 || mapr.LicenseHash(lics[1].Text) != res.After.SHA256 {
		t.Fatalf("ListLicenses: %+v %v", lics, err)
	}

	// The same license given inline with CRLF line ends is the same license.
	inline := licenseSpec(n, become, dir)
	inline.Content = strings.ReplaceAll(text, "\n", "\r\n")
	again, err := mapr.EnsureLicense(ctx, x, inline)
	if err != nil || again.Changed || again.Before.ID != res.After.ID || len(n.CallsMatching(t, "license add")) != 1 {
		t.Fatalf("second install must change nothing: %+v %v", again, err)
	}

	absent := licenseSpec(n, become, dir)
	absent.Path, absent.State, absent.CheckMode = file, mapr.StateAbsent, true
	pred, err := mapr.EnsureLicense(ctx, x, absent)
	if err != nil || !pred.Changed || len(n.CallsMatching(t, "license remove")) != 0 {
		t.Fatalf("absent in check mode: %+v %v", pred, err)
	}
	absent.CheckMode = false
	gone, err := mapr.EnsureLicense(ctx, x, absent)
	if err != nil || !gone.Changed || gone.Before.ID != res.After.ID || gone.After.Present {
		t.Fatalf("absent: %+v %v", gone, err)
	}
	if ids := listedIDs(t, x, n, become); contains(ids, res.After.ID) {
		t.Fatalf("license still listed after absent: %q", ids)
	}
	gone, err = mapr.EnsureLicense(ctx, x, absent)
	if err != nil || gone.Changed {
		t.Fatalf("absent twice must change nothing: %+v %v", gone, err)
	}

	foreign := licenseSpec(n, become, dir)
	foreign.Content = simtest.License("1234567890123456789", "for another cluster")
	_, err = mapr.EnsureLicense(ctx, x, foreign)
	var me *mapr.MaprcliError
	if !errors.As(err, &me) || !me.Contains("not valid for this cluster") {
		t.Fatalf("maprcli's refusal must be surfaced with its message, got %v", err)
	}
	assertEmptyDir(t, dir, "after a failed add")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

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

	"golang.org/x/crypto/ssh"

	"github.com/gatewayd-toolkit/gatewayd/acctest/ansible"
	"github.com/gatewayd-toolkit/gatewayd/acctest/harness"
	"github.com/gatewayd-toolkit/gatewayd/acctest/sshd"
	"github.com/gatewayd-toolkit/gatewayd/mapr"
	"github.com/gatewayd-toolkit/gatewayd/mapr/maprsim/simtest"
)

// TestAnsibleMapr runs the modules mapr_cluster and mapr_license of the
// collection gatewayd.toolkit with real ansible-playbook against "nodes"
// reached through a real OpenSSH sshd on loopback (strict host-key
// checking everywhere) on which maprsim, the MapR TEST DOUBLE, is installed
// under a temporary root. The collection is assembled once and maprsim
// built once for the parallel subtests; each subtest has its own sshd and
// node.
func TestAnsibleMapr(t *testing.T) {
	ansRequireAnsible(t)
	col, _ := ansible.Collection(t)
	sim := ansMaprBuildSim(t)
	tests := []struct {
		name string
		fn   func(t *testing.T, col, sim string)
	}{
		{"FromTheControllerOverTheModulesOwnSSH", testMaprFromController},
		{"OnTheNodeThroughAnsiblesSSHConnection", testMaprOnNode},
		{"ExamplePlaybookBootstrapsThenLicenses", testMaprExample},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, col, sim)
		})
	}
}

// ansMaprSignature is a line only the license text holds (see
// simtest.License); ansMaprPassphrase protects the controller's SSH key.
// Neither may ever be printed.
const (
	ansMaprSignature  = "QUNDVEVTVC1TSUdOQVRVUkUtTk9ULVJFQUwtc2ltdWxhdGVkLWZvci10ZXN0cw=="
	ansMaprPassphrase = "ans-mapr-key-passphrase-s3cret"
)

var ansMaprClusterID = regexp.MustCompile(`^[1-9][0-9]{18}$`)

// ansMaprBuildSim builds maprsim into a directory of t.
func ansMaprBuildSim(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "maprsim")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./mapr/maprsim")
	build.Dir = harness.RepoRoot(t)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building maprsim: %v\n%s", err, out)
	}
	return bin
}

// ansMaprNode is one simulated MapR node behind its own sshd.
type ansMaprNode struct {
	srv       *sshd.Server
	root      string // maprsim's root; MAPR_HOME is root/opt/mapr
	home      string
	inventory string // group [mapr], host "node", reached through srv
}

func ansMaprStartNode(t *testing.T, sim string) *ansMaprNode {
	t.Helper()
	n := &ansMaprNode{srv: sshd.Start(t), root: t.TempDir()}
	if out, err := exec.Command(sim, "install", n.root).CombinedOutput(); err != nil {
		t.Fatalf("maprsim install: %v\n%s", err, out)
	}
	n.home = filepath.Join(n.root, "opt", "mapr")
	if err := os.MkdirAll(filepath.Join(n.root, "tmp"), 0o700); err != nil {
		t.Fatal(err)
	}
	n.inventory = filepath.Join(t.TempDir(), "hosts.ini")
	ansWriteFile(t, n.inventory, "[mapr]\n"+n.hostLine("node"))
	return n
}

// hostLine is an inventory line reaching the node with Ansible's ssh
// connection, strict host-key checking against the sshd's known_hosts.
func (n *ansMaprNode) hostLine(name string) string {
	s := n.srv
	return fmt.Sprintf("%s ansible_host=%s ansible_port=%d ansible_user=%s ansible_ssh_private_key_file=%s "+
		"ansible_ssh_common_args='-o StrictHostKeyChecking=yes -o UserKnownHostsFile=%s -o IdentitiesOnly=yes'\n",
		name, s.Host, s.Port, s.User, s.ClientKey, s.KnownHosts)
}

func (n *ansMaprNode) conf(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(n.home, "conf", name))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(b)
}

func (n *ansMaprNode) clusterID(t *testing.T) string {
	t.Helper()
	return strings.TrimSpace(n.conf(t, "clusterid"))
}

func (n *ansMaprNode) wardenRunning(t *testing.T) bool {
	t.Helper()
	b, _ := os.ReadFile(filepath.Join(n.home, ".maprsim", "warden"))
	return strings.TrimSpace(string(b)) == "running"
}

func (n *ansMaprNode) backups(t *testing.T) []string {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(n.home, "conf.backup-*"))
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

// licenses lists the cluster's licenses by MapR id with `maprcli license
// list -json`, run over SSH (the mapr library, host key verified).
func (n *ansMaprNode) licenses(t *testing.T) map[string]mapr.License {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	x, err := mapr.DialSSH(ctx, mapr.SSHConfig{Host: n.srv.Host, Port: n.srv.Port, User: n.srv.User,
		PrivateKeyFile: n.srv.ClientKey, KnownHostsFile: n.srv.KnownHosts, KeepAlive: -1})
	if err != nil {
		t.Fatalf("ssh to the node: %v", err)
	}
	defer x.Close()
	lics, err := mapr.ListLicenses(ctx, x, mapr.LicenseSpec{MaprcliPath: filepath.Join(n.home, "bin", "maprcli")})
	if err != nil {
		t.Fatalf("maprcli license list -json: %v", err)
	}
	out := map[string]mapr.License{}
	for _, l := range lics {
		out[l.ID] = l
	}
	return out
}

// ansMaprPlay runs testdata/mapr.yml (or another playbook) against one
// node with fixed variables, and checks no output holds a secret.
type ansMaprPlay struct {
	t        *testing.T
	col      string
	node     *ansMaprNode
	playbook string
	vars     map[string]any
}

func newAnsMaprPlay(t *testing.T, col string, n *ansMaprNode, vars map[string]any) *ansMaprPlay {
	base := map[string]any{"mapr_root": n.root, "license_template": simtest.License("@CLUSTER_ID@", "acceptance license")}
	for k, v := range vars {
		base[k] = v
	}
	return &ansMaprPlay{t: t, col: col, node: n, playbook: ansTestdata(t, "mapr.yml"), vars: base}
}

type ansMaprRun struct {
	vars          map[string]any
	check, diff   bool
	expectFailure bool
	playbook      string
}

func (p *ansMaprPlay) run(r ansMaprRun) *ansible.Result {
	p.t.Helper()
	vars := map[string]any{}
	for k, v := range p.vars {
		vars[k] = v
	}
	for k, v := range r.vars {
		vars[k] = v
	}
	pb := p.playbook
	if r.playbook != "" {
		pb = r.playbook
	}
	res := ansible.Run(p.t, ansible.Options{Collections: p.col, Playbook: pb, Inventory: p.node.inventory,
		Vars: vars, Check: r.check, Diff: r.diff, ExpectFailure: r.expectFailure})
	for _, secret := range []string{ansMaprSignature, "BEGIN SIGNED MESSAGE", ansMaprPassphrase} {
		if strings.Contains(res.Output, secret) {
			p.t.Fatalf("ansible-playbook printed a secret (%q):\n%s", secret, res.Output)
		}
	}
	return res
}

// ansMaprChanged checks the host changed want tasks, failing the test if
// one failed or was unreachable.
func ansMaprChanged(t *testing.T, res *ansible.Result, host string, want int, what string) {
	t.Helper()
	if s := ansRecap(t, res, host); s.Changed != want {
		t.Fatalf("%s: changed=%d, want %d\n%s", what, s.Changed, want, res.Output)
	}
}

func ansMaprString(res map[string]any, key string) string {
	s, _ := res[key].(string)
	return s
}

// ansMaprEncryptedKey creates a passphrase-protected client key and
// authorizes it on the node's sshd.
func ansMaprEncryptedKey(t *testing.T, n *ansMaprNode) string {
	t.Helper()
	key := filepath.Join(t.TempDir(), "controller_key")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", ansMaprPassphrase, "-C", "controller", "-f", key).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	pub, err := os.ReadFile(key + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(filepath.Join(n.srv.Dir, "authorized_keys"), os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(pub); err != nil {
		t.Fatal(err)
	}
	return key
}

// ansMaprWrongKnownHosts is a known_hosts file listing another key for the
// node's address, as after a man-in-the-middle or a rebuilt host.
func ansMaprWrongKnownHosts(t *testing.T, n *ansMaprNode) string {
	t.Helper()
	other := filepath.Join(t.TempDir(), "other_host_key")
	if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other).CombinedOutput(); err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	pub, err := os.ReadFile(other + ".pub")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(pub))
	path := filepath.Join(t.TempDir(), "known_hosts")
	ansWriteFile(t, path, fmt.Sprintf("[%s]:%d %s %s\n", n.srv.Host, n.srv.Port, f[0], f[1]))
	return path
}

func ansMaprFingerprint(t *testing.T, n *ansMaprNode) string {
	t.Helper()
	key, _, _, _, err := ssh.ParseAuthorizedKey([]byte(n.srv.HostPublicKey))
	if err != nil {
		t.Fatal(err)
	}
	return ssh.FingerprintSHA256(key)
}

// testMaprFromController runs the modules on the controller (delegate_to:
// localhost) with host/port/user/an encrypted key and its passphrase/
// known_hosts_file: bootstrap and license (--diff), a second run with no
// change, --check of removing the license (nothing removed), removal, a
// renamed cluster refused with the explanation, --check of a forced
// regeneration (nothing moved), the forced regeneration (backup, old and
// new ids), and host-key checking (changed key refused, insecure opt-out
// warns).
func testMaprFromController(t *testing.T, col, sim string) {
	n := ansMaprStartNode(t, sim)
	key := ansMaprEncryptedKey(t, n)
	play := newAnsMaprPlay(t, col, n, map[string]any{"run_on": "localhost", "mapr_ssh": map[string]any{
		"host": n.srv.Host, "port": n.srv.Port, "user": n.srv.User, "private_key_file": key,
		"private_key_passphrase": ansMaprPassphrase, "known_hosts_file": n.srv.KnownHosts}})

	first := play.run(ansMaprRun{diff: true})
	ansMaprChanged(t, first, "node", 2, "bootstrap and license")
	id := n.clusterID(t)
	cluster := first.Task(t, "Cluster identity")
	if !ansMaprClusterID.MatchString(id) || ansMaprString(cluster.Result, "cluster_id") != id {
		t.Fatalf("clusterid %q, the task returned %v", id, cluster.Result["cluster_id"])
	}
	if where := ansMaprString(cluster.Result, "node"); where != fmt.Sprintf("%s@%s", n.srv.User, n.srv.Addr) {
		t.Fatalf("the module acted on %q, want over SSH to %s", where, n.srv.Addr)
	}
	if f := cluster.DiffFields(); !f["name"] || !f["cldb_nodes"] || !f["present"] {
		t.Fatalf("the cluster diff shows %v\n%s", ansKeys(f), cluster.Text)
	}
	license := first.Task(t, "License")
	licID := ansMaprString(license.Result, "license_id")
	if f := license.DiffFields(); !f["present"] || !f["sha256"] {
		t.Fatalf("the license diff shows %v\n%s", ansKeys(f), license.Text)
	}
	if l, ok := n.licenses(t)[licID]; !ok || l.Description != "acceptance license" {
		t.Fatalf("license %q is not in maprcli license list -json: %v", licID, n.licenses(t))
	}
	if left, _ := os.ReadDir(filepath.Join(n.root, "tmp")); len(left) != 0 {
		t.Fatalf("the uploaded license file was left on the node: %v", left)
	}
	licenseText := simtest.License(id, "acceptance license")
	play.vars["license_text"] = licenseText

	again := play.run(ansMaprRun{})
	ansMaprChanged(t, again, "node", 0, "second run")

	checked := play.run(ansMaprRun{vars: map[string]any{"license_state": "absent"}, check: true, diff: true})
	ansMaprChanged(t, checked, "node", 1, "--check of state=absent")
	if f := checked.Task(t, "License").DiffFields(); !f["present"] {
		t.Fatalf("the --check diff of state=absent shows %v", ansKeys(f))
	}
	if _, ok := n.licenses(t)[licID]; !ok {
		t.Fatal("--check removed the license")
	}

	removed := play.run(ansMaprRun{vars: map[string]any{"license_state": "absent"}})
	ansMaprChanged(t, removed, "node", 1, "state=absent")
	if _, ok := n.licenses(t)[licID]; ok {
		t.Fatal("state=absent left the license installed")
	}

	hostkeys := play.run(ansMaprRun{playbook: ansTestdata(t, "mapr_hostkey.yml"),
		vars: map[string]any{"cluster_name": "acc.cluster", "wrong_known_hosts": ansMaprWrongKnownHosts(t, n)}})
	if s := ansRecap(t, hostkeys, "localhost"); s.Ignored != 1 || s.Changed != 0 {
		t.Fatalf("host keys: %s ignored=%d\n%s", s, s.Ignored, hostkeys.Output)
	}
	refused := hostkeys.Task(t, "Changed host key")
	if msg := ansMaprString(refused.Result, "msg"); refused.Status != "fatal" || !strings.Contains(msg, "has CHANGED") ||
		!strings.Contains(msg, ansMaprFingerprint(t, n)) {
		t.Fatalf("a changed host key must fail the task naming the fingerprint:\n%s", refused.Text)
	}
	if flat := strings.Join(strings.Fields(hostkeys.Output), " "); !strings.Contains(flat, "[WARNING]: SSH HOST KEY VERIFICATION IS DISABLED") {
		t.Fatalf("insecure_ignore_host_key did not warn:\n%s", hostkeys.Output)
	}

	renamed := map[string]any{"cluster_name": "renamed.cluster", "license_state": "skip"}
	mismatch := play.run(ansMaprRun{vars: renamed, expectFailure: true})
	if s := mismatch.Recap["node"]; s.Failed != 1 {
		t.Fatalf("a renamed cluster must fail: %s\n%s", s, mismatch.Output)
	}
	msg := ansMaprString(mismatch.Task(t, "Cluster identity").Result, "msg")
	for _, want := range []string{`already configured for cluster "acc.cluster" (id ` + id + ")", `want "renamed.cluster"`,
		"Nothing was changed", "force_regenerate"} {
		if !strings.Contains(msg, want) {
			t.Fatalf("the refusal lacks %q: %s", want, msg)
		}
	}
	if n.clusterID(t) != id || !strings.HasPrefix(n.conf(t, "mapr-clusters.conf"), "acc.cluster ") {
		t.Fatal("a refused run changed the node")
	}

	renamed["force_regenerate"] = true
	predicted := play.run(ansMaprRun{vars: renamed, check: true, diff: true})
	ansMaprChanged(t, predicted, "node", 1, "--check of force_regenerate")
	if r := predicted.Task(t, "Cluster identity").Result; r["regenerated"] != true || r["old_cluster_id"] != id {
		t.Fatalf("--check of force_regenerate: %v", r)
	}
	if n.clusterID(t) != id || !n.wardenRunning(t) || len(n.backups(t)) != 0 {
		t.Fatal("--check of force_regenerate changed the node")
	}

	regenerated := play.run(ansMaprRun{vars: renamed})
	ansMaprChanged(t, regenerated, "node", 1, "force_regenerate")
	r := regenerated.Task(t, "Cluster identity").Result
	newID, backup := ansMaprString(r, "cluster_id"), ansMaprString(r, "backup_dir")
	if r["old_cluster_id"] != id || !ansMaprClusterID.MatchString(newID) || newID == id || n.clusterID(t) != newID {
		t.Fatalf("force_regenerate returned %v (old id %s, node now %s)", r, id, n.clusterID(t))
	}
	kept, err := os.ReadFile(filepath.Join(backup, "clusterid"))
	if err != nil || strings.TrimSpace(string(kept)) != id {
		t.Fatalf("the backup %s lacks the old clusterid: %q %v", backup, kept, err)
	}
}

// testMaprOnNode runs the modules on the node, brought there by Ansible's
// own SSH connection (no host option: the modules act where they run):
// bootstrap and license (--diff), a second run with no change, a license
// for another cluster refused with maprcli's message, then a --check and a
// real run of removing the license while regenerating the cluster under a
// new name.
func testMaprOnNode(t *testing.T, col, sim string) {
	n := ansMaprStartNode(t, sim)
	play := newAnsMaprPlay(t, col, n, nil)

	first := play.run(ansMaprRun{diff: true})
	ansMaprChanged(t, first, "node", 2, "bootstrap and license")
	id := n.clusterID(t)
	cluster := first.Task(t, "Cluster identity")
	if !ansMaprClusterID.MatchString(id) || ansMaprString(cluster.Result, "cluster_id") != id || cluster.Result["node"] != "local" {
		t.Fatalf("clusterid %q; the task returned %v", id, cluster.Result)
	}
	if f := cluster.DiffFields(); !f["name"] || !f["present"] {
		t.Fatalf("the cluster diff shows %v\n%s", ansKeys(f), cluster.Text)
	}
	if !strings.Contains(n.srv.Log(), "Accepted publickey for "+n.srv.User) {
		t.Fatalf("Ansible did not reach the node through sshd:\n%s", n.srv.Log())
	}
	licID := ansMaprString(first.Task(t, "License").Result, "license_id")
	if _, ok := n.licenses(t)[licID]; !ok || licID == "" {
		t.Fatalf("license %q is not listed", licID)
	}
	play.vars["license_text"] = simtest.License(id, "acceptance license")

	again := play.run(ansMaprRun{})
	ansMaprChanged(t, again, "node", 0, "second run")

	// A license issued for another cluster id: maprcli refuses it, and its
	// message is the task's msg.
	wrong := play.run(ansMaprRun{vars: map[string]any{"license_text": simtest.License("1111111111111111111", "wrong cluster")},
		expectFailure: true})
	if s := wrong.Recap["node"]; s.Failed != 1 || s.Changed != 0 {
		t.Fatalf("a license for another cluster must fail: %s\n%s", s, wrong.Output)
	}
	if msg := ansMaprString(wrong.Task(t, "License").Result, "msg"); !strings.Contains(msg, "maprcli") ||
		!strings.Contains(msg, "License is not valid for this cluster: issued for cluster id 1111111111111111111, this cluster is "+id) {
		t.Fatalf("maprcli's message is not the task's msg: %q", msg)
	}

	change := map[string]any{"license_state": "absent", "cluster_name": "renamed.cluster", "force_regenerate": true}
	predicted := play.run(ansMaprRun{vars: change, check: true, diff: true})
	ansMaprChanged(t, predicted, "node", 2, "--check of license removal and forced regeneration")
	if _, ok := n.licenses(t)[licID]; !ok || n.clusterID(t) != id || len(n.backups(t)) != 0 {
		t.Fatal("--check changed the node")
	}

	done := play.run(ansMaprRun{vars: change})
	ansMaprChanged(t, done, "node", 2, "license removal and forced regeneration")
	r := done.Task(t, "Cluster identity").Result
	if r["old_cluster_id"] != id || n.clusterID(t) == id || ansMaprString(r, "cluster_id") != n.clusterID(t) {
		t.Fatalf("force_regenerate returned %v (old id %s, node now %s)", r, id, n.clusterID(t))
	}
	if len(n.backups(t)) != 1 {
		t.Fatalf("backups: %v", n.backups(t))
	}
	if _, ok := n.licenses(t)[licID]; ok {
		t.Fatal("the license is still installed")
	}
}

// testMaprExample runs examples/mapr/ansible/site.yml as its README says,
// against a node reached through sshd: the first run gives the node its
// cluster identity and prints the id; with a license file for that id the
// second run installs it; the third changes nothing.
func testMaprExample(t *testing.T, col, sim string) {
	n := ansMaprStartNode(t, sim)
	dir := filepath.Join(harness.RepoRoot(t), "examples", "mapr", "ansible")
	inventory := filepath.Join(t.TempDir(), "hosts.ini")
	ansWriteFile(t, inventory, "[mapr_nodes]\n"+n.hostLine("node1"))
	vars := map[string]any{"mapr_become": false, "mapr_home": n.home, "mapr_upload_dir": filepath.Join(n.root, "tmp")}
	run := func(what string, wantChanged int) *ansible.Result {
		t.Helper()
		res := ansible.Run(t, ansible.Options{Collections: col, Playbook: filepath.Join(dir, "site.yml"), Inventory: inventory, Vars: vars})
		if strings.Contains(res.Output, ansMaprSignature) {
			t.Fatalf("%s printed the license:\n%s", what, res.Output)
		}
		ansMaprChanged(t, res, "node1", wantChanged, what)
		return res
	}

	first := run("bootstrap", 1)
	id := n.clusterID(t)
	if !ansMaprClusterID.MatchString(id) || !strings.Contains(first.Output, "cluster id "+id) {
		t.Fatalf("the first run must print the new cluster id %q:\n%s", id, first.Output)
	}
	licenseFile := filepath.Join(t.TempDir(), "mapr-license.txt")
	ansWriteFile(t, licenseFile, simtest.License(id, "example license"))
	vars["mapr_license_file"] = licenseFile
	run("license", 1)
	found := false
	for _, l := range n.licenses(t) {
		found = found || l.Description == "example license"
	}
	if !found {
		t.Fatal("the example's license is not in maprcli license list -json")
	}
	run("third run", 0)
}

package mapr

import (
	"crypto/ed25519"
	"crypto/rand"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/gatewayd-toolkit/gatewayd/mapr/maprsim/simtest"
)

var clusterIDRE = regexp.MustCompile(`^[1-9][0-9]{18}$`)

// clusterConfig is a mapr_cluster on the test node.
func clusterConfig(n *simtest.Node, body string) string {
	return providerConfig(n, "") + `
resource "mapr_cluster" "test" {
` + body + `
}`
}

const demoCluster = `  cluster_name = "demo.cluster"
  cldb_nodes   = ["node1"]
  zk_nodes     = ["node1", "node2", "node3"]`

func configureShRuns(t *testing.T, n *simtest.Node) int {
	return len(n.CallsMatching(t, "configure.sh"))
}

// checkNode checks the node's files and how often configure.sh ran.
func checkNode(t *testing.T, n *simtest.Node, clustersConf string, configureRuns int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if got := n.ReadConf(t, "mapr-clusters.conf"); got != clustersConf {
			return fmt.Errorf("mapr-clusters.conf = %q, want %q", got, clustersConf)
		}
		if got := configureShRuns(t, n); got != configureRuns {
			return fmt.Errorf("configure.sh ran %d times, want %d", got, configureRuns)
		}
		return nil
	}
}

func TestAccTerraformMaprCluster(t *testing.T) {
	n := testNode(t)
	const addr = "mapr_cluster.test"
	bootstrap := clusterConfig(n, demoCluster)
	renamed := `  cluster_name = "renamed.cluster"
  cldb_nodes   = ["node1"]
  zk_nodes     = ["node1", "node2", "node3"]`
	var firstID, secondID, backupDir string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			// Destroy forgets; it never wipes the node's identity.
			if got := strings.TrimSpace(n.ReadConf(t, "clusterid")); got != secondID {
				return fmt.Errorf("after destroy clusterid = %q, want it untouched (%s)", got, secondID)
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				// Plan-time validation with the library's rules.
				Config:      clusterConfig(n, demoCluster+"\n  genkeys = true"),
				ExpectError: wrappedRE(`genkeys requires secure`),
			},
			{
				Config: bootstrap,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("cluster_id"), knownvalue.StringRegexp(clusterIDRE)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("id"), knownvalue.StringExact(testSSHD.Host)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("backup_dir"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("force_regenerate"), knownvalue.Bool(false)),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					captureAttr(addr, "cluster_id", &firstID),
					checkNode(t, n, "demo.cluster secure=false node1:7222\n", 1),
					func(s *terraform.State) error {
						if got := strings.TrimSpace(n.ReadConf(t, "clusterid")); got != firstID {
							return fmt.Errorf("cluster_id %s, the node's clusterid %s", firstID, got)
						}
						return nil
					},
				),
			},
			{
				// Applied twice: nothing to do.
				Config: bootstrap,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: checkNode(t, n, "demo.cluster secure=false node1:7222\n", 1),
			},
			{
				// An existing cluster imported by host.
				ResourceName:      addr,
				ImportState:       true,
				ImportStateId:     testSSHD.Host,
				ImportStateVerify: true,
			},
			{
				// The same nodes written differently (CLDB order, default ports)
				// are the same cluster: an in-place update, configure.sh does not run.
				Config: clusterConfig(n, `  cluster_name = "demo.cluster"
  cldb_nodes   = ["node1:7222"]
  zk_nodes     = ["node1:5181", "node2", "node3"]`),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("cluster_id"), knownvalue.StringFunc(sameAs(&firstID))),
				},
				Check: checkNode(t, n, "demo.cluster secure=false node1:7222\n", 1),
			},
			{
				// Another name: a replacement is planned, and the apply is refused
				// with the library's explanation. Nothing on the node changes.
				Config: clusterConfig(n, renamed),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				ExpectError: wrappedRE(`already belongs to cluster "demo.cluster"`,
					`already configured for cluster "demo.cluster"`, `name "demo.cluster", want "renamed.cluster"`,
					`Nothing was changed`, `set force_regenerate`),
			},
			{
				// The refusal left the node alone. With force_regenerate the
				// identity is regenerated: a new id, the old files in a backup.
				PreConfig: func() {
					if got := strings.TrimSpace(n.ReadConf(t, "clusterid")); got != firstID {
						t.Errorf("the refused apply changed clusterid: %s -> %s", firstID, got)
					}
					if got := configureShRuns(t, n); got != 1 {
						t.Errorf("the refused apply ran configure.sh (%d runs)", got)
					}
					if n.ReadConf(t, "mapr-clusters.conf") != "demo.cluster secure=false node1:7222\n" {
						t.Errorf("the refused apply changed mapr-clusters.conf: %q", n.ReadConf(t, "mapr-clusters.conf"))
					}
				},
				Config: clusterConfig(n, renamed+"\n  force_regenerate = true"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("cluster_id"), knownvalue.StringRegexp(clusterIDRE)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("backup_dir"), knownvalue.NotNull()),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					captureAttr(addr, "cluster_id", &secondID),
					captureAttr(addr, "backup_dir", &backupDir),
					checkNode(t, n, "renamed.cluster secure=false node1:7222\n", 2),
					func(*terraform.State) error {
						if secondID == firstID {
							return fmt.Errorf("the forced regeneration kept the id %s", firstID)
						}
						if !strings.HasPrefix(backupDir, n.ConfDir+".backup-") {
							return fmt.Errorf("backup_dir %s is not beside %s", backupDir, n.ConfDir)
						}
						old, err := os.ReadFile(filepath.Join(backupDir, "clusterid"))
						if err != nil || strings.TrimSpace(string(old)) != firstID {
							return fmt.Errorf("the backup lacks the old clusterid %s: %q %v", firstID, old, err)
						}
						if n.WardenRunning(t) != true || len(n.CallsMatching(t, "mapr-warden stop")) != 1 {
							return fmt.Errorf("warden was not stopped once before regenerating: %q", n.Calls(t))
						}
						return nil
					},
				),
			},
			{
				Config: clusterConfig(n, renamed+"\n  force_regenerate = true"),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				// force_regenerate removed again, as the documentation asks: an
				// in-place update that touches nothing on the node.
				Config: clusterConfig(n, renamed),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("cluster_id"), knownvalue.StringFunc(sameAs(&secondID))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("backup_dir"), knownvalue.StringFunc(sameAs(&backupDir))),
				},
				Check: checkNode(t, n, "renamed.cluster secure=false node1:7222\n", 2),
			},
		},
	})
}

func TestAccTerraformMaprClusterDriftAndDisappearance(t *testing.T) {
	n := testNode(t)
	const addr = "mapr_cluster.test"
	cfg := clusterConfig(n, demoCluster)
	var firstID string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: cfg,
				Check:  captureAttr(addr, "cluster_id", &firstID),
			},
			{
				// Someone reconfigured the node by hand: the refresh shows it,
				// the plan replaces, and the apply refuses to regenerate.
				PreConfig: func() {
					if err := os.WriteFile(filepath.Join(n.ConfDir, "mapr-clusters.conf"),
						[]byte("handmade.cluster secure=false node9:7222\n"), 0o644); err != nil {
						t.Fatal(err)
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				ExpectError: wrappedRE(`already belongs to cluster "handmade.cluster"`, `name "handmade.cluster", want "demo.cluster"`),
			},
			{
				// Its cluster files gone: the plan configures the node again.
				PreConfig: func() {
					for _, f := range []string{"clusterid", "mapr-clusters.conf", "warden.conf"} {
						if err := os.Remove(filepath.Join(n.ConfDir, f)); err != nil {
							t.Fatal(err)
						}
					}
				},
				Config: cfg,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("cluster_id"), knownvalue.StringRegexp(clusterIDRE)),
				},
				Check: checkNode(t, n, "demo.cluster secure=false node1:7222\n", 2),
			},
		},
	})
}

func TestAccTerraformMaprClusterNoAutostartLeavesTheIDPending(t *testing.T) {
	n := testNode(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: clusterConfig(n, demoCluster+`
  no_autostart = true
  extra_args   = ["-u", "mapr", "-g", "mapr"]`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("mapr_cluster.test", tfjsonpath.New("cluster_id"), knownvalue.Null()),
			},
			Check: func(*terraform.State) error {
				calls := n.CallsMatching(t, "configure.sh")
				if len(calls) != 1 || !strings.Contains(strings.Join(calls[0], " "), "-no-autostart -u mapr -g mapr") {
					return fmt.Errorf("configure.sh calls: %q", calls)
				}
				return nil
			},
		}},
	})
}

// wrappedRE matches the fragments in order in Terraform's output, which
// wraps long diagnostics at any space.
func wrappedRE(fragments ...string) *regexp.Regexp {
	quoted := make([]string, len(fragments))
	for i, f := range fragments {
		quoted[i] = strings.ReplaceAll(regexp.QuoteMeta(f), " ", `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(quoted, ".*"))
}

// otherKnownHosts writes a known_hosts file that lists another key for
// the shared sshd's address.
func otherKnownHosts(t *testing.T) string {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	key, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "known_hosts")
	line := knownhosts.Line([]string{net.JoinHostPort(testSSHD.Host, fmt.Sprint(testSSHD.Port))}, key)
	if err := os.WriteFile(p, []byte(line+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func serverFingerprint(t *testing.T) string {
	key, _, _, _, err := ssh.ParseAuthorizedKey([]byte(testSSHD.HostPublicKey))
	if err != nil {
		t.Fatal(err)
	}
	return ssh.FingerprintSHA256(key)
}

func TestAccTerraformMaprHostKeyMismatchIsRefused(t *testing.T) {
	n := testNode(t)
	hostPort := fmt.Sprintf("[%s]:%d", testSSHD.Host, testSSHD.Port)
	fp := serverFingerprint(t)
	withKnownHosts := func(file string) string {
		cfg := clusterConfig(n, demoCluster)
		return strings.Replace(cfg, fmt.Sprintf("known_hosts_file    = %q", testSSHD.KnownHosts),
			fmt.Sprintf("known_hosts_file    = %q", file), 1)
	}
	empty := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// known_hosts lists another key for the node: a possible
				// man-in-the-middle. The error names the host and the
				// fingerprint the server presented.
				Config:      withKnownHosts(otherKnownHosts(t)),
				ExpectError: wrappedRE("SSH host key of "+hostPort+" has CHANGED: ssh-ed25519 "+fp+" refused", "man-in-the-middle"),
			},
			{
				Config:      withKnownHosts(empty),
				ExpectError: wrappedRE("SSH host key of "+hostPort+" is unknown: ssh-ed25519 "+fp+" refused", "ssh-keyscan"),
			},
		},
	})
	if calls := n.Calls(t); len(calls) != 0 {
		t.Errorf("a refused host key must stop everything, but the node ran %q", calls)
	}
}

package mapr

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/gatewayd-toolkit/gatewayd/acctest/harness"
	"github.com/gatewayd-toolkit/gatewayd/mapr/maprsim/simtest"
)

var variableRE = regexp.MustCompile(`(?m)^variable "([a-z0-9_]+)"`)

// TestAccTerraformMaprExamples applies every resource example the
// documentation shows (examples/terraform/mapr/resources/*/resource.tf),
// each against its own simulated node behind the shared sshd, checks the
// plan after apply is empty, and destroys it, so no published example can
// rot. (examples/terraform/mapr/bootstrap runs with the real CLI in
// acctest/terraform_mapr_test.go.)
func TestAccTerraformMaprExamples(t *testing.T) {
	skipWithoutAcc(t)
	root := filepath.Join(harness.RepoRoot(t), "examples", "terraform", "mapr")
	files, _ := filepath.Glob(filepath.Join(root, "resources", "*", "resource.tf"))
	sort.Strings(files)
	if len(files) != 2 {
		t.Fatalf("found %d examples, want one per resource (2)", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Base(filepath.Dir(f)), func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			n := testNode(t)
			vars := config.Variables{}
			for _, m := range variableRE.FindAllStringSubmatch(string(src), -1) {
				switch m[1] {
				case "license_file":
					// A license for the node's cluster, as HPE would issue it.
					lic := filepath.Join(t.TempDir(), "license.txt")
					if err := os.WriteFile(lic, []byte(simtest.License(bootstrapLocally(t, n), "example")), 0o600); err != nil {
						t.Fatal(err)
					}
					vars[m[1]] = config.StringVariable(lic)
				default:
					t.Fatalf("%s declares variable %s, which the test has no value for", f, m[1])
				}
			}
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:          providerConfig(n, "") + string(src),
					ConfigVariables: vars,
				}},
			})
		})
	}
}

package mapr

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	maprlib "github.com/gatewayd-toolkit/gatewayd/mapr"
	"github.com/gatewayd-toolkit/gatewayd/mapr/maprsim/simtest"
)

// licenseConfig is a mapr_license whose text comes from the variable
// "license" (or "license_file"), as real configurations keep it out of
// the .tf files.
func licenseConfig(n *simtest.Node, body string) string {
	return providerConfig(n, "") + `
variable "license" {
  type      = string
  sensitive = true
  default   = null
}
variable "license_file" {
  type    = string
  default = null
}
resource "mapr_license" "test" {
` + body + `
}`
}

// checkLicenseListed checks the node's own license list holds the
// license of the state (and nothing else than the base license).
func checkLicenseListed(t *testing.T, n *simtest.Node, addr string, text string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		id, err := stateAttr(s, addr, "license_id")
		if err != nil {
			return err
		}
		lics := installedLicenses(t, n)
		l, ok := lics[id]
		if !ok {
			return fmt.Errorf("license %s is not in maprcli license list -json: %v", id, lics)
		}
		if maprlib.LicenseHash(l.Text) != maprlib.LicenseHash(text) {
			return fmt.Errorf("license %s holds another text", id)
		}
		if len(lics) != 2 {
			return fmt.Errorf("want the base license and this one, the node lists %d", len(lics))
		}
		return nil
	}
}

func licenseAdds(t *testing.T, n *simtest.Node) int { return len(n.CallsMatching(t, "license add")) }

func TestAccTerraformMaprLicense(t *testing.T) {
	n := testNode(t)
	clusterID := bootstrapLocally(t, n)
	text := simtest.License(clusterID, "M5 Trial for terraform")
	other := simtest.License(clusterID, "M7 for terraform")
	third := simtest.License(clusterID, "M7 renewed")
	file := filepath.Join(t.TempDir(), "license.txt")
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	const addr = "mapr_license.test"
	inline := licenseConfig(n, "  license = var.license")
	cbd := licenseConfig(n, "  license = var.license\n  lifecycle {\n    create_before_destroy = true\n  }")
	var firstID, secondID, thirdID string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			if lics := installedLicenses(t, n); len(lics) != 1 {
				return fmt.Errorf("after destroy the node still lists %d licenses, want only the base license", len(lics))
			}
			return nil
		},
		Steps: []resource.TestStep{
			{
				// maprcli's own refusal, surfaced with its message; nothing is left behind.
				Config:          inline,
				ConfigVariables: config.Variables{"license": config.StringVariable(simtest.License("1234567890123456789", "foreign"))},
				ExpectError:     wrappedRE(`Could not install the license`, `License is not valid for this cluster`),
			},
			{
				Config:          inline,
				ConfigVariables: config.Variables{"license": config.StringVariable(text)},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("hash"), knownvalue.StringExact(maprlib.LicenseHash(text))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("description"), knownvalue.StringExact("M5 Trial for terraform")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("deletable"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("grace"), knownvalue.Bool(false)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("host"), knownvalue.StringExact(testSSHD.Host)),
					statecheck.ExpectSensitiveValue(addr, tfjsonpath.New("license")),
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					captureAttr(addr, "license_id", &firstID),
					checkLicenseListed(t, n, addr, text),
					func(s *terraform.State) error {
						id, _ := stateAttr(s, addr, "id")
						if want := testSSHD.Host + ":" + firstID; id != want {
							return fmt.Errorf("id = %q, want %q (the import id)", id, want)
						}
						return nil
					},
				),
			},
			{
				// Nothing changed: the plan is empty, and no second maprcli license add ran.
				Config:          inline,
				ConfigVariables: config.Variables{"license": config.StringVariable(text)},
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
				Check: func(*terraform.State) error {
					if got := licenseAdds(t, n); got != 2 { // the refused foreign license, then ours
						return fmt.Errorf("maprcli license add ran %d times, want 2", got)
					}
					return nil
				},
			},
			{
				ResourceName:      addr,
				ImportState:       true,
				ImportStateIdFunc: func(s *terraform.State) (string, error) { return testSSHD.Host + ":" + firstID, nil },
				ImportStateVerify: true,
			},
			{
				// The same license with CRLF line ends is the same license:
				// an in-place update of the state only.
				Config:          licenseConfig(n, `  license = replace(var.license, "\n", "\r\n")`),
				ConfigVariables: config.Variables{"license": config.StringVariable(text)},
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("license_id"), knownvalue.StringFunc(sameAs(&firstID))),
				},
				Check: func(*terraform.State) error {
					if got := licenseAdds(t, n); got != 2 {
						return fmt.Errorf("maprcli license add ran %d times, want 2", got)
					}
					return nil
				},
			},
			{
				// license_file with the same content: in place too.
				Config:          licenseConfig(n, "  license_file = var.license_file"),
				ConfigVariables: config.Variables{"license_file": config.StringVariable(file)},
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("license_id"), knownvalue.StringFunc(sameAs(&firstID))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("license"), knownvalue.Null()),
				},
			},
			{
				// The write-only variant with the same text: in place, and the
				// text leaves the state.
				Config:          licenseConfig(n, "  license_wo = var.license"),
				ConfigVariables: config.Variables{"license": config.StringVariable(text)},
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)},
				},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("license_id"), knownvalue.StringFunc(sameAs(&firstID))),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("license"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("license_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("license_file"), knownvalue.Null()),
				},
			},
			{
				// Another license text (write-only here) replaces: the old
				// license is removed, the new one added.
				Config:          licenseConfig(n, "  license_wo = var.license"),
				ConfigVariables: config.Variables{"license": config.StringVariable(other)},
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					captureAttr(addr, "license_id", &secondID),
					checkLicenseListed(t, n, addr, other),
					func(*terraform.State) error {
						if _, still := installedLicenses(t, n)[firstID]; still || secondID == firstID {
							return fmt.Errorf("the replaced license %s is still installed", firstID)
						}
						return nil
					},
				),
			},
			{
				// With create_before_destroy the new license is added before the
				// old one goes.
				Config:          cbd,
				ConfigVariables: config.Variables{"license": config.StringVariable(third)},
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreateBeforeDestroy)},
				},
				Check: resource.ComposeAggregateTestCheckFunc(
					captureAttr(addr, "license_id", &thirdID),
					checkLicenseListed(t, n, addr, third),
				),
			},
			{
				// Removed outside Terraform: the refresh notices, the plan adds it again.
				PreConfig: func() {
					spec := localLicenseSpec(n)
					spec.State, spec.ID = maprlib.StateAbsent, thirdID
					if _, err := maprlib.EnsureLicense(testContext(t), maprlib.NewLocalExecutor(), spec); err != nil {
						t.Fatalf("removing the license out of band: %v", err)
					}
				},
				Config:          cbd,
				ConfigVariables: config.Variables{"license": config.StringVariable(third)},
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)},
				},
				Check: checkLicenseListed(t, n, addr, third),
			},
		},
	})
}

// sameAs checks a value equals one captured in an earlier step.
func sameAs(want *string) func(string) error {
	return func(got string) error {
		if got != *want {
			return fmt.Errorf("got %q, want %q", got, *want)
		}
		return nil
	}
}

func TestAccTerraformMaprLicenseAdoptsAnInstalledLicense(t *testing.T) {
	n := testNode(t)
	clusterID := bootstrapLocally(t, n)
	text := simtest.License(clusterID, "installed by hand")
	spec := localLicenseSpec(n)
	spec.Content = text
	if _, err := maprlib.EnsureLicense(testContext(t), maprlib.NewLocalExecutor(), spec); err != nil {
		t.Fatal(err)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			// Created over a license that is already there: adopted, not added twice
			// (MapR would refuse the duplicate).
			Config:          licenseConfig(n, "  license = var.license"),
			ConfigVariables: config.Variables{"license": config.StringVariable(text)},
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("mapr_license.test", tfjsonpath.New("description"), knownvalue.StringExact("installed by hand")),
			},
			Check: func(*terraform.State) error {
				if got := licenseAdds(t, n); got != 1 {
					return fmt.Errorf("maprcli license add ran %d times, want only the out-of-band one", got)
				}
				return nil
			},
		}},
	})
}

func TestAccTerraformMaprLicenseImportIDIsValidated(t *testing.T) {
	n := testNode(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config:        licenseConfig(n, "  license = \"x\""),
			ResourceName:  "mapr_license.test",
			ImportState:   true,
			ImportStateId: "no-colon-here",
			ExpectError:   wrappedRE(`expected <host>:<license_id>`),
		}},
	})
}

package gatewayd

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func testAccTargetConfig(name, upstream, target string) string {
	return fmt.Sprintf(`
resource "gatewayd_upstream" "a" {
  name = "%[1]s-a"
}
resource "gatewayd_upstream" "b" {
  name = "%[1]s-b"
}
resource "gatewayd_target" "test" {
  upstream_id = gatewayd_upstream.%[2]s.id
%[3]s
}`, name, upstream, target)
}

func TestAccTarget(t *testing.T) {
	name := randName("target")
	addr := "gatewayd_target.test"
	var apiPath string
	pathOf := nestedPath("upstream_id", "upstreams", "targets")
	// Written without a port: the gateway stores example.com:8000, which
	// is the same address, so the plan after apply stays empty.
	v1 := testAccTargetConfig(name, "a", `  target = "example.com"`)
	v2 := testAccTargetConfig(name, "a", `  target = "10.1.2.3:8080"
  weight = 10
  tags   = ["blue"]`)
	v3 := testAccTargetConfig(name, "b", `  target = "10.1.2.3:8080"
  weight = 10
  tags   = ["blue"]`)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed("gatewayd_target", pathOf),
		Steps: []resource.TestStep{
			{
				Config: v1,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("target"), knownvalue.StringExact("example.com")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("weight"), knownvalue.Int64Exact(100)),
				},
			},
			// Targets are unique only within their upstream: <upstream>/<target>.
			importStep(addr, importID(addr, "upstream_id", "id"), "target"),
			importStep(addr, func(s *terraform.State) (string, error) { return name + "-a/example.com:8000", nil }, "target"),
			{
				Config:           v2,
				ConfigPlanChecks: expectUpdateInPlace(addr),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("weight"), knownvalue.Int64Exact(10)),
				},
				Check: capturePath(addr, &apiPath, pathOf),
			},
			{
				// Another upstream: the Admin API can not move a target.
				Config: v3,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate)},
				},
				Check: capturePath(addr, &apiPath, pathOf),
			},
			disappearsStep(v3, addr, &apiPath),
		},
	})
}

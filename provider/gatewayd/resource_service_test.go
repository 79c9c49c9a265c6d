package gatewayd

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func testAccServiceConfig(name, extra string) string {
	return fmt.Sprintf(`
resource "gatewayd_service" "test" {
  name = %q
  host = "example.com"
%s
}`, name, extra)
}

func TestAccService(t *testing.T) {
	name := randName("svc")
	addr := "gatewayd_service.test"
	var apiPath string
	v1 := testAccServiceConfig(name, `  tags = ["team-a"]`)
	v2 := testAccServiceConfig(name, `
  protocol        = "https"
  port            = 8443
  path            = "/v2"
  retries         = 2
  connect_timeout = 5000
  tls_verify      = true
  tags            = ["team-a", "team-b"]`)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed("gatewayd_service", topLevelPath("services")),
		Steps: []resource.TestStep{
			{
				Config: v1,
				ConfigStateChecks: []statecheck.StateCheck{
					// Server defaults are planned, so the plan after apply is empty.
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("protocol"), knownvalue.StringExact("http")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("port"), knownvalue.Int64Exact(80)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("retries"), knownvalue.Int64Exact(5)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("read_timeout"), knownvalue.Int64Exact(60000)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("enabled"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("path"), knownvalue.Null()),
				},
				Check: capturePath(addr, &apiPath, topLevelPath("services")),
			},
			importStep(addr, importID(addr, "id")),
			importStep(addr, importID(addr, "name")),
			{
				Config:           v2,
				ConfigPlanChecks: expectUpdateInPlace(addr),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("protocol"), knownvalue.StringExact("https")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("port"), knownvalue.Int64Exact(8443)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("tags"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("team-a"), knownvalue.StringExact("team-b")})),
				},
			},
			{
				// Back to v1: removed attributes return to the server defaults.
				Config:           v1,
				ConfigPlanChecks: expectUpdateInPlace(addr),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("protocol"), knownvalue.StringExact("http")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("path"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("tls_verify"), knownvalue.Null()),
				},
			},
			disappearsStep(v1, addr, &apiPath),
		},
	})
}

func TestAccServiceErrorsNameTheAttribute(t *testing.T) {
	name := randName("svcerr")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed("gatewayd_service", topLevelPath("services")),
		Steps: []resource.TestStep{
			{
				// A 400 from the gateway: the diagnostic points at path and
				// carries the gateway's message.
				Config:      testAccServiceConfig(name, `  protocol = "tcp"`+"\n"+`  path = "/not-for-tcp"`),
				ExpectError: regexp.MustCompile(`(?s)with gatewayd_service.test,.*path: value must be null`),
			},
			{
				Config: testAccServiceConfig(name, "") + fmt.Sprintf(`
resource "gatewayd_service" "dup" {
  name       = %q
  host       = "example.org"
  depends_on = [gatewayd_service.test]
}`, name),
				// A 409: the diagnostic names the attribute and says how to import.
				ExpectError: regexp.MustCompile(`(?s)with gatewayd_service.dup,.*already exists.*terraform import gatewayd_service`),
			},
			{
				Config: testAccServiceConfig(name, ""),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
		},
	})
}

func TestAccServiceImportBlock(t *testing.T) {
	name := randName("svcimp")
	addr := "gatewayd_service.test"
	config := testAccServiceConfig(name, `  retries = 1`)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed("gatewayd_service", topLevelPath("services")),
		Steps: []resource.TestStep{
			{Config: config},
			{
				// An import block by name (terraform plan -generate-config-out
				// and `import {}` users): planned as a pure import, no change.
				ResourceName:    addr,
				Config:          config,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   name,
			},
		},
	})
}

package gatewayd

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccUpstream(t *testing.T) {
	name := randName("upstream")
	addr := "gatewayd_upstream.test"
	var apiPath string
	cfg := func(extra string) string {
		return fmt.Sprintf(`
resource "gatewayd_upstream" "test" {
  name = %q
%s
}`, name, extra)
	}
	v1 := cfg("")
	v2 := cfg(`  hash_on        = "header"
  hash_on_header = "x-user"
  slots          = 100
  healthchecks = {
    active = {
      http_path = "/healthz"
      healthy   = { interval = 5, successes = 2 }
      unhealthy = { interval = 3, http_failures = 2 }
    }
    passive = {
      unhealthy = { http_failures = 5, http_statuses = [500, 502] }
    }
    threshold = 25
  }
  tags = ["lb"]`)
	hc := tfjsonpath.New("healthchecks")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed("gatewayd_upstream", topLevelPath("upstreams")),
		Steps: []resource.TestStep{
			{
				Config: v1,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("algorithm"), knownvalue.StringExact("round-robin")),
					statecheck.ExpectKnownValue(addr, hc.AtMapKey("active").AtMapKey("timeout"), knownvalue.Float64Exact(1)),
					statecheck.ExpectKnownValue(addr, hc.AtMapKey("passive").AtMapKey("unhealthy").AtMapKey("http_statuses"),
						knownvalue.ListSizeExact(3)),
				},
				Check: capturePath(addr, &apiPath, topLevelPath("upstreams")),
			},
			importStep(addr, importID(addr, "id")),
			importStep(addr, importID(addr, "name")),
			{
				Config:           v2,
				ConfigPlanChecks: expectUpdateInPlace(addr),
				ConfigStateChecks: []statecheck.StateCheck{
					// hash_on forces consistent-hashing: planned unknown, read back.
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("algorithm"), knownvalue.StringExact("consistent-hashing")),
					statecheck.ExpectKnownValue(addr, hc.AtMapKey("active").AtMapKey("healthy").AtMapKey("interval"), knownvalue.Float64Exact(5)),
					// Unset health check attributes keep the gateway's defaults.
					statecheck.ExpectKnownValue(addr, hc.AtMapKey("active").AtMapKey("concurrency"), knownvalue.Int64Exact(10)),
					statecheck.ExpectKnownValue(addr, hc.AtMapKey("passive").AtMapKey("healthy").AtMapKey("http_statuses"), knownvalue.ListSizeExact(19)),
				},
			},
			importStep(addr, importID(addr, "name")),
			{
				// Removing the health checks returns them to the defaults.
				Config:           cfg(`  algorithm = "least-connections"`),
				ConfigPlanChecks: expectUpdateInPlace(addr),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, hc.AtMapKey("active").AtMapKey("healthy").AtMapKey("interval"), knownvalue.Float64Exact(0)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("hash_on"), knownvalue.StringExact("none")),
				},
			},
			disappearsStep(v1, addr, &apiPath),
		},
	})
}

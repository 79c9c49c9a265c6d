package gatewayd

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

func TestAccUpstreamDataSource(t *testing.T) {
	name := randName("ds-upstream")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
resource "gatewayd_upstream" "u" {
  name         = %q
  healthchecks = { active = { healthy = { interval = 7 } } }
}
data "gatewayd_upstream" "u" {
  id = gatewayd_upstream.u.id
}`, name),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttr("data.gatewayd_upstream.u", "name", name),
				resource.TestCheckResourceAttr("data.gatewayd_upstream.u", "healthchecks.active.healthy.interval", "7"),
				resource.TestCheckResourceAttr("data.gatewayd_upstream.u", "healthchecks.active.http_path", "/"),
				resource.TestCheckResourceAttr("data.gatewayd_upstream.u", "slots", "10000"),
			),
		}},
	})
}

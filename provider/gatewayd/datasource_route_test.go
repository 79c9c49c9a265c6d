package gatewayd

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

func TestAccRouteDataSource(t *testing.T) {
	name := randName("ds-route")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testAccRouteConfig(name, `  paths = ["/x"]
  headers = { "x-env" = ["prod"] }`) + `
data "gatewayd_route" "r" {
  name = gatewayd_route.test.name
}`,
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttrPair("data.gatewayd_route.r", "id", "gatewayd_route.test", "id"),
				resource.TestCheckResourceAttrPair("data.gatewayd_route.r", "service_id", "gatewayd_service.svc", "id"),
				resource.TestCheckResourceAttr("data.gatewayd_route.r", "paths.0", "/x"),
				resource.TestCheckResourceAttr("data.gatewayd_route.r", "headers.x-env.0", "prod"),
				resource.TestCheckResourceAttr("data.gatewayd_route.r", "strip_path", "true"),
			),
		}},
	})
}

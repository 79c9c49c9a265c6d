package gatewayd

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

func TestAccServiceDataSource(t *testing.T) {
	name := randName("ds-svc")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      `data "gatewayd_service" "missing" { name = "` + name + `-missing" }`,
				ExpectError: regexp.MustCompile(`No service has name`),
			},
			{
				Config: fmt.Sprintf(`
resource "gatewayd_service" "svc" {
  name = %q
  host = "example.com"
  path = "/api"
  tags = ["t1"]
}
data "gatewayd_service" "by_name" {
  name = gatewayd_service.svc.name
}
data "gatewayd_service" "by_id" {
  id = gatewayd_service.svc.id
}`, name),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttrPair("data.gatewayd_service.by_name", "id", "gatewayd_service.svc", "id"),
					resource.TestCheckResourceAttrPair("data.gatewayd_service.by_id", "name", "gatewayd_service.svc", "name"),
					resource.TestCheckResourceAttr("data.gatewayd_service.by_name", "path", "/api"),
					resource.TestCheckResourceAttr("data.gatewayd_service.by_name", "port", "80"),
					resource.TestCheckResourceAttr("data.gatewayd_service.by_id", "tags.#", "1"),
				),
			},
		},
	})
}

package gatewayd

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

func TestAccConsumerDataSource(t *testing.T) {
	name := randName("ds-consumer")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: `data "gatewayd_consumer" "two" {
  username  = "a"
  custom_id = "b"
}`,
				ExpectError: regexp.MustCompile(`Exactly one of these attributes must be configured: \[id,username,custom_id\]`),
			},
			{
				Config: fmt.Sprintf(`
resource "gatewayd_consumer" "c" {
  username  = %[1]q
  custom_id = "%[1]s-cid"
}
data "gatewayd_consumer" "by_username" {
  username = gatewayd_consumer.c.username
}
data "gatewayd_consumer" "by_custom_id" {
  custom_id = gatewayd_consumer.c.custom_id
}`, name),
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttrPair("data.gatewayd_consumer.by_username", "id", "gatewayd_consumer.c", "id"),
					resource.TestCheckResourceAttrPair("data.gatewayd_consumer.by_custom_id", "id", "gatewayd_consumer.c", "id"),
					resource.TestCheckResourceAttr("data.gatewayd_consumer.by_custom_id", "username", name),
				),
			},
		},
	})
}

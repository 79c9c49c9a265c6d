package gatewayd

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

func TestAccACLGroup(t *testing.T) {
	name := randName("acl")
	addr := "gatewayd_acl_group.test"
	var apiPath string
	pathOf := nestedPath("consumer_id", "consumers", "acls")
	cfg := func(consumer, group string) string {
		return testAccConsumerConfig(name) + fmt.Sprintf(`
resource "gatewayd_acl_group" "test" {
  consumer_id = gatewayd_consumer.%s.id
  group       = %q
}
# The same group on the other consumer: group names repeat across consumers.
resource "gatewayd_acl_group" "other" {
  consumer_id = gatewayd_consumer.b.id
  group       = "admins"
}`, consumer, group)
	}
	v1, v2, v3 := cfg("a", "admins"), cfg("a", "readers"), cfg("b", "readers")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed("gatewayd_acl_group", pathOf),
		Steps: []resource.TestStep{
			{Config: v1},
			importStep(addr, importID(addr, "id")),
			// <consumer>/<group>: the group name alone is ambiguous.
			importStep(addr, func(s *terraform.State) (string, error) { return name + "-a/admins", nil }),
			{
				Config:           v2,
				ConfigPlanChecks: expectUpdateInPlace(addr),
				Check:            capturePath(addr, &apiPath, pathOf),
			},
			{
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

package gatewayd

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccConsumer(t *testing.T) {
	name := randName("consumer")
	addr := "gatewayd_consumer.test"
	var apiPath string
	cfg := func(extra string) string {
		return fmt.Sprintf(`
resource "gatewayd_consumer" "test" {
  username = %q
%s
}`, name, extra)
	}
	v1, v2 := cfg(""), cfg(`  custom_id = "`+name+`-cid"
  tags      = ["gold"]`)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed("gatewayd_consumer", topLevelPath("consumers")),
		Steps: []resource.TestStep{
			{
				// Plan-time validation, before anything exists.
				Config:      `resource "gatewayd_consumer" "test" {}`,
				ExpectError: regexp.MustCompile(`At least one of these attributes must be configured: \[username,custom_id\]`),
			},
			{
				Config: v1,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("custom_id"), knownvalue.Null()),
				},
				Check: capturePath(addr, &apiPath, topLevelPath("consumers")),
			},
			importStep(addr, importID(addr, "id")),
			importStep(addr, importID(addr, "username")),
			{
				Config:           v2,
				ConfigPlanChecks: expectUpdateInPlace(addr),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("custom_id"), knownvalue.StringExact(name+"-cid")),
				},
			},
			disappearsStep(v2, addr, &apiPath),
		},
	})
}

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

func TestAccKeyAuth(t *testing.T) {
	name := randName("keyauth")
	addr := "gatewayd_key_auth.test"
	var apiPath string
	pathOf := nestedPath("consumer_id", "consumers", "key-auth")
	cfg := func(consumer, body string) string {
		return testAccConsumerConfig(name) + fmt.Sprintf(`
resource "gatewayd_key_auth" "test" {
  consumer_id = gatewayd_consumer.%s.id
%s
}
resource "gatewayd_key_auth" "generated" {
  consumer_id = gatewayd_consumer.a.id
}`, consumer, body)
	}
	v1 := cfg("a", `  key = "`+name+`-k1"`)
	v2 := cfg("a", `  key  = "`+name+`-k2"
  tags = ["ci"]`)
	v3 := cfg("b", `  key  = "`+name+`-k2"
  tags = ["ci"]`)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed("gatewayd_key_auth", pathOf),
		Steps: []resource.TestStep{
			{
				Config: v1,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectSensitiveValue(addr, tfjsonpath.New("key")),
					// A key the gateway generated is kept in state, unchanged.
					statecheck.ExpectKnownValue("gatewayd_key_auth.generated", tfjsonpath.New("key"),
						knownvalue.StringRegexp(regexp.MustCompile(`^[A-Za-z0-9]{32}$`))),
				},
			},
			importStep(addr, importID(addr, "id")),
			importStep(addr, importID(addr, "key")),
			importStep(addr, importID(addr, "consumer_id", "key")),
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

func TestAccKeyAuthWriteOnly(t *testing.T) {
	name := randName("keyauth-wo")
	addr := "gatewayd_key_auth.test"
	cfg := func(key string, version int) string {
		return testAccConsumerConfig(name) + fmt.Sprintf(`
resource "gatewayd_key_auth" "test" {
  consumer_id    = gatewayd_consumer.a.id
  key_wo         = %q
  key_wo_version = %d
}`, key, version)
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed("gatewayd_key_auth", nestedPath("consumer_id", "consumers", "key-auth")),
		Steps: []resource.TestStep{
			{
				Config: cfg(name+"-secret-1", 1),
				ConfigStateChecks: []statecheck.StateCheck{
					// Neither the key nor key_wo reach the state.
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("key"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("key_wo"), knownvalue.Null()),
				},
				Check: checkAPIField(addr, nestedPath("consumer_id", "consumers", "key-auth"), "key", name+"-secret-1"),
			},
			{
				// A new value with the same version is invisible to Terraform.
				Config: cfg(name+"-secret-2", 1),
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				// Bumping the version sends it.
				Config:           cfg(name+"-secret-2", 2),
				ConfigPlanChecks: expectUpdateInPlace(addr),
				Check:            checkAPIField(addr, nestedPath("consumer_id", "consumers", "key-auth"), "key", name+"-secret-2"),
			},
			// An import can not tell a write-only key apart: it reads the key; the
			// next apply, which sends key_wo, drops it from the state again.
			importStep(addr, importID(addr, "id"), "key_wo_version", "key"),
		},
	})
}

package gatewayd

import (
	"context"
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccBasicAuth(t *testing.T) {
	name := randName("basicauth")
	addr := "gatewayd_basic_auth.test"
	var apiPath string
	pathOf := nestedPath("consumer_id", "consumers", "basic-auth")
	cfg := func(consumer, username, password string) string {
		return testAccConsumerConfig(name) + fmt.Sprintf(`
resource "gatewayd_basic_auth" "test" {
  consumer_id = gatewayd_consumer.%s.id
  username    = %q
  password    = %q
}`, consumer, username, password)
	}
	v1 := cfg("a", name+"-user", "pass-1")
	v2 := cfg("a", name+"-user2", "pass-2")
	v3 := cfg("b", name+"-user2", "pass-2")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed("gatewayd_basic_auth", pathOf),
		Steps: []resource.TestStep{
			{
				Config: testAccConsumerConfig(name) + `
resource "gatewayd_basic_auth" "test" {
  consumer_id = gatewayd_consumer.a.id
  username    = "x"
}`,
				ExpectError: regexp.MustCompile(`Exactly one of these attributes must be configured: \[password,password_wo\]`),
			},
			{
				Config: v1,
				ConfigStateChecks: []statecheck.StateCheck{
					// The gateway answers with a hash; the state keeps the password.
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("password"), knownvalue.StringExact("pass-1")),
					statecheck.ExpectSensitiveValue(addr, tfjsonpath.New("password")),
				},
				Check: capturePath(addr, &apiPath, pathOf),
			},
			// The password can not be read back after an import.
			importStep(addr, importID(addr, "id"), "password"),
			importStep(addr, importID(addr, "username"), "password"),
			importStep(addr, importID(addr, "consumer_id", "username"), "password"),
			{
				// Changed outside Terraform: the hash no longer matches the
				// password in state, so the plan sets it back.
				PreConfig: func() {
					if _, err := testClient.Update(context.Background(), apiPath, map[string]any{"password": "changed-by-hand"}); err != nil {
						panic(err)
					}
				},
				Config:           v1,
				ConfigPlanChecks: expectUpdateInPlace(addr),
			},
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

func TestAccBasicAuthWriteOnly(t *testing.T) {
	name := randName("basicauth-wo")
	addr := "gatewayd_basic_auth.test"
	cfg := func(password string, version int) string {
		return testAccConsumerConfig(name) + fmt.Sprintf(`
resource "gatewayd_basic_auth" "test" {
  consumer_id         = gatewayd_consumer.a.id
  username            = "%s-user"
  password_wo         = %q
  password_wo_version = %d
}`, name, password, version)
	}
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed("gatewayd_basic_auth", nestedPath("consumer_id", "consumers", "basic-auth")),
		Steps: []resource.TestStep{
			{
				Config: cfg("wo-pass-1", 1),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("password"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("password_wo"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("password_wo_version"), knownvalue.Int64Exact(1)),
				},
			},
			{
				Config:           cfg("wo-pass-2", 2),
				ConfigPlanChecks: expectUpdateInPlace(addr),
			},
		},
	})
}

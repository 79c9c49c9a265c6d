package gatewayd

import (
	"fmt"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

func TestAccPluginDataSource(t *testing.T) {
	name := randName("ds-plugin")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: testAccPluginConfig(name, fmt.Sprintf(`
resource "gatewayd_plugin" "p" {
  name          = "key-auth"
  instance_name = "%[1]s-p"
  service_id    = gatewayd_service.svc.id
  config_json   = jsonencode({ key_names = ["token"] })
}
data "gatewayd_plugin" "by_instance" {
  instance_name = gatewayd_plugin.p.instance_name
}
data "gatewayd_plugin" "by_scope" {
  name       = "key-auth"
  service_id = gatewayd_plugin.p.service_id
}`, name)),
			Check: resource.ComposeAggregateTestCheckFunc(
				resource.TestCheckResourceAttrPair("data.gatewayd_plugin.by_instance", "id", "gatewayd_plugin.p", "id"),
				resource.TestCheckResourceAttrPair("data.gatewayd_plugin.by_scope", "id", "gatewayd_plugin.p", "id"),
				// The data source shows the whole configuration, defaults included.
				resource.TestMatchResourceAttr("data.gatewayd_plugin.by_scope", "config_json",
					regexp.MustCompile(`"hide_credentials":false.*"key_names":\["token"\]`)),
			),
		}},
	})
}

package gatewayd

import (
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

func TestAccPluginSchemaDataSource(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: `
data "gatewayd_plugin_schema" "ka" {
  name = "key-auth"
}
output "key_names_default" {
  value = one([for f in data.gatewayd_plugin_schema.ka.fields : f.default_json if f.path == "key_names"])
}`,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckOutput("key_names_default", `["apikey"]`),
					resource.TestMatchResourceAttr("data.gatewayd_plugin_schema.ka", "config_defaults_json",
						regexp.MustCompile(`^\{.*"hide_credentials":false.*\}$`)),
					resource.TestMatchResourceAttr("data.gatewayd_plugin_schema.ka", "schema_json", regexp.MustCompile(`"fields"`)),
				),
			},
			{
				Config:      `data "gatewayd_plugin_schema" "x" { name = "no-such-plugin" }`,
				ExpectError: regexp.MustCompile(`No plugin named 'no-such-plugin'`),
			},
		},
	})
}

package gatewayd

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func testAccRouteConfig(name, route string) string {
	return fmt.Sprintf(`
resource "gatewayd_service" "svc" {
  name = "%[1]s-svc"
  host = "example.com"
}
resource "gatewayd_route" "test" {
  name       = %[1]q
  service_id = gatewayd_service.svc.id
%[2]s
}`, name, route)
}

func TestAccRoute(t *testing.T) {
	name := randName("route")
	addr := "gatewayd_route.test"
	var apiPath string
	v1 := testAccRouteConfig(name, `  paths   = ["/a", "/b"]
  methods = ["GET", "POST"]`)
	v2 := testAccRouteConfig(name, `  paths      = ["/b", "/a"]
  hosts      = ["api.example.com", "*.example.org"]
  headers    = { "x-version" = ["1", "2"] }
  strip_path = false
  protocols  = ["https"]
  snis       = ["api.example.com"]
  https_redirect_status_code = 301
  regex_priority = 5
  tags       = ["edge"]`)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed("gatewayd_route", topLevelPath("routes")),
		Steps: []resource.TestStep{
			{
				Config: v1,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("protocols"), knownvalue.SetExact([]knownvalue.Check{
						knownvalue.StringExact("http"), knownvalue.StringExact("https")})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("strip_path"), knownvalue.Bool(true)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("https_redirect_status_code"), knownvalue.Int64Exact(426)),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("path_handling"), knownvalue.StringExact("v0")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("paths"), knownvalue.ListExact([]knownvalue.Check{
						knownvalue.StringExact("/a"), knownvalue.StringExact("/b")})),
				},
				Check: capturePath(addr, &apiPath, topLevelPath("routes")),
			},
			importStep(addr, importID(addr, "id")),
			importStep(addr, importID(addr, "name")),
			{
				Config:           v2,
				ConfigPlanChecks: expectUpdateInPlace(addr),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("methods"), knownvalue.Null()),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("headers").AtMapKey("x-version"),
						knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("1"), knownvalue.StringExact("2")})),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("strip_path"), knownvalue.Bool(false)),
				},
			},
			importStep(addr, importID(addr, "name")),
			disappearsStep(v2, addr, &apiPath),
		},
	})
}

func TestAccRouteStreamAndGRPC(t *testing.T) {
	name := randName("route-l4")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed("gatewayd_route", topLevelPath("routes")),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
resource "gatewayd_route" "grpc" {
  name      = "%[1]s-grpc"
  protocols = ["grpc", "grpcs"]
  paths     = ["/helloworld.Greeter/"]
}
resource "gatewayd_route" "tcp" {
  name         = "%[1]s-tcp"
  protocols    = ["tcp", "tls"]
  sources      = [{ ip = "10.0.0.0/8" }, { ip = "192.168.1.1", port = 1234 }]
  destinations = [{ port = 5432 }]
}`, name),
			ConfigStateChecks: []statecheck.StateCheck{
				// The gateway defaults strip_path to false for grpc routes;
				// the provider plans it unknown and takes the server's value.
				statecheck.ExpectKnownValue("gatewayd_route.grpc", tfjsonpath.New("strip_path"), knownvalue.Bool(false)),
				statecheck.ExpectKnownValue("gatewayd_route.tcp", tfjsonpath.New("sources"), knownvalue.SetSizeExact(2)),
			},
		}},
	})
}

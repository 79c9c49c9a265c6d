package gatewayd

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
)

func TestAccSNI(t *testing.T) {
	name := randName("sni")
	addr := "gatewayd_sni.test"
	var apiPath string
	certA, keyA := testCert(t, name+".a.example.com", false)
	certB, keyB := testCert(t, name+".b.example.com", false)
	cfg := func(cert, sni string) string {
		return fmt.Sprintf(`
resource "gatewayd_certificate" "a" {
  cert = %s
  key  = %s
}
resource "gatewayd_certificate" "b" {
  cert = %s
  key  = %s
}
resource "gatewayd_sni" "test" {
  name           = %q
  certificate_id = gatewayd_certificate.%s.id
}`, hcl(certA), hcl(keyA), hcl(certB), hcl(keyB), sni, cert)
	}
	v1 := cfg("a", name+".example.com")
	v2 := cfg("b", "*."+name+".example.com")
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed("gatewayd_sni", topLevelPath("snis")),
		Steps: []resource.TestStep{
			{Config: v1, Check: capturePath(addr, &apiPath, topLevelPath("snis"))},
			importStep(addr, importID(addr, "id")),
			importStep(addr, importID(addr, "name")),
			{
				// Moving a name to another certificate is an update in place.
				Config:           v2,
				ConfigPlanChecks: expectUpdateInPlace(addr),
			},
			importStep(addr, importID(addr, "name")),
			disappearsStep(v2, addr, &apiPath),
		},
	})
}

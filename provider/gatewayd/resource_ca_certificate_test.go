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

func TestAccCACertificate(t *testing.T) {
	name := randName("ca")
	addr := "gatewayd_ca_certificate.test"
	var apiPath string
	ca1, _ := testCert(t, name+"-1", true)
	ca2, _ := testCert(t, name+"-2", true)
	leaf, _ := testCert(t, name+"-leaf", false)
	cfg := func(cert, extra string) string {
		return fmt.Sprintf(`
resource "gatewayd_ca_certificate" "test" {
  cert = %s
%s
}
resource "gatewayd_service" "tls" {
  name            = "%s-svc"
  protocol        = "https"
  host            = "backend.example.com"
  port            = 443
  tls_verify      = true
  ca_certificates = [gatewayd_ca_certificate.test.id]
}`, hcl(cert), extra, name)
	}
	v1, v2 := cfg(ca1, ""), cfg(ca2, `  tags = ["pki"]`)
	digest := regexp.MustCompile(`^[0-9a-f]{64}$`)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed("gatewayd_ca_certificate", topLevelPath("ca_certificates")),
		Steps: []resource.TestStep{
			{
				Config:      cfg(leaf, ""),
				ExpectError: regexp.MustCompile(`missing the "CA" basic constraint`),
			},
			{
				Config: v1,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("cert_digest"), knownvalue.StringRegexp(digest)),
				},
				Check: capturePath(addr, &apiPath, topLevelPath("ca_certificates")),
			},
			importStep(addr, importID(addr, "id")),
			{
				// A new CA in place; its digest is recomputed by the gateway.
				Config:           v2,
				ConfigPlanChecks: expectUpdateInPlace(addr),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("cert_digest"), knownvalue.StringRegexp(digest)),
				},
			},
			disappearsStep(v2, addr, &apiPath),
		},
	})
}

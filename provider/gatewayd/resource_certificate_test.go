package gatewayd

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccCertificate(t *testing.T) {
	name := randName("cert")
	host := name + ".example.com"
	addr := "gatewayd_certificate.test"
	var apiPath string
	cert1, key1 := testCert(t, host, false)
	cert2, key2 := testCert(t, host, false)
	cfg := func(cert, key, extra string) string {
		return fmt.Sprintf(`
resource "gatewayd_certificate" "test" {
  cert = %s
  key  = %s
%s
}
resource "gatewayd_sni" "test" {
  name           = %q
  certificate_id = gatewayd_certificate.test.id
}`, hcl(cert), hcl(key), extra, host)
	}
	v1 := cfg(cert1, key1, "")
	v2 := cfg(cert2, key2, `  tags = ["rotated"]`)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed("gatewayd_certificate", topLevelPath("certificates")),
		Steps: []resource.TestStep{
			{
				Config: v1,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectSensitiveValue(addr, tfjsonpath.New("key")),
				},
				Check: capturePath(addr, &apiPath, topLevelPath("certificates")),
			},
			importStep(addr, importID(addr, "id")),
			// The Admin API also finds a certificate by one of its SNIs.
			importStep(addr, func(*terraform.State) (string, error) { return host, nil }),
			{
				// Rotating the pair is an update in place: SNIs stay bound.
				Config:           v2,
				ConfigPlanChecks: expectUpdateInPlace(addr),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("tags"), knownvalue.SetSizeExact(1)),
				},
			},
			disappearsStep(v2, addr, &apiPath),
		},
	})
}

func TestAccCertificateWriteOnlyKey(t *testing.T) {
	name := randName("cert-wo")
	addr := "gatewayd_certificate.test"
	cert, key := testCert(t, name+".example.com", false)
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed("gatewayd_certificate", topLevelPath("certificates")),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
resource "gatewayd_certificate" "test" {
  cert           = %s
  key_wo         = %s
  key_wo_version = 1
}`, hcl(cert), hcl(key)),
			ConfigStateChecks: []statecheck.StateCheck{
				// The private key never reaches the state.
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("key"), knownvalue.Null()),
				statecheck.ExpectKnownValue(addr, tfjsonpath.New("key_wo"), knownvalue.Null()),
			},
			Check: checkAPIField(addr, topLevelPath("certificates"), "key", key),
		}},
	})
}

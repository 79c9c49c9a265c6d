package gatewayd

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccJWTSecret(t *testing.T) {
	name := randName("jwt")
	addr := "gatewayd_jwt_secret.test"
	var apiPath string
	pathOf := nestedPath("consumer_id", "consumers", "jwt")
	certPEM, _ := testCert(t, "jwt.example.com", false)
	block, _ := pem.Decode([]byte(certPEM))
	crt, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	pkix, _ := x509.MarshalPKIXPublicKey(crt.PublicKey)
	pub := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pkix}))
	cfg := func(body string) string {
		return testAccConsumerConfig(name) + fmt.Sprintf(`
resource "gatewayd_jwt_secret" "test" {
  consumer_id = gatewayd_consumer.a.id
  key         = "%s-iss"
%s
}`, name, body)
	}
	v1 := cfg(`  secret = "hmac-secret-1"`)
	v2 := cfg(`  algorithm      = "ES256"
  rsa_public_key = ` + hcl(pub))
	resource.ParallelTest(t, resource.TestCase{
		PreCheck:                 func() { testAccPreCheck(t) },
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             checkDestroyed("gatewayd_jwt_secret", pathOf),
		Steps: []resource.TestStep{
			{
				Config: v1,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("algorithm"), knownvalue.StringExact("HS256")),
					statecheck.ExpectSensitiveValue(addr, tfjsonpath.New("secret")),
				},
				Check: capturePath(addr, &apiPath, pathOf),
			},
			importStep(addr, importID(addr, "id")),
			importStep(addr, importID(addr, "key")),
			{
				// The secret is no longer configured: it keeps its value.
				Config:           v2,
				ConfigPlanChecks: expectUpdateInPlace(addr),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("secret"), knownvalue.StringExact("hmac-secret-1")),
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("algorithm"), knownvalue.StringExact("ES256")),
				},
			},
			importStep(addr, importID(addr, "consumer_id", "key")),
			disappearsStep(v2, addr, &apiPath),
		},
	})
}

package gatewayd

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/gatewayd-toolkit/gatewayd/acctest/harness"
)

// TestAccProviderTLS runs a gatewayd whose Admin API listens on https only,
// with a certificate for a name that is not the address dialled: the
// provider must trust ca_cert_pem and verify tls_server_name, refuse an
// unknown authority, and accept insecure_skip_verify.
func TestAccProviderTLS(t *testing.T) {
	skipWithoutAcc(t)
	t.Parallel()
	const serverName = "gatewayd-admin.test"
	cert, key := testCert(t, serverName, false)
	clientCert, clientKey := testCert(t, "terraform-client", false)
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "admin.crt"), filepath.Join(dir, "admin.key")
	if err := os.WriteFile(certFile, []byte(cert), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, []byte(key), 0o600); err != nil {
		t.Fatal(err)
	}
	port := harness.FreePort(t)
	harness.StartGatewayd(t, harness.Options{Extra: map[string]string{
		"admin_listen":       fmt.Sprintf("127.0.0.1:%d ssl", port),
		"admin_ssl_cert":     certFile,
		"admin_ssl_cert_key": keyFile,
		"admin_token":        testAdminToken,
	}})
	url := fmt.Sprintf("https://127.0.0.1:%d", port)
	name := randName("tls")
	provider := func(settings string) string {
		return fmt.Sprintf(`
provider "gatewayd" {
  admin_url   = %q
  admin_token = %q
  retries     = 0
%s
}`, url, testAdminToken, settings)
	}
	trusted := provider(fmt.Sprintf(`  ca_cert_pem     = %s
  tls_server_name = %q
  client_cert_pem = %s
  client_key_pem  = %s`, hcl(cert), serverName, hcl(clientCert), hcl(clientKey)))
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: provider("") + `
data "gatewayd_plugin_schema" "x" {
  name = "key-auth"
}`,
				ExpectError: regexp.MustCompile(`(?s)tls: failed to verify.*certificate`),
			},
			{
				Config: provider(`  insecure_skip_verify = true`) + `
data "gatewayd_plugin_schema" "x" {
  name = "key-auth"
}`,
			},
			{
				Config: trusted + fmt.Sprintf(`
resource "gatewayd_consumer" "c" {
  username = %q
}`, name),
				Check: resource.TestCheckResourceAttr("gatewayd_consumer.c", "username", name),
			},
		},
	})
}

package gatewayd

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"

	"github.com/gatewayd-toolkit/gatewayd/acctest/harness"
	"github.com/gatewayd-toolkit/gatewayd/gatewayd/api"
)

var variableRE = regexp.MustCompile(`(?m)^variable "([a-z0-9_]+)"`)

// TestAccExamples applies every example the documentation shows
// (examples/terraform/resources/*/resource.tf and data-sources/*/
// data-source.tf), checks the plan after apply is empty, and destroys
// it, so no published example can rot.
func TestAccExamples(t *testing.T) {
	skipWithoutAcc(t)
	root := filepath.Join(harness.RepoRoot(t), "examples", "terraform")
	files, _ := filepath.Glob(filepath.Join(root, "resources", "*", "resource.tf"))
	ds, _ := filepath.Glob(filepath.Join(root, "data-sources", "*", "data-source.tf"))
	files = append(files, ds...)
	sort.Strings(files)
	if len(files) != 14+6 {
		t.Fatalf("found %d examples, want one per resource and data source (20)", len(files))
	}

	cert, key := testCert(t, "example.com", false)
	ca, _ := testCert(t, "Internal CA", true)
	idpCert, _ := testCert(t, "idp.example.com", false)
	block, _ := pem.Decode([]byte(idpCert))
	parsed, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := x509.MarshalPKIXPublicKey(parsed.PublicKey)
	values := map[string]string{
		"certificate_pem":    cert,
		"private_key_pem":    key,
		"internal_ca_pem":    ca,
		"idp_public_key_pem": string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})),
		"alice_ci_key":       "example-ci-key",
		"alice_password":     "example-password",
		"robot_password":     "example-robot-password",
		"alice_hmac_secret":  "example-hmac-secret",
	}
	// What the data source examples look up, created outside Terraform as
	// they would be in real life.
	fixtures := map[string][][2]any{
		"gatewayd_service":  {{"services", api.Entity{"name": "legacy-billing", "host": "billing.internal"}}},
		"gatewayd_route":    {{"routes", api.Entity{"name": "login", "paths": []string{"/login"}}}},
		"gatewayd_consumer": {{"consumers", api.Entity{"username": "crm-customer", "custom_id": "crm-4711"}}},
		"gatewayd_upstream": {{"upstreams", api.Entity{"name": "orders.internal"}}},
		"gatewayd_plugin":   {{"plugins", api.Entity{"name": "rate-limiting", "config": api.Entity{"minute": 100}}}},
	}

	// Examples reuse names (alice, example-service) so they run one after
	// the other, in parallel with the rest of the suite.
	t.Parallel()
	for _, f := range files {
		dir := filepath.Base(filepath.Dir(f))
		kind := filepath.Base(filepath.Dir(filepath.Dir(f)))
		t.Run(kind+"/"+dir, func(t *testing.T) {
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			vars := config.Variables{}
			for _, m := range variableRE.FindAllStringSubmatch(string(src), -1) {
				v, ok := values[m[1]]
				if !ok {
					t.Fatalf("%s declares variable %s, which the test has no value for", f, m[1])
				}
				vars[m[1]] = config.StringVariable(v)
			}
			var setup []string
			if kind == "data-sources" {
				for _, fx := range fixtures[dir] {
					e, err := testClient.Create(context.Background(), fx[0].(string), fx[1].(api.Entity))
					if err != nil {
						t.Fatalf("fixture %v: %v", fx, err)
					}
					setup = append(setup, fx[0].(string)+"/"+e["id"].(string))
				}
			}
			t.Cleanup(func() {
				for _, p := range setup {
					_ = testClient.Delete(context.Background(), p)
				}
			})
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { testAccPreCheck(t) },
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:          string(src),
					ConfigVariables: vars,
				}},
			})
		})
	}
}

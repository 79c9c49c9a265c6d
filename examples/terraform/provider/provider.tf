terraform {
  required_providers {
    gatewayd = {
      source = "gatewayd-toolkit/gatewayd"
    }
  }
}

# The Admin API of gatewayd (or of a Kong 3.x node). admin_url and
# admin_token default to GATEWAYD_ADMIN_URL and GATEWAYD_ADMIN_TOKEN.
provider "gatewayd" {
  admin_url       = "https://gateway.example.com:8444"
  ca_cert_pem     = file("${path.module}/admin-ca.pem")
  request_timeout = "30s"
  retries         = 4
  headers = {
    "X-Requested-By" = "terraform"
  }
}

variable "internal_ca_pem" {
  type = string
}

resource "gatewayd_ca_certificate" "internal" {
  cert = var.internal_ca_pem
}

# Verify an https upstream against it.
resource "gatewayd_service" "billing" {
  name            = "billing"
  protocol        = "https"
  host            = "billing.internal"
  port            = 443
  tls_verify      = true
  ca_certificates = [gatewayd_ca_certificate.internal.id]
}

variable "certificate_pem" {
  type = string
}

variable "private_key_pem" {
  type      = string
  sensitive = true
}

resource "gatewayd_certificate" "example" {
  cert = var.certificate_pem
  key  = var.private_key_pem
}

resource "gatewayd_sni" "example" {
  name           = "example.com"
  certificate_id = gatewayd_certificate.example.id
}

resource "gatewayd_sni" "wildcard" {
  name           = "*.example.com"
  certificate_id = gatewayd_certificate.example.id
}

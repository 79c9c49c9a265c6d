variable "certificate_pem" {
  type = string
}

variable "private_key_pem" {
  type      = string
  sensitive = true
  ephemeral = true
}

# The private key is write-only: it never enters plan or state.
resource "gatewayd_certificate" "example" {
  cert           = var.certificate_pem
  key_wo         = var.private_key_pem
  key_wo_version = 1
  tags           = ["letsencrypt"]
}

resource "gatewayd_sni" "example" {
  name           = "example.com"
  certificate_id = gatewayd_certificate.example.id
}

variable "idp_public_key_pem" {
  type = string
}

resource "gatewayd_consumer" "alice" {
  username = "alice"
}

# HMAC: the gateway generates the secret unless you set one.
resource "gatewayd_jwt_secret" "alice" {
  consumer_id = gatewayd_consumer.alice.id
  key         = "alice-issuer"
}

# Public-key signatures.
resource "gatewayd_jwt_secret" "alice_es" {
  consumer_id    = gatewayd_consumer.alice.id
  key            = "https://idp.example.com/"
  algorithm      = "ES256"
  rsa_public_key = var.idp_public_key_pem
}

variable "alice_hmac_secret" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "gatewayd_consumer" "alice" {
  username = "alice"
}

resource "gatewayd_hmac_auth" "alice" {
  consumer_id       = gatewayd_consumer.alice.id
  username          = "alice-hmac"
  secret_wo         = var.alice_hmac_secret
  secret_wo_version = 1
}

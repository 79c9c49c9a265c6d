variable "alice_ci_key" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "gatewayd_consumer" "alice" {
  username = "alice"
}

# The gateway generates the key; it is kept (sensitive) in the state.
resource "gatewayd_key_auth" "alice" {
  consumer_id = gatewayd_consumer.alice.id
}

# A key you choose, written only: it never enters plan or state (Terraform
# 1.11+). Bump key_wo_version to send a new one.
resource "gatewayd_key_auth" "alice_ci" {
  consumer_id    = gatewayd_consumer.alice.id
  key_wo         = var.alice_ci_key
  key_wo_version = 1
}

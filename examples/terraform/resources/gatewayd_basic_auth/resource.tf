variable "alice_password" {
  type      = string
  sensitive = true
}

variable "robot_password" {
  type      = string
  sensitive = true
  ephemeral = true
}

resource "gatewayd_consumer" "alice" {
  username = "alice"
}

resource "gatewayd_consumer" "robot" {
  username = "robot"
}

resource "gatewayd_basic_auth" "alice" {
  consumer_id = gatewayd_consumer.alice.id
  username    = "alice"
  password    = var.alice_password
}

# The password never enters plan or state (Terraform 1.11+).
resource "gatewayd_basic_auth" "robot" {
  consumer_id         = gatewayd_consumer.robot.id
  username            = "robot"
  password_wo         = var.robot_password
  password_wo_version = 3
}

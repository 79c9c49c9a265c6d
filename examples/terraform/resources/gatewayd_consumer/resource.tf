resource "gatewayd_consumer" "alice" {
  username  = "alice"
  custom_id = "crm-4711"
  tags      = ["partner"]
}

data "gatewayd_service" "legacy" {
  name = "legacy-billing"
}

resource "gatewayd_route" "billing" {
  service_id = data.gatewayd_service.legacy.id
  paths      = ["/billing"]
}

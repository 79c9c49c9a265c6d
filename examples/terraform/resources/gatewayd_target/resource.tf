resource "gatewayd_upstream" "orders" {
  name = "orders.internal"
}

resource "gatewayd_target" "orders_a" {
  upstream_id = gatewayd_upstream.orders.id
  target      = "10.0.1.10:8080"
  weight      = 100
}

# Without a port the gateway uses 8000; Terraform sees no difference.
resource "gatewayd_target" "orders_b" {
  upstream_id = gatewayd_upstream.orders.id
  target      = "orders-b.internal"
  weight      = 50
}

data "gatewayd_upstream" "orders" {
  name = "orders.internal"
}

output "orders_active_check_interval" {
  value = data.gatewayd_upstream.orders.healthchecks.active.healthy.interval
}

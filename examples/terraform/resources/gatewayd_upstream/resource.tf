resource "gatewayd_upstream" "orders" {
  name      = "orders.internal"
  algorithm = "least-connections"
  # Only what differs from the defaults; the rest is planned with them.
  healthchecks = {
    active = {
      http_path = "/healthz"
      healthy   = { interval = 5, successes = 2 }
      unhealthy = { interval = 5, http_failures = 3, timeouts = 3 }
    }
    passive = {
      unhealthy = { http_failures = 5 }
    }
  }
}

# Services reach the upstream by its name.
resource "gatewayd_service" "orders" {
  name = "orders"
  host = gatewayd_upstream.orders.name
}
